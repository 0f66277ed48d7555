// ---------------------------------------------------------------------------
// Query and Scan. Both read items in key order (a Query within one partition, by sort key; a Scan
// across partitions, here ordered by partition key then sort key), stop after `Limit` items have
// been evaluated or 1 MB has been read, then apply the FilterExpression, so a page may hold fewer
// items than Limit (even none) and still carry a LastEvaluatedKey. A page cut short by Limit or
// by size carries the LastEvaluatedKey of the last item read, even when no item follows.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
// ---------------------------------------------------------------------------
import { compareScalars, itemSize, typeOf, type AttributeValue, type Item } from '../attribute-values';
import { notSupported, validation } from '../errors';
import type { Condition, Operand, Path } from '../expressions/ast';
import { evaluateCondition, project } from '../expressions/evaluator';
import { parseCondition, parseProjection, type Placeholders } from '../expressions/parser';
import { expressionParam, placeholdersOf } from '../expressions/request';
import { checkKey, hashKeyName, keyNames, rangeKeyName } from '../keys';
import { oneOf, optionalBoolean, refuseLegacy, table, type Operation } from '../operation';
import { itemKey, keyOf, type TableRecord } from '../store';
import { consumed } from './items';

/** A page reads at most 1 MB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html */
const PAGE_BYTES = 1024 * 1024;

function limitOf(op: Operation): number | undefined {
  const raw = op.input.Limit;
  if (raw === undefined || raw === null) return undefined;
  if (!Number.isInteger(raw) || (raw as number) < 1) throw validation(`1 validation error detected: Value '${String(raw)}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`);
  return raw as number;
}

function byKey(t: TableRecord, attribute: string): (a: Item, b: Item) => number {
  return (a, b) => compareScalars(a[attribute], b[attribute]) ?? 0;
}

/** Scan order: partition key, then sort key. */
function scanOrder(t: TableRecord): (a: Item, b: Item) => number {
  const hash = byKey(t, hashKeyName(t));
  const range = rangeKeyName(t);
  const rangeOrder = range ? byKey(t, range) : () => 0;
  return (a, b) => hash(a, b) || rangeOrder(a, b);
}

function topLevelName(path: Path): string | undefined {
  return path.length === 1 && 'name' in path[0] ? path[0].name : undefined;
}

/** Key attributes cannot be filtered: the key condition says which keys to read. */
function checkFilterNamesNoKey(t: TableRecord, c: Condition): void {
  const operands: Operand[] = [];
  const walk = (x: Condition): void => {
    if (x.kind === 'or' || x.kind === 'and') { walk(x.left); walk(x.right); }
    else if (x.kind === 'not') walk(x.operand);
    else if (x.kind === 'compare') operands.push(x.left, x.right);
    else if (x.kind === 'between') operands.push(x.operand, x.low, x.high);
    else if (x.kind === 'in') operands.push(x.operand, ...x.list);
    else if (x.kind === 'function') operands.push(...x.args);
  };
  walk(c);
  for (const o of operands) {
    if (o.kind !== 'value' && 'name' in o.path[0] && keyNames(t).includes(o.path[0].name)) {
      throw validation(`Filter Expression can only contain non-primary key attributes: Primary key attribute: ${o.path[0].name}`);
    }
  }
}

interface PageInput {
  readonly ph: Placeholders;
  readonly filter?: Condition;
  readonly projectionText?: string;
}

/** Read a page from `candidates` (already in order, already after ExclusiveStartKey). */
function page(op: Operation, t: TableRecord, candidates: Item[], input: PageInput): unknown {
  const limit = limitOf(op);
  const select = oneOf(op, 'Select', ['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'] as const, input.projectionText !== undefined ? 'SPECIFIC_ATTRIBUTES' : 'ALL_ATTRIBUTES');
  if (select === 'ALL_PROJECTED_ATTRIBUTES') throw validation('ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName');
  if (select === 'SPECIFIC_ATTRIBUTES' && input.projectionText === undefined) throw validation('SPECIFIC_ATTRIBUTES requires a ProjectionExpression');
  if (input.projectionText !== undefined && select !== 'SPECIFIC_ATTRIBUTES') {
    throw validation(`Cannot specify the ProjectionExpression when choosing to get ${select}`);
  }
  const projection = input.projectionText !== undefined ? parseProjection(input.projectionText, input.ph) : undefined;
  input.ph.checkAllUsed();
  const scanned: Item[] = [];
  let bytes = 0;
  let cut = false;
  for (const item of candidates) {
    // "If DynamoDB processes the number of items up to the limit ..., it stops the operation and
    // returns ... a key in LastEvaluatedKey": https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html#DDB-Query-request-Limit
    if (limit !== undefined && scanned.length >= limit) { cut = true; break; }
    if (bytes >= PAGE_BYTES) { cut = true; break; }
    scanned.push(item);
    bytes += itemSize(item);
  }
  if (limit !== undefined && scanned.length === limit) cut = true;
  const matched = input.filter ? scanned.filter((i) => evaluateCondition(input.filter!, i)) : scanned;
  const last = scanned[scanned.length - 1];
  const consistent = optionalBoolean(op, 'ConsistentRead') ?? false;
  return {
    ...(select !== 'COUNT' ? { Items: projection ? matched.map((i) => project(i, projection)) : matched } : {}),
    Count: matched.length,
    ScannedCount: scanned.length,
    ...(cut && last ? { LastEvaluatedKey: keyOf(t, last) } : {}),
    ...consumed(op, t, 'read', bytes, consistent),
  };
}

/** Items after ExclusiveStartKey in `ordered` (a key that is not the table's is refused). */
function after(t: TableRecord, ordered: Item[], raw: unknown): Item[] {
  if (raw === undefined || raw === null) return ordered;
  const start = checkKey(t, raw, 'The provided starting key is invalid: The provided key element does not match the schema');
  const startKey = itemKey(t, start);
  const index = ordered.findIndex((i) => itemKey(t, keyOf(t, i)) === startKey);
  if (index >= 0) return ordered.slice(index + 1);
  // The start item may be gone since: continue after where it would be.
  const order = scanOrder(t);
  return ordered.filter((i) => order(i, start) > 0);
}

// ---------------------------------------------------------------------------
// Query's key condition: `pk = :v`, optionally AND one condition on the sort key
// (=, <, <=, >, >=, BETWEEN, begins_with).
// ---------------------------------------------------------------------------

interface KeyCondition {
  readonly hash: AttributeValue;
  readonly range?: (v: AttributeValue) => boolean;
}

/** The attribute a key-condition part is about (the path operand), and the values it compares it with. */
function sides(p: Condition): { subject?: Operand; values: Operand[] } {
  if (p.kind === 'compare') return p.left.kind === 'path' ? { subject: p.left, values: [p.right] } : { subject: p.right, values: [p.left] };
  if (p.kind === 'between') return { subject: p.operand, values: [p.low, p.high] };
  if (p.kind === 'function') return { subject: p.args[0], values: p.args.slice(1) };
  return { values: [] };
}

function keyCondition(t: TableRecord, c: Condition): KeyCondition {
  const parts: Condition[] = [];
  const flatten = (x: Condition): void => {
    if (x.kind === 'and') { flatten(x.left); flatten(x.right); }
    else if (x.kind === 'or' || x.kind === 'not') throw validation(`Invalid operator used in KeyConditionExpression: ${x.kind.toUpperCase()}`);
    else parts.push(x);
  };
  flatten(c);
  if (parts.length > 2) throw validation('Conditions can be of length 1 or 2 only');
  const hashName = hashKeyName(t);
  const rangeName = rangeKeyName(t);
  let hash: AttributeValue | undefined;
  let range: ((v: AttributeValue) => boolean) | undefined;
  for (const p of parts) {
    const { subject, values } = sides(p);
    const name = subject && subject.kind === 'path' ? topLevelName(subject.path) : undefined;
    if (!name || (name !== hashName && name !== rangeName)) throw validation(`Query condition missed key schema element: ${name === undefined ? hashName : name !== hashName ? hashName : rangeName}`);
    if (values.some((v) => v.kind !== 'value')) throw validation('Query key condition not supported');
    // Every value must have its key attribute's declared type (so begins_with needs a string or binary key).
    const declared = t.attributeDefinitions.find((d) => d.AttributeName === name)!.AttributeType;
    if (values.some((v) => v.kind === 'value' && typeOf(v.value) !== declared)) throw validation('One or more parameter values were invalid: Condition parameter type does not match schema type');
    if (name === hashName) {
      if (p.kind !== 'compare' || p.op !== '=') throw validation('Query key condition not supported');
      hash = (values[0] as { value: AttributeValue }).value;
      continue;
    }
    if (range) throw validation('KeyConditionExpressions must only contain one condition per key');
    if (p.kind === 'compare') {
      if (p.op === '<>') throw validation('Unsupported operator on KeyConditionExpression: operator: <>');
      // `:v < sk` reads as `sk > :v`.
      const op = p.left === subject ? p.op : ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' } as const)[p.op];
      const other = values[0];
      range = (v) => evaluateCondition({ kind: 'compare', op, left: { kind: 'value', value: v, placeholder: '' }, right: other }, undefined);
    } else if (p.kind === 'between' || (p.kind === 'function' && p.name === 'begins_with')) {
      // begins_with works on strings and binaries only.
      if (p.kind === 'function' && declared === 'N') throw validation('Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N');
      range = (v) => evaluateCondition(p, { [name]: v });
    } else {
      throw validation('Query key condition not supported');
    }
  }
  if (!hash) throw validation(`Query condition missed key schema element: ${hashName}`);
  return { hash, ...(range ? { range } : {}) };
}

export function query(op: Operation): unknown {
  const t = table(op);
  refuseLegacy(op, ['KeyConditions', 'QueryFilter', 'ConditionalOperator', 'AttributesToGet']);
  if (op.input.IndexName !== undefined && op.input.IndexName !== null) throw notSupported('IndexName (secondary indexes)');
  const keyText = expressionParam(op.input, 'KeyConditionExpression');
  if (keyText === undefined) throw validation('Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.');
  const filterText = expressionParam(op.input, 'FilterExpression');
  const projectionText = expressionParam(op.input, 'ProjectionExpression');
  const ph = placeholdersOf(op.input, [keyText, filterText, projectionText]);
  const condition = keyCondition(t, parseCondition(keyText, 'KeyConditionExpression', ph));
  const filter = filterText !== undefined ? parseCondition(filterText, 'FilterExpression', ph) : undefined;
  if (filter) checkFilterNamesNoKey(t, filter);
  const hashName = hashKeyName(t);
  const rangeName = rangeKeyName(t);
  const forward = optionalBoolean(op, 'ScanIndexForward') ?? true;
  const inPartition = Object.values(op.store.items(t))
    .filter((i) => compareScalars(i[hashName], condition.hash) === 0)
    .filter((i) => !condition.range || (rangeName !== undefined && condition.range(i[rangeName])));
  const ordered = rangeName ? inPartition.sort(byKey(t, rangeName)) : inPartition;
  if (!forward) ordered.reverse();
  let rest = ordered;
  const start = op.input.ExclusiveStartKey;
  if (start !== undefined && start !== null) {
    const key = checkKey(t, start, 'The provided starting key is invalid: The provided key element does not match the schema');
    if (compareScalars(key[hashName], condition.hash) !== 0) throw validation('The provided starting key is outside query boundaries based on provided conditions');
    const startKey = itemKey(t, key);
    const index = ordered.findIndex((i) => itemKey(t, keyOf(t, i)) === startKey);
    // The start item may be gone since: continue after where it would be.
    rest = index >= 0 ? ordered.slice(index + 1)
      : rangeName ? ordered.filter((i) => { const o = compareScalars(i[rangeName], key[rangeName]) ?? 0; return forward ? o > 0 : o < 0; })
        : [];
  }
  return page(op, t, rest, { ph, ...(filter ? { filter } : {}), ...(projectionText !== undefined ? { projectionText } : {}) });
}

export function scan(op: Operation): unknown {
  const t = table(op);
  refuseLegacy(op, ['ScanFilter', 'ConditionalOperator', 'AttributesToGet']);
  if (op.input.IndexName !== undefined && op.input.IndexName !== null) throw notSupported('IndexName (secondary indexes)');
  if (op.input.Segment !== undefined || op.input.TotalSegments !== undefined) throw notSupported('parallel scans (Segment, TotalSegments)');
  const filterText = expressionParam(op.input, 'FilterExpression');
  const projectionText = expressionParam(op.input, 'ProjectionExpression');
  const ph = placeholdersOf(op.input, [filterText, projectionText]);
  const filter = filterText !== undefined ? parseCondition(filterText, 'FilterExpression', ph) : undefined;
  const ordered = Object.values(op.store.items(t)).sort(scanOrder(t));
  return page(op, t, after(t, ordered, op.input.ExclusiveStartKey), { ph, ...(filter ? { filter } : {}), ...(projectionText !== undefined ? { projectionText } : {}) });
}
