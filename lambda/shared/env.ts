// ---------------------------------------------------------------------------
// The Lambdas' environment, read once at load. A missing or malformed variable fails the
// sandbox's init with a message naming the variable, rather than failing every request later.
// ---------------------------------------------------------------------------
import { DEFAULT_ROLE_PREFIX, FUNCTION_NAME_PATTERN } from '../../rules/naming';
import { MAX_SHARDS } from '../../rules/shards';
import { DRY_RUN_BURST, DRY_RUN_REFILL_MS } from '../../rules/dry-run-limit';
import { TABLE_NAME_PATTERN } from '../../rules/registry-item';
import { ROLE_PREFIX_RULE, rolePrefixSchema } from '../../rules/schemas';

/** Thrown at load when a variable is missing or out of its range. */
export class EnvironmentError extends Error {
  readonly code = 'EnvironmentInvalid';
  constructor(readonly variable: string, message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

/** STS: DurationSeconds is 900..43200, but role chaining (a Lambda's role credentials calling
 *  AssumeRole) caps it at one hour. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining */
export const MIN_ASSUME_ROLE_DURATION_SECONDS = 900;
export const MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS = 3600;

export interface LambdaEnv {
  /** Region of the Lambda itself: where STS is called (AWS_REGION, always set by Lambda). */
  readonly region: string;
  /** SIDECAR_REGISTRY_TABLE: the tenant registry's DynamoDB table (the vendor stack sets it). */
  readonly registryTableName: string;
  /** SIDECAR_REGISTRY_REGION: the table's region. @default AWS_REGION */
  readonly registryRegion: string;
  /** SIDECAR_REGISTRY_CACHE_TTL_SECONDS, 0..3600 (0: no cache); see lambda/shared/registry-reader.ts for the trade-off. */
  readonly registryCacheTtlSeconds: number;
  /** SIDECAR_REGISTRY_CACHE_MAX_ENTRIES: bound on the registry cache's keys. */
  readonly registryCacheMaxEntries: number;
  /** SIDECAR_ROLE_PREFIX. @default the agreed prefix (rules/naming.ts) */
  readonly rolePrefix: string;
  /** CREDENTIAL_CACHE_MAX_ENTRIES: bound on the (tenant, function) credential cache. */
  readonly cacheMaxEntries: number;
  /** ASSUME_ROLE_DURATION_SECONDS, 900..3600. */
  readonly assumeRoleDurationSeconds: number;
  /** SIDECAR_CACHE_CREDENTIALS=false: assume on every call (the benchmark's naive mode). */
  readonly cacheCredentials: boolean;
  /** SIDECAR_TENANT_TIME_BUDGET_MS: the most one tenant's call may take, below the Lambda's own
   *  timeout (whichever runs out first ends the call with TimedOut). */
  readonly tenantTimeBudgetMs: number;
  /** SIDECAR_DRY_RUN_BURST / SIDECAR_DRY_RUN_REFILL_SECONDS: the connector's dry-run rate limit per
   *  tenant (lambda/connector/dry-run-limit.ts), from the config's vendor.dryRunLimit. */
  readonly dryRunBurst: number;
  readonly dryRunRefillMs: number;
  /** SIDECAR_SHARD_INDEX / SIDECAR_SHARD_COUNT / SIDECAR_SHARD_BASE_NAME: which connector shard this
   *  is (the vendor stack sets them when vendor.connectorShards.count > 1). Absent: unsharded. */
  readonly shard?: ShardEnv;
}

export interface ShardEnv {
  readonly index: number;
  readonly count: number;
  /** The connector's configured name, from which each shard's name is made (rules/naming.ts). */
  readonly baseName: string;
}

/** 10 s: a tenant's AssumeRole + Invoke, retries included, well under the connector's 30 s timeout. */
export const DEFAULT_TENANT_TIME_BUDGET_MS = 10_000;

export const DEFAULT_CACHE_MAX_ENTRIES = 1000;
export const DEFAULT_REGISTRY_CACHE_TTL_SECONDS = 30;
export const DEFAULT_REGISTRY_CACHE_MAX_ENTRIES = 1000;

export function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') throw new EnvironmentError(name, `Environment variable ${name} is required`);
  return value;
}

function integerEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new EnvironmentError(name, `Environment variable ${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function booleanEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new EnvironmentError(name, `Environment variable ${name} must be "true" or "false" (got "${raw}")`);
}

/** The shard variables: none, or all three, consistent (index below count). */
export function readShardEnv(env: NodeJS.ProcessEnv): ShardEnv | undefined {
  const countRaw = env.SIDECAR_SHARD_COUNT;
  if (countRaw === undefined || countRaw.trim() === '') return undefined;
  const count = integerEnv(env, 'SIDECAR_SHARD_COUNT', 1, 1, MAX_SHARDS);
  if (count === 1) return undefined;
  const index = integerEnv(env, 'SIDECAR_SHARD_INDEX', -1, 0, count - 1);
  if (index < 0) throw new EnvironmentError('SIDECAR_SHARD_INDEX', 'Environment variable SIDECAR_SHARD_INDEX is required when SIDECAR_SHARD_COUNT is above 1');
  const baseName = requireEnv(env, 'SIDECAR_SHARD_BASE_NAME');
  if (!FUNCTION_NAME_PATTERN.test(baseName)) throw new EnvironmentError('SIDECAR_SHARD_BASE_NAME', `Environment variable SIDECAR_SHARD_BASE_NAME must be a function name (got "${baseName.slice(0, 80)}")`);
  return { index, count, baseName };
}

/** Read and check the environment. */
export function readLambdaEnv(env: NodeJS.ProcessEnv): LambdaEnv {
  const prefix = env.SIDECAR_ROLE_PREFIX;
  if (prefix !== undefined && !rolePrefixSchema.safeParse(prefix).success) {
    throw new EnvironmentError('SIDECAR_ROLE_PREFIX', `Environment variable SIDECAR_ROLE_PREFIX ${ROLE_PREFIX_RULE} (got "${prefix}")`);
  }
  const region = requireEnv(env, 'AWS_REGION');
  const table = requireEnv(env, 'SIDECAR_REGISTRY_TABLE');
  if (!TABLE_NAME_PATTERN.test(table)) {
    throw new EnvironmentError('SIDECAR_REGISTRY_TABLE', `Environment variable SIDECAR_REGISTRY_TABLE must be a DynamoDB table name: 3-255 characters of letters, digits, _, . and - (got "${table.slice(0, 80)}")`);
  }
  const registryRegion = env.SIDECAR_REGISTRY_REGION?.trim() ? env.SIDECAR_REGISTRY_REGION : region;
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(registryRegion)) {
    throw new EnvironmentError('SIDECAR_REGISTRY_REGION', `Environment variable SIDECAR_REGISTRY_REGION must be a region like us-east-1 (got "${registryRegion.slice(0, 40)}")`);
  }
  return {
    region,
    registryTableName: table,
    registryRegion,
    registryCacheTtlSeconds: integerEnv(env, 'SIDECAR_REGISTRY_CACHE_TTL_SECONDS', DEFAULT_REGISTRY_CACHE_TTL_SECONDS, 0, 3600),
    registryCacheMaxEntries: integerEnv(env, 'SIDECAR_REGISTRY_CACHE_MAX_ENTRIES', DEFAULT_REGISTRY_CACHE_MAX_ENTRIES, 1, 1_000_000),
    rolePrefix: prefix ?? DEFAULT_ROLE_PREFIX,
    cacheMaxEntries: integerEnv(env, 'CREDENTIAL_CACHE_MAX_ENTRIES', DEFAULT_CACHE_MAX_ENTRIES, 1, 1_000_000),
    assumeRoleDurationSeconds: integerEnv(env, 'ASSUME_ROLE_DURATION_SECONDS', MIN_ASSUME_ROLE_DURATION_SECONDS, MIN_ASSUME_ROLE_DURATION_SECONDS, MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS),
    cacheCredentials: booleanEnv(env, 'SIDECAR_CACHE_CREDENTIALS', true),
    tenantTimeBudgetMs: integerEnv(env, 'SIDECAR_TENANT_TIME_BUDGET_MS', DEFAULT_TENANT_TIME_BUDGET_MS, 100, 900_000),
    dryRunBurst: integerEnv(env, 'SIDECAR_DRY_RUN_BURST', DRY_RUN_BURST, 1, 1000),
    dryRunRefillMs: integerEnv(env, 'SIDECAR_DRY_RUN_REFILL_SECONDS', DRY_RUN_REFILL_MS / 1000, 1, 3600) * 1000,
    shard: readShardEnv(env),
  };
}
