// ---------------------------------------------------------------------------
// A request's expressions, read together: ExpressionAttributeNames and ExpressionAttributeValues
// are shared by every expression of the request, may be given only with an expression, and each
// entry must be used by one of them.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html
// ---------------------------------------------------------------------------
import { checkItem } from '../attribute-values';
import { validation } from '../errors';
import { Placeholders } from './parser';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The placeholders of a request whose expressions are `expressions` (undefined ones absent). */
export function placeholdersOf(input: Record<string, unknown>, expressions: readonly (string | undefined)[]): Placeholders {
  const rawNames = input.ExpressionAttributeNames;
  const rawValues = input.ExpressionAttributeValues;
  const anyExpression = expressions.some((e) => e !== undefined);
  if (rawNames !== undefined && rawNames !== null) {
    if (!anyExpression) throw validation('ExpressionAttributeNames can only be specified when using expressions');
    if (!isObject(rawNames) || Object.values(rawNames).some((v) => typeof v !== 'string')) throw validation('ExpressionAttributeNames must be a map of strings');
    if (Object.keys(rawNames).length === 0) throw validation('ExpressionAttributeNames must not be empty');
  }
  if (rawValues !== undefined && rawValues !== null) {
    if (!anyExpression) throw validation('ExpressionAttributeValues can only be specified when using expressions');
    if (!isObject(rawValues)) throw validation('ExpressionAttributeValues must be a map');
    if (Object.keys(rawValues).length === 0) throw validation('ExpressionAttributeValues must not be empty');
    for (const k of Object.keys(rawValues)) {
      if (!k.startsWith(':')) throw validation(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${k}"`);
    }
  }
  for (const k of Object.keys((rawNames as Record<string, string> | undefined) ?? {})) {
    if (!k.startsWith('#')) throw validation(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${k}"`);
  }
  return new Placeholders((rawNames as Record<string, string> | undefined) ?? {}, rawValues ? checkItem(rawValues) : {});
}

/** An expression parameter: a string, or absent. */
export function expressionParam(input: Record<string, unknown>, field: string): string | undefined {
  const v = input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validation(`Invalid type for ${field}: expected a string`);
  return v;
}
