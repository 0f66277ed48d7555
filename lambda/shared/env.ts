// ---------------------------------------------------------------------------
// The Lambdas' environment, read once at load. A missing or malformed variable fails the
// sandbox's init with a message naming the variable, rather than failing every request later.
// ---------------------------------------------------------------------------
import { join } from 'node:path';
import { ROLE_PREFIX_RULE, rolePrefixSchema } from '../../rules/schemas';
import { TENANT_REGISTRY_FILE_NAME } from '../../rules/tenant-registry';

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
  /** The tenant registry shipped beside index.js, or TENANT_REGISTRY_FILE. */
  readonly registryFile: string;
  /** SIDECAR_ROLE_PREFIX; undefined means "the registry's prefix". */
  readonly rolePrefix: string | undefined;
  /** CREDENTIAL_CACHE_MAX_ENTRIES: bound on the (tenant, function) credential cache. */
  readonly cacheMaxEntries: number;
  /** ASSUME_ROLE_DURATION_SECONDS, 900..3600. */
  readonly assumeRoleDurationSeconds: number;
  /** SIDECAR_CACHE_CREDENTIALS=false: assume on every call (the benchmark's naive mode). */
  readonly cacheCredentials: boolean;
  /** SIDECAR_TENANT_TIME_BUDGET_MS: the most one tenant's call may take, below the Lambda's own
   *  timeout (whichever runs out first ends the call with TimedOut). */
  readonly tenantTimeBudgetMs: number;
}

/** 10 s: a tenant's AssumeRole + Invoke, retries included, well under the connector's 30 s timeout. */
export const DEFAULT_TENANT_TIME_BUDGET_MS = 10_000;

export const DEFAULT_CACHE_MAX_ENTRIES = 1000;

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

/** Read and check the environment. `defaultDir` is where registry.json sits (the bundle's dir). */
export function readLambdaEnv(env: NodeJS.ProcessEnv, defaultDir: string): LambdaEnv {
  const prefix = env.SIDECAR_ROLE_PREFIX;
  if (prefix !== undefined && !rolePrefixSchema.safeParse(prefix).success) {
    throw new EnvironmentError('SIDECAR_ROLE_PREFIX', `Environment variable SIDECAR_ROLE_PREFIX ${ROLE_PREFIX_RULE} (got "${prefix}")`);
  }
  return {
    region: requireEnv(env, 'AWS_REGION'),
    registryFile: env.TENANT_REGISTRY_FILE ?? join(defaultDir, TENANT_REGISTRY_FILE_NAME),
    rolePrefix: prefix,
    cacheMaxEntries: integerEnv(env, 'CREDENTIAL_CACHE_MAX_ENTRIES', DEFAULT_CACHE_MAX_ENTRIES, 1, 1_000_000),
    assumeRoleDurationSeconds: integerEnv(env, 'ASSUME_ROLE_DURATION_SECONDS', MIN_ASSUME_ROLE_DURATION_SECONDS, MIN_ASSUME_ROLE_DURATION_SECONDS, MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS),
    cacheCredentials: booleanEnv(env, 'SIDECAR_CACHE_CREDENTIALS', true),
    tenantTimeBudgetMs: integerEnv(env, 'SIDECAR_TENANT_TIME_BUDGET_MS', DEFAULT_TENANT_TIME_BUDGET_MS, 100, 900_000),
  };
}
