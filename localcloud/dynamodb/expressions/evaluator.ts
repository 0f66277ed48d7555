// ---------------------------------------------------------------------------
// Expressions, step 3: trees -> answers. A condition is evaluated against an item (or no item:
// every path is then missing); an update's actions are applied to a copy of the item; a projection
// keeps the paths it names. Comparisons of different types are false, never an error, as in DynamoDB.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
// ---------------------------------------------------------------------------
import {
  cloneItem, compareScalars, equalValues, payload, setMembers, typeOf,
  type AttributeValue, type Item,
} from '../attribute-values';
import { addDecimal, formatDecimal, negateDecimal, parseDecimal } from '../decimal';
import { validation } from '../errors';
import type { Condition, Operand, Path, Projection, SetValue, UpdateAction } from './ast';

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

/** The value at `path` in `item`, or undefined when any step is missing. */
export function resolvePath(item: Item | undefined, path: Path): AttributeValue | undefined {
  if (!item) return undefined;
  let current: AttributeValue | undefined;
  for (const [i, step] of path.entries()) {
    if (i === 0) {
      current = 'name' in step ? item[step.name] : undefined;
    } else if ('name' in step) {
      current = current && typeOf(current) === 'M' ? (current as { M: Item }).M[step.name] : undefined;
    } else {
      current = current && typeOf(current) === 'L' ? (current as { L: AttributeValue[] }).L[step.index] : undefined;
    }
    if (current === undefined) return undefined;
  }
  return current;
}

export function pathText(path: Path): string {
  return path.map((s, i) => ('name' in s ? `${i === 0 ? '' : '.'}${s.name}` : `[${s.index}]`)).join('');
}

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

function operandValue(o: Operand, item: Item | undefined): AttributeValue | undefined {
  switch (o.kind) {
    case 'value': return o.value;
    case 'path': return resolvePath(item, o.path);
    case 'size': {
      const v = resolvePath(item, o.path);
      return v === undefined ? undefined : { N: String(sizeOf(v)) };
    }
  }
}

/** size(): a string's length, a binary's bytes, the members of a list, map or set. */
function sizeOf(v: AttributeValue): number | undefined {
  const t = typeOf(v);
  if (t === 'S') return [...(v as { S: string }).S].length;
  if (t === 'B') return Buffer.from((v as { B: string }).B, 'base64').length;
  if (t === 'L' || t === 'SS' || t === 'NS' || t === 'BS') return (payload(v) as unknown[]).length;
  if (t === 'M') return Object.keys((v as { M: Item }).M).length;
  return undefined;
}

function compare(op: string, a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  // A missing attribute equals nothing and orders with nothing; it differs from any value.
  if (a === undefined || b === undefined) return op === '<>' && (a !== undefined || b !== undefined);
  if (op === '=') return equalValues(a, b);
  if (op === '<>') return !equalValues(a, b);
  const order = compareScalars(a, b);
  if (order === undefined) return false;
  switch (op) {
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    default: return order >= 0;
  }
}

function operandType(v: AttributeValue): string {
  return typeOf(v);
}

export function evaluateCondition(c: Condition, item: Item | undefined): boolean {
  switch (c.kind) {
    case 'or': return evaluateCondition(c.left, item) || evaluateCondition(c.right, item);
    case 'and': return evaluateCondition(c.left, item) && evaluateCondition(c.right, item);
    case 'not': return !evaluateCondition(c.operand, item);
    case 'compare': return compare(c.op, operandValue(c.left, item), operandValue(c.right, item));
    case 'between': {
      const v = operandValue(c.operand, item);
      const low = operandValue(c.low, item);
      const high = operandValue(c.high, item);
      if (low && high) {
        const order = compareScalars(low, high);
        // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html (BETWEEN: low <= high)
        if (order !== undefined && order > 0) throw validation('Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound');
      }
      return compare('>=', v, low) && compare('<=', v, high);
    }
    case 'in': {
      const v = operandValue(c.operand, item);
      return v !== undefined && c.list.some((o) => { const w = operandValue(o, item); return w !== undefined && equalValues(v, w); });
    }
    case 'function': {
      const [first, second] = c.args;
      const target = operandValue(first, item);
      switch (c.name) {
        case 'attribute_exists': return target !== undefined;
        case 'attribute_not_exists': return target === undefined;
        case 'attribute_type': {
          const t = operandValue(second, item);
          if (!t || typeOf(t) !== 'S') throw validation(`Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: ${t ? operandType(t) : 'missing'}`);
          return target !== undefined && typeOf(target) === (t as { S: string }).S;
        }
        case 'begins_with': {
          const prefix = operandValue(second, item);
          if (prefix && typeOf(prefix) !== 'S' && typeOf(prefix) !== 'B') {
            throw validation(`Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${operandType(prefix)}`);
          }
          if (!target || !prefix || typeOf(target) !== typeOf(prefix)) return false;
          if (typeOf(target) === 'S') return (target as { S: string }).S.startsWith((prefix as { S: string }).S);
          const t = Buffer.from((target as { B: string }).B, 'base64');
          const p = Buffer.from((prefix as { B: string }).B, 'base64');
          return t.subarray(0, p.length).equals(p);
        }
        case 'contains': {
          const needle = operandValue(second, item);
          if (!target || !needle) return false;
          const t = typeOf(target);
          if (t === 'S' && typeOf(needle) === 'S') return (target as { S: string }).S.includes((needle as { S: string }).S);
          if (t === 'SS' || t === 'NS' || t === 'BS') return setMembers(target).some((m) => equalValues(m, needle));
          if (t === 'L') return (target as { L: AttributeValue[] }).L.some((m) => equalValues(m, needle));
          return false;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Updates
// ---------------------------------------------------------------------------

function setValueOf(v: SetValue, item: Item): AttributeValue {
  switch (v.kind) {
    case 'value': return v.value;
    case 'path': {
      const found = resolvePath(item, v.path);
      if (!found) throw validation('The provided expression refers to an attribute that does not exist in the item');
      return found;
    }
    case 'size': throw validation('Invalid UpdateExpression: The function is not allowed in an update expression; function: size');
    case 'if_not_exists': return resolvePath(item, v.path) ?? setValueOf(v.fallback, item);
    case 'list_append': {
      const a = setValueOf(v.first, item);
      const b = setValueOf(v.second, item);
      if (typeOf(a) !== 'L' || typeOf(b) !== 'L') throw validation(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: ${typeOf(a) !== 'L' ? typeOf(a) : typeOf(b)}`);
      return { L: [...(a as { L: AttributeValue[] }).L, ...(b as { L: AttributeValue[] }).L] };
    }
    case 'arithmetic': {
      const a = setValueOf(v.left, item);
      const b = setValueOf(v.right, item);
      if (typeOf(a) !== 'N' || typeOf(b) !== 'N') throw validation(`An operand in the update expression has an incorrect data type`);
      const x = parseDecimal((a as { N: string }).N)!;
      const y = parseDecimal((b as { N: string }).N)!;
      return { N: formatDecimal(addDecimal(x, v.op === '+' ? y : negateDecimal(y))) };
    }
  }
}

/** The container of the last step of `path`, or undefined when a parent is missing. */
function parentOf(item: Item, path: Path): { container: Item | AttributeValue[]; key: string | number } | undefined {
  const last = path[path.length - 1];
  const key = 'name' in last ? last.name : last.index;
  if (path.length === 1) return 'name' in last ? { container: item, key } : undefined;
  const parent = resolvePath(item, path.slice(0, -1));
  if (!parent) return undefined;
  if ('name' in last && typeOf(parent) === 'M') return { container: (parent as { M: Item }).M, key };
  if ('index' in last && typeOf(parent) === 'L') return { container: (parent as { L: AttributeValue[] }).L, key };
  return undefined;
}

function assign(item: Item, path: Path, value: AttributeValue): void {
  const at = parentOf(item, path);
  if (!at) throw validation('The document path provided in the update expression is invalid for update');
  if (Array.isArray(at.container)) {
    const list = at.container;
    const index = at.key as number;
    // Past the end of a list: appended, as DynamoDB does.
    if (index >= list.length) list.push(value);
    else list[index] = value;
  } else {
    at.container[at.key as string] = value;
  }
}

function remove(item: Item, path: Path): void {
  const at = parentOf(item, path);
  if (!at) return;
  if (Array.isArray(at.container)) {
    if ((at.key as number) < at.container.length) at.container.splice(at.key as number, 1);
  } else {
    delete at.container[at.key as string];
  }
}

function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a[i];
    const y = b[i];
    if ('name' in x !== 'name' in y) return false;
    if ('name' in x ? x.name !== (y as { name: string }).name : x.index !== (y as { index: number }).index) return false;
  }
  return true;
}

/**
 * The item after the update (a new object; `item` is untouched). Values on the right side are read
 * from the item as it was before the update, as DynamoDB does. `keyNames` cannot be updated.
 */
export function applyUpdate(actions: readonly UpdateAction[], item: Item, keyNames: readonly string[]): Item {
  for (let i = 0; i < actions.length; i += 1) {
    for (let j = i + 1; j < actions.length; j += 1) {
      if (overlaps(actions[i].path, actions[j].path)) {
        throw validation(`Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${pathText(actions[i].path)}], path two: [${pathText(actions[j].path)}]`);
      }
    }
    const first = actions[i].path[0];
    if ('name' in first && keyNames.includes(first.name)) {
      throw validation(`One or more parameter values were invalid: Cannot update attribute ${first.name}. This attribute is part of the key`);
    }
  }
  const before = item;
  const after = cloneItem(item);
  for (const action of actions) {
    switch (action.kind) {
      case 'SET':
        assign(after, action.path, setValueOf(action.value, before));
        break;
      case 'REMOVE':
        remove(after, action.path);
        break;
      case 'ADD': {
        const current = resolvePath(after, action.path);
        const t = typeOf(action.value);
        if (t !== 'N' && t !== 'SS' && t !== 'NS' && t !== 'BS') throw validation(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: ${t}`);
        if (!current) { assign(after, action.path, action.value); break; }
        if (typeOf(current) !== t) throw validation('An operand in the update expression has an incorrect data type');
        if (t === 'N') {
          assign(after, action.path, { N: formatDecimal(addDecimal(parseDecimal((current as { N: string }).N)!, parseDecimal((action.value as { N: string }).N)!)) });
        } else {
          const members = payload(current) as string[];
          const extra = setMembers(action.value).filter((m) => !setMembers(current).some((c) => equalValues(c, m))).map((m) => payload(m) as string);
          assign(after, action.path, { [t]: [...members, ...extra] } as AttributeValue);
        }
        break;
      }
      case 'DELETE': {
        const current = resolvePath(after, action.path);
        const t = typeOf(action.value);
        if (t !== 'SS' && t !== 'NS' && t !== 'BS') throw validation(`Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: ${t}`);
        if (!current) break;
        if (typeOf(current) !== t) throw validation('An operand in the update expression has an incorrect data type');
        const kept = setMembers(current).filter((m) => !setMembers(action.value).some((d) => equalValues(d, m))).map((m) => payload(m) as string);
        // An empty set cannot exist: the attribute goes.
        if (kept.length === 0) remove(after, action.path);
        else assign(after, action.path, { [t]: kept } as AttributeValue);
        break;
      }
    }
  }
  return after;
}

// ---------------------------------------------------------------------------
// Projections
// ---------------------------------------------------------------------------

/** The item with only the projected paths (nested paths keep their parents' shape). */
export function project(item: Item, projection: Projection): Item {
  const out: Item = {};
  for (const path of projection) {
    const value = resolvePath(item, path);
    if (value === undefined) continue;
    // Rebuild the path's spine in `out`: maps as maps, list elements as a compacted list.
    let target: Item = out;
    for (let i = 0; i < path.length - 1; i += 1) {
      const step = path[i];
      if (!('name' in step)) break;
      const existing = target[step.name];
      const next = path[i + 1];
      if (!existing) target[step.name] = 'name' in next ? { M: {} } : { L: [] };
      const holder = target[step.name];
      if ('M' in holder) target = holder.M;
      else break;
    }
    const last = path[path.length - 1];
    if (path.length === 1 && 'name' in last) out[last.name] = value;
    else if ('name' in last) target[last.name] = value;
    else {
      // A list element: kept in list order (DynamoDB compacts the projected elements).
      const parentPath = path.slice(0, -1);
      const parentStep = parentPath[parentPath.length - 1];
      if ('name' in parentStep) {
        const holder = parentPath.length === 1 ? out : target;
        const list = holder[parentStep.name];
        if (list && 'L' in list) list.L.push(value);
      }
    }
  }
  return out;
}

