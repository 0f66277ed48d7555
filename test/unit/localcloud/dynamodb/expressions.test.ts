// ---------------------------------------------------------------------------
// DynamoDB expressions on their own (localcloud/dynamodb/expressions/): the tokenizer, the parser
// (placeholders resolved, precedence, syntax errors, undefined and unused placeholders, reserved
// words) and the evaluator (conditions on items and on no item, updates, projections).
// Cases: tokens; OR/AND/NOT precedence and parentheses; each comparator, BETWEEN, IN and each
// function, true and false; numbers compared as numbers; missing attributes; SET with
// arithmetic and if_not_exists, list_append, REMOVE, ADD (numbers, sets), DELETE; key attributes
// and overlapping paths refused; projections.
// ---------------------------------------------------------------------------
import type { Item } from '../../../../localcloud/dynamodb/attribute-values';
import { applyUpdate, evaluateCondition, project } from '../../../../localcloud/dynamodb/expressions/evaluator';
import { Placeholders, parseCondition, parseProjection, parseUpdate } from '../../../../localcloud/dynamodb/expressions/parser';
import { tokenize } from '../../../../localcloud/dynamodb/expressions/tokenizer';

const ITEM: Item = {
  pk: { S: 'tenant#a' },
  n: { N: '10' },
  small: { N: '9' },
  name2: { S: 'alpha' },
  flag: { BOOL: true },
  nothing: { NULL: true },
  tags: { SS: ['x', 'y'] },
  list: { L: [{ S: 'first' }, { N: '2' }] },
  map: { M: { inner: { S: 'deep' }, count: { N: '1' } } },
};

/** Whether `expression` holds on `item` (null: no item). Unused placeholders are checked in their own test. */
function holds(expression: string, values: Item = {}, names: Record<string, string> = {}, item: Item | null = ITEM): boolean {
  const ph = new Placeholders(names, values);
  const c = parseCondition(expression, 'ConditionExpression', ph);
  return evaluateCondition(c, item ?? undefined);
}

function checkUsed(expression: string, values: Item = {}, names: Record<string, string> = {}): void {
  const ph = new Placeholders(names, values);
  parseCondition(expression, 'ConditionExpression', ph);
  ph.checkAllUsed();
}

describe('tokenizer', () => {
  test('splits names, placeholders, comparators, punctuation and case-insensitive keywords', () => {
    const tokens = tokenize('#a.b[3] <= :v and not x', 'ConditionExpression').map((t) => `${t.kind}:${t.text}`);
    expect(tokens).toEqual(['namePlaceholder:#a', 'punct:.', 'name:b', 'punct:[', 'number:3', 'punct:]', 'comparator:<=', 'valuePlaceholder::v', 'keyword:AND', 'keyword:NOT', 'name:x', 'end:<EOF>']);
  });

  test('refuses a character no expression uses', () => {
    expect(() => tokenize('a = $b', 'ConditionExpression')).toThrow('Invalid ConditionExpression: Invalid token: "$"');
  });
});

describe('conditions', () => {
  test.each([
    ['n = :ten', true], ['n = :nine', false],
    ['n <> :nine', true], ['n <> :ten', false],
    ['n > :nine', true], ['small > :ten', false],
    ['n >= :ten', true], ['small >= :ten', false],
    ['small < :ten', true], ['n < :nine', false],
    ['n <= :ten', true], ['n <= :nine', false],
  ])('%s is %s', (expression, expected) => {
    expect(holds(expression, { ':ten': { N: '10' }, ':nine': { N: '9' } })).toBe(expected);
  });

  test('numbers compare as numbers, not as strings ("9" < "10"), and "10.0" equals "10"', () => {
    expect(holds('small < n')).toBe(true);
    expect(holds('n = :v', { ':v': { N: '10.0' } })).toBe(true);
    expect(holds('n > :v', { ':v': { N: '9.99999999999999999999999' } })).toBe(true);
  });

  test('values of different types are never equal and never ordered', () => {
    expect(holds('n = :s', { ':s': { S: '10' } })).toBe(false);
    expect(holds('n < :s', { ':s': { S: '99' } })).toBe(false);
  });

  test('attribute_exists and attribute_not_exists, on an item and on no item', () => {
    expect(holds('attribute_exists(pk)')).toBe(true);
    expect(holds('attribute_exists(missing)')).toBe(false);
    expect(holds('attribute_not_exists(missing)')).toBe(true);
    expect(holds('attribute_not_exists(pk)')).toBe(false);
    expect(holds('attribute_not_exists(pk)', {}, {}, null)).toBe(true);
    expect(holds('attribute_exists(map.inner)')).toBe(true);
    expect(holds('attribute_exists(list[1])')).toBe(true);
    expect(holds('attribute_exists(list[2])')).toBe(false);
  });

  test('begins_with on strings, false on a missing attribute, refused with a number prefix', () => {
    expect(holds('begins_with(pk, :p)', { ':p': { S: 'tenant#' } })).toBe(true);
    expect(holds('begins_with(pk, :p)', { ':p': { S: 'other#' } })).toBe(false);
    expect(holds('begins_with(missing, :p)', { ':p': { S: 't' } })).toBe(false);
    expect(() => holds('begins_with(pk, :p)', { ':p': { N: '1' } })).toThrow('operator or function: begins_with, operand type: N');
  });

  test('contains, attribute_type and size', () => {
    expect(holds('contains(tags, :x)', { ':x': { S: 'x' } })).toBe(true);
    expect(holds('contains(tags, :x)', { ':x': { S: 'z' } })).toBe(false);
    expect(holds('attribute_type(flag, :t)', { ':t': { S: 'BOOL' } })).toBe(true);
    expect(holds('attribute_type(flag, :t)', { ':t': { S: 'S' } })).toBe(false);
    expect(holds('size(name2) = :five', { ':five': { N: '5' } })).toBe(true);
  });

  test('BETWEEN and IN', () => {
    expect(holds('n BETWEEN :a AND :b', { ':a': { N: '5' }, ':b': { N: '10' } })).toBe(true);
    expect(holds('n BETWEEN :a AND :b', { ':a': { N: '11' }, ':b': { N: '20' } })).toBe(false);
    expect(holds('name2 IN (:x, :y)', { ':x': { S: 'beta' }, ':y': { S: 'alpha' } })).toBe(true);
    expect(holds('name2 IN (:x)', { ':x': { S: 'beta' } })).toBe(false);
  });

  test('NOT binds tighter than AND, AND tighter than OR; parentheses regroup', () => {
    const v = { ':t': { BOOL: true }, ':f': { BOOL: false } };
    // false OR (true AND true)
    expect(holds('flag = :f OR flag = :t AND flag = :t', v)).toBe(true);
    // (false OR true) AND false
    expect(holds('(flag = :f OR flag = :t) AND flag = :f', v)).toBe(false);
    // (NOT false) AND true
    expect(holds('NOT flag = :f AND flag = :t', v)).toBe(true);
    expect(holds('NOT (flag = :t AND flag = :t)', v)).toBe(false);
  });

  test('a missing attribute differs from any value', () => {
    expect(holds('missing <> :v', { ':v': { S: 'x' } })).toBe(true);
    expect(holds('missing = :v', { ':v': { S: 'x' } })).toBe(false);
  });

  test('#names resolve through ExpressionAttributeNames', () => {
    expect(holds('#s = :v', { ':v': { S: 'deep' } }, { '#s': 'map' }) ).toBe(false);
    expect(holds('#m.#i = :v', { ':v': { S: 'deep' } }, { '#m': 'map', '#i': 'inner' })).toBe(true);
  });
});

describe('parser refusals', () => {
  test('a syntax error names the token', () => {
    expect(() => holds('n = ', {})).toThrow('Invalid ConditionExpression: Syntax error; token: "<EOF>"');
    expect(() => holds('n = :v :v', { ':v': { N: '1' } })).toThrow('Syntax error; token: ":v"');
    expect(() => holds('(n = :v', { ':v': { N: '1' } })).toThrow('Syntax error');
  });

  test('an undefined placeholder is refused, and so is an unused one', () => {
    expect(() => holds('n = :nope')).toThrow('An expression attribute value used in expression is not defined; attribute value: :nope');
    expect(() => holds('#nope = :v', { ':v': { N: '1' } })).toThrow('An expression attribute name used in the document path is not defined; attribute name: #nope');
    expect(() => checkUsed('n = :v', { ':v': { N: '1' }, ':extra': { N: '2' } })).toThrow('Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}');
    expect(() => checkUsed('n = :v', { ':v': { N: '1' } }, { '#x': 'y' })).toThrow('Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}');
    expect(() => checkUsed('n = :v', { ':v': { N: '1' } })).not.toThrow();
  });

  test('a reserved word used as a bare name is refused; the same name through a placeholder passes', () => {
    expect(() => holds('status = :v', { ':v': { S: 'a' } })).toThrow('Attribute name is a reserved keyword; reserved keyword: status');
    expect(holds('#s = :v', { ':v': { S: 'a' } }, { '#s': 'status' })).toBe(false);
  });

  test('an unknown function is refused by name', () => {
    expect(() => holds('frobnicate(n)')).toThrow('Invalid function name; function: frobnicate');
  });

  test('an empty expression is refused', () => {
    expect(() => holds('  ')).toThrow('The expression can not be empty');
  });
});

describe('updates', () => {
  function update(expression: string, values: Item = {}, names: Record<string, string> = {}, item: Item = ITEM): Item {
    const ph = new Placeholders(names, values);
    const actions = parseUpdate(expression, ph);
    ph.checkAllUsed();
    return applyUpdate(actions, item, ['pk']);
  }

  test('SET with arithmetic and if_not_exists, REMOVE, in one expression; the input item is untouched', () => {
    const after = update('SET n = n + :one, fresh = if_not_exists(fresh, :zero), small = if_not_exists(small, :zero) REMOVE name2', { ':one': { N: '1' }, ':zero': { N: '0' } });
    expect(after.n).toEqual({ N: '11' });
    expect(after.fresh).toEqual({ N: '0' });
    expect(after.small).toEqual({ N: '9' });
    expect(after.name2).toBeUndefined();
    expect(ITEM.n).toEqual({ N: '10' });
  });

  test('SET subtracts exactly (no float rounding)', () => {
    expect(update('SET n = n - :v', { ':v': { N: '0.1' } }).n).toEqual({ N: '9.9' });
  });

  test('SET into a map and list_append', () => {
    const after = update('SET map.inner = :v, list = list_append(list, :more)', { ':v': { S: 'new' }, ':more': { L: [{ S: 'last' }] } });
    expect(after.map).toEqual({ M: { inner: { S: 'new' }, count: { N: '1' } } });
    expect(after.list).toEqual({ L: [{ S: 'first' }, { N: '2' }, { S: 'last' }] });
  });

  test('ADD to a number, to a missing attribute, and to a set; DELETE from a set', () => {
    const after = update('ADD n :five, created :five, tags :more DELETE tags2 :x', { ':five': { N: '5' }, ':more': { SS: ['y', 'z'] }, ':x': { SS: ['x'] } }, {}, { ...ITEM, tags2: { SS: ['x', 'w'] } });
    expect(after.n).toEqual({ N: '15' });
    expect(after.created).toEqual({ N: '5' });
    expect(after.tags).toEqual({ SS: ['x', 'y', 'z'] });
    expect(after.tags2).toEqual({ SS: ['w'] });
  });

  test('ADD of a number to a string is refused', () => {
    expect(() => update('ADD name2 :n', { ':n': { N: '1' } })).toThrow('An operand in the update expression has an incorrect data type');
  });

  test('a key attribute cannot be updated', () => {
    expect(() => update('SET pk = :v', { ':v': { S: 'x' } })).toThrow('Cannot update attribute pk. This attribute is part of the key');
  });

  test('overlapping paths and a repeated clause are refused', () => {
    expect(() => update('SET n = :v REMOVE n', { ':v': { N: '1' } })).toThrow('Two document paths overlap');
    expect(() => update('SET n = :v SET small = :v', { ':v': { N: '1' } })).toThrow('The "SET" section can only be used once');
  });

  test('SET under a missing parent is refused', () => {
    expect(() => update('SET nowhere.inner = :v', { ':v': { N: '1' } })).toThrow('The document path provided in the update expression is invalid for update');
  });
});

describe('projections', () => {
  test('keeps the named top-level and nested attributes only', () => {
    const ph = new Placeholders({ '#n': 'name2' });
    const projection = parseProjection('pk, #n, map.inner, missing', ph);
    ph.checkAllUsed();
    expect(project(ITEM, projection)).toEqual({ pk: ITEM.pk, name2: ITEM.name2, map: { M: { inner: { S: 'deep' } } } });
  });
});
