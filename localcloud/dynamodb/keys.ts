// ---------------------------------------------------------------------------
// Primary keys: a request's Key must be exactly the table's key attributes, of their declared
// types; an item written must carry them. Partition keys hold up to 2048 bytes, sort keys 1024,
// and neither may be an empty string or binary.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
// ---------------------------------------------------------------------------
import { checkItem, typeOf, valueSize, type Item } from './attribute-values';
import { validation } from './errors';
import type { TableRecord } from './store';

function checkKeyValue(table: TableRecord, item: Item, missing: (name: string) => Error, mismatch?: Error): void {
  for (const k of table.keySchema) {
    const v = item[k.AttributeName];
    if (!v) throw missing(k.AttributeName);
    const declared = table.attributeDefinitions.find((d) => d.AttributeName === k.AttributeName)!.AttributeType;
    if (typeOf(v) !== declared) throw mismatch ?? validation(`One or more parameter values were invalid: Type mismatch for key ${k.AttributeName} expected: ${declared} actual: ${typeOf(v)}`);
    const size = valueSize(v);
    if (size === 0) {
      throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${declared === 'S' ? 'string' : 'binary'} value. Key: ${k.AttributeName}`);
    }
    const max = k.KeyType === 'HASH' ? 2048 : 1024;
    if (declared !== 'N' && size > max) {
      throw validation(`One or more parameter values were invalid: Size of ${k.KeyType === 'HASH' ? 'hashkey' : 'rangekey'} has exceeded the maximum size limit of ${max} bytes`);
    }
  }
}

/** A request's Key (GetItem, DeleteItem, UpdateItem, ExclusiveStartKey): exactly the key attributes. */
export function checkKey(table: TableRecord, raw: unknown, what = 'The provided key element does not match the schema'): Item {
  if (raw === undefined || raw === null) throw validation("1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null");
  const key = checkItem(raw);
  const names = Object.keys(key);
  if (names.length !== table.keySchema.length || table.keySchema.some((k) => !(k.AttributeName in key))) throw validation(what);
  checkKeyValue(table, key, () => validation(what), validation(what));
  return key;
}

/** An item to write: it must hold the key attributes, with their declared types. */
export function checkItemKey(table: TableRecord, item: Item): void {
  checkKeyValue(table, item, (name) => validation(`One or more parameter values were invalid: Missing the key ${name} in the item`));
}

export function keyNames(table: TableRecord): string[] {
  return table.keySchema.map((k) => k.AttributeName);
}

export function hashKeyName(table: TableRecord): string {
  return table.keySchema[0].AttributeName;
}

export function rangeKeyName(table: TableRecord): string | undefined {
  return table.keySchema[1]?.AttributeName;
}
