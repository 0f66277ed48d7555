// ---------------------------------------------------------------------------
// Turning what the SDK throws into the Lambdas' typed errors. STS and Lambda name the same
// things differently (query protocol: `AccessDenied`, `Throttling`; REST-JSON:
// `AccessDeniedException`, `TooManyRequestsException`), so each service has its own mapper.
// AWS's own message is never repeated to the caller: it goes to the logs through `cause`.
// ---------------------------------------------------------------------------
import {
  AssumeRoleRefusedError, FunctionNotFoundError, InternalError, InvokeRefusedError, PayloadTooLargeError,
  ServiceUnavailableError, ThrottledError, TimedOutError, isTypedError, type TypedError,
} from './errors';

/** The error code the SDK put on an exception (its `name`), if it looks like one from AWS. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** What the logs may say about an AWS failure: its code, HTTP status and request ID. */
export function describeAwsCause(error: unknown): { errorCode?: string; httpStatusCode?: number; awsRequestId?: string } {
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } } | undefined)?.$metadata;
  return { errorCode: awsErrorCode(error), httpStatusCode: metadata?.httpStatusCode, awsRequestId: metadata?.requestId };
}

const THROTTLING_CODES = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'EC2ThrottledException', 'SlowDown']);

export function isThrottling(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code && THROTTLING_CODES.has(code)) return true;
  if ((error as { $retryable?: { throttling?: boolean } } | undefined)?.$retryable?.throttling) return true;
  return error instanceof Error && /rate exceeded/i.test(error.message);
}

/** A server-side failure (HTTP 5xx), which the SDK already retried with backoff. */
export function isServerError(error: unknown): boolean {
  const metadata = (error as { $metadata?: { httpStatusCode?: number }; $fault?: string } | undefined);
  const status = metadata?.$metadata?.httpStatusCode;
  return status !== undefined ? status >= 500 && status <= 599 : metadata?.$fault === 'server';
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** The SDK's own abort (our time budget passed to `send`) surfaces as `AbortError`. */
export function isAbort(error: unknown): boolean {
  return awsErrorCode(error) === 'AbortError';
}

/** The execution role's own credentials were refused: a vendor-side problem, not the tenant's. */
const OWN_CREDENTIALS_CODES = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'InvalidSignatureException']);

export interface StsFailureContext {
  readonly tenant: string;
  readonly roleArn: string;
}

/** An AssumeRole failure as a typed error. */
export function stsFailure(error: unknown, ctx: StsFailureContext): TypedError {
  if (isTypedError(error)) return error;
  const code = awsErrorCode(error);
  if (code === 'AccessDenied') return new AssumeRoleRefusedError(ctx.tenant, ctx.roleArn, { cause: error });
  if (isThrottling(error)) return new ThrottledError('STS', { cause: error });
  if (isServerError(error)) return new ServiceUnavailableError('STS', httpStatusOf(error), { cause: error });
  if (isAbort(error)) return new TimedOutError(`AssumeRole for tenant "${ctx.tenant}" did not finish within the connector's time budget`, { cause: error });
  if (code && OWN_CREDENTIALS_CODES.has(code)) {
    return new InternalError(`STS refused the Lambda's own credentials (${code}) while assuming ${ctx.roleArn}: check the execution role`, { cause: error });
  }
  if (code === 'RegionDisabledException') return new InternalError('STS is not activated in the Lambda\'s region: activate it in the vendor account', { cause: error });
  return new InternalError(`AssumeRole on ${ctx.roleArn} for tenant "${ctx.tenant}" failed${code ? ` (${code})` : ''}: see the Lambda's logs`, { cause: error });
}

export interface InvokeFailureContext {
  readonly tenant: string;
  readonly functionArn: string;
}

/** An Invoke failure (the call itself, not the function's own error) as a typed error. */
export function invokeFailure(error: unknown, ctx: InvokeFailureContext): TypedError {
  if (isTypedError(error)) return error;
  const code = awsErrorCode(error);
  if (code === 'AccessDeniedException') return new InvokeRefusedError(ctx.tenant, ctx.functionArn, { cause: error });
  if (code === 'ResourceNotFoundException') return new FunctionNotFoundError(ctx.functionArn, { cause: error });
  if (code === 'RequestTooLargeException' || code === 'RequestEntityTooLargeException' || code === 'SerializedRequestEntityTooLargeException') {
    return new PayloadTooLargeError(`The payload for ${ctx.functionArn} is over Lambda's 6 MB limit for a synchronous invocation: send less`, { cause: error });
  }
  if (isThrottling(error)) return new ThrottledError('Lambda', { cause: error });
  if (isServerError(error)) return new ServiceUnavailableError('Lambda', httpStatusOf(error), { cause: error });
  if (isAbort(error)) return new TimedOutError(`Invoke of ${ctx.functionArn} did not finish within the connector's time budget`, { cause: error });
  return new InternalError(`Invoke of ${ctx.functionArn} for tenant "${ctx.tenant}" failed${code ? ` (${code})` : ''}: see the Lambda's logs`, { cause: error });
}
