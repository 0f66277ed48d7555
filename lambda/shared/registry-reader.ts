// ---------------------------------------------------------------------------
// Reading the tenant registry from DynamoDB at run time (rules/registry-item.ts is the item
// contract), behind a short-TTL cache shared by every request of the sandbox.
//
// - GetItem by key, eventually consistent. A strongly consistent read costs twice as much and
//   would only shorten the delay of a change by the replication lag (typically well under a
//   second); the cache below already delays every change by up to its TTL, so consistency buys
//   nothing here. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
// - Positive and negative answers are cached for the TTL (SIDECAR_REGISTRY_CACHE_TTL_SECONDS,
//   default 30 s). The trade-off, in one place:
//     * a run-time change (onboard, rotate, offboard, a new vend caller) takes effect within the
//       TTL in every warm sandbox: an offboarded tenant may still be served for up to the TTL;
//       a newly onboarded one may be refused for up to the TTL if someone asked for it just before;
//     * a DynamoDB outage is hidden for at most the TTL: after that, every request for an expired
//       entry is refused with RegistryUnavailable (fail closed; a stale entry is never served,
//       because an offboarding must not be undone by an outage);
//     * DynamoDB cost and throttling scale with (sandboxes x tenants in use) / TTL, not with the
//       request rate; a longer TTL is cheaper and slower to react; 0 turns the cache off.
// - Single-flight: concurrent requests for one key share one GetItem.
// - Bounded: at most SIDECAR_REGISTRY_CACHE_MAX_ENTRIES keys, least recently used evicted first,
//   so a flood of made-up tenant IDs cannot grow the sandbox's memory without limit.
// - Failures are typed: RegistryUnavailableError says which table and what to do.
// ---------------------------------------------------------------------------
import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  RegistryItemError, parseTenantItem, parseVendCallerItem, tenantEntryOf, tenantKey, tenantPk, vendCallerKey, vendCallerPk,
  type RegistryKey, type VendCaller,
} from '../../rules/registry-item';
import type { TenantRegistry, TenantRegistryEntry } from '../../rules/tenant-registry';
import { awsErrorCode, isAbort, isThrottling } from './aws-errors';
import { withinBudget } from './budget';
import { DEFAULT_REGISTRY_CACHE_MAX_ENTRIES, DEFAULT_REGISTRY_CACHE_TTL_SECONDS } from './env';
import { RegistryUnavailableError, TimedOutError, UnknownTenantError } from './errors';
import { findTenant } from './tenants';

/** Where the connector and vend get a tenant's entry: throws UnknownTenantError (missing or
 *  offboarded) or RegistryUnavailableError; the entry never carries the previous external ID. */
export interface TenantSource {
  tenant(tenantId: string, signal?: AbortSignal): Promise<TenantRegistryEntry>;
}

/** Where vend gets a caller's grants; undefined when the principal is not a vend caller. */
export interface VendCallerSource {
  vendCaller(principalArn: string, signal?: AbortSignal): Promise<VendCaller | undefined>;
}


export interface RegistryReaderOptions {
  readonly tableName: string;
  /** A DynamoDB client in the table's region, with the execution role's credentials. */
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  /** How long an answer (item or no item) is reused. 0: never. @default 30 000 */
  readonly ttlMs?: number;
  /** Most keys held. @default 1000 */
  readonly maxEntries?: number;
  /** The clock, for tests. @default Date.now */
  readonly now?: () => number;
}

export interface RegistryReaderStats {
  readonly entries: number;
  readonly hits: number;
  readonly reads: number;
}

interface Cached {
  readonly expiresAt: number;
  /** The raw item, or undefined for "no such item" (the negative answer). */
  readonly item: Readonly<Record<string, unknown>> | undefined;
}

export class RegistryReader implements TenantSource, VendCallerSource {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<Cached['item']>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private hits = 0;
  private reads = 0;

  constructor(private readonly options: RegistryReaderOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_REGISTRY_CACHE_TTL_SECONDS * 1000;
    this.maxEntries = options.maxEntries ?? DEFAULT_REGISTRY_CACHE_MAX_ENTRIES;
    this.now = options.now ?? Date.now;
    if (!Number.isFinite(this.ttlMs) || this.ttlMs < 0) throw new RangeError('ttlMs must be 0 or more');
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) throw new RangeError('maxEntries must be a whole number of at least 1');
  }

  async tenant(tenantId: string, signal?: AbortSignal): Promise<TenantRegistryEntry> {
    const item = await this.item(tenantKey(tenantId), signal);
    if (item === undefined) throw new UnknownTenantError(tenantId);
    const record = this.parse(() => parseTenantItem(item, `${this.options.tableName}/${tenantPk(tenantId)}`));
    if (record.status === 'offboarded') throw new UnknownTenantError(tenantId, 'offboarded');
    // During a rotation the previous ID goes on too: the connector and vend send the current one
    // first and the previous one only after STS refused the current one (assume-role-input.ts).
    return tenantEntryOf(record);
  }

  async vendCaller(principalArn: string, signal?: AbortSignal): Promise<VendCaller | undefined> {
    const item = await this.item(vendCallerKey(principalArn), signal);
    if (item === undefined) return undefined;
    return this.parse(() => parseVendCallerItem(item, `${this.options.tableName}/${vendCallerPk(principalArn)}`));
  }

  stats(): RegistryReaderStats {
    return { entries: this.cache.size, hits: this.hits, reads: this.reads };
  }

  // ---- cache and single flight ---------------------------------------------

  private async item(key: RegistryKey, signal?: AbortSignal): Promise<Cached['item']> {
    const pk = key.pk.S;
    const cached = this.cache.get(pk);
    if (cached && cached.expiresAt > this.now()) {
      this.hits += 1;
      this.cache.delete(pk); // re-insert: the Map's order is the LRU order
      this.cache.set(pk, cached);
      return cached.item;
    }
    if (cached) this.cache.delete(pk);
    let flight = this.inflight.get(pk);
    if (!flight) {
      // Not tied to one request's signal: other requests may be waiting for the same read.
      flight = this.read(key).then((item) => {
        this.remember(pk, item);
        return item;
      }).finally(() => this.inflight.delete(pk));
      this.inflight.set(pk, flight);
    }
    return withinBudget(flight, signal, () => new TimedOutError(`Reading ${pk} from the tenant registry did not finish within the Lambda's time budget: raise its timeout, or check DynamoDB's latency`));
  }

  private remember(pk: string, item: Cached['item']): void {
    if (this.ttlMs === 0) return;
    this.cache.set(pk, { expiresAt: this.now() + this.ttlMs, item });
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
  }

  private async read(key: RegistryKey): Promise<Cached['item']> {
    this.reads += 1;
    const table = this.options.tableName;
    try {
      // Eventually consistent on purpose (see the header).
      const out = await this.options.dynamodb.send(new GetItemCommand({ TableName: table, Key: key }));
      return out.Item;
    } catch (e) {
      throw registryFailure(e, table);
    }
  }

  private parse<T>(parse: () => T): T {
    try {
      return parse();
    } catch (e) {
      if (e instanceof RegistryItemError) throw new RegistryUnavailableError(this.options.tableName, `${e.message.split('\n')[0]} ${e.problems.join('; ')}`, { cause: e });
      throw e;
    }
  }
}

/** A DynamoDB failure as a RegistryUnavailableError saying what to do. */
export function registryFailure(error: unknown, table: string): RegistryUnavailableError {
  const code = awsErrorCode(error);
  if (code === 'ResourceNotFoundException') return new RegistryUnavailableError(table, 'the table does not exist in this account and region: deploy the vendor stack, or check SIDECAR_REGISTRY_TABLE and SIDECAR_REGISTRY_REGION', { cause: error });
  if (code === 'AccessDeniedException' || code === 'AccessDenied' || code === 'UnrecognizedClientException') {
    return new RegistryUnavailableError(table, 'DynamoDB refused the read: the execution role needs dynamodb:GetItem on the table (the vendor stack grants it; redeploy it)', { cause: error });
  }
  if (isThrottling(error) || code === 'ProvisionedThroughputExceededException' || code === 'RequestLimitExceeded') {
    return new RegistryUnavailableError(table, 'DynamoDB throttled the read after retries: retry later', { cause: error });
  }
  if (isAbort(error)) return new RegistryUnavailableError(table, 'the read was cancelled: retry', { cause: error });
  return new RegistryUnavailableError(table, 'DynamoDB failed or could not be reached after retries: retry later, and check DynamoDB\'s health in the vendor account', { cause: error });
}

// ---------------------------------------------------------------------------
// An in-memory source over a TenantRegistry (rules/tenant-registry.ts): for the benchmarks'
// in-process connector and the unit tests. Same answers as the reader, minus DynamoDB.
// ---------------------------------------------------------------------------

export class InMemoryRegistry implements TenantSource, VendCallerSource {
  private readonly callers: ReadonlyMap<string, VendCaller>;

  constructor(private readonly registry: TenantRegistry, callers: readonly VendCaller[] = [], private readonly offboarded: readonly string[] = []) {
    this.callers = new Map(callers.map((c) => [c.principalArn, c]));
  }

  async tenant(tenantId: string): Promise<TenantRegistryEntry> {
    const entry = findTenant(this.registry, tenantId);
    if (this.offboarded.includes(tenantId)) throw new UnknownTenantError(tenantId, 'offboarded');
    return entry;
  }

  async vendCaller(principalArn: string): Promise<VendCaller | undefined> {
    return this.callers.get(principalArn);
  }
}
