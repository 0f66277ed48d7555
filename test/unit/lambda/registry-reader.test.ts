/**
 * The run-time registry reader (lambda/shared/registry-reader.ts) against a mocked DynamoDB:
 * the exact GetItem it sends; an active tenant gives its current external ID only (never the
 * previous one); missing and offboarded tenants are UnknownTenant (the latter saying so); answers,
 * negative ones included, are reused for the TTL and read again after it; one read for concurrent
 * requests; the cache's bound; DynamoDB's failures and bad items as RegistryUnavailable.
 */
import { DynamoDBClient, DynamoDBServiceException, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { RegistryUnavailableError, UnknownTenantError } from '../../../lambda/shared/errors';
import { RegistryReader } from '../../../lambda/shared/registry-reader';
import { marshalTenantRecord, newTenantRecord, nextTenantRecord, tenantItem, vendCallerItem } from '../../../rules/registry-item';
import { ECHO_A, EXTERNAL_ID_ACME, PLATFORM_ROLE, REGION, ROLE_A } from '../../support/lambda-fixtures';

const ddb = mockClient(DynamoDBClient);
const TABLE = 'sidecar-tenants';
const NOW = new Date('2026-11-27T12:00:00.000Z');
const ACME = { tenantId: 'acme', roleArn: ROLE_A, externalId: EXTERNAL_ID_ACME, functionArns: [ECHO_A] };
const PREVIOUS_ID = 'sc-test-acme-previous-77';

let clock = 0;
function reader(options: { ttlMs?: number; maxEntries?: number } = {}): RegistryReader {
  return new RegistryReader({ tableName: TABLE, dynamodb: new DynamoDBClient({ region: REGION }), now: () => clock, ...options });
}

function ddbError(name: string, status: number): DynamoDBServiceException {
  return new DynamoDBServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `${name} from DynamoDB` });
}

beforeEach(() => {
  ddb.reset();
  clock = 1_000_000;
});

describe('reading a tenant', () => {
  test('sends one eventually consistent GetItem by the tenant\'s key', async () => {
    ddb.on(GetItemCommand).resolves({ Item: tenantItem(ACME, NOW) });

    await reader().tenant('acme');

    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, Key: { pk: { S: 'tenant#acme' } } });
    expect(ddb.commandCalls(GetItemCommand)[0].args[0].input.ConsistentRead).toBeUndefined();
  });

  test('an active tenant during a rotation gives the current external ID, and the previous one as the fallback it is', async () => {
    ddb.on(GetItemCommand).resolves({ Item: tenantItem({ ...ACME, previousExternalId: PREVIOUS_ID }, NOW) });

    const entry = await reader().tenant('acme');

    // The connector sends externalId first; previousExternalId only after STS refuses it (connector-registry.test.ts).
    expect(entry).toEqual({ ...ACME, previousExternalId: PREVIOUS_ID });
  });

  test('outside a rotation there is no previous external ID (the nearest neighbour)', async () => {
    ddb.on(GetItemCommand).resolves({ Item: tenantItem(ACME, NOW) });

    expect(await reader().tenant('acme')).toEqual(ACME);
  });

  test('a missing tenant is UnknownTenant', async () => {
    ddb.on(GetItemCommand).resolves({});

    await expect(reader().tenant('nobody')).rejects.toThrow(new UnknownTenantError('nobody'));
  });

  test('an offboarded tenant is UnknownTenant, saying it was offboarded', async () => {
    const offboarded = nextTenantRecord(newTenantRecord(ACME, NOW), { status: 'offboarded' }, NOW);
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(offboarded) });

    const error = await reader().tenant('acme').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UnknownTenantError);
    expect(error).toMatchObject({ code: 'UnknownTenant', reason: 'offboarded', message: expect.stringContaining('offboarded') });
  });

  test('an item that breaks the contract is RegistryUnavailable naming the key, never the external ID', async () => {
    ddb.on(GetItemCommand).resolves({ Item: { ...tenantItem(ACME, NOW), functionArns: { L: [] } } });

    const error = await reader().tenant('acme').then(() => new Error("resolved"), (e: unknown) => e as Error);

    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error.message).toMatch(/sidecar-tenants\/tenant#acme[\s\S]*functionArns: must list at least one function/);
    expect(error.message).not.toContain(EXTERNAL_ID_ACME);
  });
});

describe('the cache', () => {
  test('reuses an answer within the TTL and reads again after it', async () => {
    ddb.on(GetItemCommand).resolves({ Item: tenantItem(ACME, NOW) });
    const registry = reader({ ttlMs: 30_000 });

    await registry.tenant('acme');
    clock += 29_999;
    await registry.tenant('acme');
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 1);

    clock += 2;
    await registry.tenant('acme');
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 2);
  });

  test('caches a missing tenant too, and sees it once onboarded after the TTL', async () => {
    ddb.on(GetItemCommand).resolvesOnce({}).resolves({ Item: tenantItem(ACME, NOW) });
    const registry = reader({ ttlMs: 30_000 });

    await expect(registry.tenant('acme')).rejects.toThrow(UnknownTenantError);
    clock += 10_000;
    await expect(registry.tenant('acme')).rejects.toThrow(UnknownTenantError);
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 1);

    clock += 20_001;
    await expect(registry.tenant('acme')).resolves.toEqual(ACME);
  });

  test('sees an offboarding after the TTL', async () => {
    const v1 = newTenantRecord(ACME, NOW);
    ddb.on(GetItemCommand).resolvesOnce({ Item: marshalTenantRecord(v1) }).resolves({ Item: marshalTenantRecord(nextTenantRecord(v1, { status: 'offboarded' }, NOW)) });
    const registry = reader({ ttlMs: 30_000 });

    await expect(registry.tenant('acme')).resolves.toEqual(ACME);
    clock += 30_001;
    await expect(registry.tenant('acme')).rejects.toMatchObject({ reason: 'offboarded' });
  });

  test('TTL 0 reads every time', async () => {
    ddb.on(GetItemCommand).resolves({ Item: tenantItem(ACME, NOW) });
    const registry = reader({ ttlMs: 0 });

    await registry.tenant('acme');
    await registry.tenant('acme');

    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 2);
  });

  test('concurrent requests for one tenant share one read', async () => {
    let release: () => void = () => undefined;
    ddb.on(GetItemCommand).callsFake(() => new Promise((resolve) => { release = () => resolve({ Item: tenantItem(ACME, NOW) }); }));
    const registry = reader();

    const all = Promise.all([registry.tenant('acme'), registry.tenant('acme'), registry.tenant('acme')]);
    await new Promise((r) => setImmediate(r));
    release();

    expect(await all).toEqual([ACME, ACME, ACME]);
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 1);
  });

  test('holds at most maxEntries keys, evicting the least recently used', async () => {
    ddb.on(GetItemCommand).resolves({});
    const registry = reader({ maxEntries: 2 });

    for (const id of ['t1', 't2', 't1', 't3']) await registry.tenant(id).catch(() => undefined);

    expect(registry.stats()).toEqual({ entries: 2, hits: 1, reads: 3 });
    await registry.tenant('t1').catch(() => undefined); // kept: used more recently than t2
    await registry.tenant('t2').catch(() => undefined); // evicted: read again
    expect(ddb).toHaveReceivedCommandTimes(GetItemCommand, 4);
  });

  test('a failed read is not cached: the next request reads again', async () => {
    ddb.on(GetItemCommand).rejectsOnce(ddbError('InternalServerError', 500)).resolves({ Item: tenantItem(ACME, NOW) });
    const registry = reader();

    await expect(registry.tenant('acme')).rejects.toThrow(RegistryUnavailableError);
    await expect(registry.tenant('acme')).resolves.toEqual(ACME);
  });
});

describe('DynamoDB failures are RegistryUnavailable, each saying what to do', () => {
  test.each([
    ['ResourceNotFoundException', 400, /table does not exist[\s\S]*SIDECAR_REGISTRY_TABLE/],
    ['AccessDeniedException', 400, /needs dynamodb:GetItem/],
    ['ProvisionedThroughputExceededException', 400, /throttled[\s\S]*retry later/],
    ['ThrottlingException', 400, /throttled/],
    ['InternalServerError', 500, /failed or could not be reached[\s\S]*retry later/],
  ])('%s', async (name, status, message) => {
    ddb.on(GetItemCommand).rejects(ddbError(name, status));

    const error = await reader().tenant('acme').then(() => new Error("resolved") as RegistryUnavailableError, (e: unknown) => e as RegistryUnavailableError);

    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error).toMatchObject({ code: 'RegistryUnavailable', tableName: TABLE });
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(`${name} from DynamoDB`); // AWS's words go to the logs through cause
  });
});

describe('reading a vend caller', () => {
  test('gives the caller\'s tenants, or undefined for a principal that is not a caller', async () => {
    ddb.on(GetItemCommand, { Key: { pk: { S: `vend-caller#${PLATFORM_ROLE}` } } }).resolves({ Item: vendCallerItem({ principalArn: PLATFORM_ROLE, tenantIds: ['acme'] }) });
    ddb.on(GetItemCommand, { Key: { pk: { S: 'vend-caller#arn:aws:iam::809167139867:role/other' } } }).resolves({});
    const registry = reader();

    await expect(registry.vendCaller(PLATFORM_ROLE)).resolves.toEqual({ principalArn: PLATFORM_ROLE, tenantIds: ['acme'] });
    await expect(registry.vendCaller('arn:aws:iam::809167139867:role/other')).resolves.toBeUndefined();
  });
});
