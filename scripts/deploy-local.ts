// npm run deploy:local: start the local cloud if needed, deploy vendor then every customer stack
// with the real cdktf + Terraform, and write the outputs to .localcloud/outputs.json.
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import { deployStacks, PROJECT_ROOT } from './lib/deploy';
import { ensureLocalCloud } from './lib/local-cloud';

export const LOCAL_OUTPUTS_FILE = join(PROJECT_ROOT, '.localcloud', 'outputs.json');

export async function deployLocal(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const localEnv = { ...env, SIDECAR_TARGET: 'local' };
  const config = loadConfig(localEnv);
  await ensureLocalCloud(localEnv);
  const { seconds } = await deployStacks({ env: localEnv, customerStacks: config.customers.map((c) => c.name), outputsFile: LOCAL_OUTPUTS_FILE });
  process.stderr.write(`Deployed vendor and ${config.customers.length} customer stack(s) in ${seconds.toFixed(0)} s; outputs in ${LOCAL_OUTPUTS_FILE}\n`);
  return LOCAL_OUTPUTS_FILE;
}

if (require.main === module) {
  deployLocal().catch((e) => {
    process.stderr.write(`deploy:local failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
