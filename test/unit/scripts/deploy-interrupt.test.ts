// ---------------------------------------------------------------------------
// An interrupted `npm run deploy:local` says which stacks were done, which was interrupted, and
// the command that resumes; it exits 130 on SIGINT (143 on SIGTERM). The message builder, the
// stack selection behind the resume command and the signal handling as units; then one real run:
// the script on a copy of the project (so cdktf.out/ and .localcloud/ are the copy's), a "running
// local cloud" that is this test's own health endpoint, and a fake `terraform` that hangs the way a
// long apply does; Ctrl-C is simulated as a terminal sends it, to the whole process group.
// ---------------------------------------------------------------------------
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { resumeCommand, stacksToDeploy } from '../../../scripts/deploy-local';
import { UsageError } from '../../../scripts/lib/cli';
import { DeployInterruptedError, interruptedDeployMessage } from '../../../scripts/lib/deploy';
import { exitCodeForSignal, onInterrupt } from '../../../scripts/lib/interrupt';
import { fakeLocalCloud, projectCopy, runCommand, type FakeLocalCloud } from '../../support/scripts';

const config = { customers: [{ name: 'customer-a' }, { name: 'customer-b' }] };
const resume = (stacks: readonly string[]) => resumeCommand(config, stacks);

describe('interruptedDeployMessage', () => {
  test('interrupted while deploying the customers, the vendor done', () => {
    const e = new DeployInterruptedError('SIGINT', 'deploying', ['vendor'], ['customer-a', 'customer-b'], []);
    expect(interruptedDeployMessage(e, resume)).toBe([
      'Interrupted (SIGINT) while deploying customer-a, customer-b.',
      '  done:        vendor',
      '  interrupted: customer-a, customer-b (Terraform stopped mid-apply; its state keeps what it made, and the next deploy finishes it)',
      '  not started: (none)',
      'Resume with: npm run deploy:local -- customer-a customer-b',
      '',
    ].join('\n'));
  });

  test('interrupted while deploying the vendor: the customers not started; resuming is the whole deploy', () => {
    const e = new DeployInterruptedError('SIGTERM', 'deploying', [], ['vendor'], ['customer-a', 'customer-b']);
    const text = interruptedDeployMessage(e, resume);
    expect(text).toContain('Interrupted (SIGTERM) while deploying vendor.');
    expect(text).toContain('  done:        (none)');
    expect(text).toContain('  not started: customer-a, customer-b');
    expect(text).toContain('Resume with: npm run deploy:local\n');
  });

  test.each([
    ['synthesizing the stacks' as const], ['starting the local cloud' as const],
  ])('interrupted while %s: before any stack was deployed', (stage) => {
    const e = new DeployInterruptedError('SIGINT', stage, [], [], ['vendor', 'customer-a', 'customer-b']);
    const text = interruptedDeployMessage(e, resume);
    expect(text.split('\n')[0]).toBe(`Interrupted (SIGINT) while ${stage}, before any stack was deployed.`);
    expect(text).toContain('  interrupted: (none)');
    expect(text).toContain('Resume with: npm run deploy:local\n');
  });

  test('the error itself says where it stopped, and has a code', () => {
    const e = new DeployInterruptedError('SIGINT', 'deploying', ['vendor'], ['customer-a'], ['customer-b']);
    expect(e.code).toBe('DeployInterrupted');
    expect(e.message).toBe('deploy interrupted (SIGINT) while deploying customer-a');
  });
});

describe('stacksToDeploy / resumeCommand', () => {
  test('no names: the vendor and every customer', () => {
    expect(stacksToDeploy(config, [])).toEqual({ vendor: true, customers: ['customer-a', 'customer-b'] });
  });

  test('names: those only, in config order, the vendor first when named', () => {
    expect(stacksToDeploy(config, ['customer-b', 'vendor'])).toEqual({ vendor: true, customers: ['customer-b'] });
    expect(stacksToDeploy(config, ['customer-b'])).toEqual({ vendor: false, customers: ['customer-b'] });
  });

  test('an unknown name is a usage error listing the stacks there are', () => {
    expect(() => stacksToDeploy(config, ['customer-z'])).toThrow(new UsageError("unknown stack 'customer-z' (the local config's stacks: vendor, customer-a, customer-b)"));
  });

  test('resume names what is left, or nothing when everything is', () => {
    expect(resume(['customer-b'])).toBe('npm run deploy:local -- customer-b');
    expect(resume(['vendor', 'customer-a', 'customer-b'])).toBe('npm run deploy:local');
  });
});

describe('onInterrupt / exitCodeForSignal', () => {
  test('the exit codes a shell shows: SIGINT 130, SIGTERM 143', () => {
    expect(exitCodeForSignal('SIGINT')).toBe(130);
    expect(exitCodeForSignal('SIGTERM')).toBe(143);
  });

  test('the first signal aborts with its name; a repeat within the window is the same interrupt; a later one exits', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    let now = 1_000_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    const forced: string[] = [];
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    const interrupts = onInterrupt({ sameWithinMs: 1000, onForce: (s) => forced.push(s) });
    try {
      process.emit('SIGTERM', 'SIGTERM');
      expect(interrupts.signal.aborted).toBe(true);
      expect(interrupts.signal.reason).toBe('SIGTERM');
      now += 500;
      process.emit('SIGINT', 'SIGINT');
      expect(exit).not.toHaveBeenCalled();
      now += 1000;
      process.emit('SIGINT', 'SIGINT');
      expect(forced).toEqual(['SIGINT']);
      expect(exit).toHaveBeenCalledWith(130);
    } finally {
      interrupts.dispose();
      exit.mockRestore();
      clock.mockRestore();
    }
    expect({ SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') }).toEqual(before);
  });
});

// ---------------------------------------------------------------------------
// One real interrupted run
// ---------------------------------------------------------------------------

describe('Ctrl-C during `deploy:local` (spawned, the process group signalled as a terminal does)', () => {
  let copy: string;
  let cloud: FakeLocalCloud;
  let calls: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    copy = projectCopy('sidecar-interrupt-');
    cloud = await fakeLocalCloud(join(copy, '.localcloud'));
    // `terraform`: answers the version check; for anything else it records itself and works on, like
    // a long apply, until interrupted, when it exits 1 as Terraform does (cdktf sends it Ctrl-C).
    const bin = join(copy, 'fake-bin');
    mkdirSync(bin);
    calls = join(copy, 'terraform-calls.log');
    writeFileSync(join(bin, 'terraform'), [
      '#!/bin/sh',
      'case "$1" in version|-version|--version|-v) echo \'{"terraform_version":"1.11.4","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}\'; exit 0;; esac',
      `echo "$$ $*" >> '${calls}'`,
      'trap \'kill $! 2>/dev/null; echo "Interrupt received." >&2; exit 1\' INT TERM HUP',
      'sleep 120 &',
      'wait',
      '',
    ].join('\n'));
    chmodSync(join(bin, 'terraform'), 0o755);
    env = { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}`, SIDECAR_TARGET: 'local' };
    for (const name of ['LOCALCLOUD_PORT', 'LOCALCLOUD_HOME', 'SIDECAR_TFSTATE_DIR', 'SIDECAR_CONFIG_FILE', 'CI']) delete env[name];
  });

  afterAll(async () => {
    await cloud?.close();
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  test('says vendor was interrupted, nothing done, the customers not started, how to resume; exit 130; Terraform stopped', async () => {
    let signalled = false;
    const res = await runCommand(join(copy, 'node_modules', '.bin', 'tsx'), ['scripts/deploy-local.ts'], {
      cwd: copy, env, detached: true, timeoutMs: 240_000,
      onStderr: (stderr, child) => {
        // Once the vendor's deploy step runs Terraform, press Ctrl-C.
        if (signalled || !stderr.includes('deploying vendor')) return;
        const wait = setInterval(() => {
          if (existsSync(calls) && readFileSync(calls, 'utf8').trim() !== '') {
            clearInterval(wait);
            signalled = true;
            process.kill(-child.pid!, 'SIGINT');
          }
        }, 100);
      },
    });
    expect(signalled).toBe(true);
    expect(res.stderr).toContain([
      'Interrupted (SIGINT) while deploying vendor.',
      '  done:        (none)',
      '  interrupted: vendor (Terraform stopped mid-apply; its state keeps what it made, and the next deploy finishes it)',
      '  not started: customer-a, customer-b',
      'Resume with: npm run deploy:local',
    ].join('\n'));
    expect(res.code).toBe(130);
    // The synthesized stacks pointed at the running cloud's port (from its server.json).
    const vendorStack = JSON.parse(readFileSync(join(copy, 'cdktf.out', 'stacks', 'vendor', 'cdk.tf.json'), 'utf8'));
    expect(JSON.stringify(vendorStack.provider.aws)).toContain(`http://127.0.0.1:${cloud.port}`);
    // The "terraform" it was running is gone, not left behind.
    const pids = readFileSync(calls, 'utf8').trim().split('\n').map((line) => Number(line.split(' ')[0]));
    const deadline = Date.now() + 10_000;
    const alive = () => pids.filter((pid) => { try { process.kill(pid, 0); return true; } catch { return false; } });
    while (alive().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive()).toEqual([]);
  }, 300_000);
});
