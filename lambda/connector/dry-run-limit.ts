// ---------------------------------------------------------------------------
// The dry-run rate limit: a token bucket per tenant, per sandbox.
//
// Why: a dry run (`{ dryRun: true }`, what `npm run verify` sends) must see the role as it is
// now, so it never uses a cached session: each one is a fresh AssumeRole. Unbounded, 50 dry runs
// would be 50 AssumeRoles against the customer's account and the vendor's STS quota. Each tenant
// gets DRY_RUN_BURST dry runs at once, then one per DRY_RUN_REFILL_MS; beyond that the answer is
// DryRunRateLimited with the time until the next one is allowed (retryAfterSeconds).
//
// The numbers are the deployment's (vendor.dryRunLimit, SIDECAR_DRY_RUN_BURST and
// SIDECAR_DRY_RUN_REFILL_SECONDS), by default rules/dry-run-limit.ts's, which says why. verify
// (scripts/verify/diagnose.ts) and the e2e poller wait the retry-after and ask again, so they keep
// working, just slower.
// ---------------------------------------------------------------------------
import { DryRunRateLimitedError } from '../shared/errors';

export { DRY_RUN_BURST, DRY_RUN_REFILL_MS } from '../../rules/dry-run-limit';

export interface DryRunLimiterOptions {
  readonly refillMs: number;
  readonly burst: number;
  /** Bound on tenants tracked (the least recently used goes first: a full bucket again). */
  readonly maxEntries: number;
  readonly now: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class DryRunLimiter {
  private readonly buckets = new Map<string, Bucket>();
  /** Dry runs refused so far. */
  limited = 0;

  constructor(private readonly options: DryRunLimiterOptions) {
    if (!(options.refillMs > 0) || !Number.isInteger(options.burst) || options.burst < 1) {
      throw new RangeError('the dry-run limit needs a refill interval above 0 and a burst of at least 1');
    }
  }

  /** Take one dry run for `tenantId`, or throw DryRunRateLimitedError. */
  take(tenantId: string): void {
    const { refillMs, burst, now } = this.options;
    const t = now();
    const bucket = this.buckets.get(tenantId) ?? { tokens: burst, at: t };
    this.buckets.delete(tenantId);
    bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.at) / refillMs);
    bucket.at = t;
    this.buckets.set(tenantId, bucket);
    while (this.buckets.size > this.options.maxEntries) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    this.limited += 1;
    throw new DryRunRateLimitedError(tenantId, Math.ceil((1 - bucket.tokens) * refillMs), `${burst} at once, then one per ${refillMs / 1000} s`);
  }
}
