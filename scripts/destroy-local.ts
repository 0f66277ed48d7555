// ---------------------------------------------------------------------------
// npm run destroy:local [-- --auto-approve]: destroy every customer stack, then the vendor's, in
// the local cloud. It asks first (y/N, read from the terminal) unless --auto-approve; without a
// terminal (stdin not a TTY, or CI=true) it refuses unless --auto-approve. Its command line is
// read before anything else, so `--help` or a typo can never destroy anything.
// ---------------------------------------------------------------------------
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../config/load';
import { VENDOR_STACK_NAME } from '../rules/naming';
import { readCommandLine, type CommandSpec } from './lib/cli';
import { destroyStacks } from './lib/deploy';
import { ensureLocalCloud } from './lib/local-cloud';
import { LOCAL_OUTPUTS_FILE } from './deploy-local';

export const DESTROY_LOCAL_COMMAND: CommandSpec<{ 'auto-approve': { type: 'boolean'; description: string } }> = {
  name: 'destroy:local',
  usage: ['npm run destroy:local [-- --auto-approve]'],
  summary: 'destroy every stack in the local cloud (customers first, then the vendor)',
  description: [
    'Destroy every customer stack, then the vendor stack, in the local cloud, with the real cdktf and',
    'Terraform (starting the local cloud first if it is not running). It asks before destroying',
    '(answer y) unless --auto-approve is given; without a terminal (stdin is not a TTY, or CI=true)',
    'it refuses unless --auto-approve is given. The local cloud keeps running: npm run local:down stops it.',
  ].join('\n'),
  options: { 'auto-approve': { type: 'boolean', description: 'destroy without asking (needed without a terminal, e.g. in CI)' } },
  examples: [
    { command: 'npm run destroy:local', says: 'list what would be destroyed, ask y/N, then destroy' },
    { command: 'npm run destroy:local -- --auto-approve', says: 'destroy without asking' },
  ],
};

/** Thrown when destroying was not confirmed; nothing was destroyed. */
export class DestroyNotConfirmedError extends Error {
  readonly code = 'DestroyNotConfirmed';
  constructor(message: string) {
    super(message);
    this.name = 'DestroyNotConfirmedError';
  }
}

/** Why there is no one to ask (undefined when stdin is a terminal and CI is not set). */
export function noTerminalReason(stdinIsTty: boolean, env: NodeJS.ProcessEnv): string | undefined {
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return `CI=${env.CI} is set`;
  if (!stdinIsTty) return 'stdin is not a terminal';
  return undefined;
}

/** The refusal when there is no terminal to ask: names why, and the flag (npm takes it for itself before `--`). */
export function refusalWithoutTerminal(reason: string, env: NodeJS.ProcessEnv): string {
  const npmAteIt = env.npm_config_auto_approve !== undefined
    ? ' (npm took --auto-approve for itself: put it after --, as below)'
    : '';
  return `destroy:local: refusing to destroy without confirmation: ${reason}, so there is no one to ask${npmAteIt}. ` +
    'Nothing was destroyed. To destroy without asking, pass --auto-approve: npm run destroy:local -- --auto-approve';
}

/** Ask on the terminal; true only for y or yes. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

async function main(): Promise<void> {
  const { values } = readCommandLine(DESTROY_LOCAL_COMMAND);
  const env = { ...process.env, SIDECAR_TARGET: 'local' };
  const config = loadConfig(env);
  const customerStacks = config.customers.map((c) => c.name);
  const stacks = [...customerStacks, VENDOR_STACK_NAME];
  if (!values['auto-approve']) {
    const reason = noTerminalReason(process.stdin.isTTY === true, process.env);
    if (reason) throw new DestroyNotConfirmedError(refusalWithoutTerminal(reason, process.env));
    process.stderr.write(`This destroys every resource of ${stacks.join(', ')} in the local cloud (the stacks' Terraform state says what exists).\n`);
    if (!(await confirm('Destroy them? [y/N] '))) throw new DestroyNotConfirmedError('destroy:local: not confirmed; nothing was destroyed.');
  }
  const { cloud } = await ensureLocalCloud(env);
  await destroyStacks({ env: { ...env, LOCALCLOUD_PORT: String(cloud.port) }, customerStacks, outputsFile: LOCAL_OUTPUTS_FILE });
  process.stderr.write('Destroyed every stack in the local cloud. Stop it with npm run local:down.\n');
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(e instanceof DestroyNotConfirmedError ? `${e.message}\n` : `destroy:local failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  });
}
