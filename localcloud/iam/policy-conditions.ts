// ---------------------------------------------------------------------------
// The Condition element: operators, set qualifiers and the request context they read.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// ---------------------------------------------------------------------------
import { arnLike, globMatch } from './policy-match';
import { isPlainObject } from './policy-document';
import type { ContextValue } from './policy-types';

// ---------------------------------------------------------------------------
// Request context
// ---------------------------------------------------------------------------

/** Context keys by lower-cased name (condition key names are case-insensitive); each value as a
 *  list of strings. A key that is undefined or an empty list is absent. */
export type ContextIndex = ReadonlyMap<string, readonly string[]>;

export function indexContext(context: Readonly<Record<string, ContextValue>> | undefined): ContextIndex {
  const index = new Map<string, string[]>();
  for (const [key, value] of Object.entries(context ?? {})) {
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map((v) => String(v));
    if (values.length > 0) index.set(key.toLowerCase(), values);
  }
  return index;
}

// ---------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------

type Family = 'String' | 'Arn' | 'Numeric' | 'Date' | 'Bool' | 'Null';

interface BaseOperator {
  readonly family: Family;
  /** Negated operators (StringNotEquals, ...): true when no policy value matches; true when the key is absent. */
  readonly negated: boolean;
  /** Whether one context value matches one policy value (before negation). */
  readonly test: (contextValue: string, policyValue: string) => boolean;
}

/** Seconds since the epoch, from an ISO 8601 date or an epoch-seconds number, as AWS accepts both. */
export function parseDate(value: string): number | undefined {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}

export function parseNumber(value: string): number | undefined {
  if (!/^-?\d+(\.\d+)?$/.test(value.trim())) return undefined;
  return Number(value);
}

function numeric(compare: (a: number, b: number) => boolean) {
  return (contextValue: string, policyValue: string): boolean => {
    const a = parseNumber(contextValue);
    const b = parseNumber(policyValue);
    return a !== undefined && b !== undefined && compare(a, b);
  };
}

function date(compare: (a: number, b: number) => boolean) {
  return (contextValue: string, policyValue: string): boolean => {
    const a = parseDate(contextValue);
    const b = parseDate(policyValue);
    return a !== undefined && b !== undefined && compare(a, b);
  };
}

const stringEquals = (c: string, p: string) => c === p;
const stringEqualsIgnoreCase = (c: string, p: string) => c.toLowerCase() === p.toLowerCase();
const stringLike = (c: string, p: string) => globMatch(p, c, false);
const arnMatch = (c: string, p: string) => arnLike(p, c);
const boolEquals = (c: string, p: string) => c.toLowerCase() === p.toLowerCase();
const eq = (a: number, b: number) => a === b;

const BASE_OPERATORS: Readonly<Record<string, BaseOperator>> = {
  StringEquals: { family: 'String', negated: false, test: stringEquals },
  StringNotEquals: { family: 'String', negated: true, test: stringEquals },
  StringEqualsIgnoreCase: { family: 'String', negated: false, test: stringEqualsIgnoreCase },
  StringNotEqualsIgnoreCase: { family: 'String', negated: true, test: stringEqualsIgnoreCase },
  StringLike: { family: 'String', negated: false, test: stringLike },
  StringNotLike: { family: 'String', negated: true, test: stringLike },
  // ArnEquals and ArnLike behave the same: both take wildcards in each ARN part.
  ArnEquals: { family: 'Arn', negated: false, test: arnMatch },
  ArnLike: { family: 'Arn', negated: false, test: arnMatch },
  ArnNotEquals: { family: 'Arn', negated: true, test: arnMatch },
  ArnNotLike: { family: 'Arn', negated: true, test: arnMatch },
  NumericEquals: { family: 'Numeric', negated: false, test: numeric(eq) },
  NumericNotEquals: { family: 'Numeric', negated: true, test: numeric(eq) },
  NumericLessThan: { family: 'Numeric', negated: false, test: numeric((a, b) => a < b) },
  NumericLessThanEquals: { family: 'Numeric', negated: false, test: numeric((a, b) => a <= b) },
  NumericGreaterThan: { family: 'Numeric', negated: false, test: numeric((a, b) => a > b) },
  NumericGreaterThanEquals: { family: 'Numeric', negated: false, test: numeric((a, b) => a >= b) },
  DateEquals: { family: 'Date', negated: false, test: date(eq) },
  DateNotEquals: { family: 'Date', negated: true, test: date(eq) },
  DateLessThan: { family: 'Date', negated: false, test: date((a, b) => a < b) },
  DateLessThanEquals: { family: 'Date', negated: false, test: date((a, b) => a <= b) },
  DateGreaterThan: { family: 'Date', negated: false, test: date((a, b) => a > b) },
  DateGreaterThanEquals: { family: 'Date', negated: false, test: date((a, b) => a >= b) },
  Bool: { family: 'Bool', negated: false, test: boolEquals },
  Null: { family: 'Null', negated: false, test: () => false },
};

export interface ConditionOperator {
  readonly name: string;
  readonly base: BaseOperator;
  /** `...IfExists`: true when the key is absent, otherwise the base operator decides. */
  readonly ifExists: boolean;
  /** `ForAnyValue:` / `ForAllValues:` set qualifiers for multivalued keys. */
  readonly qualifier?: 'ForAnyValue' | 'ForAllValues';
}

/** Parses an operator name such as `ForAnyValue:StringLikeIfExists`; undefined when AWS would not know it. */
export function parseOperator(name: string): ConditionOperator | undefined {
  let rest = name;
  let qualifier: ConditionOperator['qualifier'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const prefix = rest.slice(0, colon);
    if (prefix !== 'ForAnyValue' && prefix !== 'ForAllValues') return undefined;
    qualifier = prefix;
    rest = rest.slice(colon + 1);
  }
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  const base = Object.prototype.hasOwnProperty.call(BASE_OPERATORS, rest) ? BASE_OPERATORS[rest] : undefined;
  if (!base) return undefined;
  // Null tests presence itself: it takes neither IfExists nor a set qualifier.
  if (base.family === 'Null' && (ifExists || qualifier)) return undefined;
  return { name, base, ifExists, qualifier };
}

/** The values a policy lists for one key: a scalar or a list of scalars, compared as strings. */
export function policyValuesOf(raw: unknown): string[] | undefined {
  const list = Array.isArray(raw) ? raw : [raw];
  if (!list.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) return undefined;
  return list.map((v) => String(v));
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/** One operator on one key. Multiple policy values are OR'ed (NOR for negated operators). */
export function evaluateKey(operator: ConditionOperator, present: readonly string[] | undefined, policyValues: readonly string[]): boolean {
  const { base } = operator;
  // For a set operator, values that resolve to an empty data set (such as an empty string) count as none:
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
  const contextValues = operator.qualifier && present?.every((v) => v === '') ? undefined : present;
  if (base.family === 'Null') {
    // "true": the key must be absent; "false": present.
    const absent = contextValues === undefined;
    return policyValues.some((p) => (p.toLowerCase() === 'true') === absent);
  }
  if (contextValues === undefined) {
    if (operator.ifExists) return true;
    // ForAllValues over nothing is vacuously true; ForAnyValue over nothing is false.
    if (operator.qualifier === 'ForAllValues') return true;
    if (operator.qualifier === 'ForAnyValue') return false;
    // An absent key matches nothing: positive operators fail, negated ones hold.
    return base.negated;
  }
  const hits = (contextValue: string) => policyValues.some((p) => base.test(contextValue, p));
  const passes = (contextValue: string) => (base.negated ? !hits(contextValue) : hits(contextValue));
  if (operator.qualifier === 'ForAllValues') return contextValues.every(passes);
  if (operator.qualifier === 'ForAnyValue') return contextValues.some(passes);
  return base.negated ? !contextValues.some(hits) : contextValues.some(hits);
}

/** A whole Condition element: every operator, and every key within it, must hold (AND). A
 *  malformed block (never accepted by validatePolicyDocument) holds for nothing. */
export function conditionsHold(condition: unknown, context: ContextIndex): boolean {
  if (condition === undefined) return true;
  if (!isPlainObject(condition)) return false;
  for (const [operatorName, keys] of Object.entries(condition)) {
    const operator = parseOperator(operatorName);
    if (!operator || !isPlainObject(keys)) return false;
    for (const [key, raw] of Object.entries(keys)) {
      const policyValues = policyValuesOf(raw);
      if (!policyValues) return false;
      if (!evaluateKey(operator, context.get(key.toLowerCase()), policyValues)) return false;
    }
  }
  return true;
}
