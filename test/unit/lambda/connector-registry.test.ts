/**
 * The connector over the run-time registry (lambda/shared/registry-reader.ts, DynamoDB mocked):
 * during a rotation it sends the current external ID first and the previous one only after STS
 * refused the current one with AccessDenied (never when the current one works; with no previous
 * ID a refusal is final), remembering each refusal under its own ID; a missing or offboarded
 * tenant is refused before STS; a registry it cannot read is RegistryUnavailable before STS; and
 * the next request after the TTL sees an onboarding.
 */
import { DynamoDBClient, DynamoDBServiceException, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import { ScopedClientCache } from '../../../lambda/connector/scoped-clients';
import { createConnectorMetrics } from '../../../lambda/shared/metrics';
import { RegistryReader } from '../../../lambda/shared/registry-reader';
import { marshalTenantRecord, newTenantRecord, nextTenantRecord, tenantItem } from '../../../rules/registry-item';
import {
  ECHO_A, EXTERNAL_ID_ACME, MASTER_CREDENTIALS, OTHER_A, PREFIX, REGION, ROLE_A, ROLE_B, assumeRoleOutput, capturedLogs, invokeOutput, lambdaContext,
  quietLogger, stsError,
} from '../../support/lambda-fixtures';

const ddb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const NOW = new Date('2026-11-27T12:00:00.000Z');
const ACME = { tenantId: 'acme', roleArn: ROLE_A, externalId: EXTERNAL_ID_ACME, functionArns: [ECHO_A] };
const PREVIOUS_ID = 'sc-test-acme-previous-77';

const ROTATING = { ...ACME, functionArns: [ECHO_A, OTHER_A], previousExternalId: PREVIOUS_ID };

/** The registry's clock (its 30 s TTL). */
let clock = 0;
/** How far the credential cache's clock (expiry, refusal TTL) is ahead of the real one. */
let skew = 0;
function connector(options: { logger?: ReturnType<typeof quietLogger>; metrics?: ReturnType<typeof createConnectorMetrics> } = {}) {
  const registry = new RegistryReader({ tableName: 'sidecar-tenants', dynamodb: new DynamoDBClient({ region: REGION }), ttlMs: 30_000, now: () => clock });
  const clients = new ScopedClientCache({
    stsRegion: REGION, durationSeconds: 900, maxEntries: 10, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS, now: () => Date.now() + skew, metrics: options.metrics,
  });
  return createConnectorHandler({ registry, rolePrefix: PREFIX, clients, logger: options.logger ?? quietLogger(), metrics: options.metrics });
}

/** The customer's trust: which external IDs STS accepts (anything else: AccessDenied). */
let accepted: Set<string>;
function trustAccepts(...ids: string[]): void {
  accepted = new Set(ids);
}

/** The ExternalId of each AssumeRole sent, in order, as 'current' / 'previous'. */
function idsSent(): string[] {
  return sts.commandCalls(AssumeRoleCommand).map((c) => (c.args[0].input.ExternalId === EXTERNAL_ID_ACME ? 'current' : c.args[0].input.ExternalId === PREVIOUS_ID ? 'previous' : 'other'));
}

beforeEach(() => {
  ddb.reset();
  sts.reset();
  lambda.reset();
  clock = 1_000_000;
  skew = 0;
  trustAccepts(EXTERNAL_ID_ACME, PREVIOUS_ID);
  sts.on(AssumeRoleCommand).callsFake(async (input: { ExternalId?: string }) => {
    if (!accepted.has(input.ExternalId ?? '')) throw stsError('AccessDenied');
    return assumeRoleOutput(900_000);
  });
  lambda.on(InvokeCommand).resolves(invokeOutput({ ok: 1 }));
});

describe('a rotation in progress (previousExternalId set)', () => {
  beforeEach(() => {
    ddb.on(GetItemCommand).resolves({ Item: tenantItem(ROTATING, NOW) });
  });

  test('the current external ID works: only it is sent, never the previous one', async () => {
    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: true, tenant: 'acme', functionArn: ECHO_A, timings: { externalIdUsed: 'current' } });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE_A, ExternalId: EXTERNAL_ID_ACME, SourceIdentity: 'acme' });
    expect(idsSent()).toEqual(['current']);
    expect(JSON.stringify(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input))).not.toContain(PREVIOUS_ID);
  });

  test('the customer has not applied the new kit: current first, refused; the previous one once, in the same call, with the same role, SourceIdentity and policy', async () => {
    trustAccepts(PREVIOUS_ID);

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: true, timings: { externalIdUsed: 'previous', credentialsCached: false } });
    expect(idsSent()).toEqual(['current', 'previous']);
    const [first, second] = sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    const { ExternalId: _a, ...sameA } = first;
    const { ExternalId: _b, ...sameB } = second;
    expect(sameB).toEqual(sameA);
    expect(sameA).toMatchObject({ RoleArn: ROLE_A, SourceIdentity: 'acme' });
    expect(JSON.stringify(result)).not.toContain(PREVIOUS_ID);
  });

  test('the refused current ID is remembered: held credentials serve without STS, another function within 30 s costs one AssumeRole (previous), and once the customer updates its trust the next refresh uses the current ID', async () => {
    trustAccepts(PREVIOUS_ID);
    const handler = connector();

    // 1. a miss: current refused (remembered), previous accepted: 2 AssumeRoles.
    expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: true, timings: { externalIdUsed: 'previous' } });
    // 2. the held session: no STS call.
    expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: true, timings: { externalIdUsed: 'previous', credentialsCached: true } });
    expect(idsSent()).toEqual(['current', 'previous']);
    // 3. another function (its own session) within 30 s: the current ID's refusal is answered from memory.
    skew += 10_000;
    expect(await handler({ tenant: 'acme', function: OTHER_A }, lambdaContext())).toMatchObject({ ok: true, timings: { externalIdUsed: 'previous' } });
    expect(idsSent()).toEqual(['current', 'previous', 'previous']);

    // 4. the customer applies the new kit; the held credentials reach their refresh window (900 s
    //    sessions, refreshed 5 min early): the current ID is asked first and accepted.
    trustAccepts(EXTERNAL_ID_ACME, PREVIOUS_ID);
    skew += 700_000;
    expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: true, timings: { externalIdUsed: 'current', credentialsCached: false } });
    expect(idsSent()).toEqual(['current', 'previous', 'previous', 'current']);
  });

  test('a refresh while the current ID is still refused asks STS about it again (its refusal has expired) before the previous one', async () => {
    trustAccepts(PREVIOUS_ID);
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());

    skew += 700_000;
    expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: true, timings: { externalIdUsed: 'previous' } });

    expect(idsSent()).toEqual(['current', 'previous', 'current', 'previous']);
  });

  test('--finish drops the previous ID from the session key: the next call after the registry TTL assumes afresh with the current ID', async () => {
    const handler = connector();
    trustAccepts(PREVIOUS_ID);
    await handler({ tenant: 'acme' }, lambdaContext());
    trustAccepts(EXTERNAL_ID_ACME);
    ddb.on(GetItemCommand).resolves({ Item: tenantItem({ ...ROTATING, previousExternalId: undefined }, NOW) });

    // Registry TTL and refusal TTL both passed (within 30 s the current ID's refusal is still remembered).
    clock += 30_001;
    skew += 30_001;
    expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: true, timings: { externalIdUsed: 'current', credentialsCached: false } });

    expect(idsSent()).toEqual(['current', 'previous', 'current']);
  });

  test('both IDs refused: AssumeRoleRefused saying so; within 30 s the next call costs no AssumeRole at all', async () => {
    trustAccepts();
    const handler = connector();

    const result = await handler({ tenant: 'acme' }, lambdaContext());
    expect(result).toEqual({ ok: false, error: { code: 'AssumeRoleRefused', message: expect.stringContaining('both the current and the previous external ID') } });
    expect(idsSent()).toEqual(['current', 'previous']);

    skew += 10_000;
    expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
    expect(idsSent()).toEqual(['current', 'previous']);
    expect(JSON.stringify(result)).not.toContain(PREVIOUS_ID);
    expect(JSON.stringify(result)).not.toContain(EXTERNAL_ID_ACME);
  });

  test('the confused deputy during a rotation: a tenant naming another customer\'s role is refused with both of its IDs, each sent with its own SourceIdentity', async () => {
    ddb.on(GetItemCommand).resolves({ Item: tenantItem({ ...ROTATING, roleArn: ROLE_B }, NOW) });
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
    expect(idsSent()).toEqual(['current', 'previous']);
    for (const call of sts.commandCalls(AssumeRoleCommand)) expect(call.args[0].input).toMatchObject({ RoleArn: ROLE_B, SourceIdentity: 'acme' });
  });

  test('throttling on the current ID does NOT fall back: Throttled, one AssumeRole', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 400));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Throttled' } });
    expect(idsSent()).toEqual(['current']);
  });

  test('a fallback is counted (metric PreviousExternalIdUsed) and the request\'s log line says which ID served, never the ID', async () => {
    trustAccepts(PREVIOUS_ID);
    const logs = capturedLogs();
    try {
      const metrics = createConnectorMetrics('sidecar-connector', {});
      const handler = connector({ logger: logs.logger, metrics });
      await handler({ tenant: 'acme' }, lambdaContext());
      await handler({ tenant: 'acme' }, lambdaContext());

      const lines = logs.lines();
      const emf = lines.filter((l) => '_aws' in l);
      expect(emf[0]).toMatchObject({ PreviousExternalIdUsed: 1, AssumeRoleCalls: [1, 1] });
      expect(emf[1]).not.toHaveProperty('PreviousExternalIdUsed'); // served by the held session: no new fallback
      const requests = lines.filter((l) => l.message === 'connector request');
      expect(requests.map((l) => (l.timings as { externalIdUsed?: string } | undefined)?.externalIdUsed)).toEqual(['previous', 'previous']);
      expect(logs.text()).not.toContain(PREVIOUS_ID);
      expect(logs.text()).not.toContain(EXTERNAL_ID_ACME);
    } finally {
      logs.restore();
    }
  });
});

test('with no previous ID (no rotation) a refusal of the current ID is final: one AssumeRole, AssumeRoleRefused', async () => {
  ddb.on(GetItemCommand).resolves({ Item: tenantItem(ACME, NOW) });
  trustAccepts(PREVIOUS_ID);

  const result = await connector()({ tenant: 'acme' }, lambdaContext());

  expect(result).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
  expect(idsSent()).toEqual(['current']);
});

test('an offboarded tenant is refused before STS, saying it was offboarded', async () => {
  ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(nextTenantRecord(newTenantRecord(ACME, NOW), { status: 'offboarded' }, NOW)) });

  const result = await connector()({ tenant: 'acme' }, lambdaContext());

  expect(result).toEqual({ ok: false, error: { code: 'UnknownTenant', message: expect.stringContaining('Tenant "acme" was offboarded') } });
  expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
});

test('a tenant without an item is refused before STS; once onboarded it is served after the TTL', async () => {
  ddb.on(GetItemCommand).resolvesOnce({}).resolves({ Item: tenantItem(ACME, NOW) });
  const handler = connector();

  expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: false, error: { code: 'UnknownTenant' } });
  clock += 5_000;
  expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: false, error: { code: 'UnknownTenant' } });
  clock += 25_001;
  expect(await handler({ tenant: 'acme' }, lambdaContext())).toMatchObject({ ok: true });
  expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 2);
});

test('a registry it cannot read is RegistryUnavailable, before STS', async () => {
  ddb.on(GetItemCommand).rejects(new DynamoDBServiceException({ name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 }, message: 'boom' }));

  const result = await connector()({ tenant: 'acme' }, lambdaContext());

  expect(result).toEqual({ ok: false, error: { code: 'RegistryUnavailable', message: expect.stringContaining('DynamoDB table sidecar-tenants') } });
  expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
});
