// npm run destroy:local: destroy every customer stack, then the vendor's, in the local cloud.
import { loadConfig } from '../config/load';
import { destroyStacks } from './lib/deploy';
import { ensureLocalCloud } from './lib/local-cloud';
import { LOCAL_OUTPUTS_FILE } from './deploy-local';

async function main(): Promise<void> {
  const env = { ...process.env, SIDECAR_TARGET: 'local' };
  const config = loadConfig(env);
  await ensureLocalCloud(env);
  await destroyStacks({ env, customerStacks: config.customers.map((c) => c.name), outputsFile: LOCAL_OUTPUTS_FILE });
  process.stderr.write('Destroyed every stack in the local cloud. Stop it with npm run local:down.\n');
}

main().catch((e) => {
  process.stderr.write(`destroy:local failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
