/**
 * The connector's credential cache: credentials (not clients) per (tenant, function), refreshed
 * before expiry, single-flight, bounded by an LRU; one Lambda client per region signs each call
 * with its session. The real cache runs here; only the network is mocked.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { scopedInvokeSessionPolicy } from '../../../rules/policies';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import type { ConnectorResponse } from '../../../lambda/connector/types';
import { ScopedClientCache, type ScopedClientOptions } from '../../../lambda/connector/scoped-clients';
import {
  ECHO_A, MASTER_CREDENTIALS, OTHER_A, PREFIX, REGION, assumeRoleOutput, invokeOutput, lambdaContext, quietLogger, stsError, testTenants,
} from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const MINUTE = 60 * 1000;

function setup(options: Partial<ScopedClientOptions> = {}) {
  const clients = new ScopedClientCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 100, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS, ...options });
  const handler = createConnectorHandler({ registry: testTenants(), rolePrefix: PREFIX, clients, logger: quietLogger() });
  return { clients, call: (event: unknown) => handler(event, lambdaContext()) };
}

function cached(result: ConnectorResponse): boolean {
  if (!result.ok) throw new Error(`expected success, got ${result.error.code}: ${result.error.message}`);
  return result.timings.credentialsCached;
}

beforeEach(() => {
  sts.reset();
  lambda.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput());
  lambda.on(InvokeCommand).resolves(invokeOutput({ ok: 1 }));
});

afterEach(() => jest.restoreAllMocks());

// ---------------------------------------------------------------------------
describe('reuse in a warm sandbox', () => {
  test('many calls of one tenant make one AssumeRole', async () => {
    const { call } = setup();

    for (let i = 0; i < 5; i += 1) await call({ tenant: 'acme' });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 5);
  });

  test('the first call reports fresh credentials, the next ones cached', async () => {
    const { call } = setup();

    const first = await call({ tenant: 'acme' });
    const second = await call({ tenant: 'acme' });

    expect([cached(first), cached(second)]).toEqual([false, true]);
  });

  test('20 concurrent first calls of one tenant share one AssumeRole', async () => {
    // Prepare: STS answers slowly, so all 20 calls are waiting at once.
    sts.on(AssumeRoleCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return assumeRoleOutput();
    });
    const { call } = setup();

    // Act
    const results = await Promise.all(Array.from({ length: 20 }, () => call({ tenant: 'acme' })));

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter(cached)).toHaveLength(0); // each of them waited for that AssumeRole
  });

  test('two tenants get two sessions, each with its own role and external ID', async () => {
    const { call } = setup();

    await call({ tenant: 'acme' });
    await call({ tenant: 'globex' });
    await call({ tenant: 'acme' });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    const externalIds = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.ExternalId);
    expect(new Set(externalIds).size).toBe(2);
  });

  test('two functions of one tenant get two sessions, each scoped to its function', async () => {
    const { call } = setup();

    await call({ tenant: 'acme', function: ECHO_A });
    await call({ tenant: 'acme', function: OTHER_A });

    const policies = sts.commandCalls(AssumeRoleCommand).map((c) => JSON.parse(c.args[0].input.Policy ?? 'null'));
    expect(policies).toEqual([scopedInvokeSessionPolicy([ECHO_A]), scopedInvokeSessionPolicy([OTHER_A])]);
  });
});

// ---------------------------------------------------------------------------
describe('expiry', () => {
  test('credentials within five minutes of expiry are refreshed before the next call', async () => {
    // Prepare: 6-minute credentials, then the clock moves 2 minutes on: 4 minutes left, not expired yet.
    sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput(6 * MINUTE));
    const { call } = setup();
    await call({ tenant: 'acme' });
    const later = Date.now() + 2 * MINUTE;
    jest.spyOn(Date, 'now').mockImplementation(() => later);

    // Act
    const second = await call({ tenant: 'acme' });

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(cached(second)).toBe(false);
  });

  test('credentials well before expiry are not refreshed', async () => {
    sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput(6 * MINUTE));
    const { call } = setup();

    await call({ tenant: 'acme' });
    await call({ tenant: 'acme' });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  test('once the clock passes the expiry, the next call assumes the role again', async () => {
    // Prepare: 20-minute credentials, then the clock moves 21 minutes on.
    sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput(20 * MINUTE));
    const { call } = setup();
    await call({ tenant: 'acme' });
    const later = Date.now() + 21 * MINUTE;
    jest.spyOn(Date, 'now').mockImplementation(() => later);

    // Act
    const result = await call({ tenant: 'acme' });

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(cached(result)).toBe(false);
  });

  test('credentials STS hands out already expired are never used to invoke', async () => {
    sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput(-1000));
    const { call } = setup();

    const result = await call({ tenant: 'acme' });

    expect(result).toMatchObject({ ok: false, error: { code: 'Internal', message: expect.stringContaining('already expired') } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('credentials the connector\'s clock sees as expired are refreshed once before use', async () => {
    // Prepare: the SDK (Date.now) thinks the first session is fresh; the injected clock is 21 minutes ahead.
    const skew = 21 * MINUTE;
    sts.on(AssumeRoleCommand)
      .callsFakeOnce(async () => assumeRoleOutput(20 * MINUTE))
      .callsFake(async () => assumeRoleOutput(60 * MINUTE));
    const { call } = setup({ now: () => Date.now() + skew });

    // Act
    const result = await call({ tenant: 'acme' });

    // Assess
    expect(result.ok).toBe(true);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  test('a failed AssumeRole is not cached: the next call tries again', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(stsError('Throttling', 400)).callsFake(async () => assumeRoleOutput());
    const { call } = setup();

    const first = await call({ tenant: 'acme' });
    const second = await call({ tenant: 'acme' });

    expect(first).toMatchObject({ ok: false, error: { code: 'Throttled' } });
    expect(second.ok).toBe(true);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });
});

// ---------------------------------------------------------------------------
describe('the bound', () => {
  test('never holds more clients than maxEntries', async () => {
    const { call, clients } = setup({ maxEntries: 2 });

    await call({ tenant: 'acme', function: ECHO_A });
    await call({ tenant: 'acme', function: OTHER_A });
    await call({ tenant: 'globex' });

    expect(clients.stats()).toMatchObject({ entries: 2, maxEntries: 2, evictions: 1 });
  });

  test('evicts the least recently used client, so a just-used one stays', async () => {
    const { call } = setup({ maxEntries: 2 });
    await call({ tenant: 'acme', function: ECHO_A });
    await call({ tenant: 'acme', function: OTHER_A });
    await call({ tenant: 'acme', function: ECHO_A }); // ECHO_A is now the most recent

    await call({ tenant: 'globex' }); // evicts OTHER_A
    await call({ tenant: 'acme', function: ECHO_A });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
  });

  test('an evicted client\'s tenant assumes the role again on its next call', async () => {
    const { call } = setup({ maxEntries: 2 });
    await call({ tenant: 'acme', function: ECHO_A });
    await call({ tenant: 'acme', function: OTHER_A });
    await call({ tenant: 'globex' }); // evicts ECHO_A

    const result = await call({ tenant: 'acme', function: ECHO_A });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 4);
    expect(cached(result)).toBe(false);
  });

  test('stats count hits, misses and AssumeRole calls', async () => {
    const { call, clients } = setup();

    await call({ tenant: 'acme' });
    await call({ tenant: 'acme' });
    await call({ tenant: 'globex' });

    expect(clients.stats()).toEqual({ entries: 2, maxEntries: 100, hits: 1, misses: 2, evictions: 0, assumeRoleCalls: 2, cacheCredentials: true, refusalsFromCache: 0, dryRunsLimited: 0, previousExternalIdFallbacks: 0 });
  });

  test('a bound below one is refused', () => {
    expect(() => setup({ maxEntries: 0 })).toThrow('maxEntries must be a positive integer');
  });
});

// ---------------------------------------------------------------------------
describe('naive mode (SIDECAR_CACHE_CREDENTIALS=false)', () => {
  test('assumes the role on every call and keeps nothing', async () => {
    const { call, clients } = setup({ cacheCredentials: false });

    const results = await Promise.all([call({ tenant: 'acme' }), call({ tenant: 'acme' }), call({ tenant: 'acme' })]);

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
    expect(results.map(cached)).toEqual([false, false, false]);
    expect(clients.stats()).toMatchObject({ entries: 0, assumeRoleCalls: 3 });
  });
});
