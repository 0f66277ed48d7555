// ---------------------------------------------------------------------------
// Lambda's errors, as the REST-JSON protocol carries them: an HTTP status, an
// `x-amzn-errortype` header with the code, and a body `{"Type":"User","message":...}`.
// https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
// Every helper below returns an AwsError (contracts.ts), so the core and this service agree
// on one error type; `renderLambdaError` is the only place that turns one into bytes.
// ---------------------------------------------------------------------------
import { AwsError, type ServiceResponse } from '../contracts';
import type { ThrottleReason } from './concurrency';

// ---------------------------------------------------------------------------
// Constructors, one per code Lambda answers with. Each says when it is thrown.
// ---------------------------------------------------------------------------

/** The function, version, policy or statement does not exist. */
export function resourceNotFound(message: string): AwsError {
  return new AwsError('ResourceNotFoundException', message, 404);
}

/** The function or statement already exists, or an operation conflicts with the resource's state. */
export function resourceConflict(message: string): AwsError {
  return new AwsError('ResourceConflictException', message, 409);
}

/** A parameter is well-formed but not acceptable (unknown runtime, bad zip, role Lambda cannot assume). */
export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message, 400);
}

/** A parameter breaks a modelled constraint (pattern, length, range). Message in AWS's
 *  "1 validation error detected: Value 'x' at 'field' failed to satisfy constraint: ..." shape. */
export function validationError(field: string, value: unknown, constraint: string): AwsError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new AwsError('ValidationException', `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`, 400);
}

/** The request body is not JSON, or the Invoke payload is not JSON. */
export function invalidRequestContent(message: string): AwsError {
  return new AwsError('InvalidRequestContentException', message, 400);
}

/** The Invoke payload or an upload is over the limit. */
export function requestTooLarge(message: string): AwsError {
  return new AwsError('RequestTooLargeException', message, 413);
}

/** A RevisionId in the request does not match the resource's current one. */
export function preconditionFailed(): AwsError {
  return new AwsError('PreconditionFailedException', 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id', 412);
}

/**
 * Thrown when an invocation is beyond a concurrency limit: the function's reserved concurrency
 * (or it is 0), or the account's. 429 with the limit in `Reason`, as Lambda answers:
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (TooManyRequestsException)
 */
export class ThrottledError extends AwsError {
  constructor(readonly reason: ThrottleReason) {
    super('TooManyRequestsException', 'Rate Exceeded.', 429);
    this.name = 'ThrottledError';
  }
}

/** No route matches the method and path: a non-retryable 4xx, never a 5xx (PROVIDER-API.md). */
export function unknownOperation(method: string, path: string): AwsError {
  return new AwsError('UnknownOperationException', `The local cloud's Lambda service has no operation for ${method} ${path}`, 404);
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

/** The IAM-flavoured denial from ctx.authorize, in Lambda's vocabulary: Lambda answers
 *  `AccessDeniedException` with status 403. */
function lambdaCode(error: AwsError): { code: string; status: number } {
  if (error.code === 'AccessDenied') return { code: 'AccessDeniedException', status: 403 };
  return { code: error.code, status: error.status };
}

export function renderLambdaError(error: unknown, requestId: string): ServiceResponse {
  if (error instanceof AwsError) {
    const { code, status } = lambdaCode(error);
    const body: Record<string, unknown> = { Type: error.type === 'Receiver' ? 'Service' : 'User', message: error.message };
    if (error instanceof ThrottledError) body.Reason = error.reason;
    return {
      status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
      body: JSON.stringify(body),
    };
  }
  // A bug of ours, not the caller's: say so with Lambda's ServiceException rather than hide it.
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 500,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException', 'x-amzn-requestid': requestId },
    body: JSON.stringify({ Type: 'Service', message: `Internal error in the local cloud's Lambda service: ${message}` }),
  };
}
