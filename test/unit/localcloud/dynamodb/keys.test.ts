// ---------------------------------------------------------------------------
// Primary-key validation (localcloud/dynamodb/keys.ts), as DynamoDB words it. Cases: a Key must be
// exactly the key attributes of the declared types; an item must carry them; empty and oversized
// key values are refused; a valid key and item pass.
// ---------------------------------------------------------------------------
import { checkItemKey, checkKey } from '../../../../localcloud/dynamodb/keys';
import type { TableRecord } from '../../../../localcloud/dynamodb/store';

const TABLE: TableRecord = {
  accountId: '111111111111', region: 'us-east-1', tableName: 'keys', tableArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/keys', tableId: 'id',
  keySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
  attributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
  billingMode: 'PAY_PER_REQUEST', createdAt: 0, deletionProtection: false, tableClass: 'STANDARD', tags: {},
  pitr: { enabled: false, recoveryPeriodInDays: 35 },
};

const SCHEMA = 'The provided key element does not match the schema';

describe('checkKey', () => {
  test('GIVEN both key attributes of their types THEN the key passes, numbers normalized', () => {
    expect(checkKey(TABLE, { pk: { S: 'a' }, sk: { N: '01' } })).toEqual({ pk: { S: 'a' }, sk: { N: '1' } });
  });

  test.each([
    ['a missing sort key', { pk: { S: 'a' } }],
    ['an extra attribute', { pk: { S: 'a' }, sk: { N: '1' }, x: { S: 'y' } }],
    ['a wrong type', { pk: { S: 'a' }, sk: { S: '1' } }],
  ])('GIVEN %s THEN it does not match the schema', (_case, key) => {
    expect(() => checkKey(TABLE, key)).toThrow(SCHEMA);
  });

  test('GIVEN no key THEN null is refused', () => {
    expect(() => checkKey(TABLE, undefined)).toThrow("Value null at 'key' failed to satisfy constraint: Member must not be null");
  });
});

describe('checkItemKey', () => {
  test('GIVEN an item with its key THEN it passes', () => {
    expect(() => checkItemKey(TABLE, { pk: { S: 'a' }, sk: { N: '1' }, other: { BOOL: true } })).not.toThrow();
  });

  test('GIVEN an item without its sort key THEN the missing key is named', () => {
    expect(() => checkItemKey(TABLE, { pk: { S: 'a' } })).toThrow('One or more parameter values were invalid: Missing the key sk in the item');
  });

  test('GIVEN a key of the wrong type THEN both types are named', () => {
    expect(() => checkItemKey(TABLE, { pk: { N: '1' }, sk: { N: '1' } })).toThrow('Type mismatch for key pk expected: S actual: N');
  });

  test('GIVEN an empty string partition key THEN it is refused', () => {
    expect(() => checkItemKey(TABLE, { pk: { S: '' }, sk: { N: '1' } })).toThrow('cannot contain an empty string value. Key: pk');
  });

  test('GIVEN a partition key over 2048 bytes THEN it is refused; 2048 passes', () => {
    expect(() => checkItemKey(TABLE, { pk: { S: 'x'.repeat(2048) }, sk: { N: '1' } })).not.toThrow();
    expect(() => checkItemKey(TABLE, { pk: { S: 'x'.repeat(2049) }, sk: { N: '1' } })).toThrow('Size of hashkey has exceeded the maximum size limit of 2048 bytes');
  });
});
