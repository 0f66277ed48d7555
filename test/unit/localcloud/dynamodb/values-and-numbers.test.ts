// ---------------------------------------------------------------------------
// DynamoDB attribute values and numbers (localcloud/dynamodb/attribute-values.ts, decimal.ts) and
// the table-name rule: what a request may carry, as DynamoDB checks it.
// Cases: numbers normalized, compared and added exactly, refused beyond 38 digits or when not
// numbers; a value with no type or two types; empty and duplicate sets; NULL must be true; the
// 400 KB item limit; table names (length, characters).
// ---------------------------------------------------------------------------
import { MAX_ITEM_BYTES, checkItemSize, checkValue, equalValues, itemSize } from '../../../../localcloud/dynamodb/attribute-values';
import { addDecimal, compareDecimal, formatDecimal, normalizeNumber, parseDecimal } from '../../../../localcloud/dynamodb/decimal';
import { checkTableName } from '../../../../localcloud/dynamodb/operation';

describe('numbers', () => {
  test.each([['01.50', '1.5'], ['-0', '0'], ['1e3', '1000'], ['1.2E-3', '0.0012'], ['+7', '7'], ['100', '100']])('%s reads back as %s', (input, expected) => {
    expect(normalizeNumber(input)).toBe(expected);
  });

  test('refuses what is not a number, and more than 38 significant digits', () => {
    expect(normalizeNumber('abc')).toBeUndefined();
    expect(normalizeNumber('')).toBeUndefined();
    expect(normalizeNumber('1'.repeat(39))).toBeUndefined();
    expect(normalizeNumber('1'.repeat(38))).toBe('1'.repeat(38));
    expect(normalizeNumber('1e126')).toBeUndefined();
  });

  test('compares and adds exactly', () => {
    expect(compareDecimal(parseDecimal('10')!, parseDecimal('9')!)).toBe(1);
    expect(compareDecimal(parseDecimal('-10')!, parseDecimal('9')!)).toBe(-1);
    expect(formatDecimal(addDecimal(parseDecimal('0.1')!, parseDecimal('0.2')!))).toBe('0.3');
  });
});

describe('attribute values', () => {
  test('a value needs exactly one type', () => {
    expect(() => checkValue({})).toThrow('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
    expect(() => checkValue({ S: 'a', N: '1' })).toThrow('more than one datatypes');
  });

  test('N must be a number; NULL must be true', () => {
    expect(() => checkValue({ N: 'x' })).toThrow('The parameter cannot be converted to a numeric value: x');
    expect(() => checkValue({ NULL: false })).toThrow('Null attribute value types must have the value of true');
    expect(checkValue({ N: '007' })).toEqual({ N: '7' });
  });

  test('sets may not be empty nor hold duplicates (numbers compared as numbers)', () => {
    expect(() => checkValue({ SS: [] })).toThrow('An string set  may not be empty');
    expect(() => checkValue({ SS: ['a', 'a'] })).toThrow('contains duplicates');
    expect(() => checkValue({ NS: ['1', '1.0'] })).toThrow('contains duplicates');
  });

  test('nested lists and maps are checked too', () => {
    expect(() => checkValue({ L: [{ M: { x: { N: 'nope' } } }] })).toThrow('cannot be converted to a numeric value');
  });

  test('sets are equal whatever their order', () => {
    expect(equalValues({ SS: ['a', 'b'] }, { SS: ['b', 'a'] })).toBe(true);
    expect(equalValues({ NS: ['1', '2'] }, { NS: ['2', '3'] })).toBe(false);
  });

  test('an item over 400 KB is refused; one just under it passes', () => {
    const under = { pk: { S: 'k' }, big: { S: 'x'.repeat(MAX_ITEM_BYTES - 10) } };
    expect(itemSize(under)).toBeLessThanOrEqual(MAX_ITEM_BYTES);
    expect(() => checkItemSize(under)).not.toThrow();
    expect(() => checkItemSize({ pk: { S: 'k' }, big: { S: 'x'.repeat(MAX_ITEM_BYTES) } })).toThrow('Item size has exceeded the maximum allowed size');
  });
});

describe('table names', () => {
  test('3 to 255 characters of [a-zA-Z0-9_.-]', () => {
    expect(checkTableName('tenant-registry_v1.0')).toBe('tenant-registry_v1.0');
    expect(() => checkTableName('ab')).toThrow("Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3");
    expect(() => checkTableName('a'.repeat(256))).toThrow('Member must have length less than or equal to 255');
    expect(() => checkTableName('bad name')).toThrow('Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
    expect(() => checkTableName(undefined)).toThrow('Member must not be null');
  });
});
