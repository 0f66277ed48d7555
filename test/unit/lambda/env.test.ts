/**
 * What the Lambdas read at load: the environment (required and optional variables, with their
 * ranges, the registry table among them), and the shape of a TenantRegistry (what the in-memory
 * registry and the benchmarks are built from). Both fail fast, naming what is wrong.
 */
import { parseTenantRegistry } from '../../../rules/tenant-registry';
import { EnvironmentError, readLambdaEnv } from '../../../lambda/shared/env';
import { EXTERNAL_ID_ACME, testRegistry } from '../../support/lambda-fixtures';

const BASE_ENV = { AWS_REGION: 'us-east-1', SIDECAR_REGISTRY_TABLE: 'sidecar-tenants' };

// ---------------------------------------------------------------------------
describe('environment', () => {
  test('a missing AWS_REGION fails with "Environment variable AWS_REGION is required"', () => {
    expect(() => readLambdaEnv({ SIDECAR_REGISTRY_TABLE: 'sidecar-tenants' })).toThrow(new EnvironmentError('AWS_REGION', 'Environment variable AWS_REGION is required'));
  });

  test('an empty AWS_REGION is as good as missing', () => {
    expect(() => readLambdaEnv({ AWS_REGION: ' ', SIDECAR_REGISTRY_TABLE: 'sidecar-tenants' })).toThrow('Environment variable AWS_REGION is required');
  });

  test('a missing SIDECAR_REGISTRY_TABLE fails with "Environment variable SIDECAR_REGISTRY_TABLE is required"', () => {
    expect(() => readLambdaEnv({ AWS_REGION: 'us-east-1' })).toThrow(new EnvironmentError('SIDECAR_REGISTRY_TABLE', 'Environment variable SIDECAR_REGISTRY_TABLE is required'));
  });

  test('defaults: the registry in the Lambda\'s region cached 30 s, the agreed prefix, 900 s sessions, 1000 cached clients, caching on', () => {
    expect(readLambdaEnv(BASE_ENV)).toEqual({
      region: 'us-east-1', registryTableName: 'sidecar-tenants', registryRegion: 'us-east-1', registryCacheTtlSeconds: 30, registryCacheMaxEntries: 1000,
      rolePrefix: 'tibco_sidecar_connector', cacheMaxEntries: 1000, assumeRoleDurationSeconds: 900, cacheCredentials: true, tenantTimeBudgetMs: 10_000,
      dryRunBurst: 3, dryRunRefillMs: 10_000,
    });
  });

  test('each optional variable is read', () => {
    const env = readLambdaEnv({
      ...BASE_ENV, SIDECAR_REGISTRY_REGION: 'eu-west-1', SIDECAR_REGISTRY_CACHE_TTL_SECONDS: '0', SIDECAR_REGISTRY_CACHE_MAX_ENTRIES: '5',
      SIDECAR_ROLE_PREFIX: 'acme_sidecar', CREDENTIAL_CACHE_MAX_ENTRIES: '50', ASSUME_ROLE_DURATION_SECONDS: '3600', SIDECAR_CACHE_CREDENTIALS: 'false', SIDECAR_TENANT_TIME_BUDGET_MS: '2500',
      SIDECAR_DRY_RUN_BURST: '5', SIDECAR_DRY_RUN_REFILL_SECONDS: '2',
    });

    expect(env).toEqual({
      region: 'us-east-1', registryTableName: 'sidecar-tenants', registryRegion: 'eu-west-1', registryCacheTtlSeconds: 0, registryCacheMaxEntries: 5,
      rolePrefix: 'acme_sidecar', cacheMaxEntries: 50, assumeRoleDurationSeconds: 3600, cacheCredentials: false, tenantTimeBudgetMs: 2500,
      dryRunBurst: 5, dryRunRefillMs: 2000,
    });
  });

  test.each([
    ['ASSUME_ROLE_DURATION_SECONDS', '3601', 'from 900 to 3600'],
    ['ASSUME_ROLE_DURATION_SECONDS', '899', 'from 900 to 3600'],
    ['ASSUME_ROLE_DURATION_SECONDS', 'one hour', 'from 900 to 3600'],
    ['CREDENTIAL_CACHE_MAX_ENTRIES', '0', 'from 1 to'],
    ['SIDECAR_CACHE_CREDENTIALS', 'no', '"true" or "false"'],
    ['SIDECAR_TENANT_TIME_BUDGET_MS', '50', 'from 100 to'],
    ['SIDECAR_TENANT_TIME_BUDGET_MS', 'ten seconds', 'from 100 to'],
    ['SIDECAR_ROLE_PREFIX', 'has spaces', '[\\w+=,.@-]'],
    ['SIDECAR_REGISTRY_TABLE', 'a/b', 'DynamoDB table name'],
    ['SIDECAR_REGISTRY_REGION', 'Frankfurt', 'us-east-1'],
    ['SIDECAR_REGISTRY_CACHE_TTL_SECONDS', '3601', 'from 0 to 3600'],
    ['SIDECAR_REGISTRY_CACHE_MAX_ENTRIES', '0', 'from 1 to'],
    ['SIDECAR_DRY_RUN_BURST', '0', 'from 1 to 1000'],
    ['SIDECAR_DRY_RUN_REFILL_SECONDS', '0.5', 'from 1 to 3600'],
  ])('%s=%s is refused, naming the variable', (name, value, rule) => {
    expect(() => readLambdaEnv({ ...BASE_ENV, [name]: value })).toThrow(`Environment variable ${name} must be`);
    expect(() => readLambdaEnv({ ...BASE_ENV, [name]: value })).toThrow(rule);
  });
});

// ---------------------------------------------------------------------------
describe('tenant registry shape', () => {
  test('an entry with an invalid external ID fails without showing the value', () => {
    const registry = testRegistry();
    const raw = JSON.parse(JSON.stringify(registry));
    raw.tenants.acme.externalId = 'bad id with spaces';

    expect(() => parseTenantRegistry(raw, 'registry.json')).toThrow(/tenants\.acme\.externalId: external ID may contain only/);
    expect(() => parseTenantRegistry(raw, 'registry.json')).not.toThrow(/bad id with spaces/);
  });

  test('an entry filed under another tenant\'s key fails', () => {
    const raw = JSON.parse(JSON.stringify(testRegistry()));
    raw.tenants.acme.tenantId = 'globex';

    expect(() => parseTenantRegistry(raw, 'registry.json')).toThrow('tenants.acme.tenantId: must equal its key "acme"');
  });

  test('an unknown field fails', () => {
    const raw = { ...JSON.parse(JSON.stringify(testRegistry())), tenantz: {} };

    expect(() => parseTenantRegistry(raw, 'registry.json')).toThrow(/tenantz/);
  });

  test('an entry without functions fails', () => {
    const raw = JSON.parse(JSON.stringify(testRegistry()));
    raw.tenants.acme.functionArns = [];

    expect(() => parseTenantRegistry(raw, 'registry.json')).toThrow('tenants.acme.functionArns: must list at least one function');
  });

  test('a parsed registry has no prototype behind its tenants', () => {
    const parsed = parseTenantRegistry(JSON.parse(JSON.stringify(testRegistry())), 'registry.json');

    expect(Object.getPrototypeOf(parsed.tenants)).toBeNull();
    expect(parsed.tenants.acme.externalId).toBe(EXTERNAL_ID_ACME);
  });
});

// ---------------------------------------------------------------------------
describe('loading the handler modules', () => {
  const saved = { ...process.env };
  afterEach(() => { process.env = { ...saved }; });
  const LOADABLE = { AWS_REGION: 'us-east-1', SIDECAR_REGISTRY_TABLE: 'sidecar-tenants', SIDECAR_VEND_AUDIENCE: 'arn:aws:lambda:us-east-1:809167139867:function:sidecar-vend' };

  test.each(['connector', 'vend'])('the %s handler fails at load without AWS_REGION', (fn) => {
    process.env = { ...saved, ...LOADABLE };
    delete process.env.AWS_REGION;

    expect(() => jest.isolateModules(() => require(`../../../lambda/${fn}/handler`))).toThrow('Environment variable AWS_REGION is required');
  });

  test.each(['connector', 'vend'])('the %s handler fails at load without its registry table', (fn) => {
    process.env = { ...saved, ...LOADABLE };
    delete process.env.SIDECAR_REGISTRY_TABLE;

    expect(() => jest.isolateModules(() => require(`../../../lambda/${fn}/handler`))).toThrow('Environment variable SIDECAR_REGISTRY_TABLE is required');
  });

  test('the vend handler fails at load without its audience (its own ARN)', () => {
    process.env = { ...saved, ...LOADABLE };
    delete process.env.SIDECAR_VEND_AUDIENCE;

    expect(() => jest.isolateModules(() => require('../../../lambda/vend/handler'))).toThrow('Environment variable SIDECAR_VEND_AUDIENCE is required');
  });

  test('the connector handler loads, reads nothing yet, and exposes its cache numbers', () => {
    process.env = { ...saved, ...LOADABLE, CREDENTIAL_CACHE_MAX_ENTRIES: '7' };

    let mod: { handler: unknown; cacheStats: () => unknown } | undefined;
    jest.isolateModules(() => { mod = require('../../../lambda/connector/handler'); });

    expect(typeof mod?.handler).toBe('function');
    expect(mod?.cacheStats()).toEqual({ entries: 0, maxEntries: 7, hits: 0, misses: 0, evictions: 0, assumeRoleCalls: 0, cacheCredentials: true, refusalsFromCache: 0, dryRunsLimited: 0, previousExternalIdFallbacks: 0 });
  });
});
