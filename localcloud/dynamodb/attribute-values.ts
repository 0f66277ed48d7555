// ---------------------------------------------------------------------------
// Attribute values as the wire carries them ({"S": "x"}, {"N": "1"}, {"B": "<base64>"}, {"BOOL": true},
// {"NULL": true}, {"L": [...]}, {"M": {...}}, {"SS": [...]}, {"NS": [...]}, {"BS": [...]}): checked
// the way DynamoDB checks them, normalized (numbers), compared, and sized.
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html
// ---------------------------------------------------------------------------
import { compareDecimal, formatDecimal, parseDecimal, significantDigits, type Decimal } from './decimal';
import { validation } from './errors';

export type AttributeValue =
  | { S: string } | { N: string } | { B: string } | { BOOL: boolean } | { NULL: true }
  | { L: AttributeValue[] } | { M: Item } | { SS: string[] } | { NS: string[] } | { BS: string[] };

export type Item = Record<string, AttributeValue>;

export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'L' | 'M' | 'SS' | 'NS' | 'BS';

const TYPES: readonly AttributeType[] = ['S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS'];

export function typeOf(value: AttributeValue): AttributeType {
  return Object.keys(value)[0] as AttributeType;
}

/** The member of a value (its string, list, map, ...). */
export function payload(value: AttributeValue): unknown {
  return (value as Record<string, unknown>)[typeOf(value)];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function number(text: unknown): string {
  const d = typeof text === 'string' ? parseDecimal(text) : undefined;
  if (!d) throw validation(`The parameter cannot be converted to a numeric value: ${String(text)}`);
  return formatDecimal(d);
}

function noDuplicates(values: string[], key: (v: string) => string = (v) => v): void {
  const seen = new Set<string>();
  for (const v of values) {
    const k = key(v);
    if (seen.has(k)) throw validation(`One or more parameter values were invalid: Input collection [${values.join(', ')}] contains duplicates.`);
    seen.add(k);
  }
}

/**
 * A value from a request, checked and normalized: exactly one data type, numbers DynamoDB can
 * store, sets not empty and without duplicates. Throws ValidationException with DynamoDB's wording.
 */
export function checkValue(raw: unknown): AttributeValue {
  if (!isObject(raw)) throw validation('Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  const keys = Object.keys(raw).filter((k) => raw[k] !== undefined && raw[k] !== null);
  if (keys.length !== 1 || !TYPES.includes(keys[0] as AttributeType)) {
    throw validation(keys.length > 1
      ? 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes'
      : 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes');
  }
  const type = keys[0] as AttributeType;
  const v = raw[type];
  switch (type) {
    case 'S':
      if (typeof v !== 'string') throw validation('Supplied AttributeValue S must be a string');
      return { S: v };
    case 'N':
      return { N: number(v) };
    case 'B':
      if (typeof v !== 'string' || !BASE64.test(v)) throw validation('Supplied AttributeValue B must be base64');
      return { B: v };
    case 'BOOL':
      if (typeof v !== 'boolean') throw validation('Supplied AttributeValue BOOL must be a boolean');
      return { BOOL: v };
    case 'NULL':
      if (v !== true) throw validation('One or more parameter values were invalid: Null attribute value types must have the value of true');
      return { NULL: true };
    case 'L':
      if (!Array.isArray(v)) throw validation('Supplied AttributeValue L must be a list');
      return { L: v.map(checkValue) };
    case 'M':
      if (!isObject(v)) throw validation('Supplied AttributeValue M must be a map');
      return { M: checkItem(v) };
    case 'SS':
    case 'NS':
    case 'BS': {
      if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) throw validation(`Supplied AttributeValue ${type} must be a list of strings`);
      if (v.length === 0) throw validation(`One or more parameter values were invalid: An ${type === 'SS' ? 'string' : type === 'NS' ? 'number' : 'binary'} set  may not be empty`);
      const members = type === 'NS' ? (v as string[]).map(number) : (v as string[]);
      noDuplicates(members);
      return { [type]: members } as AttributeValue;
    }
  }
}

/** A map of attribute name -> value from a request (an item, a key, ExpressionAttributeValues). */
export function checkItem(raw: unknown): Item {
  if (!isObject(raw)) throw validation('Supplied item must be a map of attribute names to values');
  const item: Item = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    item[name] = checkValue(value);
  }
  return item;
}

// ---------------------------------------------------------------------------
// Equality and order
// ---------------------------------------------------------------------------

function decimalOf(text: string): Decimal {
  return parseDecimal(text)!;
}

/** Byte order of base64 binaries and UTF-8 strings, as DynamoDB orders them. */
function compareBytes(a: Buffer, b: Buffer): number {
  return Buffer.compare(a, b);
}

/** Order of two scalars of one type (S, N, B); undefined when they cannot be ordered. */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  const t = typeOf(a);
  if (t !== typeOf(b)) return undefined;
  if (t === 'N') return compareDecimal(decimalOf((a as { N: string }).N), decimalOf((b as { N: string }).N));
  if (t === 'S') return compareBytes(Buffer.from((a as { S: string }).S, 'utf8'), Buffer.from((b as { S: string }).S, 'utf8'));
  if (t === 'B') return compareBytes(Buffer.from((a as { B: string }).B, 'base64'), Buffer.from((b as { B: string }).B, 'base64'));
  return undefined;
}

/** Deep equality: numbers by value, sets regardless of order, maps regardless of key order. */
export function equalValues(a: AttributeValue, b: AttributeValue): boolean {
  const t = typeOf(a);
  if (t !== typeOf(b)) return false;
  switch (t) {
    case 'S': case 'N': case 'B':
      return compareScalars(a, b) === 0;
    case 'BOOL':
      return (a as { BOOL: boolean }).BOOL === (b as { BOOL: boolean }).BOOL;
    case 'NULL':
      return true;
    case 'L': {
      const x = (a as { L: AttributeValue[] }).L;
      const y = (b as { L: AttributeValue[] }).L;
      return x.length === y.length && x.every((v, i) => equalValues(v, y[i]));
    }
    case 'M': {
      const x = (a as { M: Item }).M;
      const y = (b as { M: Item }).M;
      const keys = Object.keys(x);
      return keys.length === Object.keys(y).length && keys.every((k) => k in y && equalValues(x[k], y[k]));
    }
    default: {
      const x = setMembers(a);
      const y = setMembers(b);
      return x.length === y.length && x.every((m) => y.some((n) => equalValues(m, n)));
    }
  }
}

/** The members of a set, each as a scalar value (SS -> S, NS -> N, BS -> B). */
export function setMembers(value: AttributeValue): AttributeValue[] {
  const t = typeOf(value);
  const scalar = t.slice(0, 1) as 'S' | 'N' | 'B';
  return (payload(value) as string[]).map((m) => ({ [scalar]: m }) as AttributeValue);
}

// ---------------------------------------------------------------------------
// Sizes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
// ---------------------------------------------------------------------------

/** The largest item DynamoDB stores: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items */
export const MAX_ITEM_BYTES = 400 * 1024;

export function valueSize(value: AttributeValue): number {
  const t = typeOf(value);
  switch (t) {
    case 'S': return Buffer.byteLength((value as { S: string }).S, 'utf8');
    case 'N': return Math.ceil(significantDigits(decimalOf((value as { N: string }).N)) / 2) + 1;
    case 'B': return Buffer.from((value as { B: string }).B, 'base64').length;
    case 'BOOL': case 'NULL': return 1;
    case 'L': return 3 + (value as { L: AttributeValue[] }).L.reduce((n, v) => n + 1 + valueSize(v), 0);
    case 'M': return 3 + Object.entries((value as { M: Item }).M).reduce((n, [k, v]) => n + 1 + Buffer.byteLength(k, 'utf8') + valueSize(v), 0);
    default: return setMembers(value).reduce((n, v) => n + valueSize(v), 0);
  }
}

/** An item's size: its attribute names' UTF-8 lengths plus its values' sizes. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + valueSize(v), 0);
}

export function checkItemSize(item: Item): void {
  if (itemSize(item) > MAX_ITEM_BYTES) throw validation('Item size has exceeded the maximum allowed size');
}

export function cloneItem(item: Item): Item {
  return JSON.parse(JSON.stringify(item)) as Item;
}
