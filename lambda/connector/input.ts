// ---------------------------------------------------------------------------
// The connector's request: `{ tenant, function?, payload?, dryRun? }`. Strict: an unknown field is
// refused rather than ignored, so a typo ("fucntion") cannot silently call the default function.
// ---------------------------------------------------------------------------
import * as z from 'zod';
import { PayloadTooLargeError, ValidationError } from '../shared/errors';
import { INVOKE_PAYLOAD_MAX_BYTES, typeMessage, validationErrorFrom } from '../shared/payload';

/** Lambda's FunctionName accepts up to 170 characters (a full ARN with a qualifier). */
const FUNCTION_REF_MAX_CHARS = 170;

export const connectorRequestSchema = z.strictObject({
  tenant: z.string({ error: typeMessage('a string') }).min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
  function: z.string({ error: typeMessage('a string') }).min(1, 'must not be empty').max(FUNCTION_REF_MAX_CHARS, `must be at most ${FUNCTION_REF_MAX_CHARS} characters`).optional(),
  payload: z.unknown().optional(),
  /** Test the connection (`npm run verify`): assume the role, then a DryRun invoke, which checks
   *  the permission and that the function exists without running the customer's code. */
  dryRun: z.boolean({ error: typeMessage('a boolean') }).optional(),
}, { error: (issue) => (issue.code === 'invalid_type' ? 'the request must be a JSON object' : undefined) });

export interface ConnectorRequest {
  readonly tenant: string;
  readonly function?: string;
  /** The payload as the JSON text sent to the function (`{}` when the request has none). */
  readonly payloadJson: string;
  readonly dryRun: boolean;
}

/** Validate the event; throws ValidationError naming the field, or PayloadTooLargeError. */
export function parseConnectorRequest(event: unknown): ConnectorRequest {
  const result = connectorRequestSchema.safeParse(event);
  if (!result.success) throw validationErrorFrom(result.error, Object.keys(connectorRequestSchema.shape));
  const payloadJson = result.data.payload === undefined ? '{}' : payloadAsJson(result.data.payload);
  const bytes = Buffer.byteLength(payloadJson, 'utf8');
  if (bytes > INVOKE_PAYLOAD_MAX_BYTES) {
    throw new PayloadTooLargeError(`payload is ${bytes} bytes as JSON; Lambda accepts at most ${INVOKE_PAYLOAD_MAX_BYTES} bytes per synchronous invocation: send less`);
  }
  return { tenant: result.data.tenant, function: result.data.function, payloadJson, dryRun: result.data.dryRun === true };
}

/**
 * The payload as JSON text. The Lambda runtime parses events without a depth limit, but
 * JSON.stringify recurses: a payload nested some 10,000 levels deep (20 KB of brackets)
 * overflows the stack with a RangeError (as does text past V8's string limit). That is the
 * caller's bad input, so it is a validation error naming the payload, not an Internal one.
 */
function payloadAsJson(payload: unknown): string {
  try {
    return JSON.stringify(payload);
  } catch (e) {
    if (e instanceof RangeError) throw new ValidationError('payload', `cannot be serialized as JSON (${e.message}): send a flatter, smaller payload`, { cause: e });
    throw e;
  }
}
