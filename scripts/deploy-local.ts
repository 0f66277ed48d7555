// ---------------------------------------------------------------------------
// npm run deploy:local [-- [stack ...] [--verbose]]: start the local cloud if needed, deploy the
// vendor then every customer stack (or only the stacks named) with the real cdktf + Terraform,
// into the cloud that runs (its port read from its server file), and write the outputs to
// .localcloud/outputs.json. Ctrl-C (or SIGTERM) stops Terraform cleanly and says which stacks
// were done, which was interrupted, and the command that resumes; exit 130 (SIGTERM: 143).
// ---------------------------------------------------------------------------
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import { VENDOR_STACK_NAME } from '../rules/naming';
import { exitWithUsageError, readCommandLine, UsageError, type CommandSpec } from './lib/cli';
import { DeployInterruptedError, deployStacks, interruptedDeployMessage, PROJECT_ROOT, signalOf } from './lib/deploy';
import { exitCodeForSignal, onInterrupt } from './lib/interrupt';
import { ensureLocalCloud } from './lib/local-cloud';
import { configSecrets, redactSecrets } from './lib/redact';

export const LOCAL_OUTPUTS_FILE = join(PROJECT_ROOT, '.localcloud', 'outputs.json');
/** cdktf's and Terraform's full output of the last local deploy, secrets redacted (the terminal gets progress lines). */
export const LOCAL_DEPLOY_LOG = join(PROJECT_ROOT, '.localcloud', 'deploy.log');

export const DEPLOY_LOCAL_COMMAND: CommandSpec<{ verbose: { type: 'boolean'; description: string } }> = {
  name: 'deploy:local',
  usage: ['npm run deploy:local [-- [<stack> ...] [--verbose]]'],
  summary: 'deploy the vendor and every customer stack into the local cloud',
  description: [
    'Start the local cloud if it is not running (npm run local:up), synthesize the stacks, then deploy',
    'the vendor stack and after it every customer stack (in parallel) with the real cdktf and Terraform,',
    'into the running cloud (its port is read from .localcloud/server.json). The outputs of every stack',
    'go to .localcloud/outputs.json; cdktf\'s full output, secrets redacted, to .localcloud/deploy.log.',
    'Name stacks to deploy only those (the vendor first when named); deploying again changes nothing.',
    'Ctrl-C stops Terraform cleanly and prints which stacks were done and the command that resumes.',
  ].join('\n'),
  arguments: { name: 'stack', description: 'a stack of the local config: vendor, customer-a, ... (default: all of them)' },
  options: { verbose: { type: 'boolean', description: 'stream cdktf\'s and Terraform\'s output instead of progress lines' } },
  examples: [
    { command: 'npm run deploy:local', says: 'deploy everything' },
    { command: 'npm run deploy:local -- customer-b', says: 'deploy (or resume with) one customer; the vendor must be deployed' },
    { command: 'npm run deploy:local -- --verbose', says: 'show Terraform\'s plans and applies as they run' },
  ],
};

/** What the stack choices need of the config: the customers' stack names. */
export interface StackNames { readonly customers: readonly { readonly name: string }[] }

/** The stacks to deploy, vendor first then customers in config order; UsageError naming an unknown one. */
export function stacksToDeploy(config: StackNames, named: readonly string[]): { vendor: boolean; customers: string[] } {
  const customers = config.customers.map((c) => c.name);
  if (named.length === 0) return { vendor: true, customers };
  const known = [VENDOR_STACK_NAME, ...customers];
  const unknown = named.find((s) => !known.includes(s));
  if (unknown !== undefined) throw new UsageError(`unknown stack '${unknown}' (the local config's stacks: ${known.join(', ')})`);
  return { vendor: named.includes(VENDOR_STACK_NAME), customers: customers.filter((c) => named.includes(c)) };
}

/** The command that deploys `stacks`, or all of them when that is what is left. */
export function resumeCommand(config: StackNames, stacks: readonly string[]): string {
  const all = [VENDOR_STACK_NAME, ...config.customers.map((c) => c.name)];
  return all.every((s) => stacks.includes(s)) ? 'npm run deploy:local' : `npm run deploy:local -- ${stacks.join(' ')}`;
}

export interface DeployLocalOptions {
  readonly verbose?: boolean;
  /** Stacks to deploy. @default all */
  readonly stacks?: readonly string[];
  /** Aborting it interrupts the deploy (DeployInterruptedError). */
  readonly signal?: AbortSignal;
}

export async function deployLocal(env: NodeJS.ProcessEnv = process.env, options: DeployLocalOptions = {}): Promise<string> {
  const config = loadConfig({ ...env, SIDECAR_TARGET: 'local' });
  const { vendor, customers } = stacksToDeploy(config, options.stacks ?? []);
  const all = [...(vendor ? [VENDOR_STACK_NAME] : []), ...customers];
  const interruptedBeforeDeploying = () => new DeployInterruptedError(signalOf(options.signal), 'starting the local cloud', [], [], all);
  let port: number;
  try {
    port = (await ensureLocalCloud({ ...env, SIDECAR_TARGET: 'local' })).cloud.port;
  } catch (e) {
    // Ctrl-C reaches `local:up` too; what the person needs to hear is that they interrupted it.
    if (options.signal?.aborted) throw interruptedBeforeDeploying();
    throw e;
  }
  if (options.signal?.aborted) throw interruptedBeforeDeploying();
  // The cloud that runs, on the port it listens on (LOCALCLOUD_PORT=0 starts it on any free port).
  const localEnv = { ...env, SIDECAR_TARGET: 'local', LOCALCLOUD_PORT: String(port) };
  mkdirSync(join(PROJECT_ROOT, '.localcloud'), { recursive: true });
  writeFileSync(LOCAL_DEPLOY_LOG, '');
  // Terraform prints each trust policy, external ID included, in its plan.
  const secrets = configSecrets(config);
  if (!options.verbose) process.stderr.write(`Deploying with cdktf + Terraform (full output: ${LOCAL_DEPLOY_LOG}; --verbose to stream it)\n`);
  const { seconds } = await deployStacks({
    env: localEnv,
    includeVendor: vendor,
    customerStacks: customers,
    outputsFile: LOCAL_OUTPUTS_FILE,
    onOutput: options.verbose ? undefined : (chunk) => appendFileSync(LOCAL_DEPLOY_LOG, redactSecrets(chunk, secrets)),
    signal: options.signal,
  });
  process.stderr.write(`Deployed ${all.join(', ')} in ${seconds.toFixed(0)} s; outputs in ${LOCAL_OUTPUTS_FILE}\n`);
  return LOCAL_OUTPUTS_FILE;
}

async function main(): Promise<number> {
  const { values, args } = readCommandLine(DEPLOY_LOCAL_COMMAND);
  const config = loadConfig({ ...process.env, SIDECAR_TARGET: 'local' });
  try {
    stacksToDeploy(config, args);
  } catch (e) {
    if (e instanceof UsageError) return exitWithUsageError(DEPLOY_LOCAL_COMMAND, e.message);
    throw e;
  }
  const interrupts = onInterrupt();
  try {
    await deployLocal(process.env, { verbose: values.verbose, stacks: args, signal: interrupts.signal });
    return 0;
  } catch (e) {
    if (!(e instanceof DeployInterruptedError)) throw e;
    process.stderr.write(`\n${interruptedDeployMessage(e, (stacks) => resumeCommand(config, stacks))}`);
    return exitCodeForSignal(e.signal);
  } finally {
    interrupts.dispose();
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e) => {
    process.stderr.write(`deploy:local failed: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
