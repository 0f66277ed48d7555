// ---------------------------------------------------------------------------
// Payload limits and JSON handling shared by the handlers.
// ---------------------------------------------------------------------------
import { z } from 'zod';
import { ValidationError } from './errors';

/** Lambda: 6 MB each for a synchronous invocation's request and response.
 *  https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html */
export const INVOKE_PAYLOAD_MAX_BYTES = 6 * 1024 * 1024;

/** The first zod issue as a ValidationError naming the request field. */
export function validationErrorFrom(error: z.ZodError): ValidationError {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    return new ValidationError(issue.keys.join(', '), 'unknown field: remove it (see the request schema in lambda/*/input.ts)', { cause: error });
  }
  const field = issue.path.length > 0 ? issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('') : 'request';
  return new ValidationError(field, issue.message, { cause: error });
}
