// ---------------------------------------------------------------------------
// Expressions, step 1: text -> tokens. Names (`status`, `a.b[2]` in parts), placeholders
// (`#name`, `:value`), list indexes, comparators, punctuation. Keywords (AND, OR, NOT, BETWEEN,
// IN, SET, REMOVE, ADD, DELETE) are case-insensitive, as DynamoDB reads them.
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
// ---------------------------------------------------------------------------
import { validation } from '../errors';

export type TokenKind = 'name' | 'namePlaceholder' | 'valuePlaceholder' | 'number' | 'keyword' | 'comparator' | 'punct' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The text as written (keywords upper-cased). */
  readonly text: string;
  /** Offset in the expression, for error messages. */
  readonly at: number;
}

export const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'SET', 'REMOVE', 'ADD', 'DELETE']);

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const PLACEHOLDER = /[#:][A-Za-z0-9_]+/y;
const DIGITS = /[0-9]+/y;

/** The syntax error DynamoDB answers, naming the token it stopped at. */
export function syntaxError(expressionName: string, token: string, near: string): Error {
  return validation(`Invalid ${expressionName}: Syntax error; token: "${token}", near: "${near}"`);
}

export function tokenize(text: string, expressionName: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(text);
    return m ? m[0] : undefined;
  };
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i += 1; continue; }
    const two = text.slice(i, i + 2);
    if (two === '<>' || two === '<=' || two === '>=') { tokens.push({ kind: 'comparator', text: two, at: i }); i += 2; continue; }
    if (c === '=' || c === '<' || c === '>') { tokens.push({ kind: 'comparator', text: c, at: i }); i += 1; continue; }
    if ('(),.[]+-'.includes(c)) { tokens.push({ kind: 'punct', text: c, at: i }); i += 1; continue; }
    if (c === '#' || c === ':') {
      const p = match(PLACEHOLDER);
      if (!p) throw syntaxError(expressionName, c, text.slice(i, i + 10));
      tokens.push({ kind: c === '#' ? 'namePlaceholder' : 'valuePlaceholder', text: p, at: i });
      i += p.length;
      continue;
    }
    const digits = match(DIGITS);
    if (digits) { tokens.push({ kind: 'number', text: digits, at: i }); i += digits.length; continue; }
    const name = match(NAME);
    if (name) {
      const upper = name.toUpperCase();
      tokens.push(KEYWORDS.has(upper) ? { kind: 'keyword', text: upper, at: i } : { kind: 'name', text: name, at: i });
      i += name.length;
      continue;
    }
    throw validation(`Invalid ${expressionName}: Invalid token: "${c}"`);
  }
  tokens.push({ kind: 'end', text: '<EOF>', at: text.length });
  return tokens;
}
