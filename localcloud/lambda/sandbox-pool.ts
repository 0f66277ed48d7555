// ---------------------------------------------------------------------------
// Warm sandboxes, per function version. Like Lambda's execution environments they are reused
// across invocations (module state survives) and serve one invocation at a time; a function
// scales out with a new sandbox for each invocation that finds none free, up to its concurrency
// limit, and an invocation beyond the limit is throttled, never queued behind another call.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
// https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html
// Sandboxes are recycled when the code or configuration changes, when the role credentials they
// were started with near expiry, and after idling; the sandboxes alive across the whole cloud are
// bounded by the account concurrency (an idle one of another function makes way for a new one).
// ---------------------------------------------------------------------------
import { ConcurrencyLedger, DEFAULT_ACCOUNT_CONCURRENCY, type AdmissionRequest, type ConcurrencyLease } from './concurrency';
import { ThrottledError } from './errors';
import { Sandbox, type InvocationContext, type InvocationOutcome, type SandboxBounds, type SandboxSpec } from './sandbox';

/** A sandbox idle this long is stopped (Lambda keeps them for minutes, not hours). */
export const IDLE_LIFETIME_MS = 5 * 60_000;
/** Credentials must outlive the invocation by this much, or the sandbox is replaced first. */
export const CREDENTIAL_MARGIN_MS = 60_000;
const SWEEP_INTERVAL_MS = 30_000;

export interface PoolClock {
  /** Milliseconds on the local cloud's clock (test-controlled offset included). */
  now(): number;
}

export interface SandboxPoolOptions {
  /** The account concurrency limit, and the bound on sandboxes alive across the cloud. @default DEFAULT_ACCOUNT_CONCURRENCY */
  readonly accountConcurrency?: number;
  /** Boot and Init bounds of new sandboxes (tests shorten them). @default Sandbox's own */
  readonly sandboxBounds?: SandboxBounds;
}

class FunctionPool {
  readonly sandboxes: Sandbox[] = [];
  constructor(readonly fingerprint: string) {}
}

export interface AcquireOptions {
  /** What the invocation counts against: its account, function and reservations. */
  readonly admission: AdmissionRequest;
  /** Wait for capacity instead of throttling (asynchronous invocations, which Lambda queues). */
  readonly queueWhenThrottled?: boolean;
}

interface CapacityWaiter {
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

export class SandboxPool {
  private readonly pools = new Map<string, FunctionPool>();
  /** Every live sandbox and the pool it belongs to (retired pools' busy ones included). */
  private readonly owners = new Map<Sandbox, FunctionPool>();
  private readonly capacityWaiters: CapacityWaiter[] = [];
  private readonly ledger: ConcurrencyLedger;
  private readonly sandboxBounds?: SandboxBounds;
  private sweeper?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly clock: PoolClock, options: SandboxPoolOptions = {}) {
    this.ledger = new ConcurrencyLedger(options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY);
    this.sandboxBounds = options.sandboxBounds;
  }

  /** The account concurrency limit (also the bound on sandboxes alive at once). */
  get accountConcurrency(): number {
    return this.ledger.accountLimit;
  }

  /**
   * Run one invocation of `key` (a qualified function ARN) once its concurrency admits it: on a
   * warm sandbox when one is free, else on a new one made with `makeSpec()`. A pool whose
   * fingerprint differs from the current spec's is retired first: its idle sandboxes stop now,
   * busy ones when they finish. Throws ThrottledError beyond a limit (unless queued).
   */
  async invoke(key: string, fingerprint: string, makeSpec: () => SandboxSpec, requestId: string, payload: string, context: InvocationContext, options: AcquireOptions): Promise<InvocationOutcome> {
    const lease = await this.admit(options);
    try {
      const pool = this.poolFor(key, fingerprint);
      const sandbox = this.sandboxFor(pool, makeSpec);
      try {
        return await sandbox.invoke(requestId, payload, context);
      } finally {
        this.release(pool, sandbox);
      }
    } finally {
      lease.release();
      this.wakeWaiters();
    }
  }

  private async admit(options: AcquireOptions): Promise<ConcurrencyLease> {
    for (;;) {
      if (this.closed) throw new Error('the local cloud is shutting down');
      const admission = this.ledger.tryAdmit(options.admission);
      if (admission.admitted) return admission.lease;
      // Reserved 0 runs nothing, queued or not.
      if (!options.queueWhenThrottled || options.admission.reserved === 0) throw new ThrottledError(admission.reason);
      await new Promise<void>((resolve, reject) => this.capacityWaiters.push({ resolve, reject }));
    }
  }

  /** Capacity was freed: every queued invocation tries again (those still over a limit wait on). */
  private wakeWaiters(): void {
    for (const waiter of this.capacityWaiters.splice(0)) waiter.resolve();
  }

  private poolFor(key: string, fingerprint: string): FunctionPool {
    const existing = this.pools.get(key);
    if (existing && existing.fingerprint === fingerprint) return existing;
    if (existing) this.retirePool(existing);
    const pool = new FunctionPool(fingerprint);
    this.pools.set(key, pool);
    this.startSweeper();
    return pool;
  }

  /** A free warm sandbox of the pool, or a new one; room is made by stopping the longest-idle sandbox of the cloud. */
  private sandboxFor(pool: FunctionPool, makeSpec: () => SandboxSpec): Sandbox {
    this.dropStale(pool);
    const free = pool.sandboxes.find((s) => !s.busy && s.alive);
    if (free) {
      free.busy = true;
      return free;
    }
    if (this.owners.size >= this.ledger.accountLimit && !this.evictIdle()) {
      // Every sandbox of the cloud is busy (several accounts at their limits at once).
      throw new ThrottledError('ConcurrentInvocationLimitExceeded');
    }
    const sandbox = new Sandbox(makeSpec(), () => this.clock.now(), this.sandboxBounds);
    sandbox.busy = true;
    pool.sandboxes.push(sandbox);
    this.owners.set(sandbox, pool);
    return sandbox;
  }

  /** Stop the sandbox idle longest, anywhere; false when none is idle. */
  private evictIdle(): boolean {
    let oldest: Sandbox | undefined;
    for (const sandbox of this.owners.keys()) {
      if (!sandbox.busy && (!oldest || sandbox.lastUsedAt < oldest.lastUsedAt)) oldest = sandbox;
    }
    if (!oldest) return false;
    this.remove(oldest);
    return true;
  }

  private release(pool: FunctionPool, sandbox: Sandbox): void {
    sandbox.busy = false;
    const current = [...this.pools.values()].includes(pool);
    if (!current || !sandbox.alive) this.remove(sandbox);
  }

  /** Stop idle sandboxes that idled too long or whose credentials are about to expire. */
  private dropStale(pool: FunctionPool): void {
    const now = this.clock.now();
    for (const sandbox of [...pool.sandboxes]) {
      if (sandbox.busy) continue;
      const idleTooLong = now - sandbox.lastUsedAt > IDLE_LIFETIME_MS;
      const credentialsEnding = sandbox.spec.credentialsExpireAt.getTime() - now < sandbox.spec.timeoutSeconds * 1000 + CREDENTIAL_MARGIN_MS;
      if (!sandbox.alive || idleTooLong || credentialsEnding) this.remove(sandbox);
    }
  }

  private remove(sandbox: Sandbox): void {
    sandbox.kill();
    const pool = this.owners.get(sandbox);
    this.owners.delete(sandbox);
    if (!pool) return;
    const i = pool.sandboxes.indexOf(sandbox);
    if (i >= 0) pool.sandboxes.splice(i, 1);
  }

  private retirePool(pool: FunctionPool): void {
    for (const sandbox of [...pool.sandboxes]) if (!sandbox.busy) this.remove(sandbox);
  }

  /** Retire every pool of a function (its versions included): on update and delete. */
  retire(keyPrefix: string): void {
    for (const [key, pool] of [...this.pools]) {
      if (key === keyPrefix || key.startsWith(`${keyPrefix}:`)) {
        this.pools.delete(key);
        this.retirePool(pool);
      }
    }
  }

  /** Pids of the live sandboxes of one pool key (diagnostics and tests of recycling). */
  pids(key: string): number[] {
    return (this.pools.get(key)?.sandboxes ?? []).filter((s) => s.alive).map((s) => s.pid).filter((p): p is number => p !== undefined);
  }

  /** Sandboxes alive across the cloud, busy or idle. */
  get size(): number {
    return this.owners.size;
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
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const sandbox of [...this.owners.keys()]) this.remove(sandbox);
    for (const waiter of this.capacityWaiters.splice(0)) waiter.reject(new Error('the local cloud is shutting down'));
    this.pools.clear();
  }
}
