// ---------------------------------------------------------------------------
// Reading what the invoked function answered: its payload as JSON (or text), and its own
// failure (X-Amz-Function-Error) as a typed error.
// ---------------------------------------------------------------------------
import { FunctionError, PayloadTooLargeError, TimedOutError } from '../shared/errors';

/** How much of the function's own error message the answer repeats. */
const FUNCTION_ERROR_MESSAGE_MAX_CHARS = 1024;

/**
 * The function's own failure (X-Amz-Function-Error). Lambda reports its limits the same way:
 * `Sandbox.Timedout` (older runtimes: only "Task timed out after" in the message) when the
 * function hit its timeout, `Function.ResponseSizeTooLarge` when its answer is over 6 MB.
 */
export function functionFailure(functionArn: string, payloadText: string): Error {
  const parsed = parseJsonOrText(payloadText);
  const report = typeof parsed === 'object' && parsed !== null ? parsed as { errorType?: unknown; errorMessage?: unknown } : {};
  const errorType = typeof report.errorType === 'string' ? report.errorType : 'Unhandled';
  const errorMessage = (typeof report.errorMessage === 'string' ? report.errorMessage : payloadText).slice(0, FUNCTION_ERROR_MESSAGE_MAX_CHARS);
  if (errorType === 'Sandbox.Timedout' || /Task timed out after/.test(errorMessage)) {
    return new TimedOutError(`Function ${functionArn} hit its own timeout: raise its timeout or make it answer sooner`);
  }
  if (errorType === 'Function.ResponseSizeTooLarge') {
    return new PayloadTooLargeError(`The response of ${functionArn} is over Lambda's 6 MB response limit: have the function return less`);
  }
  return new FunctionError(functionArn, errorType, errorMessage);
}

/** The payload parsed as JSON; the raw text when it is not JSON; null when it is empty. */
export function parseJsonOrText(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
