// ---------------------------------------------------------------------------
// The connector's request: `{ tenant, function?, payload?, dryRun? }`. Strict: an unknown field is
// refused rather than ignored, so a typo ("fucntion") cannot silently call the default function.
// ---------------------------------------------------------------------------
import { z } from 'zod';
import { PayloadTooLargeError } from '../shared/errors';
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
  const payloadJson = result.data.payload === undefined ? '{}' : JSON.stringify(result.data.payload);
  const bytes = Buffer.byteLength(payloadJson, 'utf8');
  if (bytes > INVOKE_PAYLOAD_MAX_BYTES) {
    throw new PayloadTooLargeError(`payload is ${bytes} bytes as JSON; Lambda accepts at most ${INVOKE_PAYLOAD_MAX_BYTES} bytes per synchronous invocation: send less`);
  }
  return { tenant: result.data.tenant, function: result.data.function, payloadJson, dryRun: result.data.dryRun === true };
}
