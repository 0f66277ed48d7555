// ---------------------------------------------------------------------------
// Expressions, step 2: tokens -> trees, with the placeholders resolved from
// ExpressionAttributeNames / ExpressionAttributeValues (a placeholder that is not defined is a
// ValidationException; the caller checks afterwards that every one defined was used).
// Grammar and precedence (lowest first: OR, AND, NOT, then comparisons, BETWEEN, IN, functions):
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html#Expressions.OperatorsAndFunctions.Syntax
// Update expressions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
// ---------------------------------------------------------------------------
import type { AttributeValue, Item } from '../attribute-values';
import { validation } from '../errors';
import type { Comparator, Condition, ConditionFunction, Operand, Path, PathElement, Projection, SetValue, UpdateAction } from './ast';
import { syntaxError, tokenize, type Token } from './tokenizer';
import { checkNotReserved } from './reserved-words';

/** The placeholders of one request, and which of them its expressions used. */
export class Placeholders {
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();
  constructor(readonly names: Readonly<Record<string, string>> = {}, readonly values: Readonly<Item> = {}) {}

  name(placeholder: string): string {
    const n = Object.prototype.hasOwnProperty.call(this.names, placeholder) ? this.names[placeholder] : undefined;
    if (n === undefined) throw validation(`An expression attribute name used in the document path is not defined; attribute name: ${placeholder}`);
    this.usedNames.add(placeholder);
    return n;
  }

  value(placeholder: string): AttributeValue {
    const v = Object.prototype.hasOwnProperty.call(this.values, placeholder) ? this.values[placeholder] : undefined;
    if (v === undefined) throw validation(`An expression attribute value used in expression is not defined; attribute value: ${placeholder}`);
    this.usedValues.add(placeholder);
    return v;
  }

  /** Every name and value defined must be used by some expression of the request. */
  checkAllUsed(): void {
    const names = Object.keys(this.names).filter((k) => !this.usedNames.has(k));
    if (names.length > 0) throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${names.join(', ')}}`);
    const values = Object.keys(this.values).filter((k) => !this.usedValues.has(k));
    if (values.length > 0) throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${values.join(', ')}}`);
  }
}

const COMPARATORS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const CONDITION_FUNCTIONS: Record<ConditionFunction, number> = {
  attribute_exists: 1, attribute_not_exists: 1, attribute_type: 2, begins_with: 2, contains: 2,
};

/** A cursor over one expression's tokens. */
class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[], readonly expressionName: string, private readonly text: string) {}
  peek(offset = 0): Token { return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]; }
  next(): Token { const t = this.peek(); this.i += 1; return t; }
  is(kind: Token['kind'], text?: string): boolean { const t = this.peek(); return t.kind === kind && (text === undefined || t.text === text); }
  accept(kind: Token['kind'], text?: string): boolean { if (this.is(kind, text)) { this.i += 1; return true; } return false; }
  expect(kind: Token['kind'], text?: string): Token {
    if (!this.is(kind, text)) throw this.error();
    return this.next();
  }
  error(): Error {
    const t = this.peek();
    return t.kind === 'end'
      ? validation(`Invalid ${this.expressionName}: Syntax error; token: "<EOF>", near: "${this.text.slice(Math.max(0, t.at - 10))}"`)
      : syntaxError(this.expressionName, t.text, this.text.slice(Math.max(0, t.at - 5), t.at + t.text.length + 5));
  }
}

// ---------------------------------------------------------------------------
// Paths and operands
// ---------------------------------------------------------------------------

function pathPart(c: Cursor, ph: Placeholders): string {
  const t = c.peek();
  // A keyword used as a bare name: DynamoDB wants a #placeholder for reserved words.
  if (t.kind === 'keyword') throw validation(`Invalid ${c.expressionName}: Attribute name is a reserved keyword; reserved keyword: ${t.text}`);
  if (t.kind !== 'name' && t.kind !== 'namePlaceholder') throw c.error();
  c.next();
  if (t.kind === 'namePlaceholder') return ph.name(t.text);
  checkNotReserved(t.text, c.expressionName);
  return t.text;
}

function path(c: Cursor, ph: Placeholders): Path {
  const elements: PathElement[] = [{ name: pathPart(c, ph) }];
  for (;;) {
    if (c.accept('punct', '.')) elements.push({ name: pathPart(c, ph) });
    else if (c.accept('punct', '[')) {
      const n = c.expect('number');
      c.expect('punct', ']');
      elements.push({ index: Number(n.text) });
    } else return elements;
  }
}

function isFunctionCall(c: Cursor): boolean {
  return c.is('name') && c.peek(1).kind === 'punct' && c.peek(1).text === '(';
}

function operand(c: Cursor, ph: Placeholders): Operand {
  if (c.is('valuePlaceholder')) {
    const t = c.next();
    return { kind: 'value', value: ph.value(t.text), placeholder: t.text };
  }
  if (isFunctionCall(c)) {
    const name = c.next().text;
    if (name !== 'size') {
      throw validation(CONDITION_FUNCTIONS[name as ConditionFunction] !== undefined
        ? `Invalid ${c.expressionName}: The function is not allowed to be used this way in an expression; function: ${name}`
        : `Invalid ${c.expressionName}: Invalid function name; function: ${name}`);
    }
    c.expect('punct', '(');
    const p = path(c, ph);
    c.expect('punct', ')');
    return { kind: 'size', path: p };
  }
  return { kind: 'path', path: path(c, ph) };
}

// ---------------------------------------------------------------------------
// Conditions (ConditionExpression, FilterExpression, KeyConditionExpression)
// ---------------------------------------------------------------------------

function orCondition(c: Cursor, ph: Placeholders): Condition {
  let left = andCondition(c, ph);
  while (c.accept('keyword', 'OR')) left = { kind: 'or', left, right: andCondition(c, ph) };
  return left;
}

function andCondition(c: Cursor, ph: Placeholders): Condition {
  let left = notCondition(c, ph);
  while (c.accept('keyword', 'AND')) left = { kind: 'and', left, right: notCondition(c, ph) };
  return left;
}

function notCondition(c: Cursor, ph: Placeholders): Condition {
  if (c.accept('keyword', 'NOT')) return { kind: 'not', operand: notCondition(c, ph) };
  return primaryCondition(c, ph);
}

function primaryCondition(c: Cursor, ph: Placeholders): Condition {
  if (c.accept('punct', '(')) {
    const inner = orCondition(c, ph);
    c.expect('punct', ')');
    return inner;
  }
  if (isFunctionCall(c) && c.peek().text !== 'size') {
    const name = c.next().text;
    const arity = CONDITION_FUNCTIONS[name as ConditionFunction];
    if (arity === undefined) throw validation(`Invalid ${c.expressionName}: Invalid function name; function: ${name}`);
    c.expect('punct', '(');
    const args: Operand[] = [{ kind: 'path', path: path(c, ph) }];
    while (c.accept('punct', ',')) args.push(operand(c, ph));
    c.expect('punct', ')');
    if (args.length !== arity) throw validation(`Invalid ${c.expressionName}: Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
    return { kind: 'function', name: name as ConditionFunction, args };
  }
  const left = operand(c, ph);
  if (c.is('comparator')) {
    const op = c.next().text as Comparator;
    if (!COMPARATORS.has(op)) throw c.error();
    return { kind: 'compare', op, left, right: operand(c, ph) };
  }
  if (c.accept('keyword', 'BETWEEN')) {
    const low = operand(c, ph);
    c.expect('keyword', 'AND');
    return { kind: 'between', operand: left, low, high: operand(c, ph) };
  }
  if (c.accept('keyword', 'IN')) {
    c.expect('punct', '(');
    const list = [operand(c, ph)];
    while (c.accept('punct', ',')) list.push(operand(c, ph));
    c.expect('punct', ')');
    // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html (IN: up to 100 values)
    if (list.length > 100) throw validation(`Invalid ${c.expressionName}: The IN operator is provided with too many operands; number of operands: ${list.length}`);
    return { kind: 'in', operand: left, list };
  }
  throw c.error();
}

export function parseCondition(text: string, expressionName: string, ph: Placeholders): Condition {
  if (text.trim() === '') throw validation(`Invalid ${expressionName}: The expression can not be empty;`);
  const c = new Cursor(tokenize(text, expressionName), expressionName, text);
  const tree = orCondition(c, ph);
  c.expect('end');
  return tree;
}

// ---------------------------------------------------------------------------
// Update expressions
// ---------------------------------------------------------------------------

function setOperand(c: Cursor, ph: Placeholders): SetValue {
  if (isFunctionCall(c)) {
    const name = c.peek().text;
    if (name === 'if_not_exists') {
      c.next();
      c.expect('punct', '(');
      const p = path(c, ph);
      c.expect('punct', ',');
      const fallback = setOperand(c, ph);
      c.expect('punct', ')');
      return { kind: 'if_not_exists', path: p, fallback };
    }
    if (name === 'list_append') {
      c.next();
      c.expect('punct', '(');
      const first = setOperand(c, ph);
      c.expect('punct', ',');
      const second = setOperand(c, ph);
      c.expect('punct', ')');
      return { kind: 'list_append', first, second };
    }
    c.next();
    throw validation(`Invalid ${c.expressionName}: Invalid function name; function: ${name}`);
  }
  const o = operand(c, ph);
  if (o.kind === 'size') throw validation(`Invalid ${c.expressionName}: The function is not allowed in an update expression; function: size`);
  return o;
}

function setValue(c: Cursor, ph: Placeholders): SetValue {
  const left = setOperand(c, ph);
  if (c.is('punct', '+') || c.is('punct', '-')) {
    const op = c.next().text as '+' | '-';
    return { kind: 'arithmetic', op, left, right: setOperand(c, ph) };
  }
  return left;
}

export function parseUpdate(text: string, ph: Placeholders): UpdateAction[] {
  const name = 'UpdateExpression';
  if (text.trim() === '') throw validation(`Invalid ${name}: The expression can not be empty;`);
  const c = new Cursor(tokenize(text, name), name, text);
  const actions: UpdateAction[] = [];
  const seen = new Set<string>();
  while (!c.is('end')) {
    const t = c.peek();
    if (t.kind !== 'keyword' || !['SET', 'REMOVE', 'ADD', 'DELETE'].includes(t.text)) throw c.error();
    c.next();
    if (seen.has(t.text)) throw validation(`Invalid ${name}: The "${t.text}" section can only be used once in an update expression;`);
    seen.add(t.text);
    do {
      const p = path(c, ph);
      if (t.text === 'SET') {
        c.expect('comparator', '=');
        actions.push({ kind: 'SET', path: p, value: setValue(c, ph) });
      } else if (t.text === 'REMOVE') {
        actions.push({ kind: 'REMOVE', path: p });
      } else {
        const v = c.expect('valuePlaceholder');
        actions.push({ kind: t.text as 'ADD' | 'DELETE', path: p, value: ph.value(v.text) });
      }
    } while (c.accept('punct', ','));
  }
  return actions;
}

// ---------------------------------------------------------------------------
// Projection expressions
// ---------------------------------------------------------------------------

export function parseProjection(text: string, ph: Placeholders): Projection {
  const name = 'ProjectionExpression';
  if (text.trim() === '') throw validation(`Invalid ${name}: The expression can not be empty;`);
  const c = new Cursor(tokenize(text, name), name, text);
  const paths: Path[] = [path(c, ph)];
  while (c.accept('punct', ',')) paths.push(path(c, ph));
  c.expect('end');
  return paths;
}
