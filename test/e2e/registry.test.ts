/**
 * E2E: the tenant registry in DynamoDB, read at run time, and vend bound to its callers.
 *  -  Vend serves its configured caller (the vendor account's root in config/local.json), whose
 *     proof STS verifies; the same request with a proof signed by another principal (customer A's
 *     administrator) is CallerNotAllowed naming that principal; a proof made for another
 *     function is CallerProofRefused; a request without a proof is InvalidRequest.
 *  -  A tenant written into the table at run time as offboarded is refused by the connector,
 *     saying so, with no redeploy (local target: the vendor's root writes the item).
 */
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshalTenantRecord, newTenantRecord, nextTenantRecord, tenantKey } from '../../rules/registry-item';
import { itWhen } from '../support/e2e/skip';
import { callConnector, callVend, invokeJson, loadWorld, tenantOf } from '../support/e2e/world';

const world = loadWorld();
const local = world.target === 'local';
const acme = tenantOf(world, 'customer-a');
const acmeFunction = world.config.tenants.find((t) => t.id === acme.id)!.functions[0];

describe('vend and its callers', () => {
  test('its configured caller gets credentials, and the answer names the verified caller', async () => {
    expect(await callVend(world, { tenant: acme.id, functions: [acmeFunction] })).toMatchObject({ ok: true, tenant: acme.id });
  });

  test('a proof signed by another principal is CallerNotAllowed, naming that principal', async () => {
    const answer = await callVend(world, { tenant: acme.id, functions: [acmeFunction] }, { as: world.adminCredentials('customer-a') });
    expect(answer).toMatchObject({ ok: false, error: { code: 'CallerNotAllowed', message: expect.stringContaining(`arn:aws:iam::${customerAccount()}:root`) } });
  });

  test('a proof made for another function is CallerProofRefused', async () => {
    const answer = await callVend(world, { tenant: acme.id, functions: [acmeFunction] }, { audience: world.outputs.vendor.connector_function_arn });
    expect(answer).toMatchObject({ ok: false, error: { code: 'CallerProofRefused' } });
  });

  test('a request without a proof is InvalidRequest', async () => {
    const answer = await invokeJson(world, world.outputs.vendor.vend_function_name, { tenant: acme.id, functions: [acmeFunction] });
    expect(answer).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining('callerProof') } });
  });
});

describe('the registry at run time', () => {
  const tenantId = 'e2e-offboarded';
  const ddb = () => new DynamoDBClient({ region: world.region, credentials: world.adminCredentials('vendor'), maxAttempts: 1, ...(world.endpoint ? { endpoint: world.endpoint } : {}) });
  const table = world.config.vendor.registryTableName;
  afterAll(async () => { if (local) await ddb().send(new DeleteItemCommand({ TableName: table, Key: tenantKey(tenantId) })); });

  itWhen(local, 'the local target only: writing the vendor\'s table needs its admin')('an offboarded tenant written at run time is refused by the connector, saying so, with no redeploy', async () => {
    const active = newTenantRecord({ tenantId, roleArn: acme.roleArn, externalId: 'sc-e2e-offboarded-0123456789', functionArns: [acmeFunction] }, new Date(), 'commands');
    await ddb().send(new PutItemCommand({ TableName: table, Item: marshalTenantRecord(nextTenantRecord(active, { status: 'offboarded' }, new Date())) }));

    expect(await callConnector(world, { tenant: tenantId })).toMatchObject({ ok: false, error: { code: 'UnknownTenant', message: expect.stringContaining('offboarded') } });
  });
});

function customerAccount(): string {
  return world.config.customers.find((c) => c.name === 'customer-a')!.accountId;
}
