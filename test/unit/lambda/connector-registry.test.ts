/**
 * The connector over the run-time registry (lambda/shared/registry-reader.ts, DynamoDB mocked):
 * during a rotation it sends the current external ID, never the previous one; a missing or
 * offboarded tenant is refused before STS; a registry it cannot read is RegistryUnavailable
 * before STS; and the next request after the TTL sees an onboarding.
 */
import { DynamoDBClient, DynamoDBServiceException, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import { ScopedClientCache } from '../../../lambda/connector/scoped-clients';
import { RegistryReader } from '../../../lambda/shared/registry-reader';
import { marshalTenantRecord, newTenantRecord, nextTenantRecord, tenantItem } from '../../../rules/registry-item';
import {
  ECHO_A, EXTERNAL_ID_ACME, MASTER_CREDENTIALS, PREFIX, REGION, ROLE_A, assumeRoleOutput, invokeOutput, lambdaContext, quietLogger,
} from '../../support/lambda-fixtures';

const ddb = mockClient(DynamoDBClient);
const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const NOW = new Date('2026-11-27T12:00:00.000Z');
const ACME = { tenantId: 'acme', roleArn: ROLE_A, externalId: EXTERNAL_ID_ACME, functionArns: [ECHO_A] };
const PREVIOUS_ID = 'sc-test-acme-previous-77';

let clock = 0;
function connector() {
  const registry = new RegistryReader({ tableName: 'sidecar-tenants', dynamodb: new DynamoDBClient({ region: REGION }), ttlMs: 30_000, now: () => clock });
  const clients = new ScopedClientCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 10, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS });
  return createConnectorHandler({ registry, rolePrefix: PREFIX, clients, logger: quietLogger() });
}

beforeEach(() => {
  ddb.reset();
  sts.reset();
  lambda.reset();
  clock = 1_000_000;
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput());
  lambda.on(InvokeCommand).resolves(invokeOutput({ ok: 1 }));
});

test('during a rotation the connector sends the current external ID, never the previous one', async () => {
  ddb.on(GetItemCommand).resolves({ Item: tenantItem({ ...ACME, previousExternalId: PREVIOUS_ID }, NOW) });

  const result = await connector()({ tenant: 'acme' }, lambdaContext());

  expect(result).toMatchObject({ ok: true, tenant: 'acme', functionArn: ECHO_A });
  expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: ROLE_A, ExternalId: EXTERNAL_ID_ACME, SourceIdentity: 'acme' });
  expect(JSON.stringify(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input))).not.toContain(PREVIOUS_ID);
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
