// ---------------------------------------------------------------------------
// Who may read and write a DynamoDB table: the same IAM evaluator as Lambda and STS decides, with
// action dynamodb:<Operation> on arn:aws:dynamodb:<region>:<account>:table/<name>. Each deny
// sits beside its nearest allow. Cases:
//   an IAM user allowed PutItem and Query but not GetItem: PutItem passes, GetItem is
//     AccessDeniedException (400) naming the action and the table ARN
//   no existence leak: a caller without permission is refused alike for a table that does not exist
//   explicit deny wins over dynamodb:*
//   a session policy narrows a role that may do dynamodb:* to GetItem
//   cross-account: another account's root, and a role there allowed dynamodb:* on *, are refused
//     the vendor's table by ARN; by name they reach only their own account's tables
// ---------------------------------------------------------------------------
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createTestUser, startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { createRole } from '../../support/localcloud-fixtures';
import { refusal } from '../../support/dynamodb-refusal';

jest.setTimeout(60_000);

const TABLE = 'registry';
let cloud: TestCloud;
let vendorRoot: DynamoDBClient;
let tableArn: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  vendorRoot = new DynamoDBClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
  const created = await vendorRoot.send(new CreateTableCommand({
    TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'tenantId', AttributeType: 'S' }],
  }));
  tableArn = created.TableDescription!.TableArn!;
  await vendorRoot.send(new PutItemCommand({ TableName: TABLE, Item: { tenantId: { S: 'customer-a' }, externalId: { S: 'secret-ish' } } }));
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});

const KEY = { TableName: TABLE, Key: { tenantId: { S: 'customer-a' } } };

function client(credentials: Credentials): DynamoDBClient {
  return new DynamoDBClient(cloud.clientConfig(credentials));
}


function policy(...statements: object[]): object {
  return { Version: '2012-10-17', Statement: statements };
}

test('the table ARN is arn:aws:dynamodb:<region>:<account>:table/<name>', () => {
  expect(tableArn).toBe(`arn:aws:dynamodb:us-east-1:${cloud.accounts.vendor.accountId}:table/${TABLE}`);
});

test('a user allowed PutItem and Query but not GetItem may put, and is refused GetItem with AccessDeniedException', async () => {
  const user = await createTestUser(cloud, 'vendor', 'writer', policy({ Effect: 'Allow', Action: ['dynamodb:PutItem', 'dynamodb:Query'], Resource: tableArn }));
  const ddb = client(user.credentials);

  await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { tenantId: { S: 'customer-b' } } }));
  await ddb.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'tenantId = :t', ExpressionAttributeValues: { ':t': { S: 'customer-b' } } }));
  const e = await refusal(ddb.send(new GetItemCommand(KEY)));

  expect({ name: e.name, status: e.$metadata.httpStatusCode }).toEqual({ name: 'AccessDeniedException', status: 400 });
  expect(e.message).toBe(`User: ${user.arn} is not authorized to perform: dynamodb:GetItem on resource: ${tableArn} because no identity-based policy allows the dynamodb:GetItem action`);
});

test('a caller without permission is refused alike whether the table exists or not', async () => {
  const user = await createTestUser(cloud, 'vendor', 'nobody');
  const ddb = client(user.credentials);
  const existing = await refusal(ddb.send(new GetItemCommand(KEY)));
  const missing = await refusal(ddb.send(new GetItemCommand({ TableName: 'no-such-table', Key: { tenantId: { S: 'x' } } })));
  expect([existing.name, missing.name]).toEqual(['AccessDeniedException', 'AccessDeniedException']);
});

test('an explicit deny wins over dynamodb:*', async () => {
  const user = await createTestUser(cloud, 'vendor', 'denied-delete', policy(
    { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
    { Effect: 'Deny', Action: 'dynamodb:DeleteItem', Resource: tableArn },
  ));
  const ddb = client(user.credentials);

  expect((await ddb.send(new GetItemCommand(KEY))).Item?.tenantId).toEqual({ S: 'customer-a' });
  const e = await refusal(ddb.send(new DeleteItemCommand(KEY)));

  expect(e.name).toBe('AccessDeniedException');
  expect(e.message).toContain('with an explicit deny');
  expect((await vendorRoot.send(new GetItemCommand(KEY))).Item).toBeDefined();
});

test('a session policy narrows a role allowed dynamodb:* to GetItem', async () => {
  const assumer = await createTestUser(cloud, 'vendor', 'assumer', policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }));
  const roleArn = await createRole(cloud, 'vendor', 'registry-reader', { AWS: assumer.arn }, { permissions: policy({ Effect: 'Allow', Action: 'dynamodb:*', Resource: tableArn }) });
  const sts = new STSClient(cloud.clientConfig(assumer.credentials));
  const c = (await sts.send(new AssumeRoleCommand({
    RoleArn: roleArn, RoleSessionName: 'scoped', Policy: JSON.stringify(policy({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: tableArn })),
  }))).Credentials!;
  const ddb = client({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });

  expect((await ddb.send(new GetItemCommand(KEY))).Item).toBeDefined();
  const e = await refusal(ddb.send(new PutItemCommand({ TableName: TABLE, Item: { tenantId: { S: 'intruder' } } })));

  expect(e.name).toBe('AccessDeniedException');
  expect(e.message).toContain('because no session policy allows the dynamodb:PutItem action');
});

describe('cross-account', () => {
  test("another account's root is refused the vendor's table by ARN", async () => {
    const customer = client(cloud.credentialsFor('customer-a'));
    const e = await refusal(customer.send(new GetItemCommand({ ...KEY, TableName: tableArn })));
    expect({ name: e.name, status: e.$metadata.httpStatusCode }).toEqual({ name: 'AccessDeniedException', status: 400 });
    expect(e.message).toContain(`on resource: ${tableArn}`);
  });

  test('a role of another account allowed dynamodb:* on * is refused too (no resource policy lets it in)', async () => {
    const assumer = await createTestUser(cloud, 'customer-a', 'assumer', policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }));
    const roleArn = await createRole(cloud, 'customer-a', 'everything', { AWS: assumer.arn }, { permissions: policy({ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }) });
    const c = (await new STSClient(cloud.clientConfig(assumer.credentials)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'cross-account' }))).Credentials!;
    const ddb = client({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });

    const read = await refusal(ddb.send(new GetItemCommand({ ...KEY, TableName: tableArn })));
    const write = await refusal(ddb.send(new PutItemCommand({ TableName: tableArn, Item: { tenantId: { S: 'customer-a' }, externalId: { S: 'overwritten' } } })));

    expect([read.name, write.name]).toEqual(['AccessDeniedException', 'AccessDeniedException']);
    expect((await vendorRoot.send(new GetItemCommand(KEY))).Item?.externalId).toEqual({ S: 'secret-ish' });
  });

  test('by name, another account reaches only its own tables', async () => {
    const customer = client(cloud.credentialsFor('customer-a'));
    const e = await refusal(customer.send(new GetItemCommand(KEY)));
    expect(e.name).toBe('ResourceNotFoundException');
  });
});
