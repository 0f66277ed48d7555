// npm run deploy:local: start the local cloud if needed, deploy vendor then every customer stack
// with the real cdktf + Terraform, and write the outputs to .localcloud/outputs.json.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import { deployStacks, PROJECT_ROOT } from './lib/deploy';
import { configSecrets, redactSecrets } from './lib/redact';
import { ensureLocalCloud } from './lib/local-cloud';

export const LOCAL_OUTPUTS_FILE = join(PROJECT_ROOT, '.localcloud', 'outputs.json');
/** cdktf's and Terraform's full output of the last local deploy, secrets redacted (the terminal gets progress lines). */
export const LOCAL_DEPLOY_LOG = join(PROJECT_ROOT, '.localcloud', 'deploy.log');

export async function deployLocal(env: NodeJS.ProcessEnv = process.env, options: { verbose?: boolean } = {}): Promise<string> {
  const localEnv = { ...env, SIDECAR_TARGET: 'local' };
  const config = loadConfig(localEnv);
  await ensureLocalCloud(localEnv);
  mkdirSync(join(PROJECT_ROOT, '.localcloud'), { recursive: true });
  writeFileSync(LOCAL_DEPLOY_LOG, '');
  // Terraform prints each trust policy, external ID included, in its plan.
  const secrets = configSecrets(config);
  if (!options.verbose) process.stderr.write(`Deploying with cdktf + Terraform (full output: ${LOCAL_DEPLOY_LOG}; --verbose to stream it)\n`);
  const { seconds } = await deployStacks({
    env: localEnv,
    customerStacks: config.customers.map((c) => c.name),
    outputsFile: LOCAL_OUTPUTS_FILE,
    onOutput: options.verbose ? undefined : (chunk) => appendFileSync(LOCAL_DEPLOY_LOG, redactSecrets(chunk, secrets)),
  });
  process.stderr.write(`Deployed vendor and ${config.customers.length} customer stack(s) in ${seconds.toFixed(0)} s; outputs in ${LOCAL_OUTPUTS_FILE}\n`);
  return LOCAL_OUTPUTS_FILE;
}

if (require.main === module) {
  deployLocal(process.env, { verbose: process.argv.includes('--verbose') }).catch((e) => {
    process.stderr.write(`deploy:local failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
