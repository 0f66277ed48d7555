// ---------------------------------------------------------------------------
// The onboarding commands' registry operations (scripts/registry/), against a mocked DynamoDB
// (aws-sdk-client-mock): no network. Cases:
//   - onboard: GetItem, then the reservation, then the tenant, each PutItem with
//     attribute_not_exists(pk); the tenant item is the contract's (rules/registry-item.ts);
//   - onboard refusals: an existing tenant (status named) before anything is written; a taken
//     external ID stops before the tenant is written; a tenant written in between leaves only the
//     burned reservation; bad inputs (prefix, account, foreign function) before any call;
//   - rotate: reservation of the new ID, then the next version conditional on the version read;
//     current -> previousExternalId; refused when rotating already, offboarded, config-managed;
//   - finish and offboard: conditional on the version; a version conflict is explained;
//   - tenants: every page of the Scan; no external ID unless asked;
//   - a missing table and an AWS error are typed and name no secret.
// ---------------------------------------------------------------------------
import {
  ConditionalCheckFailedException, DynamoDBClient, DynamoDBServiceException, GetItemCommand, PutItemCommand, ResourceNotFoundException, ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { externalIdReservationPk, marshalTenantRecord, newTenantRecord, nextTenantRecord, tenantPk, type TenantRecord } from '../../../rules/registry-item';
import { functionArn, roleArn } from '../../../rules/naming';
import {
  ConfigManagedTenantError, ExternalIdTakenError, NoRotationInProgressError, OnboardInputError, RegistryTableNotFoundError,
  RegistryUnavailableError, RotationInProgressError, TenantExistsError, TenantNotFoundError, TenantOffboardedError, VersionConflictError,
} from '../../../scripts/registry/errors';
import { finishRotation, listTenants, offboardTenant, onboardTenant, rotateExternalId, type OnboardInput } from '../../../scripts/registry/operations';
import { RegistryStore } from '../../../scripts/registry/store';

const TABLE = 'sidecar-tenants';
const PREFIX = 'tibco_sidecar_connector';
const ACCOUNT = '123456789012';
const FN = functionArn('us-east-1', ACCOUNT, 'orders');
const NOW = new Date('2026-11-28T00:00:00.000Z');
const LATER = new Date('2026-11-29T00:00:00.000Z');
const ID_1 = 'sc-test-registry-first-Q2xVb9LmN4pR8tW1';
const ID_2 = 'sc-test-registry-second-3Kf8JdQ2wE6rT9y';

const ddb = mockClient(DynamoDBClient);
beforeEach(() => ddb.reset());

function deps(ids: string[] = [ID_1, ID_2], now = NOW) {
  const queue = [...ids];
  return {
    store: new RegistryStore({ client: new DynamoDBClient({ region: 'us-east-1' }), table: TABLE }),
    now: () => now,
    newExternalId: () => queue.shift() ?? 'sc-test-registry-spare-9Gt5Hy2Uj8Ik4Ol',
  };
}

const onboardInput: OnboardInput = { tenantId: 'initech', customerAccountId: ACCOUNT, roleName: `${PREFIX}-initech`, rolePrefix: PREFIX, functions: [FN], region: 'us-east-1' };

function stored(changes: Partial<TenantRecord> = {}): TenantRecord {
  const base = newTenantRecord({ tenantId: 'initech', roleArn: roleArn(ACCOUNT, `${PREFIX}-initech`), externalId: ID_1, functionArns: [FN] }, NOW, 'commands');
  return { ...base, ...changes };
}

const conditionFailed = () => new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });
const putsOf = () => ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input);

// ---------------------------------------------------------------------------
// onboard
// ---------------------------------------------------------------------------

describe('onboard', () => {
  test('reads the tenant, then writes the reservation, then the tenant, each with attribute_not_exists(pk)', async () => {
    // Prepare
    ddb.on(GetItemCommand).resolves({});
    ddb.on(PutItemCommand).resolves({});

    // Act
    const record = await onboardTenant(onboardInput, deps());

    // Assess
    expect(ddb).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, Key: { pk: { S: tenantPk('initech') } }, ConsistentRead: true });
    const [reservation, tenant] = putsOf();
    expect(putsOf()).toHaveLength(2);
    expect(reservation).toMatchObject({
      TableName: TABLE, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' },
      Item: { pk: { S: externalIdReservationPk(ID_1) }, tenantId: { S: 'initech' }, createdAt: { S: NOW.toISOString() } },
    });
    expect(JSON.stringify(reservation.Item)).not.toContain(ID_1); // only its hash
    expect(tenant).toMatchObject({ TableName: TABLE, ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } });
    expect(tenant.Item).toEqual(marshalTenantRecord(record));
    expect(record).toMatchObject({ tenantId: 'initech', roleArn: roleArn(ACCOUNT, `${PREFIX}-initech`), externalId: ID_1, functionArns: [FN], status: 'active', version: 1, managedBy: 'commands' });
  });

  test('functions given by name become ARNs in the customer\'s account and region', async () => {
    ddb.on(GetItemCommand).resolves({});
    ddb.on(PutItemCommand).resolves({});
    const record = await onboardTenant({ ...onboardInput, functions: ['orders', 'billing'], region: 'eu-west-1' }, deps());
    expect(record.functionArns).toEqual([functionArn('eu-west-1', ACCOUNT, 'orders'), functionArn('eu-west-1', ACCOUNT, 'billing')]);
  });

  test('an existing tenant is refused before anything is written, naming its status', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(stored({ status: 'offboarded' })) });
    const error = await onboardTenant(onboardInput, deps()).catch((e) => e);
    expect(error).toBeInstanceOf(TenantExistsError);
    expect(error.message).toContain('tenant initech already exists (status offboarded)');
    expect(putsOf()).toEqual([]);
  });

  test('a taken external ID (its reservation exists) stops before the tenant is written', async () => {
    ddb.on(GetItemCommand).resolves({});
    ddb.on(PutItemCommand).rejectsOnce(conditionFailed());
    const error = await onboardTenant(onboardInput, deps()).catch((e) => e);
    expect(error).toBeInstanceOf(ExternalIdTakenError);
    expect(error.code).toBe('ExternalIdTaken');
    expect(putsOf()).toHaveLength(1); // the reservation attempt only: no tenant item
    expect(error.message).not.toContain(ID_1);
  });

  test('a tenant written between the read and the write: refused with its status; only the burned reservation remains', async () => {
    ddb.on(GetItemCommand).resolvesOnce({}).resolves({ Item: marshalTenantRecord(stored()) });
    ddb.on(PutItemCommand).resolvesOnce({}).rejects(conditionFailed());
    const error = await onboardTenant(onboardInput, deps()).catch((e) => e);
    expect(error).toBeInstanceOf(TenantExistsError);
    expect(error.message).toContain('tenant initech already exists (status active)');
    // No delete of the reservation: an ID burned is harmless, and a delete could fail too.
    expect(ddb.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetItemCommand', 'PutItemCommand', 'PutItemCommand', 'GetItemCommand']);
  });

  test.each([
    ['a role outside the prefix', { roleName: 'admin' }, /must start with the agreed prefix tibco_sidecar_connector/],
    ['a bad account', { customerAccountId: '1234' }, /12-digit/],
    ['a bad tenant ID', { tenantId: 'a:b' }, /--tenant "a:b"/],
    ['a function of another account', { functions: [functionArn('us-east-1', '111122223333', 'x')] }, /not the customer's 123456789012/],
    ['no function', { functions: [] }, /at least one --function/],
    ['a qualified function ARN', { functions: [`${FN}:1`] }, /neither a function name nor an unqualified function ARN/],
  ])('%s is refused before any call', async (_, change, message) => {
    const error = await onboardTenant({ ...onboardInput, ...change }, deps()).catch((e) => e);
    expect(error).toBeInstanceOf(OnboardInputError);
    expect(error.message).toMatch(message);
    expect(ddb.calls()).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// rotate, finish, offboard
// ---------------------------------------------------------------------------

describe('rotate', () => {
  test('reserves the new ID, then writes the next version (current -> previous) conditional on the version read', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(stored({ version: 3 })) });
    ddb.on(PutItemCommand).resolves({});
    const next = await rotateExternalId('initech', deps([ID_2], LATER));
    const [reservation, tenant] = putsOf();
    expect(reservation).toMatchObject({ ConditionExpression: 'attribute_not_exists(#pk)', Item: { pk: { S: externalIdReservationPk(ID_2) } } });
    expect(tenant).toMatchObject({
      ConditionExpression: '#version = :expectedVersion', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expectedVersion': { N: '3' } },
    });
    expect(tenant.Item).toMatchObject({ externalId: { S: ID_2 }, previousExternalId: { S: ID_1 }, version: { N: '4' }, updatedAt: { S: LATER.toISOString() }, createdAt: { S: NOW.toISOString() } });
    expect(next).toMatchObject({ externalId: ID_2, previousExternalId: ID_1, version: 4 });
  });

  test('a concurrent change (version moved on) is explained and changes nothing more', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(stored({ version: 3 })) });
    ddb.on(PutItemCommand).resolvesOnce({}).rejects(conditionFailed());
    const error = await rotateExternalId('initech', deps([ID_2])).catch((e) => e);
    expect(error).toBeInstanceOf(VersionConflictError);
    expect(error.message).toContain('tenant initech changed while this command ran (it expected version 3)');
  });

  test.each([
    ['a rotation in progress', stored({ previousExternalId: ID_2 }), RotationInProgressError],
    ['an offboarded tenant', stored({ status: 'offboarded' }), TenantOffboardedError],
    ['a config-managed tenant', stored({ managedBy: 'config' }), ConfigManagedTenantError],
  ])('refuses %s without writing', async (_, record, type) => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(record) });
    await expect(rotateExternalId('initech', deps())).rejects.toBeInstanceOf(type);
    expect(putsOf()).toEqual([]);
  });

  test('an unknown tenant is refused, naming the table', async () => {
    ddb.on(GetItemCommand).resolves({});
    const error = await rotateExternalId('nobody', deps()).catch((e) => e);
    expect(error).toBeInstanceOf(TenantNotFoundError);
    expect(error.message).toContain(`tenant nobody is not in the registry table ${TABLE}`);
  });
});

describe('rotate --finish', () => {
  test('drops previousExternalId, conditional on the version read', async () => {
    const rotating = nextTenantRecord(stored(), { externalId: ID_2, previousExternalId: ID_1 }, NOW);
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(rotating) });
    ddb.on(PutItemCommand).resolves({});
    const next = await finishRotation('initech', deps([], LATER));
    const [put] = putsOf();
    expect(put).toMatchObject({ ConditionExpression: '#version = :expectedVersion', ExpressionAttributeValues: { ':expectedVersion': { N: '2' } } });
    expect(put.Item!.previousExternalId).toBeUndefined();
    expect(put.Item).toMatchObject({ externalId: { S: ID_2 }, version: { N: '3' } });
    expect(next.previousExternalId).toBeUndefined();
  });

  test('with no rotation in progress: refused, nothing written', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(stored()) });
    await expect(finishRotation('initech', deps())).rejects.toBeInstanceOf(NoRotationInProgressError);
    expect(putsOf()).toEqual([]);
  });
});

describe('offboard', () => {
  test('sets status offboarded, conditional on the version read', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(stored({ version: 5 })) });
    ddb.on(PutItemCommand).resolves({});
    const { record, changed } = await offboardTenant('initech', deps([], LATER));
    expect(changed).toBe(true);
    expect(putsOf()[0]).toMatchObject({ ConditionExpression: '#version = :expectedVersion', ExpressionAttributeValues: { ':expectedVersion': { N: '5' } }, Item: { status: { S: 'offboarded' }, version: { N: '6' } } });
    expect(record.status).toBe('offboarded');
  });

  test('an offboarded tenant: nothing written', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(stored({ status: 'offboarded' })) });
    const { changed } = await offboardTenant('initech', deps());
    expect(changed).toBe(false);
    expect(putsOf()).toEqual([]);
  });

  test('a version conflict is explained', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(stored({ version: 5 })) });
    ddb.on(PutItemCommand).rejects(conditionFailed());
    await expect(offboardTenant('initech', deps())).rejects.toBeInstanceOf(VersionConflictError);
  });

  test('a config-managed tenant is refused: the vendor stack would undo the change', async () => {
    ddb.on(GetItemCommand).resolves({ Item: marshalTenantRecord(stored({ managedBy: 'config' })) });
    const error = await offboardTenant('initech', deps()).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigManagedTenantError);
    expect(error.message).toContain('edit its entry in the config');
  });
});

// ---------------------------------------------------------------------------
// tenants
// ---------------------------------------------------------------------------

describe('tenants', () => {
  const item = (tenantId: string, changes: Partial<TenantRecord> = {}) => marshalTenantRecord({
    ...newTenantRecord({ tenantId, roleArn: roleArn(ACCOUNT, `${PREFIX}-${tenantId}`), externalId: `sc-test-${tenantId}-external-id-0001`, functionArns: [FN] }, NOW), ...changes,
  });

  test('follows LastEvaluatedKey through every page, filtering tenant items', async () => {
    ddb.on(ScanCommand)
      .resolvesOnce({ Items: [item('zeta')], LastEvaluatedKey: { pk: { S: tenantPk('zeta') } } })
      .resolvesOnce({ Items: [], LastEvaluatedKey: { pk: { S: 'external-id#00' } } })
      .resolvesOnce({ Items: [item('alpha', { previousExternalId: 'sc-test-alpha-previous-0001' })] });
    const rows = await listTenants(deps());
    const scans = ddb.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(scans).toHaveLength(3);
    expect(scans[0]).toMatchObject({ TableName: TABLE, FilterExpression: 'begins_with(#pk, :tenant)', ExpressionAttributeValues: { ':tenant': { S: 'tenant#' } } });
    expect(scans[0].ExclusiveStartKey).toBeUndefined();
    expect(scans[1].ExclusiveStartKey).toEqual({ pk: { S: tenantPk('zeta') } });
    expect(scans[2].ExclusiveStartKey).toEqual({ pk: { S: 'external-id#00' } });
    expect(rows.map((r) => [r.tenantId, r.rotating])).toEqual([['alpha', true], ['zeta', false]]);
    expect(rows[0]).toMatchObject({ status: 'active', roleArn: roleArn(ACCOUNT, `${PREFIX}-alpha`), functions: 1, managedBy: 'commands', updatedAt: NOW.toISOString() });
  });

  test('never carries an external ID unless asked', async () => {
    ddb.on(ScanCommand).resolves({ Items: [item('alpha')] });
    expect(JSON.stringify(await listTenants(deps()))).not.toContain('sc-test-alpha');
    expect((await listTenants(deps(), { showExternalIds: true }))[0].externalId).toBe('sc-test-alpha-external-id-0001');
  });
});

// ---------------------------------------------------------------------------
// DynamoDB refusals
// ---------------------------------------------------------------------------

describe('DynamoDB refusals', () => {
  test('a missing table: RegistryTableNotFound, saying to deploy the vendor stack', async () => {
    ddb.on(GetItemCommand).rejects(new ResourceNotFoundException({ $metadata: {}, message: 'Requested resource not found' }));
    const error = await rotateExternalId('initech', deps()).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryTableNotFoundError);
    expect(error.message).toContain(`the registry table ${TABLE} does not exist`);
  });

  test('another AWS error: RegistryUnavailable with its code, not its message', async () => {
    ddb.on(ScanCommand).rejects(new DynamoDBServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'User arn:aws:sts::1:assumed-role/x is not authorized' }));
    const error = await listTenants(deps()).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error.message).toBe('DynamoDB Scan failed (AccessDeniedException); check the vendor account\'s credentials and the endpoint, then run the command again');
  });
});
