// ---------------------------------------------------------------------------
// The vend request: `{ tenant, functions, durationSeconds? }`. Strict, like the connector's.
// ---------------------------------------------------------------------------
import { z } from 'zod';
import { MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS, MIN_ASSUME_ROLE_DURATION_SECONDS } from '../shared/env';
import { typeMessage, validationErrorFrom } from '../shared/payload';

/** At most ten functions per vend: keeps the session policy well under STS's 2,048 characters. */
export const MAX_FUNCTIONS_PER_VEND = 10;

export const vendRequestSchema = z.strictObject({
  tenant: z.string({ error: typeMessage('a string') }).min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  functions: z.array(z.string({ error: typeMessage('a string') }).min(1, 'must not be empty').max(170, 'must be at most 170 characters'), { error: typeMessage('a list of function names or ARNs') })
    .min(1, 'must name at least one function')
    .max(MAX_FUNCTIONS_PER_VEND, `must name at most ${MAX_FUNCTIONS_PER_VEND} functions`),
  durationSeconds: z.number({ error: typeMessage('a number') }).int('must be a whole number of seconds')
    .min(MIN_ASSUME_ROLE_DURATION_SECONDS, `must be at least ${MIN_ASSUME_ROLE_DURATION_SECONDS} (STS minimum)`)
    .max(MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS, `must be at most ${MAX_CHAINED_ASSUME_ROLE_DURATION_SECONDS} (role chaining caps sessions at one hour)`)
    .optional(),
}, { error: (issue) => (issue.code === 'invalid_type' ? 'the request must be a JSON object' : undefined) });

export type VendRequest = z.infer<typeof vendRequestSchema>;

/** Validate the event; throws ValidationError naming the field. */
export function parseVendRequest(event: unknown): VendRequest {
  const result = vendRequestSchema.safeParse(event);
  if (!result.success) throw validationErrorFrom(result.error, Object.keys(vendRequestSchema.shape));
  return result.data;
}
