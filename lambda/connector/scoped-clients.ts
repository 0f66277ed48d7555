// ---------------------------------------------------------------------------
// Scoped Lambda clients per (tenant, function), kept across invocations of a warm sandbox.
//
// What the SDK already does, and we rely on: a LambdaClient whose `credentials` is
// `fromTemporaryCredentials(...)` memoizes the result, refreshes it five minutes before it
// expires, and shares one in-flight AssumeRole among concurrent callers. But only within that
// one client instance, which is why each (tenant, function) keeps its own client here.
//
// What it lacks, and is written here by hand:
//  - a bound: a least-recently-used map of clients, so 10,000 tenants cannot grow memory
//    without limit (an evicted client is dropped, never destroyed: clients share their HTTP
//    agents, and a request still in flight keeps using it);
//  - telling an STS failure from an Invoke failure: credentials are resolved before `send`, so
//    an AssumeRole refusal is an AssumeRoleRefused, not an opaque error out of Invoke;
//  - knowing whether a call waited for AssumeRole (the `credentialsCached` timing) and how many
//    AssumeRole calls were made (the benchmark's numbers);
//  - a last check that credentials are not already expired (clock skew, or STS answering with
//    a past expiry): never sign with them, force one refresh instead;
//  - the naive mode (SIDECAR_CACHE_CREDENTIALS=false): a fresh client per call, one AssumeRole
//    per call, the baseline the benchmark compares against.
// The session policy is per function, so the key is (tenant, function), not the tenant alone.
// ---------------------------------------------------------------------------
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { parseFunctionArn } from '../../rules/naming';
import type { TenantRegistryEntry } from '../../rules/tenant-registry';
import { scopedAssumeRoleInput } from '../shared/assume-role-input';
import { SDK_RETRY, createLambdaClient, sharedRequestHandler } from '../shared/clients';
import { InternalError } from '../shared/errors';

export interface ScopedClientOptions {
  /** Region of the STS endpoint (the Lambda's own region). */
  readonly stsRegion: string;
  /** AssumeRole DurationSeconds, at most 3600 (role chaining). */
  readonly durationSeconds: number;
  /** Bound on cached clients. */
  readonly maxEntries: number;
  /** false: no cache, one AssumeRole per call. */
  readonly cacheCredentials: boolean;
  /** The execution role's credentials; default: the SDK's chain (env vars in Lambda). */
  readonly masterCredentials?: AwsCredentialIdentityProvider;
  /** Clock for the expiry check; default Date.now (the SDK's own refresh uses Date.now too). */
  readonly now?: () => number;
}

export interface ResolvedCredentials {
  /** true when no AssumeRole ran (or was awaited) for this call. */
  readonly cached: boolean;
  /** Time spent getting the credentials, AssumeRole included. */
  readonly ms: number;
}

// ---------------------------------------------------------------------------
// One scoped client: a LambdaClient whose credentials are the tenant's session, scoped down to
// invoking one function.
// ---------------------------------------------------------------------------

export class ScopedClient {
  readonly lambda: LambdaClient;
  /** AssumeRole calls this client made (each refresh is one). */
  assumeRoleCalls = 0;
  private inFlight = 0;
  /** `assumeRoleCalls` when the session of that moment was refused by Lambda while fresh. */
  private refusedSessionAt: number | undefined;

  constructor(readonly tenant: TenantRegistryEntry, readonly functionArn: string, private readonly options: ScopedClientOptions, private readonly onAssumeRole: () => void) {
    const target = parseFunctionArn(functionArn);
    if (!target) throw new InternalError(`Registry entry of tenant "${tenant.tenantId}" has a malformed function ARN`);
    // Built (the session policy checked against STS's 2,048-character limit) before any AWS call.
    const assumeRole = fromTemporaryCredentials({
      params: scopedAssumeRoleInput(tenant, [functionArn], { purpose: 'connector', durationSeconds: options.durationSeconds }),
      masterCredentials: options.masterCredentials,
      clientConfig: { region: options.stsRegion, requestHandler: sharedRequestHandler(), ...SDK_RETRY },
    });
    const counted: AwsCredentialIdentityProvider = async (props) => {
      this.assumeRoleCalls += 1;
      this.inFlight += 1;
      this.onAssumeRole();
      try {
        return await assumeRole(props);
      } finally {
        this.inFlight -= 1;
      }
    };
    this.lambda = createLambdaClient(target.region, counted);
  }

  /**
   * Credentials for the next Invoke, through the client's memoized provider (the same one `send`
   * will use). Errors are STS's: the caller maps them with `stsFailure`.
   */
  async resolveCredentials(): Promise<ResolvedCredentials> {
    const started = performance.now();
    const callsBefore = this.assumeRoleCalls;
    const joinedInFlight = this.inFlight > 0;
    const provider = this.lambda.config.credentials;
    let credentials = await provider();
    if (this.isExpired(credentials)) {
      credentials = await provider({ forceRefresh: true });
      if (this.isExpired(credentials)) {
        throw new InternalError(`STS returned credentials for tenant "${this.tenant.tenantId}" that are already expired: check the Lambda's clock`);
      }
    }
    return { cached: !joinedInFlight && this.assumeRoleCalls === callsBefore, ms: performance.now() - started };
  }

  /** Remember that the current session was refused while fresh (see session-refresh.ts). */
  markSessionRefusedWhenFresh(): void {
    this.refusedSessionAt = this.assumeRoleCalls;
  }

  /** The current session was refused while fresh: a refusal with it is about the role's permissions. */
  get sessionRefusedWhenFresh(): boolean {
    return this.refusedSessionAt === this.assumeRoleCalls;
  }

  private isExpired(credentials: AwsCredentialIdentity): boolean {
    const now = this.options.now ?? Date.now;
    return credentials.expiration !== undefined && credentials.expiration.getTime() <= now();
  }
}

// ---------------------------------------------------------------------------
// The bounded cache
// ---------------------------------------------------------------------------

export interface ScopedClientStats {
  readonly entries: number;
  readonly maxEntries: number;
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  readonly assumeRoleCalls: number;
  readonly cacheCredentials: boolean;
}

export class ScopedClientCache {
  /** Map keeps insertion order: the first key is the least recently used. */
  private readonly clients = new Map<string, ScopedClient>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private assumeRoleCalls = 0;

  constructor(private readonly options: ScopedClientOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) throw new InternalError('maxEntries must be a positive integer');
  }

  /**
   * The client for (tenant, function). Synchronous on purpose: with no await between lookup and
   * insert, concurrent first calls of one tenant get the same client, hence one AssumeRole.
   */
  acquire(tenant: TenantRegistryEntry, functionArn: string, use: { fresh?: boolean } = {}): ScopedClient {
    // `fresh`: a connection test must see the role as it is now, not a session cached before a
    // trust change (sessions outlive trust edits on AWS too), so it neither reads nor fills the cache.
    if (!this.options.cacheCredentials || use.fresh) {
      this.misses += 1;
      return this.create(tenant, functionArn);
    }
    const key = this.keyOf(tenant, functionArn);
    const found = this.clients.get(key);
    if (found) {
      this.hits += 1;
      this.clients.delete(key); // re-insert: now the most recently used
      this.clients.set(key, found);
      return found;
    }
    this.misses += 1;
    const created = this.create(tenant, functionArn);
    this.clients.set(key, created);
    while (this.clients.size > this.options.maxEntries) {
      const oldest = this.clients.keys().next().value as string;
      this.clients.delete(oldest);
      this.evictions += 1;
    }
    return created;
  }

  /** Drop a client whose session AWS no longer accepts (e.g. ExpiredTokenException), so the next call assumes afresh. */
  forget(client: ScopedClient): void {
    const key = this.keyOf(client.tenant, client.functionArn);
    if (this.clients.get(key) === client) this.clients.delete(key);
  }

  stats(): ScopedClientStats {
    return {
      entries: this.clients.size, maxEntries: this.options.maxEntries, hits: this.hits, misses: this.misses,
      evictions: this.evictions, assumeRoleCalls: this.assumeRoleCalls, cacheCredentials: this.options.cacheCredentials,
    };
  }

  /** The role and external ID are part of the key, so a changed registry entry never reuses a session. */
  private keyOf(tenant: TenantRegistryEntry, functionArn: string): string {
    return JSON.stringify([tenant.tenantId, functionArn, tenant.roleArn, tenant.externalId]);
  }

  private create(tenant: TenantRegistryEntry, functionArn: string): ScopedClient {
    return new ScopedClient(tenant, functionArn, this.options, () => { this.assumeRoleCalls += 1; });
  }
}
