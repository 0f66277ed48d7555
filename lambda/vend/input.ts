// ---------------------------------------------------------------------------
// The vend request: `{ tenant, functions, durationSeconds?, callerProof }`. Strict, like the
// connector's. `callerProof` is the caller's signed GetCallerIdentity request
// (lambda/shared/caller-proof.ts); its shape is checked here, its meaning in caller.ts.
// ---------------------------------------------------------------------------
import * as z from 'zod';
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
  callerProof: z.strictObject({
    method: z.literal('POST', { error: 'must be "POST"' }),
    url: z.string({ error: typeMessage('a string') }).min(1).max(2048, 'must be at most 2048 characters'),
    headers: z.record(z.string().max(128), z.string({ error: typeMessage('a string') }).max(8192, 'must be at most 8192 characters'), { error: typeMessage('an object of header names to strings') })
      .refine((h) => Object.keys(h).length <= 32, 'must have at most 32 headers'),
    body: z.string({ error: typeMessage('a string') }).max(1024, 'must be at most 1024 characters'),
  }, { error: (issue) => (issue.code === 'invalid_type' ? 'must be the proof object from buildCallerProof (lambda/shared/caller-proof.ts): sign one with your credentials for this vend function' : undefined) }),
}, { error: (issue) => (issue.code === 'invalid_type' ? 'the request must be a JSON object' : undefined) });

export type VendRequest = z.infer<typeof vendRequestSchema>;

/** Validate the event; throws ValidationError naming the field. */
export function parseVendRequest(event: unknown): VendRequest {
  const result = vendRequestSchema.safeParse(event);
  if (!result.success) throw validationErrorFrom(result.error, Object.keys(vendRequestSchema.shape));
  return result.data;
}
