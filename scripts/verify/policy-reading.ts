// ---------------------------------------------------------------------------
// Reading IAM policy documents as GetRole / GetRolePolicy return them, for verify's diagnoses:
// statements, the actions and resources they cover, the values a condition key accepts. A
// reading, not an evaluator: anything it does not understand counts as "does not allow", so a
// diagnosis can be too cautious, never falsely reassuring.
// ---------------------------------------------------------------------------

export interface Statement {
  readonly Sid?: string;
  readonly Effect?: string;
  readonly Action?: unknown;
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A role or user's unique ID as IAM shows it in a policy once that principal is gone. */
export const UNIQUE_PRINCIPAL_ID = /^(AROA|AIDA)[A-Z0-9]{8,}$/;

export function asArray(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A policy document as IAM answers it: URL-encoded JSON, or already parsed. */
export function parsePolicyDocument(document: string | undefined): unknown {
  if (document === undefined) return undefined;
  try {
    return JSON.parse(decodeURIComponent(document));
  } catch {
    return JSON.parse(document);
  }
}

export function statementsOf(policy: unknown): Statement[] {
  return asArray((policy as { Statement?: unknown } | undefined)?.Statement).filter((s): s is Statement => typeof s === 'object' && s !== null);
}

export function allowStatements(policy: unknown): Statement[] {
  return statementsOf(policy).filter((s) => s.Effect === 'Allow');
}

/** IAM's wildcard match: `*` any run of characters, `?` one; action names compare without case. */
export function globMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, ignoreCase ? 'i' : '').test(value);
}

export function coversAction(statement: Statement, action: string): boolean {
  return asArray(statement.Action).some((a) => typeof a === 'string' && globMatches(a, action, true));
}

export function coversResource(statement: Statement, arn: string): boolean {
  return asArray(statement.Resource).some((r) => typeof r === 'string' && globMatches(r, arn));
}

/** The AWS principals a statement names (Principal: "*" counts as "*"). */
export function awsPrincipalsOf(statement: Statement): string[] {
  if (statement.Principal === '*') return ['*'];
  return asArray((statement.Principal as { AWS?: unknown } | undefined)?.AWS).map(String);
}

/** Operators this reading follows, and whether their values are patterns: StringEquals compares
 *  exactly, the others take IAM's wildcards. */
const POSITIVE_OPERATORS: Readonly<Record<string, boolean>> = { stringequals: false, stringlike: true, arnequals: true, arnlike: true };

export interface ConditionMatcher {
  readonly value: string;
  readonly wildcard: boolean;
}

/**
 * What a statement's conditions on `key` accept: `undefined` when it has none (any value, or none,
 * passes); otherwise the values of its positive operators (StringEquals, StringLike, ArnEquals,
 * ArnLike), or `null` when some operator on the key is one this reading does not follow (negated,
 * IfExists, Null...), which counts as accepting nothing.
 */
export function conditionValues(statement: Statement, key: string): ConditionMatcher[] | null | undefined {
  let found: ConditionMatcher[] | undefined;
  for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
    for (const [k, v] of Object.entries(keys ?? {})) {
      if (k.toLowerCase() !== key.toLowerCase()) continue;
      const wildcard = POSITIVE_OPERATORS[operator.toLowerCase()];
      if (wildcard === undefined) return null;
      found = [...(found ?? []), ...asArray(v).map((value) => ({ value: String(value), wildcard }))];
    }
  }
  return found;
}

/** Whether the statement's conditions on `key` let `value` through (no condition: yes). */
export function conditionAccepts(statement: Statement, key: string, value: string): boolean {
  const values = conditionValues(statement, key);
  if (values === undefined) return true;
  return values !== null && values.some((m) => (m.wildcard ? globMatches(m.value, value) : m.value === value));
}

/** Whether the statement has a condition on `key` at all. */
export function hasCondition(statement: Statement, key: string): boolean {
  return conditionValues(statement, key) !== undefined;
}
