// ---------------------------------------------------------------------------
// The end of every request: a failure turned into the service's error shape, the request's log
// line, and the answer written with its length.
// ---------------------------------------------------------------------------
import type { ServerResponse } from 'node:http';
import { AwsError, speaksJson, type ServiceName, type ServiceResponse } from '../contracts';
import { BodyTimeoutError, BodyTooLargeError } from '../core/body';
import { errorResponse, toAwsError } from '../core/errors';
import type { RequestLog, RequestLogLine } from '../core/request-log';

export function send(res: ServerResponse, response: ServiceResponse): void {
  const body = response.body ?? '';
  res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** The answer to a request that failed, in `service`'s protocol. Body failures close the connection. */
export function failureResponse(e: unknown, service: ServiceName, requestId: string, res: ServerResponse, log: RequestLog): ServiceResponse {
  if (e instanceof BodyTooLargeError) {
    // Close rather than drain: the rest of a declared 70 MB body is not worth reading, and the
    // connection must not carry it into the next request.
    res.shouldKeepAlive = false;
    return errorResponse(service, new AwsError(speaksJson(service) ? 'RequestEntityTooLargeException' : 'RequestEntityTooLarge', e.message, 413), requestId);
  }
  if (e instanceof BodyTimeoutError) {
    // The rest of the body may still trickle in: answer, then close rather than read it.
    res.shouldKeepAlive = false;
    return errorResponse(service, new AwsError(speaksJson(service) ? 'RequestTimeoutException' : 'RequestTimeout', e.message, 408), requestId);
  }
  if (!(e instanceof AwsError)) log.error('unhandled', e);
  return errorResponse(service, toAwsError(e), requestId);
}

/** The error code of an answer: Lambda's x-amzn-errortype header, or the query protocol's <Code>. */
function errorCodeOf(response: ServiceResponse): { errorCode?: string } {
  const headers = response.headers ?? {};
  if (headers['x-amzn-errortype']) return { errorCode: headers['x-amzn-errortype'] };
  return response.status >= 400 ? { errorCode: /<Code>([^<]+)<\/Code>/.exec(String(response.body))?.[1] } : {};
}

export function logLine(fields: Omit<RequestLogLine, 'status' | 'errorCode' | 'durationMs'>, response: ServiceResponse, started: bigint): RequestLogLine {
  return { ...fields, status: response.status, ...errorCodeOf(response), durationMs: Number(process.hrtime.bigint() - started) / 1e6 };
}
