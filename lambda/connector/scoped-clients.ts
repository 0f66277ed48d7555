// ---------------------------------------------------------------------------
// The connector's tenant sessions, kept across invocations of a warm sandbox: a cache of
// credentials, not of clients.
//
// How one Invoke is signed with one tenant's session: there is ONE LambdaClient per region (a
// handful per sandbox, never per tenant). Its `credentials` is a provider that reads the
// credentials of the call in progress from an AsyncLocalStorage; `sendAs` runs `client.send`
// inside `signingIdentity.run(credentials, ...)`, so the SDK's SigV4 signer, which asks the
// client's provider for credentials on every attempt (retries included), gets this call's
// session and no other. Why this way:
//  - the SDK v3 has no per-command credentials option; its signer (AwsSdkSigV4Signer) signs
//    with the client's `credentials`, not with an identity a middleware could swap in, so an
//    override middleware would have to re-sign, i.e. reimplement SigV4 use;
//  - the SDK memoizes a user-supplied provider (resolveAwsSdkSigV4Config) unless it says it
//    memoizes itself: `memoized: true`, the flag of the public type AwsSdkSigV4Memoized. This
//    provider must NOT be memoized (each call has its own identity), and the memoizing is done
//    here, per (tenant, function), where the expiry rules below live;
//  - outside `sendAs` the provider throws: nothing is ever signed with ambient credentials, and
//    a future SDK that calls it outside the call's async context fails closed (the wire test
//    signs two tenants' calls concurrently and checks each key).
//
// Per (tenant, function) the cache holds a ScopedSession: the credentials object (key, secret,
// token, expiration), the single-flight promise of an AssumeRole in progress, and two counters.
// What it guarantees, each with its test (test/unit/lambda/connector-cache.test.ts):
//  - refresh before expiry: credentials within REFRESH_WINDOW_MS (five minutes, as the SDK's own
//    memoization does) of their expiry are replaced before the next call;
//  - single flight: N concurrent misses of one (tenant, function) share one AssumeRole;
//  - never sign with credentials the connector's clock sees as expired: one forced refresh, then
//    an InternalError if STS answers expired credentials again;
//  - a bound: a least-recently-used map of at most maxEntries sessions;
//  - the naive mode (SIDECAR_CACHE_CREDENTIALS=false): a new session per call, the baseline the
//    benchmark compares against;
//  - stats: entries, hits, misses, evictions, AssumeRole calls.
// The session policy is per function, so the key is (tenant, function), not the tenant alone.
// During a rotation a session's credentials may come from the previous external ID (the one
// fallback of `assumeRole`, below); the key holds both of the tenant's IDs, so `--finish` (or a
// new rotation) starts a new session, and every refresh tries the current ID first.
//
// Two STS budget guards sit here too, because they decide whether an AssumeRole is sent:
//  - a negative cache of refusals (refusals.ts);
//  - the dry-run rate limit (dry-run-limit.ts).
// ---------------------------------------------------------------------------
import { AsyncLocalStorage } from 'node:async_hooks';
import type { InvokeCommand, InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { parseFunctionArn } from '../../rules/naming';
import type { TenantRegistryEntry } from '../../rules/tenant-registry';
import { fallsBackToPreviousId, scopedAssumeRoleInput, type ExternalIdUsed } from '../shared/assume-role-input';
import { awsErrorCode } from '../shared/aws-errors';
import { createLambdaClient, createStsClient } from '../shared/clients';
import { AssumeRoleRefusedError, InternalError } from '../shared/errors';
import { NO_METRICS, type ConnectorMetrics } from '../shared/metrics';
import { DryRunLimiter, DRY_RUN_BURST, DRY_RUN_REFILL_MS } from './dry-run-limit';
import { RefusalCache, REFUSAL_TTL_MS } from './refusals';

/** Refresh credentials this long before they expire: the SDK's own window. */
export const REFRESH_WINDOW_MS = 5 * 60 * 1000;

export interface ScopedSessionOptions {
  /** Region of the STS endpoint (the Lambda's own region). */
  readonly stsRegion: string;
  /** AssumeRole DurationSeconds, at most 3600 (role chaining). */
  readonly durationSeconds: number;
  /** Bound on cached sessions (and on the refusal and dry-run tables). */
  readonly maxEntries: number;
  /** false: no cache, one AssumeRole per call. */
  readonly cacheCredentials: boolean;
  /** The execution role's credentials; default: the SDK's chain (env vars in Lambda). */
  readonly masterCredentials?: AwsCredentialIdentityProvider;
  /** Clock for the expiry checks and the STS guards; default Date.now. */
  readonly now?: () => number;
  /** How long an AssumeRole refusal is answered from memory. @default REFUSAL_TTL_MS */
  readonly refusalTtlMs?: number;
  /** Dry runs: one AssumeRole per tenant per this many ms... @default DRY_RUN_REFILL_MS */
  readonly dryRunRefillMs?: number;
  /** ...with this many at once. @default DRY_RUN_BURST */
  readonly dryRunBurst?: number;
  /** Where AssumeRole and cache counts go. @default none */
  readonly metrics?: ConnectorMetrics;
}
/** @deprecated the cache holds sessions now; use ScopedSessionOptions. */
export type ScopedClientOptions = ScopedSessionOptions;

export interface ResolvedCredentials {
  /** true when no AssumeRole ran (or was awaited) for this call. */
  readonly cached: boolean;
  /** Time spent getting the credentials, AssumeRole included. */
  readonly ms: number;
  /** The credentials to sign this call's Invoke with (pass them to `send`). */
  readonly credentials: AwsCredentialIdentity;
  /** Which of the tenant's external IDs got these credentials ('previous': the rotation fallback). */
  readonly externalIdUsed: ExternalIdUsed;
}

/** What one `assumeRole` got: the credentials, and with which external ID. */
export interface AssumedCredentials {
  readonly credentials: AwsCredentialIdentity;
  readonly externalIdUsed: ExternalIdUsed;
}

// ---------------------------------------------------------------------------
// Signing: one client per region, the call's credentials from an AsyncLocalStorage
// ---------------------------------------------------------------------------

const signingIdentity = new AsyncLocalStorage<AwsCredentialIdentity>();

/** The client-wide provider: the credentials `sendAs` set for the call in progress. */
const callCredentials: AwsCredentialIdentityProvider & { memoized: true } = Object.assign(
  async (): Promise<AwsCredentialIdentity> => {
    const credentials = signingIdentity.getStore();
    if (!credentials) throw new InternalError('A tenant Lambda client was asked for credentials outside a tenant call: refusing to sign');
    return credentials;
  },
  // AwsSdkSigV4Memoized (public type of @aws-sdk/core): "memoized already", so the SDK calls it every time.
  { memoized: true as const },
);

/** The Lambda clients of one sandbox, one per region, created on first use. */
export class RegionalLambdaClients {
  private readonly clients = new Map<string, LambdaClient>();

  get(region: string): LambdaClient {
    let client = this.clients.get(region);
    if (!client) {
      client = createLambdaClient(region, callCredentials);
      this.clients.set(region, client);
    }
    return client;
  }

  get size(): number {
    return this.clients.size;
  }
}

/** `client.send(command)` signed with `credentials` (and nothing else). */
export function sendAs(client: LambdaClient, credentials: AwsCredentialIdentity, command: InvokeCommand, signal?: AbortSignal): Promise<InvokeCommandOutput> {
  return signingIdentity.run(credentials, () => client.send(command, { abortSignal: signal }));
}

// ---------------------------------------------------------------------------
// One session: a tenant's credentials for one function
// ---------------------------------------------------------------------------

export class ScopedSession {
  /** The held credentials (and the ID that got them); undefined before the first AssumeRole. */
  private held: AssumedCredentials | undefined;
  /** The AssumeRole in progress, shared by every concurrent caller (single flight). */
  private pending: Promise<AssumedCredentials> | undefined;
  /** AssumeRole calls this session made (each refresh is one). */
  assumeRoleCalls = 0;
  /** `assumeRoleCalls` when the session of that moment was refused by Lambda while fresh. */
  private refusedSessionAt: number | undefined;

  constructor(readonly tenant: TenantRegistryEntry, readonly functionArn: string, readonly region: string, private readonly owner: ScopedSessionCache, readonly dryRun = false) {}

  /**
   * Credentials for the next Invoke: the held ones while fresh, else one AssumeRole shared with
   * concurrent callers. Errors are STS's (or a cached refusal): the caller maps them with `stsFailure`.
   */
  async resolveCredentials(): Promise<ResolvedCredentials> {
    const started = performance.now();
    let cached = true;
    let held = this.held;
    if (!held || this.owner.needsRefresh(held.credentials) || this.pending) {
      cached = false;
      held = await this.refresh();
    }
    if (this.owner.isExpired(held.credentials)) {
      held = await this.refresh(true);
      if (this.owner.isExpired(held.credentials)) {
        throw new InternalError(`STS returned credentials for tenant "${this.tenant.tenantId}" that are already expired: check the Lambda's clock`);
      }
    }
    return { cached, ms: performance.now() - started, credentials: held.credentials, externalIdUsed: held.externalIdUsed };
  }

  /** Invoke signed with `credentials` (from `resolveCredentials`), through the region's client. */
  send(command: InvokeCommand, credentials: AwsCredentialIdentity, signal?: AbortSignal): Promise<InvokeCommandOutput> {
    return sendAs(this.owner.lambdaClient(this.region), credentials, command, signal);
  }

  /** Remember that the current session was refused while fresh (see session-refresh.ts). */
  markSessionRefusedWhenFresh(): void {
    this.refusedSessionAt = this.assumeRoleCalls;
  }

  /** The current session was refused while fresh: a refusal with it is about the role's permissions. */
  get sessionRefusedWhenFresh(): boolean {
    return this.refusedSessionAt === this.assumeRoleCalls;
  }

  /** One AssumeRole, joined by every caller until it settles; `force` starts a new one after a pending one. */
  private refresh(force = false): Promise<AssumedCredentials> {
    if (this.pending && !force) return this.pending;
    const attempt = this.owner.assumeRole(this).then(
      (assumed) => {
        if (this.pending === attempt) this.pending = undefined;
        this.held = assumed;
        return assumed;
      },
      (error: unknown) => {
        if (this.pending === attempt) this.pending = undefined;
        throw error;
      },
    );
    this.pending = attempt;
    this.assumeRoleCalls += 1;
    return attempt;
  }
}

// ---------------------------------------------------------------------------
// The bounded cache
// ---------------------------------------------------------------------------

export interface ScopedSessionStats {
  readonly entries: number;
  readonly maxEntries: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly assumeRoleCalls: number;
  readonly cacheCredentials: boolean;
  /** AssumeRoles answered from the refusal cache instead of STS. */
  readonly refusalsFromCache: number;
  /** Dry runs refused by the rate limit. */
  readonly dryRunsLimited: number;
  /** AssumeRoles that succeeded with the tenant's PREVIOUS external ID (a rotation the customer
   *  has not caught up with yet). */
  readonly previousExternalIdFallbacks: number;
}
/** @deprecated use ScopedSessionStats. */
export type ScopedClientStats = ScopedSessionStats;

export class ScopedSessionCache {
  /** Map keeps insertion order: the first key is the least recently used. */
  private readonly sessions = new Map<string, ScopedSession>();
  private readonly lambdaClients = new RegionalLambdaClients();
  private sts: STSClient | undefined;
  private readonly refusals: RefusalCache;
  private readonly dryRuns: DryRunLimiter;
  private readonly now: () => number;
  private readonly metrics: ConnectorMetrics;
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private assumeRoleCalls = 0;
  private previousExternalIdFallbacks = 0;

  constructor(private readonly options: ScopedSessionOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) throw new InternalError('maxEntries must be a positive integer');
    this.now = options.now ?? (() => Date.now()); // read each time: tests move the clock with a spy
    this.metrics = options.metrics ?? NO_METRICS;
    this.refusals = new RefusalCache({ ttlMs: options.refusalTtlMs ?? REFUSAL_TTL_MS, maxEntries: options.maxEntries, now: this.now });
    this.dryRuns = new DryRunLimiter({ refillMs: options.dryRunRefillMs ?? DRY_RUN_REFILL_MS, burst: options.dryRunBurst ?? DRY_RUN_BURST, maxEntries: options.maxEntries, now: this.now });
  }

  /**
   * The session for (tenant, function). Synchronous on purpose: with no await between lookup and
   * insert, concurrent first calls of one tenant get the same session, hence one AssumeRole.
   * `dryRun`: a connection test must see the role as it is now, not a session cached before a
   * trust change (sessions outlive trust edits on AWS too), so it neither reads nor fills the
   * cache; it is rate-limited per tenant instead (DryRunRateLimitedError).
   */
  acquire(tenant: TenantRegistryEntry, functionArn: string, use: { fresh?: boolean; retry?: boolean } = {}): ScopedSession {
    // `retry`: the one refresh within a call (connect.ts) is part of the dry run already counted.
    if (use.fresh && !use.retry) this.dryRuns.take(tenant.tenantId);
    if (!this.options.cacheCredentials || use.fresh) {
      this.countMiss();
      return this.create(tenant, functionArn, use.fresh);
    }
    const key = sessionKey(tenant, functionArn);
    const found = this.sessions.get(key);
    if (found) {
      this.hits += 1;
      this.metrics.count('CacheHit');
      this.sessions.delete(key); // re-insert: now the most recently used
      this.sessions.set(key, found);
      return found;
    }
    this.countMiss();
    const created = this.create(tenant, functionArn);
    this.sessions.set(key, created);
    while (this.sessions.size > this.options.maxEntries) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
      this.evictions += 1;
    }
    return created;
  }

  /** Drop a session AWS no longer accepts (e.g. ExpiredTokenException), so the next call assumes afresh. */
  forget(session: ScopedSession): void {
    const key = sessionKey(session.tenant, session.functionArn);
    if (this.sessions.get(key) === session) this.sessions.delete(key);
  }

  stats(): ScopedSessionStats {
    return {
      entries: this.sessions.size, maxEntries: this.options.maxEntries, hits: this.hits, misses: this.misses,
      evictions: this.evictions, assumeRoleCalls: this.assumeRoleCalls, cacheCredentials: this.options.cacheCredentials,
      refusalsFromCache: this.refusals.answered, dryRunsLimited: this.dryRuns.limited,
      previousExternalIdFallbacks: this.previousExternalIdFallbacks,
    };
  }

  // ---- used by ScopedSession ---------------------------------------------------------------

  /** Within the refresh window (or without an expiry the SDK would treat as constant: never here). */
  needsRefresh(credentials: AwsCredentialIdentity): boolean {
    return credentials.expiration !== undefined && credentials.expiration.getTime() - this.now() <= REFRESH_WINDOW_MS;
  }

  isExpired(credentials: AwsCredentialIdentity): boolean {
    return credentials.expiration !== undefined && credentials.expiration.getTime() <= this.now();
  }

  lambdaClient(region: string): LambdaClient {
    return this.lambdaClients.get(region);
  }

  /**
   * The session's credentials from STS: with the tenant's CURRENT external ID, and, only when that
   * is refused with AccessDenied (by STS, or by the refusal cache remembering STS's AccessDenied)
   * and the tenant is in a rotation (it has a previous ID), once more with the PREVIOUS ID. The
   * role, SourceIdentity and session policy are the same in both (assume-role-input.ts).
   *
   * What a rotation costs, per sandbox and tenant (refusal TTL R = 30 s, credential lifetime L =
   * durationSeconds, refreshed 5 min before expiry):
   *  1. `npm run rotate`; the registry read (its own TTL) brings the new ID. Held credentials go
   *     on serving until the session key changes: the new ID is in the key, so the next call is a
   *     miss.
   *  2. Miss: AssumeRole(current) -> AccessDenied, remembered for R; AssumeRole(previous) -> ok.
   *     Two STS calls; the call succeeds, answering externalIdUsed 'previous'; metric
   *     PreviousExternalIdUsed +1. The credentials are held as usual.
   *  3. Every call until the refresh: served from the held credentials, 0 STS calls.
   *     Another function of the tenant (its own session) within R: AssumeRole(previous) only,
   *     the current ID's refusal is answered from memory: 1 STS call, not 2.
   *  4. Each refresh (every L - 5 min) while the customer has not applied the new kit: R has long
   *     passed, so the current ID is asked again (refused) and then the previous one: 2 STS calls.
   *     With the cache off (SIDECAR_CACHE_CREDENTIALS=false) each call is a miss: within R 1 STS
   *     call (previous), once per R 2: the refused current ID costs at most one AssumeRole per R.
   *  5. The customer applies the kit (trust accepts both). The held previous-ID credentials go on
   *     serving until their refresh; that refresh asks the current ID first (unless its refusal
   *     was remembered less than R ago: then the previous one once more) and gets it. So within
   *     R + L of the customer's update, calls answer externalIdUsed 'current' and the fallbacks
   *     stop: `npm run verify` (a dry run: fresh session, always asks STS) shows it at once.
   *  6. `npm run rotate -- --finish`: the previous ID leaves the key, a new session, current only.
   * Both IDs refused: AssumeRoleRefused, each refusal remembered under its own ID, so within R the
   * next call costs no STS call at all. Throttling, 5xx or a timeout on the current ID: no
   * fallback (they say nothing about the trust); the call fails as before.
   *
   * A dry run always asks STS (verify must see a fixed trust at once; the rate limit bounds its
   * cost), and its answers update the refusal cache either way.
   */
  async assumeRole(session: ScopedSession): Promise<AssumedCredentials> {
    const { tenant } = session;
    try {
      return { credentials: await this.assumeRoleWith(session, 'current'), externalIdUsed: 'current' };
    } catch (e) {
      if (!fallsBackToPreviousId(tenant, 'current', refusalCode(e))) throw e;
      let credentials: AwsCredentialIdentity;
      try {
        credentials = await this.assumeRoleWith(session, 'previous');
      } catch (again) {
        if (refusalCode(again) !== 'AccessDenied') throw again;
        throw new AssumeRoleRefusedError(tenant.tenantId, tenant.roleArn, {
          cause: again, context: 'refused with both the current and the previous external ID of a rotation in progress',
        });
      }
      this.previousExternalIdFallbacks += 1;
      this.metrics.count('PreviousExternalIdUsed');
      return { credentials, externalIdUsed: 'previous' };
    }
  }

  /** One AssumeRole with the `which` external ID, unless the refusal cache answers for STS. */
  private async assumeRoleWith(session: ScopedSession, which: ExternalIdUsed): Promise<AwsCredentialIdentity> {
    const { tenant, functionArn, dryRun } = session;
    if (!dryRun) this.refusals.throwIfRefused(tenant, which);
    // Built (the session policy checked against STS's 2,048-character limit) before any AWS call.
    const input = scopedAssumeRoleInput(tenant, [functionArn], { purpose: 'connector', durationSeconds: this.options.durationSeconds, externalId: which });
    this.assumeRoleCalls += 1;
    const started = performance.now();
    try {
      const output = await this.stsClient().send(new AssumeRoleCommand(input));
      this.metrics.assumeRole(performance.now() - started);
      this.refusals.clear(tenant, which);
      const c = output.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new InternalError(`STS answered AssumeRole for tenant "${tenant.tenantId}" without complete credentials`);
      }
      // Only these four fields are kept: the cache holds bytes, not the SDK's response.
      return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    } catch (e) {
      if (e instanceof InternalError) throw e;
      this.metrics.assumeRole(performance.now() - started);
      // Only STS's AccessDenied is remembered: throttling and 5xx say nothing about the tenant.
      if (awsErrorCode(e) === 'AccessDenied') this.refusals.remember(tenant, which);
      throw e;
    }
  }

  // ---- internals ---------------------------------------------------------------------------

  private stsClient(): STSClient {
    this.sts ??= createStsClient(this.options.stsRegion, this.options.masterCredentials);
    return this.sts;
  }

  private countMiss(): void {
    this.misses += 1;
    this.metrics.count('CacheMiss');
  }

  private create(tenant: TenantRegistryEntry, functionArn: string, dryRun = false): ScopedSession {
    const target = parseFunctionArn(functionArn);
    if (!target) throw new InternalError(`Registry entry of tenant "${tenant.tenantId}" has a malformed function ARN`);
    return new ScopedSession(tenant, functionArn, target.region, this, dryRun);
  }
}

/** @deprecated the cache holds sessions (credentials), not clients: use ScopedSessionCache. */
export const ScopedClientCache = ScopedSessionCache;
/** @deprecated use ScopedSessionCache. */
export type ScopedClientCache = ScopedSessionCache;
/** @deprecated use ScopedSession. */
export type ScopedClient = ScopedSession;

/** The role and both external IDs are part of the key, so a changed registry entry (a rotation
 *  started or finished) never reuses a session: its credentials came from one of the IDs in it. */
function sessionKey(tenant: TenantRegistryEntry, functionArn: string): string {
  return `${tenant.tenantId}\n${functionArn}\n${tenant.roleArn}\n${tenant.externalId}\n${tenant.previousExternalId ?? ''}`;
}

/** STS's code for a refusal, a remembered refusal counting as the AccessDenied it remembers. */
function refusalCode(error: unknown): string | undefined {
  return error instanceof AssumeRoleRefusedError ? 'AccessDenied' : awsErrorCode(error);
}
