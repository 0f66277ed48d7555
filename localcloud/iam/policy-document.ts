// ---------------------------------------------------------------------------
// Reading a policy document's shape: AWS lets most elements be one value or a list, and a
// document's Statement be one object or an array. These helpers give every reader lists.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// ---------------------------------------------------------------------------
import type { PolicyDocumentJson } from './policy-types';

/** One statement as the evaluator reads it. Values are as written; readers coerce with `asList`. */
export interface StatementJson {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The statements of a document: `Statement` may be a single object or an array of them. */
export function statementsOf(doc: PolicyDocumentJson): StatementJson[] {
  const raw = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return raw.filter(isPlainObject) as StatementJson[];
}

/** A string-or-list element as a list of strings (anything else contributes nothing). */
export function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** The Sid, when the statement has a string one. */
export function sidOf(statement: StatementJson): string | undefined {
  return typeof statement.Sid === 'string' && statement.Sid !== '' ? statement.Sid : undefined;
}
