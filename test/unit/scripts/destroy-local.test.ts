// ---------------------------------------------------------------------------
// npm run destroy:local asks before destroying, refuses without a terminal unless
// --auto-approve, and can never be set off by --help (it once destroyed all four stacks for
// `npm run destroy:local -- --help`). Every run is in a canary environment: a fake `terraform`
// that records calls and a LOCALCLOUD_HOME no local cloud can start in, so a regression fails
// the test instead of destroying anything. The terminal cases run under a pseudo-terminal
// (util-linux `script`); they are skipped, saying so, where there is none.
// ---------------------------------------------------------------------------
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { noTerminalReason, refusalWithoutTerminal } from '../../../scripts/destroy-local';
import { canaryEnv, PROJECT_ROOT, runCommand, runScript, type Canary } from '../../support/scripts';

// Spawns of npx tsx: seconds when idle, much more on a loaded machine.
jest.setTimeout(180_000);

const canary: Canary = canaryEnv();
afterAll(() => canary.dispose());
const untouched = () => {
  expect(canary.terraformCalls()).toBe('');
  expect(existsSync(canary.localCloudHome)).toBe(false);
};

describe('--help never destroys', () => {
  test('`npm run destroy:local -- --help`, the very command that destroyed every stack: help, exit 0, nothing reached', async () => {
    const res = await runCommand('npm', ['run', 'destroy:local', '--', '--help'], { env: canary.env });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: npm run destroy:local [-- --auto-approve]');
    expect(res.stdout).toContain('--auto-approve');
    expect(res.stderr).not.toMatch(/destroying|Destroyed|refusing/);
    untouched();
  });

  test('--auto-approve --help is still only help', async () => {
    const res = await runScript('scripts/destroy-local.ts', ['--auto-approve', '--help'], { env: canary.env });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Usage: npm run destroy:local');
    untouched();
  });
});

describe('without a terminal', () => {
  test('stdin not a terminal and no --auto-approve: refused, saying why and what to pass; exit 1; nothing reached', async () => {
    const res = await runScript('scripts/destroy-local.ts', [], { env: canary.env });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(refusalWithoutTerminal('stdin is not a terminal', {}));
    untouched();
  });

  test('--auto-approve given to npm instead of the script (no --): the refusal says to put it after --', async () => {
    const res = await runCommand('npm', ['run', 'destroy:local', '--auto-approve'], { env: canary.env });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('npm took --auto-approve for itself: put it after --');
    expect(res.stderr).toContain('npm run destroy:local -- --auto-approve');
    untouched();
  });
});

describe('noTerminalReason', () => {
  test.each([
    [true, {}, undefined],
    [false, {}, 'stdin is not a terminal'],
    [true, { CI: 'true' }, 'CI=true is set'],
    [true, { CI: '1' }, 'CI=1 is set'],
    [true, { CI: 'false' }, undefined],
    [true, { CI: '' }, undefined],
  ])('tty %s, env %j: %s', (tty, env, reason) => {
    expect(noTerminalReason(tty, env)).toBe(reason);
  });
});

// ---------------------------------------------------------------------------
// On a terminal
// ---------------------------------------------------------------------------

const hasScript = process.platform === 'linux' && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const onTerminal = hasScript ? test : test.skip;
if (!hasScript) console.warn('Skipped: the terminal cases of destroy:local need util-linux `script` (a pseudo-terminal).');

/** Run destroy-local.ts on a pseudo-terminal; type `answer` once it asks. */
function onPty(env: NodeJS.ProcessEnv, answer?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('script', ['-qefc', 'npx tsx scripts/destroy-local.ts', '/dev/null'], { cwd: PROJECT_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let typed = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`destroy-local on a terminal did not finish; output:\n${output}`)); }, 150_000);
    const read = (d: Buffer) => {
      output += d.toString('utf8');
      if (answer !== undefined && !typed && output.includes('[y/N]')) {
        typed = true;
        child.stdin.write(`${answer}\r`);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolvePromise({ code, output: output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '') });
    });
  });
}

describe('on a terminal', () => {
  onTerminal('it lists what it would destroy and asks; "n" destroys nothing, exit 1', async () => {
    const { code, output } = await onPty(canary.env, 'n');
    expect(output).toContain('This destroys every resource of customer-a, customer-b, vendor in the local cloud');
    expect(output).toContain('Destroy them? [y/N]');
    expect(output).toContain('destroy:local: not confirmed; nothing was destroyed.');
    expect(code).toBe(1);
    untouched();
  });

  onTerminal('"y" goes on to destroy (here it gets as far as starting the local cloud, which the canary forbids)', async () => {
    const { code, output } = await onPty(canary.env, 'y');
    expect(output).toContain('Destroy them? [y/N]');
    expect(output).toContain('destroy:local failed: the local cloud did not start');
    expect(code).toBe(1);
    expect(canary.terraformCalls()).toBe('');
  });

  onTerminal('CI=true on a terminal: refused all the same, naming CI', async () => {
    const { code, output } = await onPty({ ...canary.env, CI: 'true' });
    expect(output).toContain('refusing to destroy without confirmation: CI=true is set');
    expect(output).not.toContain('[y/N]');
    expect(code).toBe(1);
    untouched();
  });
});
