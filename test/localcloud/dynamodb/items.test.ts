// ---------------------------------------------------------------------------
// DynamoDB items through the real SDK (@aws-sdk/client-dynamodb) against a local cloud. Each
// condition that lets a write through sits beside the one that refuses it; a refused write answers
// ConditionalCheckFailedException (400) and changes nothing. Cases:
//   PutItem: attribute_not_exists lets the first write in and refuses the second; ALL_OLD
//   GetItem: ConsistentRead, ProjectionExpression with #names; a missing item answers no Item
//   UpdateItem: SET arithmetic / if_not_exists / REMOVE / ADD; conditions with =, <>, <, <=, >, >=,
//     begins_with, AND/OR/NOT and parentheses, each allowed and refused; ReturnValues ALL_OLD,
//     ALL_NEW; ReturnValuesOnConditionCheckFailure returns the old item; updating a key refused
//   DeleteItem: with a condition, refused then allowed
//   validation: wrong key, missing key attribute, wrong key type, an item over 400 KB, a table that
//     does not exist, an unknown operation
//   Query: 25 items, Limit 10: pages of 10, 10, 5, LastEvaluatedKey on the first two only;
//     begins_with and BETWEEN on the sort key; ScanIndexForward=false; a FilterExpression counts
//     scanned vs matched; a filter on a key attribute refused
//     a page stops after 1 MB read; an expression over 4 KB is refused
//   Scan: 30 items across partitions, Limit 10: every item exactly once (three full pages and an
//     empty last one, as a page that reaches Limit carries a LastEvaluatedKey); a filter
// ---------------------------------------------------------------------------
import {
  CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand,
  UpdateItemCommand, type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusal } from '../../support/dynamodb-refusal';

jest.setTimeout(60_000);

let cloud: TestCloud;
let ddb: DynamoDBClient;
const TABLE = 'items-suite';
const SORTED = 'items-sorted';

beforeAll(async () => {
  cloud = await startTestCloud();
  ddb = new DynamoDBClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
  await ddb.send(new CreateTableCommand({
    TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  }));
  await ddb.send(new CreateTableCommand({
    TableName: SORTED, BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
  }));
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});


async function get(pk: string): Promise<Record<string, AttributeValue> | undefined> {
  return (await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
}

const key = (pk: string) => ({ TableName: TABLE, Key: { pk: { S: pk } } });

describe('PutItem and GetItem', () => {
  test('attribute_not_exists lets the first write in and refuses the second, which changes nothing', async () => {
    const first = { pk: { S: 'put-1' }, v: { N: '1' } };
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: first, ConditionExpression: 'attribute_not_exists(pk)' }));

    const e = await refusal(ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'put-1' }, v: { N: '2' } }, ConditionExpression: 'attribute_not_exists(pk)' })));

    expect({ name: e.name, status: e.$metadata.httpStatusCode, message: e.message }).toEqual({ name: 'ConditionalCheckFailedException', status: 400, message: 'The conditional request failed' });
    expect(await get('put-1')).toEqual(first);
  });

  test('attribute_exists refuses a put on a missing item and lets one on an existing item in; ALL_OLD returns the replaced item', async () => {
    const e = await refusal(ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'put-2' } }, ConditionExpression: 'attribute_exists(pk)' })));
    expect(e.name).toBe('ConditionalCheckFailedException');
    expect(await get('put-2')).toBeUndefined();

    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'put-2' }, v: { S: 'old' } } }));
    const out = await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'put-2' }, v: { S: 'new' } }, ConditionExpression: 'attribute_exists(pk)', ReturnValues: 'ALL_OLD' }));
    expect(out.Attributes).toEqual({ pk: { S: 'put-2' }, v: { S: 'old' } });
  });

  test('every attribute type round-trips; numbers come back normalized', async () => {
    const item = {
      pk: { S: 'types' }, n: { N: '010.50' }, b: { B: Buffer.from([0, 1, 2]) }, t: { BOOL: true }, z: { NULL: true },
      l: { L: [{ S: 'a' }, { N: '1' }] }, m: { M: { inner: { S: 'x' } } }, ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '2'] },
    };
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: item }));
    const back = await get('types');
    expect(back).toEqual({ ...item, n: { N: '10.5' }, b: { B: new Uint8Array([0, 1, 2]) } });
  });

  test('ProjectionExpression with #names returns only those attributes; a missing item answers no Item', async () => {
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'proj' }, status: { S: 'ok' }, other: { N: '1' } } }));
    const out = await ddb.send(new GetItemCommand({ ...key('proj'), ProjectionExpression: '#s, pk', ExpressionAttributeNames: { '#s': 'status' } }));
    expect(out.Item).toEqual({ pk: { S: 'proj' }, status: { S: 'ok' } });
    expect((await ddb.send(new GetItemCommand(key('nobody')))).Item).toBeUndefined();
  });
});

describe('UpdateItem', () => {
  beforeAll(async () => {
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'upd' }, n: { N: '10' }, name: { S: 'tenant-a' }, gone: { S: 'x' } } }));
  });

  test('SET arithmetic, if_not_exists, REMOVE and ADD in one update; ALL_NEW returns the result', async () => {
    const out = await ddb.send(new UpdateItemCommand({
      ...key('upd'),
      UpdateExpression: 'SET n = n + :one, created = if_not_exists(created, :now) REMOVE gone ADD hits :one',
      ExpressionAttributeValues: { ':one': { N: '1' }, ':now': { S: '2026-01-01' } },
      ReturnValues: 'ALL_NEW',
    }));
    expect(out.Attributes).toEqual({ pk: { S: 'upd' }, n: { N: '11' }, name: { S: 'tenant-a' }, created: { S: '2026-01-01' }, hits: { N: '1' } });
  });

  test.each([
    ['n = :v', { ':v': { N: '11' } }, { ':v': { N: '12' } }],
    ['n <> :v', { ':v': { N: '12' } }, { ':v': { N: '11' } }],
    ['n < :v', { ':v': { N: '12' } }, { ':v': { N: '11' } }],
    ['n <= :v', { ':v': { N: '11' } }, { ':v': { N: '10' } }],
    ['n > :v', { ':v': { N: '9' } }, { ':v': { N: '11' } }],
    ['n >= :v', { ':v': { N: '11' } }, { ':v': { N: '12' } }],
    ['begins_with(#n, :v)', { ':v': { S: 'tenant-' } }, { ':v': { S: 'vendor-' } }],
    ['attribute_exists(n) AND NOT (#n = :v OR n < :zero)', { ':v': { S: 'other' }, ':zero': { N: '0' } }, { ':v': { S: 'tenant-a' }, ':zero': { N: '0' } }],
  ])('condition %s: refused values change nothing, then allowed values update', async (condition, allowed, refused) => {
    const names = condition.includes('#n') ? { ExpressionAttributeNames: { '#n': 'name' } } : {};
    const before = await get('upd');

    const e = await refusal(ddb.send(new UpdateItemCommand({
      ...key('upd'), UpdateExpression: 'SET marker = :m', ConditionExpression: condition,
      ExpressionAttributeValues: { ...refused, ':m': { S: condition } }, ...names,
    })));
    expect(e.name).toBe('ConditionalCheckFailedException');
    expect(await get('upd')).toEqual(before);

    await ddb.send(new UpdateItemCommand({
      ...key('upd'), UpdateExpression: 'SET marker = :m', ConditionExpression: condition,
      ExpressionAttributeValues: { ...allowed, ':m': { S: condition } }, ...names,
    }));
    expect((await get('upd'))?.marker).toEqual({ S: condition });
  });

  test('ReturnValuesOnConditionCheckFailure=ALL_OLD hands back the item that failed the condition', async () => {
    const e = await refusal(ddb.send(new UpdateItemCommand({
      ...key('upd'), UpdateExpression: 'SET n = :v', ConditionExpression: 'n = :v', ExpressionAttributeValues: { ':v': { N: '999' } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    })));
    expect(e.name).toBe('ConditionalCheckFailedException');
    expect((e as unknown as { Item: Record<string, AttributeValue> }).Item?.pk).toEqual({ S: 'upd' });
  });

  test('ReturnValues ALL_OLD returns the item before the update', async () => {
    const out = await ddb.send(new UpdateItemCommand({ ...key('upd'), UpdateExpression: 'SET n = :v', ExpressionAttributeValues: { ':v': { N: '50' } }, ReturnValues: 'ALL_OLD' }));
    expect(out.Attributes?.n).toEqual({ N: '11' });
  });

  test('an update of a missing item creates it from its key; a condition on it can refuse that', async () => {
    const e = await refusal(ddb.send(new UpdateItemCommand({ ...key('new-upd'), UpdateExpression: 'SET v = :v', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':v': { N: '1' } } })));
    expect(e.name).toBe('ConditionalCheckFailedException');
    expect(await get('new-upd')).toBeUndefined();
    await ddb.send(new UpdateItemCommand({ ...key('new-upd'), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { N: '1' } } }));
    expect(await get('new-upd')).toEqual({ pk: { S: 'new-upd' }, v: { N: '1' } });
  });

  test('the key cannot be updated; an unused value and a reserved bare name are refused', async () => {
    const e1 = await refusal(ddb.send(new UpdateItemCommand({ ...key('upd'), UpdateExpression: 'SET pk = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } })));
    expect([e1.name, e1.message]).toEqual(['ValidationException', 'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key']);
    const e2 = await refusal(ddb.send(new UpdateItemCommand({ ...key('upd'), UpdateExpression: 'SET v = :v', ExpressionAttributeValues: { ':v': { S: 'x' }, ':w': { S: 'y' } } })));
    expect(e2.message).toBe('Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}');
    const e3 = await refusal(ddb.send(new UpdateItemCommand({ ...key('upd'), UpdateExpression: 'SET status = :v', ExpressionAttributeValues: { ':v': { S: 'x' } } })));
    expect(e3.message).toContain('Attribute name is a reserved keyword; reserved keyword: status');
  });
});

describe('DeleteItem', () => {
  test('a failing condition keeps the item; a holding one deletes it and ALL_OLD returns it', async () => {
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'del' }, owner: { S: 'a' } } }));
    const e = await refusal(ddb.send(new DeleteItemCommand({ ...key('del'), ConditionExpression: '#o = :o', ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':o': { S: 'b' } } })));
    expect(e.name).toBe('ConditionalCheckFailedException');
    expect(await get('del')).toBeDefined();

    const out = await ddb.send(new DeleteItemCommand({ ...key('del'), ConditionExpression: '#o = :o', ExpressionAttributeNames: { '#o': 'owner' }, ExpressionAttributeValues: { ':o': { S: 'a' } }, ReturnValues: 'ALL_OLD' }));
    expect(out.Attributes).toEqual({ pk: { S: 'del' }, owner: { S: 'a' } });
    expect(await get('del')).toBeUndefined();
  });
});

describe('validation', () => {
  test.each([
    ['a key with an extra attribute', () => ddb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'a' }, x: { S: 'b' } } })), 'The provided key element does not match the schema'],
    ['a key of the wrong type', () => ddb.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { N: '1' } } })), 'The provided key element does not match the schema'],
    ['an item without its key', () => ddb.send(new PutItemCommand({ TableName: TABLE, Item: { v: { S: 'x' } } })), 'One or more parameter values were invalid: Missing the key pk in the item'],
    ['an item whose key has the wrong type', () => ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { N: '1' } } })), 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N'],
    ['an item over 400 KB', () => ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: 'big' }, blob: { S: 'x'.repeat(410 * 1024) } } })), 'Item size has exceeded the maximum allowed size'],
    ['an empty string key', () => ddb.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: '' } } })), 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk'],
  ])('%s is a ValidationException (400)', async (_case, call, message) => {
    const e = await refusal(call());
    expect({ name: e.name, status: e.$metadata.httpStatusCode, message: e.message }).toEqual({ name: 'ValidationException', status: 400, message });
  });

  test('a table that does not exist is ResourceNotFoundException (400)', async () => {
    const e = await refusal(ddb.send(new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'a' } } })));
    expect({ name: e.name, status: e.$metadata.httpStatusCode }).toEqual({ name: 'ResourceNotFoundException', status: 400 });
  });

  test('an operation the local cloud does not implement is UnknownOperationException, named', async () => {
    const { BatchWriteItemCommand } = await import('@aws-sdk/client-dynamodb');
    const e = await refusal(ddb.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: [{ PutRequest: { Item: { pk: { S: 'b' } } } }] } })));
    expect(e.name).toBe('UnknownOperationException');
    expect(e.message).toContain('DynamoDB_20120810.BatchWriteItem');
  });
});

describe('Query and Scan', () => {
  beforeAll(async () => {
    for (let i = 0; i < 25; i += 1) {
      await ddb.send(new PutItemCommand({ TableName: SORTED, Item: { pk: { S: 'tenant' }, sk: { N: String(i) }, kind: { S: i % 2 === 0 ? 'even' : 'odd' }, label: { S: `item-${String(i).padStart(2, '0')}` } } }));
    }
    for (let i = 0; i < 5; i += 1) await ddb.send(new PutItemCommand({ TableName: SORTED, Item: { pk: { S: 'other' }, sk: { N: String(i) } } }));
  });

  test('Query pages 25 items with Limit 10 as 10, 10, 5, in sort-key order (numbers as numbers)', async () => {
    const pages: number[][] = [];
    const lastKeys: (Record<string, AttributeValue> | undefined)[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await ddb.send(new QueryCommand({ TableName: SORTED, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'tenant' } }, Limit: 10, ExclusiveStartKey: start }));
      pages.push(out.Items!.map((i) => Number(i.sk.N)));
      lastKeys.push(out.LastEvaluatedKey);
      start = out.LastEvaluatedKey;
    } while (start && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual([...Array(25).keys()]);
    expect(lastKeys[0]).toEqual({ pk: { S: 'tenant' }, sk: { N: '9' } });
    expect(lastKeys[2]).toBeUndefined();
  });

  test('sort-key conditions: BETWEEN, a comparison in descending order; values of the wrong type (begins_with on a number key) refused', async () => {
    const between = await ddb.send(new QueryCommand({ TableName: SORTED, KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b', ExpressionAttributeValues: { ':p': { S: 'tenant' }, ':a': { N: '3' }, ':b': { N: '6' } } }));
    expect(between.Items!.map((i) => i.sk.N)).toEqual(['3', '4', '5', '6']);
    const desc = await ddb.send(new QueryCommand({ TableName: SORTED, KeyConditionExpression: 'pk = :p AND sk > :a', ExpressionAttributeValues: { ':p': { S: 'tenant' }, ':a': { N: '21' } }, ScanIndexForward: false }));
    expect(desc.Items!.map((i) => i.sk.N)).toEqual(['24', '23', '22']);
    const e = await refusal(ddb.send(new QueryCommand({ TableName: SORTED, KeyConditionExpression: 'pk = :p AND begins_with(sk, :a)', ExpressionAttributeValues: { ':p': { S: 'tenant' }, ':a': { N: '1' } } })));
    expect([e.name, e.message]).toEqual(['ValidationException', 'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N']);
    const wrongHash = await refusal(ddb.send(new QueryCommand({ TableName: SORTED, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { N: '1' } } })));
    expect(wrongHash.message).toBe('One or more parameter values were invalid: Condition parameter type does not match schema type');
  });

  test('begins_with on a string sort key', async () => {
    await ddb.send(new CreateTableCommand({
      TableName: 'items-strings', BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    }));
    for (const sk of ['fn#a', 'fn#b', 'role#a']) await ddb.send(new PutItemCommand({ TableName: 'items-strings', Item: { pk: { S: 't' }, sk: { S: sk } } }));
    const out = await ddb.send(new QueryCommand({ TableName: 'items-strings', KeyConditionExpression: 'pk = :p AND begins_with(sk, :pre)', ExpressionAttributeValues: { ':p': { S: 't' }, ':pre': { S: 'fn#' } } }));
    expect(out.Items!.map((i) => i.sk.S)).toEqual(['fn#a', 'fn#b']);
  });

  test('a FilterExpression applies after Limit: Count is what matched, ScannedCount what was read', async () => {
    const out = await ddb.send(new QueryCommand({ TableName: SORTED, KeyConditionExpression: 'pk = :p', FilterExpression: 'kind = :k', ExpressionAttributeValues: { ':p': { S: 'tenant' }, ':k': { S: 'even' } }, Limit: 10 }));
    expect({ count: out.Count, scanned: out.ScannedCount, sks: out.Items!.map((i) => i.sk.N) }).toEqual({ count: 5, scanned: 10, sks: ['0', '2', '4', '6', '8'] });
  });

  test('a filter on a key attribute and a key condition on a non-key attribute are refused', async () => {
    const e1 = await refusal(ddb.send(new QueryCommand({ TableName: SORTED, KeyConditionExpression: 'pk = :p', FilterExpression: 'sk > :a', ExpressionAttributeValues: { ':p': { S: 'tenant' }, ':a': { N: '1' } } })));
    expect(e1.message).toBe('Filter Expression can only contain non-primary key attributes: Primary key attribute: sk');
    const e2 = await refusal(ddb.send(new QueryCommand({ TableName: SORTED, KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': { S: 'even' } } })));
    expect(e2.message).toBe('Query condition missed key schema element: pk');
  });

  test('Scan pages 30 items across partitions with Limit 10: each exactly once, over three pages and a last empty one', async () => {
    const seen: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    let pages = 0;
    do {
      const out = await ddb.send(new ScanCommand({ TableName: SORTED, Limit: 10, ExclusiveStartKey: start }));
      seen.push(...out.Items!.map((i) => `${i.pk.S}/${i.sk.N}`));
      start = out.LastEvaluatedKey;
      pages += 1;
    } while (start && pages < 10);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    // 30 items, Limit 10: the third page is cut by Limit too, so a fourth, empty page ends it (as DynamoDB does).
    expect(pages).toBe(4);
  });

  test('a Query page stops once it has read 1 MB, and the next page goes on from there', async () => {
    const BIG = 'items-big';
    await ddb.send(new CreateTableCommand({
      TableName: BIG, BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
    }));
    const big = 'x'.repeat(390 * 1024);
    for (let i = 0; i < 4; i += 1) await ddb.send(new PutItemCommand({ TableName: BIG, Item: { pk: { S: 'big' }, sk: { N: String(i) }, blob: { S: big } } }));
    const query = (start?: Record<string, AttributeValue>) => ddb.send(new QueryCommand({ TableName: BIG, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'big' } }, ProjectionExpression: 'sk', ExclusiveStartKey: start }));
    const first = await query();
    const second = await query(first.LastEvaluatedKey);
    expect({ first: first.Items!.map((i) => i.sk.N), last: first.LastEvaluatedKey?.sk }).toEqual({ first: ['0', '1', '2'], last: { N: '2' } });
    expect({ second: second.Items!.map((i) => i.sk.N), last: second.LastEvaluatedKey }).toEqual({ second: ['3'], last: undefined });
  });

  test('an expression over 4 KB is refused', async () => {
    const e = await refusal(ddb.send(new ScanCommand({ TableName: SORTED, FilterExpression: `kind = :k${' '.repeat(4096)}`, ExpressionAttributeValues: { ':k': { S: 'odd' } } })));
    expect(e.message).toContain('Invalid FilterExpression: Expression size has exceeded the maximum allowed size');
  });

  test('Scan with a FilterExpression and a projection', async () => {
    const out = await ddb.send(new ScanCommand({ TableName: SORTED, FilterExpression: 'kind = :k AND sk < :n', ProjectionExpression: 'sk', ExpressionAttributeValues: { ':k': { S: 'odd' }, ':n': { N: '6' } } }));
    expect(out.Items).toEqual([{ sk: { N: '1' } }, { sk: { N: '3' } }, { sk: { N: '5' } }]);
  });
});
