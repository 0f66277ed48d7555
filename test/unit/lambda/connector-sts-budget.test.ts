/**
 * The connector's STS budget guards and its per-tenant time budget, with the real cache and
 * mocked SDK clients. Counts and orders only, never durations: the clock is injected.
 * Cases:
 *  - a refused tenant costs one AssumeRole per refusal TTL; the remembered refusal says so and
 *    until when; past the TTL STS is asked again; another tenant is not affected
 *  - throttling and 5xx are not remembered; a dry run always asks STS and clears a refusal
 *  - dry runs: a burst per tenant, then DryRunRateLimited with retryAfterSeconds; refilled over
 *    time; per tenant; ordinary calls are not limited
 *  - a slow tenant ends with TimedOut naming the per-tenant budget; a fast one is served
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import { DRY_RUN_BURST, DRY_RUN_REFILL_MS } from '../../../lambda/connector/dry-run-limit';
import { REFUSAL_TTL_MS } from '../../../lambda/connector/refusals';
import { ScopedSessionCache, type ScopedSessionOptions } from '../../../lambda/connector/scoped-clients';
import type { ConnectorDeps } from '../../../lambda/connector/types';
import {
  MASTER_CREDENTIALS, PREFIX, REGION, assumeRoleOutput, invokeOutput, lambdaContext, lambdaError, quietLogger, stsError, testRegistry, testTenants,
} from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);

/** A clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => { t += ms; } };
}

function setup(options: Partial<ScopedSessionOptions> = {}, deps: Partial<ConnectorDeps> = {}) {
  const clients = new ScopedSessionCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 100, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS, ...options });
  const handler = createConnectorHandler({ registry: testTenants(), rolePrefix: PREFIX, clients, logger: quietLogger(), ...deps });
  return { clients, call: (event: unknown, remainingMs?: number) => handler(event, lambdaContext(remainingMs)) };
}

beforeEach(() => {
  sts.reset();
  lambda.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput());
  lambda.on(InvokeCommand).resolves(invokeOutput({ ok: 1 }));
});

// ---------------------------------------------------------------------------
describe('the refusal cache', () => {
  test('100 calls of a refused tenant make one AssumeRole, each answered AssumeRoleRefused', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));
    const clock = manualClock();
    const { call, clients } = setup({ now: clock.now });

    const answers = [];
    for (let i = 0; i < 100; i += 1) answers.push(await call({ tenant: 'mallory' }));

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(answers.every((a) => !a.ok && a.error.code === 'AssumeRoleRefused')).toBe(true);
    expect(clients.stats()).toMatchObject({ assumeRoleCalls: 1, refusalsFromCache: 99 });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('a remembered refusal says it is remembered, and until when', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));
    const clock = manualClock();
    const { call } = setup({ now: clock.now });
    await call({ tenant: 'mallory' });

    const second = await call({ tenant: 'mallory' });

    const until = new Date(clock.now() + REFUSAL_TTL_MS).toISOString();
    expect(second).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused', message: expect.stringContaining(`remembered`) } });
    expect(second.ok ? '' : second.error.message).toContain(until);
  });

  test('past the TTL, STS is asked again (an onboarding fix takes effect)', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(stsError('AccessDenied')).callsFake(async () => assumeRoleOutput());
    const clock = manualClock();
    const { call } = setup({ now: clock.now });
    await call({ tenant: 'mallory' });
    clock.advance(REFUSAL_TTL_MS - 1);
    const within = await call({ tenant: 'mallory' });
    clock.advance(1);

    const after = await call({ tenant: 'mallory' });

    expect(within.ok).toBe(false);
    expect(after.ok).toBe(true);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  test('another tenant is not affected by a remembered refusal', async () => {
    sts.on(AssumeRoleCommand, { ExternalId: testRegistry().tenants.mallory.externalId }).rejects(stsError('AccessDenied'));
    const { call } = setup();
    await call({ tenant: 'mallory' });

    const acme = await call({ tenant: 'acme' });

    expect(acme.ok).toBe(true);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  test.each([
    ['Throttling', 400, 'Throttled'],
    ['ServiceUnavailable', 503, 'Unavailable'],
  ])('%s is not remembered: every call asks STS again', async (code, status, answered) => {
    sts.on(AssumeRoleCommand).rejects(stsError(code, status));
    const { call } = setup();

    const first = await call({ tenant: 'acme' });
    const second = await call({ tenant: 'acme' });

    expect([first, second]).toMatchObject([{ ok: false, error: { code: answered } }, { ok: false, error: { code: answered } }]);
    // The SDK's own retries (3 attempts) happen under the mock's send: 2 calls reach it.
    expect(sts.commandCalls(AssumeRoleCommand).length).toBe(2);
  });

  test('a dry run asks STS despite a remembered refusal, and its success clears it', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(stsError('AccessDenied')).callsFake(async () => assumeRoleOutput());
    const { call } = setup();
    await call({ tenant: 'mallory' });

    const dryRun = await call({ tenant: 'mallory', dryRun: true });
    const next = await call({ tenant: 'mallory' });

    expect([dryRun.ok, next.ok]).toEqual([true, true]);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
  });

  test('a TTL of 0 remembers nothing (every refusal asks STS)', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));
    const { call } = setup({ refusalTtlMs: 0 });

    await call({ tenant: 'mallory' });
    await call({ tenant: 'mallory' });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });
});

// ---------------------------------------------------------------------------
describe('the dry-run rate limit', () => {
  test(`${DRY_RUN_BURST} dry runs at once are served, the next is DryRunRateLimited with a retry-after`, async () => {
    const clock = manualClock();
    const { call, clients } = setup({ now: clock.now });

    const answers = [];
    for (let i = 0; i < DRY_RUN_BURST + 1; i += 1) answers.push(await call({ tenant: 'acme', dryRun: true }));

    expect(answers.slice(0, DRY_RUN_BURST).every((a) => a.ok)).toBe(true);
    expect(answers[DRY_RUN_BURST]).toEqual({
      ok: false, error: { code: 'DryRunRateLimited', message: expect.stringContaining('acme'), retryAfterSeconds: DRY_RUN_REFILL_MS / 1000 },
    });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, DRY_RUN_BURST);
    expect(clients.stats().dryRunsLimited).toBe(1);
  });

  test('100 dry runs in a burst cost at most the burst in AssumeRoles', async () => {
    const clock = manualClock();
    const { call } = setup({ now: clock.now });

    for (let i = 0; i < 100; i += 1) await call({ tenant: 'acme', dryRun: true });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, DRY_RUN_BURST);
  });

  test('one more dry run is allowed per refill interval', async () => {
    const clock = manualClock();
    const { call } = setup({ now: clock.now });
    for (let i = 0; i < DRY_RUN_BURST; i += 1) await call({ tenant: 'acme', dryRun: true });
    clock.advance(DRY_RUN_REFILL_MS);

    const refilled = await call({ tenant: 'acme', dryRun: true });
    const next = await call({ tenant: 'acme', dryRun: true });

    expect(refilled.ok).toBe(true);
    expect(next).toMatchObject({ ok: false, error: { code: 'DryRunRateLimited' } });
  });

  test('the limit is per tenant', async () => {
    const clock = manualClock();
    const { call } = setup({ now: clock.now });
    for (let i = 0; i < DRY_RUN_BURST; i += 1) await call({ tenant: 'acme', dryRun: true });

    const globex = await call({ tenant: 'globex', dryRun: true });

    expect(globex.ok).toBe(true);
  });

  test('ordinary calls are not limited by spent dry runs', async () => {
    const clock = manualClock();
    const { call } = setup({ now: clock.now });
    for (let i = 0; i < DRY_RUN_BURST + 1; i += 1) await call({ tenant: 'acme', dryRun: true });

    const ordinary = await call({ tenant: 'acme' });

    expect(ordinary.ok).toBe(true);
  });

  test('a dry run still never uses a cached session', async () => {
    const { call } = setup();
    await call({ tenant: 'acme' });

    await call({ tenant: 'acme', dryRun: true });

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });
});

// ---------------------------------------------------------------------------
describe('the per-tenant time budget', () => {
  test('a tenant whose STS never answers ends with TimedOut naming the per-tenant budget, before the invocation\'s', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => new Promise(() => undefined));
    const { call } = setup({}, { tenantTimeBudgetMs: 50 });

    const result = await call({ tenant: 'acme' }, 60_000);

    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut', message: expect.stringContaining('per-tenant time budget of 50 ms') } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('a tenant whose function never answers ends the same way, at Invoke', async () => {
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));
    const { call } = setup({}, { tenantTimeBudgetMs: 50 });

    const result = await call({ tenant: 'acme' }, 60_000);

    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut', message: expect.stringMatching(/^Invoke of .* per-tenant time budget/) } });
  });

  test('a tenant answering within its budget is served', async () => {
    const { call } = setup({}, { tenantTimeBudgetMs: 60_000 });

    const result = await call({ tenant: 'acme' });

    expect(result.ok).toBe(true);
  });

  test('when the invocation\'s budget is the smaller one, the message names the connector\'s budget', async () => {
    sts.on(AssumeRoleCommand).callsFake(() => new Promise(() => undefined));
    const { call } = setup({}, { tenantTimeBudgetMs: 60_000 });

    // 550 ms left, 500 kept to answer: 50 ms of budget.
    const result = await call({ tenant: 'acme' }, 550);

    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut', message: expect.stringContaining('the connector\'s time budget') } });
  });

  test('a refused Invoke within the budget is still InvokeRefused, not TimedOut', async () => {
    lambda.on(InvokeCommand).rejects(lambdaError('AccessDeniedException'));
    const { call } = setup({}, { tenantTimeBudgetMs: 60_000 });

    const result = await call({ tenant: 'acme' });

    expect(result).toMatchObject({ ok: false, error: { code: 'InvokeRefused' } });
  });
});
