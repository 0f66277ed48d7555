/**
 * What the Lambdas read at load: the environment (required and optional variables, with their
 * ranges) and the tenant registry shipped beside the bundle. Both fail fast, naming what is wrong.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../config/load';
import { buildTenantRegistry, parseTenantRegistry, TenantRegistryError } from '../../../rules/tenant-registry';
import { EnvironmentError, readLambdaEnv } from '../../../lambda/shared/env';
import { loadTenantRegistry } from '../../../lambda/shared/registry';
import { EXTERNAL_ID_ACME, testRegistry } from '../../support/lambda-fixtures';

const BASE_ENV = { AWS_REGION: 'us-east-1' };

// ---------------------------------------------------------------------------
describe('environment', () => {
  test('a missing AWS_REGION fails with "Environment variable AWS_REGION is required"', () => {
    expect(() => readLambdaEnv({}, '/var/task')).toThrow(new EnvironmentError('AWS_REGION', 'Environment variable AWS_REGION is required'));
  });

  test('an empty AWS_REGION is as good as missing', () => {
    expect(() => readLambdaEnv({ AWS_REGION: ' ' }, '/var/task')).toThrow('Environment variable AWS_REGION is required');
  });

  test('defaults: registry beside the bundle, 900 s sessions, 1000 cached clients, caching on', () => {
    expect(readLambdaEnv(BASE_ENV, '/var/task')).toEqual({
      region: 'us-east-1', registryFile: '/var/task/registry.json', rolePrefix: undefined, cacheMaxEntries: 1000, assumeRoleDurationSeconds: 900, cacheCredentials: true, tenantTimeBudgetMs: 10_000,
    });
  });

  test('each optional variable is read', () => {
    const env = readLambdaEnv({
      ...BASE_ENV, TENANT_REGISTRY_FILE: '/tmp/r.json', SIDECAR_ROLE_PREFIX: 'tibco_sidecar_connector', CREDENTIAL_CACHE_MAX_ENTRIES: '50',
      ASSUME_ROLE_DURATION_SECONDS: '3600', SIDECAR_CACHE_CREDENTIALS: 'false', SIDECAR_TENANT_TIME_BUDGET_MS: '2500',
    }, '/var/task');

    expect(env).toEqual({ region: 'us-east-1', registryFile: '/tmp/r.json', rolePrefix: 'tibco_sidecar_connector', cacheMaxEntries: 50, assumeRoleDurationSeconds: 3600, cacheCredentials: false, tenantTimeBudgetMs: 2500 });
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
  ])('%s=%s is refused, naming the variable', (name, value, rule) => {
    expect(() => readLambdaEnv({ ...BASE_ENV, [name]: value }, '/var/task')).toThrow(`Environment variable ${name} must be`);
    expect(() => readLambdaEnv({ ...BASE_ENV, [name]: value }, '/var/task')).toThrow(rule);
  });
});

// ---------------------------------------------------------------------------
describe('tenant registry', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-registry-'));
  const write = (name: string, content: string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };

  test('the registry built from config/local.json loads as built', () => {
    const built = buildTenantRegistry(loadConfig({ SIDECAR_TARGET: 'local' }));
    const file = write('local.json', JSON.stringify(built));

    expect(loadTenantRegistry(file)).toEqual(built);
  });

  test('a missing file fails, naming the file and TENANT_REGISTRY_FILE', () => {
    const file = join(dir, 'absent.json');

    expect(() => loadTenantRegistry(file)).toThrow(TenantRegistryError);
    expect(() => loadTenantRegistry(file)).toThrow(/absent\.json[\s\S]*file not found[\s\S]*TENANT_REGISTRY_FILE/);
  });

  test('a file that is not JSON fails, saying so', () => {
    const file = write('broken.json', '{"version": 1,');

    expect(() => loadTenantRegistry(file)).toThrow(/not valid JSON/);
  });

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

  function registryFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-handler-'));
    const file = join(dir, 'registry.json');
    writeFileSync(file, JSON.stringify(testRegistry()));
    return file;
  }

  test.each(['connector', 'vend'])('the %s handler fails at load without AWS_REGION', (fn) => {
    process.env = { ...saved, TENANT_REGISTRY_FILE: registryFile() };
    delete process.env.AWS_REGION;

    expect(() => jest.isolateModules(() => require(`../../../lambda/${fn}/handler`))).toThrow('Environment variable AWS_REGION is required');
  });

  test.each(['connector', 'vend'])('the %s handler fails at load without its registry', (fn) => {
    process.env = { ...saved, AWS_REGION: 'us-east-1', TENANT_REGISTRY_FILE: '/nonexistent/registry.json' };

    expect(() => jest.isolateModules(() => require(`../../../lambda/${fn}/handler`))).toThrow(/registry\.json[\s\S]*file not found/);
  });

  test('the connector handler loads with both, and exposes its cache numbers', () => {
    process.env = { ...saved, AWS_REGION: 'us-east-1', TENANT_REGISTRY_FILE: registryFile(), CREDENTIAL_CACHE_MAX_ENTRIES: '7' };

    let mod: { handler: unknown; cacheStats: () => unknown } | undefined;
    jest.isolateModules(() => { mod = require('../../../lambda/connector/handler'); });

    expect(typeof mod?.handler).toBe('function');
    expect(mod?.cacheStats()).toEqual({ entries: 0, maxEntries: 7, hits: 0, misses: 0, evictions: 0, assumeRoleCalls: 0, cacheCredentials: true, refusalsFromCache: 0, dryRunsLimited: 0 });
  });
});
