// ---------------------------------------------------------------------------
// npm run deploy:aws -- [stack ...] [--auto-approve] [--outputs-file <file>]: deploy to real
// accounts with config/aws.json. With no stacks, the vendor then every customer; with stacks,
// just those (a customer's cloud ops runs `npm run deploy:aws -- customer-a`). Outputs are merged
// into terraform-outputs.json (or --outputs-file / SIDECAR_OUTPUTS_FILE), the file the e2e suite
// reads with SIDECAR_TARGET=aws. Each stack uses the profile or role that the config names for
// its account, and refuses to deploy into any other account. It asks before applying unless
// --auto-approve; without a terminal to ask on, it refuses instead.
// ---------------------------------------------------------------------------
import { createInterface } from 'node:readline/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configFileFor, loadConfig } from '../config/load';
import { VENDOR_STACK_NAME } from '../rules/naming';
import { deployStacks, PROJECT_ROOT } from './lib/deploy';

export const AWS_OUTPUTS_FILE = join(PROJECT_ROOT, 'terraform-outputs.json');

const HELP = `Usage: npm run deploy:aws -- [stack ...] [options]

Deploys the stacks to real AWS accounts with the config of the aws target
(config/aws.json, or SIDECAR_CONFIG_FILE). With no stack named: the vendor, then
every customer. Each stack uses its account's profile or role from the config.

Options:
  --auto-approve         apply without asking (required when there is no terminal)
  --outputs-file <file>  where the stacks' outputs are merged
                         (default: SIDECAR_OUTPUTS_FILE, else terraform-outputs.json)
  -h, --help             this text

Environment: SIDECAR_CONFIG_FILE, SIDECAR_OUTPUTS_FILE, SIDECAR_TFSTATE_DIR (Terraform
state folder, default the project root), SIDECAR_CDKTF_OUT (synth folder, default
cdktf.out), AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE /
AWS_PROFILE as the AWS CLI reads them.
`;

/** A command-line problem: the person typed something this command does not take. Exit 2. */
export class UsageError extends Error {
  readonly code = 'Usage';
  constructor(message: string) {
    super(`${message}\nRun npm run deploy:aws -- --help for the options.`);
    this.name = 'UsageError';
  }
}

/** Refused to apply: nobody approved it. Exit 1. */
export class NotApprovedError extends Error {
  readonly code = 'NotApproved';
  constructor(message: string) {
    super(message);
    this.name = 'NotApprovedError';
  }
}

export interface DeployAwsArgs {
  readonly help: boolean;
  readonly autoApprove: boolean;
  readonly outputsFile?: string;
  readonly stacks: readonly string[];
}

export function parseDeployAwsArgs(argv: readonly string[]): DeployAwsArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        'auto-approve': { type: 'boolean' },
        'outputs-file': { type: 'string' },
      },
    });
    return { help: values.help === true, autoApprove: values['auto-approve'] === true, outputsFile: values['outputs-file'], stacks: positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function approved(stacks: readonly string[], configFile: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new NotApprovedError('deploy:aws changes real AWS accounts and there is no terminal to ask on: pass --auto-approve to apply without asking.');
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(`Deploy ${stacks.join(', ')} to AWS with ${configFile}? Type "yes" to apply: `);
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseDeployAwsArgs(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, SIDECAR_TARGET: 'aws' };
  const config = loadConfig(env);
  const known = [VENDOR_STACK_NAME, ...config.customers.map((c) => c.name)];
  const unknown = args.stacks.filter((s) => !known.includes(s));
  if (unknown.length > 0) throw new UsageError(`unknown stack(s) ${unknown.join(', ')}; ${configFileFor('aws', env)} has: ${known.join(', ')}`);
  const stacks = args.stacks.length > 0 ? [...args.stacks] : known;
  const outputsFile = resolve(args.outputsFile ?? env.SIDECAR_OUTPUTS_FILE ?? AWS_OUTPUTS_FILE);
  if (!args.autoApprove && !(await approved(stacks, config.file))) {
    throw new NotApprovedError('not applied: the answer was not "yes"');
  }
  const { seconds } = await deployStacks({
    env,
    outDir: env.SIDECAR_CDKTF_OUT ? resolve(env.SIDECAR_CDKTF_OUT) : undefined,
    includeVendor: stacks.includes(VENDOR_STACK_NAME),
    customerStacks: stacks.filter((s) => s !== VENDOR_STACK_NAME),
    outputsFile,
  });
  process.stderr.write(`Deployed ${stacks.join(', ')} in ${seconds.toFixed(0)} s; outputs merged into ${outputsFile}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    const err = e as Error & { code?: string };
    process.stderr.write(`deploy:aws failed${err.code ? ` (${err.code})` : ''}: ${err.message}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  });
}
