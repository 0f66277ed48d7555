// ---------------------------------------------------------------------------
// Invoke: RequestResponse (200, the handler's result or its error with X-Amz-Function-Error),
// Event (202, runs in the background), DryRun (204 after authorization and existence checks,
// runs nothing). Payload limits, ClientContext and LogType Tail as Lambda has them.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (payload sizes)
// Beyond the function's or the account's concurrency, RequestResponse answers 429
// TooManyRequestsException (sandbox-pool.ts, concurrency.ts); Event waits for capacity, as
// Lambda's queue for asynchronous invocations does.
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
// ---------------------------------------------------------------------------
import type { ServiceResponse } from '../../contracts';
import { invalidRequestContent, requestTooLarge, validationError } from '../errors';
import { appendFunctionLog, functionLogPath, invocationLog, logTail } from '../logs';
import { json, target, type Operation, type Target } from '../operation';
import type { InvocationOutcome } from '../sandbox';
import { sandboxFingerprint, sandboxSpec } from '../sandbox-spec';
import { ensurePackageRoot } from '../store';

/** Synchronous request and response payloads: 6 MB each (the response limit counts 100 bytes more). */
export const SYNC_REQUEST_LIMIT_BYTES = 6_291_456;
export const SYNC_RESPONSE_LIMIT_BYTES = 6_291_556;
/** Asynchronous (Event) payloads: 1 MB. */
export const ASYNC_REQUEST_LIMIT_BYTES = 1_048_576;
/** X-Amz-Client-Context: at most 3583 bytes of base64-encoded JSON. */
export const CLIENT_CONTEXT_MAX_BYTES = 3583;

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

function header(op: Operation, name: string): string | undefined {
  const value = op.req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function invocationType(op: Operation): InvocationType {
  const value = header(op, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (value !== 'RequestResponse' && value !== 'Event' && value !== 'DryRun') {
    throw validationError('invocationType', value, 'Member must satisfy enum value set: [Event, RequestResponse, DryRun]');
  }
  return value;
}

function logType(op: Operation): 'None' | 'Tail' {
  const value = header(op, 'x-amz-log-type') ?? 'None';
  if (value !== 'None' && value !== 'Tail') throw validationError('logType', value, 'Member must satisfy enum value set: [None, Tail]');
  return value;
}

/** The ClientContext header: base64 of a JSON object, handed to the handler as context.clientContext. */
function clientContext(op: Operation): unknown {
  const raw = header(op, 'x-amz-client-context');
  if (raw === undefined) return undefined;
  if (raw.length > CLIENT_CONTEXT_MAX_BYTES) throw validationError('clientContext', raw, `Member must have length less than or equal to ${CLIENT_CONTEXT_MAX_BYTES}`);
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed;
  } catch {
    throw invalidRequestContent('Client context must be a valid Base64-encoded JSON object.');
  }
}

/** The payload as JSON text: Lambda refuses anything that does not parse; an empty body is `{}`. */
function payloadText(body: Buffer): string {
  if (body.length === 0) return '{}';
  const text = body.toString('utf8');
  try {
    JSON.parse(text);
  } catch (e) {
    throw invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`);
  }
  return text;
}

function checkPayloadSize(type: InvocationType, size: number): void {
  const limit = type === 'Event' ? ASYNC_REQUEST_LIMIT_BYTES : SYNC_REQUEST_LIMIT_BYTES;
  if (size > limit) throw requestTooLarge(`${size} byte payload is too large for the ${type} invocation type (limit ${limit} bytes)`);
}

// ---------------------------------------------------------------------------
// Running it
// ---------------------------------------------------------------------------

async function run(op: Operation, t: Target, payload: string, context: unknown, queueWhenThrottled: boolean): Promise<{ outcome: InvocationOutcome; log: string }> {
  const { fn, version } = t;
  const taskRoot = await ensurePackageRoot(op.ctx.stateDir, version.codeSha256);
  const outcome = await op.pool.invoke(
    `${fn.arn}:${version.version}`,
    sandboxFingerprint(fn, version),
    () => sandboxSpec(op.ctx, op.host, fn, version, taskRoot),
    op.req.requestId,
    payload,
    { invokedFunctionArn: t.ref.qualifier ? `${fn.arn}:${t.ref.qualifier}` : fn.arn, clientContext: context },
    {
      admission: {
        scope: `${fn.accountId}:${fn.region}`,
        functionArn: fn.arn,
        reserved: fn.reservedConcurrency,
        reservedInScope: op.store.list(fn.accountId, fn.region).reduce((sum, f) => sum + (f.reservedConcurrency ?? 0), 0),
      },
      queueWhenThrottled,
    },
  );
  const checked: InvocationOutcome = outcome.kind === 'success' && Buffer.byteLength(outcome.payload, 'utf8') > SYNC_RESPONSE_LIMIT_BYTES
    ? { ...outcome, kind: 'error', error: { errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${SYNC_RESPONSE_LIMIT_BYTES} bytes).` } }
    : outcome;
  const log = invocationLog({
    requestId: op.req.requestId,
    version: version.version,
    output: checked.logs,
    durationMs: checked.durationMs,
    memorySize: version.memorySize,
    initDurationMs: checked.initDurationMs,
  });
  appendFunctionLog(functionLogPath(op.ctx.stateDir, fn.accountId, fn.functionName), log);
  return { outcome: checked, log };
}

export async function invoke(op: Operation): Promise<ServiceResponse> {
  const type = invocationType(op);
  const tail = logType(op) === 'Tail';
  checkPayloadSize(type, op.req.body.length);
  const t = target(op, 'lambda:InvokeFunction');
  const context = clientContext(op);
  const payload = payloadText(op.req.body);
  const requestId = op.req.requestId;

  if (type === 'DryRun') return { status: 204, headers: { 'x-amzn-requestid': requestId } };

  if (type === 'Event') {
    // Accepted now, run later; a failure is the function's log entry, never the caller's answer.
    run(op, t, payload, context, true).then(
      ({ outcome }) => op.ctx.log('lambda.invoke.event-done', { functionArn: t.arn, requestId, result: outcome.kind }),
      (e: unknown) => {
        const message = e instanceof Error ? e.message : String(e);
        appendFunctionLog(functionLogPath(op.ctx.stateDir, t.fn.accountId, t.fn.functionName), `${new Date().toISOString()} ${requestId} Asynchronous invocation failed: ${message}\n`);
        op.ctx.log('lambda.invoke.event-failed', { functionArn: t.arn, requestId, error: message });
      },
    );
    return { status: 202, headers: { 'x-amzn-requestid': requestId } };
  }

  const { outcome, log } = await run(op, t, payload, context, false);
  const headers: Record<string, string> = { 'x-amz-executed-version': t.version.version };
  if (tail) headers['x-amz-log-result'] = logTail(log);
  if (outcome.kind === 'error') {
    headers['x-amz-function-error'] = 'Unhandled';
    return json(200, outcome.error, requestId, headers);
  }
  return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers }, body: outcome.payload };
}
