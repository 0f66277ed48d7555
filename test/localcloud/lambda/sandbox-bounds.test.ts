// ---------------------------------------------------------------------------
// A sandbox's two start-up bounds (localcloud/lambda/sandbox.ts), on real child processes without
// a server: the boot bound (spawn until the runtime says {type:'started'}; 60 s, shortened here)
// and Lambda's 10 s Init phase (from 'started' until the handler module has loaded). Cases:
//   a runtime that never says it started: the boot bound's error, and the process is stopped
//   a handler module whose top-level code blocks past 10 s: "Init phase did not complete within 10 seconds"
//   the boot bound ends at 'started': an Init longer than the boot bound still succeeds
// ---------------------------------------------------------------------------
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_RUNTIME_DIR } from '../../../localcloud/lambda/isolation/launcher';
import { INIT_TIMEOUT_MS, Sandbox, type InvocationOutcome, type SandboxSpec } from '../../../localcloud/lambda/sandbox';

jest.setTimeout(60_000);

const sandboxes: Sandbox[] = [];

afterEach(() => {
  for (const s of sandboxes.splice(0)) s.kill();
});

function spec(args: string[], cwd: string, env: Record<string, string> = {}): SandboxSpec {
  return {
    fingerprint: 'bounds-test',
    launch: { command: process.execPath, args, cwd },
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    memorySize: 128,
    timeoutSeconds: 3,
    credentialsExpireAt: new Date(Date.now() + 3_600_000),
  };
}

/** A package folder with `index.js` of this source, run by the real runtime (bootstrap.cjs). */
function runtimeSpec(source: string): SandboxSpec {
  const taskRoot = mkdtempSync(join(tmpdir(), 'sandbox-bounds-'));
  writeFileSync(join(taskRoot, 'index.js'), source);
  return spec([join(HOST_RUNTIME_DIR, 'bootstrap.cjs')], taskRoot, { LAMBDA_TASK_ROOT: taskRoot, _HANDLER: 'index.handler' });
}

function sandbox(s: SandboxSpec, bounds?: ConstructorParameters<typeof Sandbox>[2]): Sandbox {
  const box = new Sandbox(s, Date.now, bounds);
  sandboxes.push(box);
  return box;
}

function errorOf(outcome: InvocationOutcome): { errorType: string; errorMessage: string } {
  if (outcome.kind !== 'error') throw new Error(`expected an error, got ${outcome.payload}`);
  return outcome.error;
}

/** Blocks the module's top level (synchronously, as a long require-time computation would). */
const blockingModule = (ms: number) => `
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
exports.handler = async () => 'loaded';
`;

test('a runtime that never says it started fails with the boot bound, and its process is stopped', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sandbox-bounds-'));
  const box = sandbox(spec(['-e', 'setInterval(() => {}, 1000)'], tmp), { bootTimeoutMs: 500 });

  const error = errorOf(await box.invoke('req-boot', '{}', { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:boot' }));

  expect(error).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'The execution environment did not start within 0.5 seconds' });
  expect(box.alive).toBe(false);
});

test('a handler module whose top-level code blocks past 10 s fails Init, naming 10 seconds', async () => {
  expect(INIT_TIMEOUT_MS).toBe(10_000);
  const box = sandbox(runtimeSpec(blockingModule(30_000)));

  const error = errorOf(await box.invoke('req-init', '{}', { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:init' }));

  expect(error).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Init phase did not complete within 10 seconds' });
  expect(box.alive).toBe(false);
});

test('the boot bound ends when the runtime has started: an Init longer than it still succeeds', async () => {
  // Boot bound 5 s, Init 6 s: only a boot timer left running past 'started' would fail this.
  const box = sandbox(runtimeSpec(blockingModule(6_000)), { bootTimeoutMs: 5_000 });

  const outcome = await box.invoke('req-ok', '{}', { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:ok' });

  expect(outcome).toMatchObject({ kind: 'success', payload: '"loaded"' });
});
