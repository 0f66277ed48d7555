// ---------------------------------------------------------------------------
// Single-item operations: GetItem, PutItem, UpdateItem, DeleteItem. A write with a
// ConditionExpression that evaluates false changes nothing and answers
// ConditionalCheckFailedException (with the old item when ReturnValuesOnConditionCheckFailure is
// ALL_OLD). Each write is one atomic write of the table's document, so a write either happened
// or did not.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
// ---------------------------------------------------------------------------
import { checkItem, checkItemSize, itemSize, type AttributeValue, type Item } from '../attribute-values';
import { conditionalCheckFailed, notSupported, validation } from '../errors';
import type { UpdateAction } from '../expressions/ast';
import { applyUpdate, evaluateCondition, project } from '../expressions/evaluator';
import { parseCondition, parseProjection, parseUpdate, type Placeholders } from '../expressions/parser';
import { expressionParam, placeholdersOf } from '../expressions/request';
import { checkItemKey, checkKey, keyNames } from '../keys';
import { oneOf, optionalBoolean, refuseLegacy, table, type Operation } from '../operation';
import { keyOf, type TableRecord } from '../store';

/** ConsumedCapacity, when asked for: reads in 4 KB units (half for eventually consistent), writes in 1 KB units.
 *  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html */
export function consumed(op: Operation, t: TableRecord, kind: 'read' | 'write', bytes: number, consistent = true): Record<string, unknown> {
  const mode = oneOf(op, 'ReturnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE'] as const, 'NONE');
  if (mode === 'NONE') return {};
  const units = kind === 'read' ? Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5) : Math.max(1, Math.ceil(bytes / 1024));
  return { ConsumedCapacity: { TableName: t.tableName, CapacityUnits: units, ...(kind === 'read' ? { ReadCapacityUnits: units } : { WriteCapacityUnits: units }) } };
}

/** The condition of a write, checked against the item as it is; throws ConditionalCheckFailedException when false. */
function checkCondition(op: Operation, text: string | undefined, ph: Placeholders, existing: Item | undefined): void {
  if (text === undefined) return;
  const condition = parseCondition(text, 'ConditionExpression', ph);
  ph.checkAllUsed();
  if (!evaluateCondition(condition, existing)) {
    const withOld = oneOf(op, 'ReturnValuesOnConditionCheckFailure', ['ALL_OLD', 'NONE'] as const, 'NONE') === 'ALL_OLD';
    throw conditionalCheckFailed(withOld && existing ? existing : undefined);
  }
}

export function getItem(op: Operation): unknown {
  const t = table(op);
  refuseLegacy(op, ['AttributesToGet']);
  const key = checkKey(t, op.input.Key);
  const projectionText = expressionParam(op.input, 'ProjectionExpression');
  const ph = placeholdersOf(op.input, [projectionText]);
  const projection = projectionText !== undefined ? parseProjection(projectionText, ph) : undefined;
  ph.checkAllUsed();
  const consistent = optionalBoolean(op, 'ConsistentRead') ?? false;
  // Every read here is strongly consistent: an eventually consistent read may see the latest write too.
  const item = op.store.getItem(t, key);
  const out = item && projection ? project(item, projection) : item;
  return { ...(out ? { Item: out } : {}), ...consumed(op, t, 'read', item ? itemSize(item) : 0, consistent) };
}

export function putItem(op: Operation): unknown {
  const t = table(op);
  refuseLegacy(op, ['Expected', 'ConditionalOperator']);
  if (op.input.Item === undefined || op.input.Item === null) throw validation("1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null");
  const item = checkItem(op.input.Item);
  checkItemKey(t, item);
  checkItemSize(item);
  const returnValues = oneOf(op, 'ReturnValues', ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'] as const, 'NONE');
  // PutItem returns nothing or the old item: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#DDB-PutItem-request-ReturnValues
  if (returnValues !== 'NONE' && returnValues !== 'ALL_OLD') throw validation(`ReturnValues can only be ALL_OLD or NONE`);
  const conditionText = expressionParam(op.input, 'ConditionExpression');
  const ph = placeholdersOf(op.input, [conditionText]);
  const key = keyOf(t, item);
  const existing = op.store.getItem(t, key);
  checkCondition(op, conditionText, ph, existing);
  op.store.putItem(t, key, item);
  return { ...(returnValues === 'ALL_OLD' && existing ? { Attributes: existing } : {}), ...consumed(op, t, 'write', Math.max(itemSize(item), existing ? itemSize(existing) : 0)) };
}

export function deleteItem(op: Operation): unknown {
  const t = table(op);
  refuseLegacy(op, ['Expected', 'ConditionalOperator']);
  const key = checkKey(t, op.input.Key);
  const returnValues = oneOf(op, 'ReturnValues', ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'] as const, 'NONE');
  if (returnValues !== 'NONE' && returnValues !== 'ALL_OLD') throw validation('ReturnValues can only be ALL_OLD or NONE');
  const conditionText = expressionParam(op.input, 'ConditionExpression');
  const ph = placeholdersOf(op.input, [conditionText]);
  const existing = op.store.getItem(t, key);
  checkCondition(op, conditionText, ph, existing);
  if (existing) op.store.putItem(t, key, undefined);
  return { ...(returnValues === 'ALL_OLD' && existing ? { Attributes: existing } : {}), ...consumed(op, t, 'write', existing ? itemSize(existing) : 0) };
}

/** The legacy AttributeUpdates (the Terraform provider updates aws_dynamodb_table_item with it): PUT and DELETE of whole attributes. */
function legacyUpdates(raw: unknown): UpdateAction[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw validation('AttributeUpdates must be a map');
  return Object.entries(raw as Record<string, { Action?: string; Value?: unknown }>).map(([name, u]) => {
    const action = u?.Action ?? 'PUT';
    if (action === 'PUT') {
      if (u.Value === undefined) throw validation(`One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified`);
      return { kind: 'SET', path: [{ name }], value: { kind: 'value', value: checkItem({ v: u.Value }).v, placeholder: name } } as UpdateAction;
    }
    if (action === 'DELETE' && u.Value === undefined) return { kind: 'REMOVE', path: [{ name }] } as UpdateAction;
    throw notSupported(`AttributeUpdates with Action ${action}${u.Value !== undefined ? ' and a Value' : ''}; use UpdateExpression`);
  });
}

export function updateItem(op: Operation): unknown {
  const t = table(op);
  refuseLegacy(op, ['Expected', 'ConditionalOperator']);
  const key = checkKey(t, op.input.Key);
  const returnValues = oneOf(op, 'ReturnValues', ['NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'] as const, 'NONE');
  const updateText = expressionParam(op.input, 'UpdateExpression');
  const conditionText = expressionParam(op.input, 'ConditionExpression');
  const legacy = op.input.AttributeUpdates;
  if (legacy !== undefined && legacy !== null && (updateText !== undefined || conditionText !== undefined)) {
    throw validation('Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression, ConditionExpression}');
  }
  const ph = placeholdersOf(op.input, [updateText, conditionText]);
  const actions = updateText !== undefined ? parseUpdate(updateText, ph) : legacy !== undefined && legacy !== null ? legacyUpdates(legacy) : [];
  const existing = op.store.getItem(t, key);
  if (conditionText === undefined) ph.checkAllUsed();
  checkCondition(op, conditionText, ph, existing);
  // An update of an item that does not exist creates it from its key.
  const updated = applyUpdate(actions, existing ?? key, keyNames(t));
  checkItemSize(updated);
  op.store.putItem(t, key, updated);
  const touched = new Set(actions.map((a) => ('name' in a.path[0] ? a.path[0].name : '')));
  const pick = (item: Item | undefined): Item | undefined => {
    if (!item) return undefined;
    const out: Record<string, AttributeValue> = {};
    for (const name of touched) if (item[name]) out[name] = item[name];
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const attributes = {
    NONE: undefined, ALL_OLD: existing, ALL_NEW: updated, UPDATED_OLD: pick(existing), UPDATED_NEW: pick(updated),
  }[returnValues];
  return { ...(attributes ? { Attributes: attributes } : {}), ...consumed(op, t, 'write', Math.max(itemSize(updated), existing ? itemSize(existing) : 0)) };
}
