// ---------------------------------------------------------------------------
// The shape both vendor Lambdas' handlers share: validate the event, run the request within the
// invocation's time budget, log one line, answer. A failure is answered as
// `{ ok: false, error }`, never thrown, and logged at WARN (ERROR when it is Internal).
// ---------------------------------------------------------------------------
import type { Context } from 'aws-lambda';
import { describeAwsCause } from './aws-errors';
import { budgetSignal, type RemainingTime } from './budget';
import { asTypedError, failureResponse, type FailureResponse } from './errors';
import type { Logger } from './logger';

/** The Lambda's entry point: what `handler` in index.js is. */
export type SidecarHandler<Success> = (event: unknown, context?: Partial<Context> & RemainingTime) => Promise<Success | FailureResponse>;

/** Fields of the log line. Never credentials or external IDs (the logger blanks them anyway). */
export type LogFields = Record<string, unknown>;

export interface RequestHandlerSpec<Request extends { readonly tenant: string }, Success, Seen extends object> {
  /** The log line's message, e.g. `connector request`. */
  readonly logMessage: string;
  readonly logger: Logger;
  /** Validates the event; throws a typed error naming the field. */
  readonly parse: (event: unknown) => Request;
  /** Does the work. `seen` learns what the run found (e.g. the target function) as soon as it
   *  knows it, so that the line of a failure can still name it. */
  readonly run: (request: Request, signal: AbortSignal | undefined, seen: Partial<Seen>) => Promise<Success>;
  readonly logFields: {
    /** What a success reached (before `outcome`). */
    readonly target: (result: Success) => LogFields;
    /** What else a success tells (after `outcome`); `totalMs` is the handler's own time. */
    readonly detail: (result: Success, totalMs: number) => LogFields;
    /** What a failed request had reached (before `outcome`). @default nothing */
    readonly failedTarget?: (seen: Partial<Seen>) => LogFields;
    /** The sandbox's state, on every line. @default nothing */
    readonly state?: () => LogFields;
  };
}

export function createRequestHandler<Request extends { readonly tenant: string }, Success, Seen extends object = object>(
  spec: RequestHandlerSpec<Request, Success, Seen>,
): SidecarHandler<Success> {
  const { logger, logMessage, logFields } = spec;
  return async (event, context) => {
    const started = performance.now();
    if (context?.awsRequestId) logger.addContext(context as Context);
    let tenant: string | undefined;
    const seen: Partial<Seen> = {};
    try {
      const request = spec.parse(event);
      tenant = request.tenant;
      const result = await spec.run(request, budgetSignal(context), seen);
      logger.info(logMessage, { tenant, ...logFields.target(result), outcome: 'OK', ...logFields.detail(result, performance.now() - started), ...logFields.state?.() });
      return result;
    } catch (e) {
      const error = asTypedError(e);
      const fields = {
        tenant, ...logFields.failedTarget?.(seen), outcome: error.code, errorMessage: error.message, totalMs: performance.now() - started,
        ...logFields.state?.(), awsCause: error.cause ? describeAwsCause(error.cause) : undefined,
      };
      if (error.code === 'Internal') logger.error(logMessage, { ...fields, cause: error.cause });
      else logger.warn(logMessage, fields);
      return failureResponse(error);
    }
  };
}
