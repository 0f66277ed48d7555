// ---------------------------------------------------------------------------
// Warm sandboxes, per function version. Like Lambda's execution environments they are reused
// across invocations (module state survives), serve one invocation at a time, scale out to a
// small limit per function, and are recycled when the code or configuration changes, when the
// role credentials they were started with near expiry, and after idling.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
// ---------------------------------------------------------------------------
import { ThrottledError } from './errors';
import { Sandbox, type InvocationContext, type InvocationOutcome, type SandboxSpec } from './sandbox';

/** Sandboxes per function version at most: enough to show concurrency on a 2-core machine. */
export const MAX_SANDBOXES_PER_FUNCTION = 4;
/** A sandbox idle this long is stopped (Lambda keeps them for minutes, not hours). */
export const IDLE_LIFETIME_MS = 5 * 60_000;
/** Credentials must outlive the invocation by this much, or the sandbox is replaced first. */
export const CREDENTIAL_MARGIN_MS = 60_000;
const SWEEP_INTERVAL_MS = 30_000;

export interface PoolClock {
  /** Milliseconds on the local cloud's clock (test-controlled offset included). */
  now(): number;
}

interface Waiter {
  readonly resolve: (sandbox: Sandbox) => void;
  readonly reject: (e: unknown) => void;
}

class FunctionPool {
  readonly sandboxes: Sandbox[] = [];
  readonly waiters: Waiter[] = [];
  /** Builds the spec of a new sandbox (fresh role credentials each time). */
  makeSpec: () => SandboxSpec;

  constructor(readonly fingerprint: string, makeSpec: () => SandboxSpec) {
    this.makeSpec = makeSpec;
  }

  get inFlight(): number {
    return this.sandboxes.filter((s) => s.busy).length;
  }
}

export interface AcquireOptions {
  /** The function's reserved concurrency: 0 throttles everything, N caps invocations in flight. */
  readonly reservedConcurrency?: number;
  /** Queue behind busy sandboxes instead of throttling (asynchronous invocations). */
  readonly queueWhenThrottled?: boolean;
}

export class SandboxPool {
  private readonly pools = new Map<string, FunctionPool>();
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly clock: PoolClock) {}

  /**
   * Run one invocation on a warm sandbox of `key` (a qualified function ARN), starting one
   * with `makeSpec()` when none is free. A pool whose fingerprint differs from the current
   * spec's is retired first: its idle sandboxes stop now, busy ones when they finish.
   */
  async invoke(key: string, fingerprint: string, makeSpec: () => SandboxSpec, requestId: string, payload: string, context: InvocationContext, options: AcquireOptions = {}): Promise<InvocationOutcome> {
    const pool = this.poolFor(key, fingerprint, makeSpec);
    pool.makeSpec = makeSpec;
    const sandbox = await this.acquire(pool, options);
    try {
      return await sandbox.invoke(requestId, payload, context);
    } finally {
      this.release(pool, sandbox);
    }
  }

  private poolFor(key: string, fingerprint: string, makeSpec: () => SandboxSpec): FunctionPool {
    const existing = this.pools.get(key);
    if (existing && existing.fingerprint === fingerprint) return existing;
    if (existing) this.retirePool(existing);
    const pool = new FunctionPool(fingerprint, makeSpec);
    this.pools.set(key, pool);
    this.startSweeper();
    return pool;
  }

  private acquire(pool: FunctionPool, options: AcquireOptions): Promise<Sandbox> {
    const limit = Math.min(MAX_SANDBOXES_PER_FUNCTION, options.reservedConcurrency ?? MAX_SANDBOXES_PER_FUNCTION);
    if (options.reservedConcurrency !== undefined && pool.inFlight >= options.reservedConcurrency && !options.queueWhenThrottled) {
      throw new ThrottledError();
    }
    if (limit === 0) throw new ThrottledError(); // reserved concurrency 0: nothing runs, queued or not
    this.dropStale(pool);
    const free = pool.sandboxes.find((s) => !s.busy && s.alive);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    if (pool.sandboxes.length < limit) {
      const sandbox = new Sandbox(pool.makeSpec(), () => this.clock.now());
      sandbox.busy = true;
      pool.sandboxes.push(sandbox);
      return Promise.resolve(sandbox);
    }
    return new Promise((resolve, reject) => pool.waiters.push({ resolve, reject }));
  }

  private release(pool: FunctionPool, sandbox: Sandbox): void {
    sandbox.busy = false;
    const current = [...this.pools.values()].includes(pool);
    if (!current || !sandbox.alive) {
      this.remove(pool, sandbox);
    }
    const waiter = pool.waiters.shift();
    if (!waiter) return;
    if (!current) {
      waiter.reject(new Error('function configuration changed while the invocation was queued'));
      return;
    }
    this.dropStale(pool);
    const free = pool.sandboxes.find((s) => !s.busy && s.alive);
    if (free) {
      free.busy = true;
      waiter.resolve(free);
      return;
    }
    // The sandbox died (timeout, crash): hand the waiter a fresh one in its place.
    let fresh: Sandbox;
    try {
      fresh = new Sandbox(pool.makeSpec(), () => this.clock.now());
    } catch (e) {
      waiter.reject(e);
      return;
    }
    fresh.busy = true;
    pool.sandboxes.push(fresh);
    waiter.resolve(fresh);
  }

  /** Stop idle sandboxes that idled too long or whose credentials are about to expire. */
  private dropStale(pool: FunctionPool): void {
    const now = this.clock.now();
    for (const sandbox of [...pool.sandboxes]) {
      if (sandbox.busy) continue;
      const idleTooLong = now - sandbox.lastUsedAt > IDLE_LIFETIME_MS;
      const credentialsEnding = sandbox.spec.credentialsExpireAt.getTime() - now < sandbox.spec.timeoutSeconds * 1000 + CREDENTIAL_MARGIN_MS;
      if (!sandbox.alive || idleTooLong || credentialsEnding) this.remove(pool, sandbox);
    }
  }

  private remove(pool: FunctionPool, sandbox: Sandbox): void {
    sandbox.kill();
    const i = pool.sandboxes.indexOf(sandbox);
    if (i >= 0) pool.sandboxes.splice(i, 1);
  }

  private retirePool(pool: FunctionPool): void {
    for (const sandbox of [...pool.sandboxes]) if (!sandbox.busy) this.remove(pool, sandbox);
  }

  /** Retire every pool of a function (its versions included): on update and delete. */
  retire(keyPrefix: string): void {
    for (const [key, pool] of [...this.pools]) {
      if (key === keyPrefix || key.startsWith(`${keyPrefix}:`)) {
        this.pools.delete(key);
        this.retirePool(pool);
        for (const waiter of pool.waiters.splice(0)) waiter.reject(new Error('function changed while the invocation was queued'));
      }
    }
  }

  /** Pids of the live sandboxes of one pool key (diagnostics and tests of recycling). */
  pids(key: string): number[] {
    return (this.pools.get(key)?.sandboxes ?? []).filter((s) => s.alive).map((s) => s.pid).filter((p): p is number => p !== undefined);
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => {
      for (const pool of this.pools.values()) this.dropStale(pool);
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref(); // never keeps the server alive
  }

  /** Kill every sandbox (server stop). */
  shutdown(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const pool of this.pools.values()) {
      for (const sandbox of pool.sandboxes) sandbox.kill();
      for (const waiter of pool.waiters.splice(0)) waiter.reject(new Error('the local cloud is shutting down'));
    }
    this.pools.clear();
  }
}
