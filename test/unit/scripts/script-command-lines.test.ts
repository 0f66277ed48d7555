// ---------------------------------------------------------------------------
// Every operator script (npm run local:*, deploy:local, destroy:local, demo, soak, external-id,
// onboard, rotate, offboard, tenants, kit, bench), spawned under tsx (test/support/scripts.ts runScript): `--help` prints
// its usage, options and examples and exits 0; an unknown option or a stray argument is refused in
// one line that names it and points at --help, exit 2. Each run happens in a canary environment (scripts/support: a fake `terraform`
// that records calls, no local cloud that could start), and each test checks that nothing was
// reached: the command line is read before anything else. verify and deploy:aws are not here
// (their command lines belong to other work).
// ---------------------------------------------------------------------------
import { existsSync } from 'node:fs';
import { canaryEnv, runScript, type Canary } from '../../support/scripts';

interface Entry {
  /** npm script name. */
  readonly name: string;
  readonly script: string;
  /** Arguments before the options (local-cloud.ts's subcommand). */
  readonly pre: readonly string[];
  /** Every option its help must list. */
  readonly options: readonly string[];
  /** Whether it takes arguments (then a stray one is refused by its own rule, tested elsewhere). */
  readonly takesArguments?: boolean;
}

const ENTRIES: readonly Entry[] = [
  { name: 'local:up', script: 'scripts/local-cloud.ts', pre: ['up'], options: [] },
  { name: 'local:down', script: 'scripts/local-cloud.ts', pre: ['down'], options: [] },
  { name: 'local:status', script: 'scripts/local-cloud.ts', pre: ['status'], options: [] },
  { name: 'local:reset', script: 'scripts/local-cloud.ts', pre: ['reset'], options: [] },
  { name: 'local:env', script: 'scripts/local-cloud.ts', pre: ['env'], options: ['--unset'] },
  { name: 'deploy:local', script: 'scripts/deploy-local.ts', pre: [], options: ['--verbose'], takesArguments: true },
  { name: 'destroy:local', script: 'scripts/destroy-local.ts', pre: [], options: ['--auto-approve'] },
  { name: 'demo', script: 'scripts/demo.ts', pre: [], options: ['--keep', '--verbose'] },
  { name: 'soak', script: 'scripts/soak.ts', pre: [], options: ['--calls <n>', '--customers <n>', '--concurrency <n>'] },
  { name: 'external-id', script: 'scripts/new-external-id.ts', pre: [], options: [] },
  { name: 'onboard', script: 'scripts/onboard.ts', pre: [], options: ['--tenant <id>', '--customer-account <account>', '--role-name <name>', '--function <arn>...', '--template-url <url>', '--kit-dir <dir>', '--table <name>'] },
  { name: 'rotate', script: 'scripts/rotate.ts', pre: [], options: ['--tenant <id>', '--finish', '--template-url <url>', '--kit-dir <dir>'] },
  { name: 'offboard', script: 'scripts/offboard.ts', pre: [], options: ['--tenant <id>', '--table <name>'] },
  { name: 'tenants', script: 'scripts/tenants.ts', pre: [], options: ['--json', '--show-external-ids', '--table <name>'] },
  { name: 'kit', script: 'scripts/kit.ts', pre: [], options: ['--tenant <id>', '--out <dir>', '--template-url <url>', '--from <source>'] },
  { name: 'bench', script: 'bench/run.ts', pre: [], options: ['--quick', '--parts <list>', '--out <file>'] },
  { name: 'test', script: 'scripts/test-suites.ts', pre: [], options: ['--serial'] },
];

/** stderr without npx's own chatter (spinner frames, npm warnings). */
const ownLines = (stderr: string) => stderr.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/^[⠀-⣿\s]+/, '')).filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));

// One canary for the file; the spawns run concurrently (each is mostly npx and tsx starting,
// ~2 s on an idle machine; several times that on a loaded 2-core one, hence the bounds).
const canary: Canary = canaryEnv();
afterAll(() => canary.dispose());
jest.setTimeout(180_000);

/** Run the script in the canary environment, and check that it reached nothing. */
async function run(script: string, args: readonly string[]) {
  const res = await runScript(script, args, { env: canary.env });
  expect(canary.terraformCalls()).toBe('');
  expect(existsSync(canary.localCloudHome)).toBe(false);
  return res;
}

describe.each(ENTRIES)('$name ($script $pre)', (entry) => {
  test.concurrent('--help: usage, what it does, its options and examples on stdout; exit 0', async () => {
    const res = await run(entry.script, [...entry.pre, '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Usage: .*\S/);
    expect(res.stdout.split('\n')[0]).toContain(entry.name);
    expect(res.stdout).toMatch(/\nOptions:\n/);
    for (const option of entry.options) expect(res.stdout).toContain(option);
    expect(res.stdout).toContain('-h, --help');
    expect(res.stdout).toMatch(/\nExamples:\n {2}\S/);
    expect(ownLines(res.stderr)).toEqual([]);
  });

  test.concurrent('an unknown option: one line naming it and pointing at --help; exit 2, nothing on stdout', async () => {
    const res = await run(entry.script, [...entry.pre, '--no-such-option']);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(ownLines(res.stderr)).toEqual([`${entry.name}: unknown option '--no-such-option'; see --help (npm run ${entry.name} -- --help)`]);
  });

  if (!entry.takesArguments) {
    test.concurrent('a stray argument: one line naming it; exit 2', async () => {
      const res = await run(entry.script, [...entry.pre, 'stray']);
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      expect(ownLines(res.stderr)).toEqual([`${entry.name}: unexpected argument 'stray' (this command takes no arguments); see --help (npm run ${entry.name} -- --help)`]);
    });
  }
});

describe('arguments checked against what they name, still before anything runs', () => {
  test.concurrent('deploy:local refuses a stack the config does not have, listing those it has', async () => {
    const res = await run('scripts/deploy-local.ts', ['customer-z']);
    expect(res.code).toBe(2);
    expect(ownLines(res.stderr)).toEqual([
      "deploy:local: unknown stack 'customer-z' (the local config's stacks: vendor, customer-a, customer-b); see --help (npm run deploy:local -- --help)",
    ]);
  });

  test.concurrent.each([
    [['--calls', 'lots'], "soak: option '--calls' must be a whole number, 1 or more (got 'lots')"],
    [['--customers', '100'], "soak: option '--customers' must be a whole number, from 1 to 99 (got '100')"],
    [['--calls'], "soak: option '--calls' needs a value: --calls <n>"],
  ])('soak %j: %s', async (argv, message) => {
    const res = await run('scripts/soak.ts', argv);
    expect(res.code).toBe(2);
    expect(ownLines(res.stderr)).toEqual([`${message}; see --help (npm run soak -- --help)`]);
  });

  test.concurrent('bench refuses a part that does not exist', async () => {
    const res = await run('bench/run.ts', ['--parts=1,9']);
    expect(res.code).toBe(2);
    expect(ownLines(res.stderr)).toEqual(["bench: option '--parts' takes part numbers from 1,2,3,4,5,6,7,8 (got '9' in '1,9'); see --help (npm run bench -- --help)"]);
  });

  test.concurrent('local-cloud.ts: an unknown or missing command is refused, naming the commands', async () => {
    const unknown = await run('scripts/local-cloud.ts', ['start']);
    expect(unknown.code).toBe(2);
    expect(ownLines(unknown.stderr)).toEqual(["local-cloud: unknown command 'start' (up, down, status, reset or env); see --help (npx tsx scripts/local-cloud.ts --help)"]);
    const missing = await run('scripts/local-cloud.ts', []);
    expect(missing.code).toBe(2);
    expect(ownLines(missing.stderr)).toEqual(['local-cloud: missing command: up, down, status, reset or env; see --help (npx tsx scripts/local-cloud.ts --help)']);
    const help = await run('scripts/local-cloud.ts', ['--help']);
    expect(help.code).toBe(0);
    for (const c of ['local:up', 'local:down', 'local:status', 'local:reset', 'local:env']) expect(help.stdout).toContain(`npm run ${c}`);
  });
});
