// ---------------------------------------------------------------------------
// Payload limits and JSON handling shared by the handlers.
// ---------------------------------------------------------------------------
import * as z from 'zod';
import { ValidationError } from './errors';

/** Lambda: 6 MB each for a synchronous invocation's request and response.
 *  https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const INVOKE_PAYLOAD_MAX_BYTES = 6 * 1024 * 1024;

/** The first zod issue as a ValidationError naming the request field; `fields` are the ones
 *  the request takes, listed when an unknown one is refused. */
export function validationErrorFrom(error: z.ZodError, fields: readonly string[]): ValidationError {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    return new ValidationError(issue.keys.join(', '), `unknown field: the request takes only ${fields.join(', ')}`, { cause: error });
  }
  const field = issue.path.length > 0 ? issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('') : 'request';
  return new ValidationError(field, issue.message, { cause: error });
}

/** zod's message for a field of the wrong type, or a missing one. */
export function typeMessage(expected: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : `must be ${expected}`);
}
