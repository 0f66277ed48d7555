// ---------------------------------------------------------------------------
// DynamoDB tables through the real SDK: the control plane the Terraform provider uses, with
// DynamoDB's validation, and state that survives a restart and a crash. Cases:
//   CreateTable: CREATING, then ACTIVE on DescribeTable with the key schema, PAY_PER_REQUEST
//     summary, ARN and tags; a second create is ResourceInUseException
//   CreateTable refusals: bad name, key attribute not defined, an extra attribute definition,
//     RANGE first, PAY_PER_REQUEST with throughput, PROVISIONED without, secondary indexes
//   ListTables per account and region, paged by Limit
//   point-in-time recovery on and off; time to live on, and again (refused); tags added,
//     listed, removed; UpdateTable billing mode and deletion protection
//   DeleteTable: refused while protected; then DELETING, and ResourceNotFoundException after
//   a restart keeps tables, settings and items; so does a SIGKILL right after a write
// ---------------------------------------------------------------------------
import {
  CreateTableCommand, DeleteTableCommand, DescribeContinuousBackupsCommand, DescribeTableCommand, DescribeTimeToLiveCommand,
  DynamoDBClient, GetItemCommand, ListTablesCommand, ListTagsOfResourceCommand, PutItemCommand,
  TagResourceCommand, UntagResourceCommand, UpdateContinuousBackupsCommand, UpdateTableCommand, UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusal } from '../../support/dynamodb-refusal';

jest.setTimeout(60_000);

let cloud: TestCloud;
let ddb: DynamoDBClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  ddb = new DynamoDBClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});


function table(name: string, extra: Partial<CreateTableCommandInput> = {}): CreateTableCommandInput {
  return {
    TableName: name, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    ...extra,
  };
}

describe('CreateTable and DescribeTable', () => {
  test('answers CREATING, then DescribeTable shows it ACTIVE with its schema, billing and ARN', async () => {
    const created = await ddb.send(new CreateTableCommand(table('described', { Tags: [{ Key: 'Project', Value: 'sidecar' }] })));
    expect(created.TableDescription?.TableStatus).toBe('CREATING');

    const t = (await ddb.send(new DescribeTableCommand({ TableName: 'described' }))).Table!;

    expect(t).toMatchObject({
      TableName: 'described', TableStatus: 'ACTIVE', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      TableArn: `arn:aws:dynamodb:us-east-1:${cloud.accounts.vendor.accountId}:table/described`, ItemCount: 0, DeletionProtectionEnabled: false,
    });
    expect(t.CreationDateTime).toBeInstanceOf(Date);
    const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn }));
    expect(tags.Tags).toEqual([{ Key: 'Project', Value: 'sidecar' }]);
  });

  test('a second CreateTable of the same name is ResourceInUseException', async () => {
    await ddb.send(new CreateTableCommand(table('twice')));
    const e = await refusal(ddb.send(new CreateTableCommand(table('twice'))));
    expect({ name: e.name, message: e.message }).toEqual({ name: 'ResourceInUseException', message: 'Table already exists: twice' });
  });

  test.each<[string, CreateTableCommandInput, string]>([
    ['a name too short', table('ab'), "Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"],
    ['a name with a space', table('bad name'), 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+'],
    ['a key attribute not defined', table('undefined-key', { AttributeDefinitions: [{ AttributeName: 'other', AttributeType: 'S' }] }), 'Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [other]'],
    ['an attribute defined that no key uses', table('extra-attr', { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'x', AttributeType: 'S' }] }), 'Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions'],
    ['RANGE first', table('range-first', { KeySchema: [{ AttributeName: 'id', KeyType: 'RANGE' }] }), 'Invalid KeySchema: The first KeySchemaElement is not a HASH key type'],
    ['PAY_PER_REQUEST with throughput', table('ppr-throughput', { ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } }), 'Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST'],
    ['PROVISIONED without throughput', table('prov-none', { BillingMode: 'PROVISIONED' }), 'ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED'],
    ['a global secondary index', table('gsi', {
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'g', AttributeType: 'S' }],
      GlobalSecondaryIndexes: [{ IndexName: 'g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } }],
    }), 'The local cloud does not support GlobalSecondaryIndexes.'],
  ])('refuses %s (ValidationException), and creates nothing', async (_case, input, message) => {
    const e = await refusal(ddb.send(new CreateTableCommand(input)));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toContain(message);
    const names = (await ddb.send(new ListTablesCommand({}))).TableNames;
    expect(names).not.toContain(input.TableName);
  });

  test('a PROVISIONED table reports its capacity', async () => {
    await ddb.send(new CreateTableCommand(table('provisioned', { BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 3, WriteCapacityUnits: 2 } })));
    const t = (await ddb.send(new DescribeTableCommand({ TableName: 'provisioned' }))).Table!;
    expect(t.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 3, WriteCapacityUnits: 2 });
    expect(t.BillingModeSummary).toBeUndefined();
  });
});

test('ListTables lists the caller account\'s tables only, paged by Limit', async () => {
  const customer = new DynamoDBClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  await customer.send(new CreateTableCommand(table('customer-only')));
  const vendorNames = (await ddb.send(new ListTablesCommand({}))).TableNames!;
  expect(vendorNames).not.toContain('customer-only');
  expect((await customer.send(new ListTablesCommand({}))).TableNames).toEqual(['customer-only']);
  const first = await ddb.send(new ListTablesCommand({ Limit: 2 }));
  expect(first.TableNames).toEqual(vendorNames.slice(0, 2));
  expect(first.LastEvaluatedTableName).toBe(vendorNames[1]);
  const second = await ddb.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: first.LastEvaluatedTableName }));
  expect(second.TableNames).toEqual(vendorNames.slice(2, 4));
});

describe('table settings', () => {
  beforeAll(async () => {
    await ddb.send(new CreateTableCommand(table('settings')));
  });

  test('point-in-time recovery: off by default, on, then off again', async () => {
    const off = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'settings' }));
    expect(off.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('DISABLED');
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: 'settings', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    const on = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'settings' }));
    expect(on.ContinuousBackupsDescription?.PointInTimeRecoveryDescription).toMatchObject({ PointInTimeRecoveryStatus: 'ENABLED', RecoveryPeriodInDays: 35 });
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: 'settings', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }));
    expect((await ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'settings' }))).ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('DISABLED');
  });

  test('point-in-time recovery of a missing table is TableNotFoundException', async () => {
    const e = await refusal(ddb.send(new DescribeContinuousBackupsCommand({ TableName: 'missing-table' })));
    expect(e.name).toBe('TableNotFoundException');
  });

  test('time to live: disabled, enabled on an attribute; enabling twice is refused', async () => {
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'settings' }))).TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    await ddb.send(new UpdateTimeToLiveCommand({ TableName: 'settings', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'settings' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    const e = await refusal(ddb.send(new UpdateTimeToLiveCommand({ TableName: 'settings', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } })));
    expect([e.name, e.message]).toEqual(['ValidationException', 'TimeToLive is already enabled']);
  });

  test('tags: added, listed, removed', async () => {
    const arn = (await ddb.send(new DescribeTableCommand({ TableName: 'settings' }))).Table!.TableArn!;
    await ddb.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await ddb.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a'] }));
    expect((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
  });

  test('UpdateTable switches billing and turns deletion protection on; with nothing to change it is refused', async () => {
    await ddb.send(new UpdateTableCommand({ TableName: 'settings', BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 }, DeletionProtectionEnabled: true }));
    const t = (await ddb.send(new DescribeTableCommand({ TableName: 'settings' }))).Table!;
    expect({ billing: t.BillingModeSummary, read: t.ProvisionedThroughput?.ReadCapacityUnits, protectedTable: t.DeletionProtectionEnabled }).toEqual({ billing: undefined, read: 5, protectedTable: true });
    const e = await refusal(ddb.send(new UpdateTableCommand({ TableName: 'settings' })));
    expect(e.name).toBe('ValidationException');
  });

  test('DeleteTable is refused while protected, then deletes: DELETING, and ResourceNotFoundException after', async () => {
    const e = await refusal(ddb.send(new DeleteTableCommand({ TableName: 'settings' })));
    expect(e.message).toContain('protected against deletion');
    await ddb.send(new UpdateTableCommand({ TableName: 'settings', DeletionProtectionEnabled: false }));

    const deleted = await ddb.send(new DeleteTableCommand({ TableName: 'settings' }));

    expect(deleted.TableDescription?.TableStatus).toBe('DELETING');
    const gone = await refusal(ddb.send(new DescribeTableCommand({ TableName: 'settings' })));
    expect(gone.name).toBe('ResourceNotFoundException');
  });

  test('a table re-created under a deleted one\'s name starts empty', async () => {
    await ddb.send(new CreateTableCommand(table('reborn')));
    await ddb.send(new PutItemCommand({ TableName: 'reborn', Item: { id: { S: 'old' } } }));
    await ddb.send(new DeleteTableCommand({ TableName: 'reborn' }));
    await ddb.send(new CreateTableCommand(table('reborn')));
    expect((await ddb.send(new GetItemCommand({ TableName: 'reborn', Key: { id: { S: 'old' } } }))).Item).toBeUndefined();
  });
});

describe('state', () => {
  test('tables, settings and items survive a restart, and a SIGKILL right after a write', async () => {
    const first = await startTestCloud();
    let second: TestCloud | undefined;
    let third: TestCloud | undefined;
    try {
      const a = new DynamoDBClient(first.clientConfig(first.credentialsFor('vendor')));
      await a.send(new CreateTableCommand(table('durable', { Tags: [{ Key: 'k', Value: 'v' }] })));
      await a.send(new UpdateContinuousBackupsCommand({ TableName: 'durable', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
      await a.send(new PutItemCommand({ TableName: 'durable', Item: { id: { S: 'one' }, n: { N: '1' } } }));
      await first.close();

      second = await startTestCloud({ stateDir: first.stateDir });
      const b = new DynamoDBClient(second.clientConfig(second.credentialsFor('vendor')));
      const t = (await b.send(new DescribeTableCommand({ TableName: 'durable' }))).Table!;
      expect(t.ItemCount).toBe(1);
      expect((await b.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn }))).Tags).toEqual([{ Key: 'k', Value: 'v' }]);
      expect((await b.send(new DescribeContinuousBackupsCommand({ TableName: 'durable' }))).ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('ENABLED');
      expect((await b.send(new GetItemCommand({ TableName: 'durable', Key: { id: { S: 'one' } } }))).Item).toEqual({ id: { S: 'one' }, n: { N: '1' } });

      // An acknowledged write survives a crash (no chance to flush anything after the answer).
      await b.send(new PutItemCommand({ TableName: 'durable', Item: { id: { S: 'two' } } }));
      await second.kill('SIGKILL');
      third = await startTestCloud({ stateDir: first.stateDir });
      const c = new DynamoDBClient(third.clientConfig(third.credentialsFor('vendor')));
      expect((await c.send(new GetItemCommand({ TableName: 'durable', Key: { id: { S: 'two' } } }))).Item).toEqual({ id: { S: 'two' } });
    } finally {
      await first.close();
      await second?.close();
      await third?.close();
    }
  }, 120_000);
});
