// ---------------------------------------------------------------------------
// npm run deploy:aws -- [stack ...]: deploy to real accounts with config/aws.json. With no
// stacks, the vendor then every customer; with stacks, just those (a customer's cloud ops runs
// `npm run deploy:aws -- customer-a`). Outputs are merged into terraform-outputs.json, the file
// the e2e suite reads with SIDECAR_TARGET=aws. Each stack uses the profile or role that
// config/aws.json names for its account, and refuses to deploy into any other account.
// ---------------------------------------------------------------------------
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import { VENDOR_STACK_NAME } from '../rules/naming';
import { deployStacks, PROJECT_ROOT } from './lib/deploy';

export const AWS_OUTPUTS_FILE = join(PROJECT_ROOT, 'terraform-outputs.json');

async function main(): Promise<void> {
  const env = { ...process.env, SIDECAR_TARGET: 'aws' };
  const config = loadConfig(env);
  const known = [VENDOR_STACK_NAME, ...config.customers.map((c) => c.name)];
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const unknown = asked.filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new Error(`unknown stack(s) ${unknown.join(', ')}; config/aws.json has: ${known.join(', ')}`);
  const stacks = asked.length > 0 ? asked : known;
  const { seconds } = await deployStacks({
    env,
    includeVendor: stacks.includes(VENDOR_STACK_NAME),
    customerStacks: stacks.filter((s) => s !== VENDOR_STACK_NAME),
    outputsFile: AWS_OUTPUTS_FILE,
  });
  process.stderr.write(`Deployed ${stacks.join(', ')} in ${seconds.toFixed(0)} s; outputs merged into ${AWS_OUTPUTS_FILE}\n`);
}

main().catch((e) => {
  process.stderr.write(`deploy:aws failed: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
