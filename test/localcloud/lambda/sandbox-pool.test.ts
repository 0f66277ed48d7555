// ---------------------------------------------------------------------------
// The sandbox pool's scaling (localcloud/lambda/sandbox-pool.ts) on real child processes, without
// a server: each sandbox runs a tiny stand-in runtime speaking the bootstrap's IPC protocol, which
// answers at once, or once the test opens a gate (test/support/gate-server.ts). Cases:
//   the sandboxes alive across the cloud are bounded by the account concurrency: a new one stops
//     the longest-idle sandbox of another function first
//   when every sandbox of the cloud is busy (another account at its limit), a call is throttled
//     with ConcurrentInvocationLimitExceeded
//   a queued (asynchronous) invocation beyond the limit waits, and runs once a place frees
//   shutdown rejects what is still queued
// ---------------------------------------------------------------------------
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThrottledError } from '../../../localcloud/lambda/errors';
import { SandboxPool, type AcquireOptions } from '../../../localcloud/lambda/sandbox-pool';
import type { InvocationOutcome, SandboxSpec } from '../../../localcloud/lambda/sandbox';
import { startGate, type Gate } from '../../support/gate-server';

jest.setTimeout(60_000);

/** The bootstrap's protocol, minimal: started, ready, and one result per invoke (after the gate, if named). */
const RUNTIME = `
process.send({ type: 'started' });
process.send({ type: 'ready' });
process.on('message', async (m) => {
  if (m.type !== 'invoke') return;
  const event = JSON.parse(m.payload);
  if (event.gateUrl) await (await fetch(event.gateUrl)).text();
  process.send({ type: 'result', id: m.id, payload: JSON.stringify({ pid: process.pid }) });
});
`;

const cwd = mkdtempSync(join(tmpdir(), 'sandbox-pool-'));
const spec = (): SandboxSpec => ({
  fingerprint: 'pool-test',
  launch: { command: process.execPath, args: ['-e', RUNTIME], cwd },
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  memorySize: 128,
  timeoutSeconds: 30,
  credentialsExpireAt: new Date(Date.now() + 3_600_000),
});

const pools: SandboxPool[] = [];
const gates: Gate[] = [];
let requests = 0;

afterEach(() => {
  for (const p of pools.splice(0)) p.shutdown();
  for (const g of gates.splice(0)) g.close();
});

function pool(accountConcurrency: number): SandboxPool {
  const p = new SandboxPool({ now: () => Date.now() }, { accountConcurrency });
  pools.push(p);
  return p;
}

async function gate(): Promise<Gate> {
  const g = await startGate();
  gates.push(g);
  return g;
}

const arn = (name: string, account = '111111111111') => `arn:aws:lambda:us-east-1:${account}:function:${name}`;

function options(name: string, extra: { account?: string; queue?: boolean } = {}): AcquireOptions {
  const account = extra.account ?? '111111111111';
  return { admission: { scope: `${account}:us-east-1`, functionArn: arn(name, account), reservedInScope: 0 }, queueWhenThrottled: extra.queue };
}

function invoke(p: SandboxPool, name: string, event: object = {}, extra: { account?: string; queue?: boolean } = {}): Promise<InvocationOutcome> {
  requests += 1;
  const key = `${arn(name, extra.account)}:$LATEST`;
  return p.invoke(key, 'pool-test', spec, `req-${requests}`, JSON.stringify(event), { invokedFunctionArn: arn(name, extra.account) }, options(name, extra));
}

test('a new sandbox beyond the cloud-wide bound stops the longest-idle sandbox of another function first', async () => {
  const p = pool(2);
  await invoke(p, 'a');
  await invoke(p, 'b');
  expect([p.pids(`${arn('a')}:$LATEST`).length, p.pids(`${arn('b')}:$LATEST`).length, p.size]).toEqual([1, 1, 2]);

  await invoke(p, 'c');

  // 'a' idled longest: its sandbox made way; 'b' stays warm.
  expect([p.pids(`${arn('a')}:$LATEST`).length, p.pids(`${arn('b')}:$LATEST`).length, p.pids(`${arn('c')}:$LATEST`).length, p.size]).toEqual([0, 1, 1, 2]);
});

test('when every sandbox of the cloud is busy, a call of another account is throttled with ConcurrentInvocationLimitExceeded', async () => {
  const p = pool(1);
  const g = await gate();
  const held = invoke(p, 'a', { gateUrl: g.url });
  await g.arrivals(1);

  const refused = await invoke(p, 'b', {}, { account: '222222222222' }).catch((e: unknown) => e);

  expect(refused).toBeInstanceOf(ThrottledError);
  expect((refused as ThrottledError).reason).toBe('ConcurrentInvocationLimitExceeded');
  g.releaseAll();
  await expect(held).resolves.toMatchObject({ kind: 'success' });
});

test('a queued invocation beyond the limit waits, and runs once a place frees', async () => {
  const p = pool(1);
  const g = await gate();
  const order: string[] = [];
  const held = invoke(p, 'a', { gateUrl: g.url }).then(() => order.push('held'));
  await g.arrivals(1);

  const queued = invoke(p, 'b', {}, { queue: true }).then((out) => {
    order.push('queued');
    return out;
  });
  const throttled = await invoke(p, 'c').catch((e: unknown) => e); // not queued: refused at once
  expect(throttled).toBeInstanceOf(ThrottledError);
  order.push('throttled');

  g.releaseAll();
  await held;
  await expect(queued).resolves.toMatchObject({ kind: 'success' });
  expect(order).toEqual(['throttled', 'held', 'queued']);
});

test('shutdown rejects what is still queued', async () => {
  const p = pool(1);
  const g = await gate();
  const held = invoke(p, 'a', { gateUrl: g.url }).catch(() => 'stopped');
  await g.arrivals(1);
  const queued = invoke(p, 'b', {}, { queue: true }).catch((e: unknown) => (e as Error).message);

  p.shutdown();

  await expect(queued).resolves.toBe('the local cloud is shutting down');
  await held;
});
