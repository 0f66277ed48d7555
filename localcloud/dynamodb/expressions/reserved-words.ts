// ---------------------------------------------------------------------------
// Reserved words: an expression must name an attribute whose name is one of them through an
// ExpressionAttributeNames placeholder. DynamoDB reserves about 570 words (case-insensitive):
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html
// The local cloud checks the expression keywords (tokenizer.ts) and this subset, the words an
// application's attributes most often collide with; a name outside it passes here and may still
// be refused by DynamoDB (softer than AWS, said in localcloud/README.md).
// ---------------------------------------------------------------------------
import { validation } from '../errors';

const RESERVED_SUBSET = new Set([
  'ACTION', 'ATTRIBUTE', 'BY', 'COMMENT', 'CONNECTION', 'COUNT', 'DATA', 'DATE', 'DEFAULT', 'DESC', 'END', 'ERROR',
  'HASH', 'INDEX', 'KEY', 'LIMIT', 'NAME', 'OWNER', 'PATH', 'RANGE', 'REGION', 'ROLE', 'STATE', 'STATUS', 'TABLE',
  'TIME', 'TIMESTAMP', 'TOKEN', 'TTL', 'TYPE', 'USER', 'VALUE',
]);

/** Throws DynamoDB's refusal when a bare attribute name in an expression is a reserved word. */
export function checkNotReserved(name: string, expressionName: string): void {
  if (RESERVED_SUBSET.has(name.toUpperCase())) throw validation(`Invalid ${expressionName}: Attribute name is a reserved keyword; reserved keyword: ${name}`);
}
