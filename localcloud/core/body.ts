// ---------------------------------------------------------------------------
// Reading a request body with a size bound, so a runaway client cannot exhaust memory, and a
// time bound, so a client that stops sending mid-body cannot hold a request open for ever.
// Lambda accepts zips up to 50 MB base64-encoded in the request (about 70 MB of JSON).
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
// ---------------------------------------------------------------------------
import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 70 * 1024 * 1024;
/** 70 MB arrives over loopback in about a second; a minute leaves room for a loaded machine. */
export const BODY_TIMEOUT_MS = 60_000;

/** Thrown when a body is larger than the bound; the server answers 413 in the service's shape. */
export class BodyTooLargeError extends Error {
  readonly code = 'RequestEntityTooLarge';
  constructor(readonly limit: number) {
    super(`Request must be smaller than ${limit} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/** Thrown when the body did not arrive in time; the server answers 408 and closes the connection. */
export class BodyTimeoutError extends Error {
  readonly code = 'RequestTimeout';
  constructor(readonly timeoutMs: number) {
    super(`Your socket connection to the server was not read from or written to within the timeout period (${timeoutMs} ms): the request body did not arrive in full. Idle connections will be closed.`);
    this.name = 'BodyTimeoutError';
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES, timeoutMs = BODY_TIMEOUT_MS): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume(); // drain, so the connection can carry the 413
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    // Node's own requestTimeout is long (Lambda callers wait minutes for the answer, not the body).
    const timer = setTimeout(() => settle(() => {
      chunks.length = 0;
      reject(new BodyTimeoutError(timeoutMs));
    }), timeoutMs);
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        settle(() => {
          chunks.length = 0;
          reject(new BodyTooLargeError(limit));
        });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle(() => resolve(Buffer.concat(chunks))));
    req.on('error', (e) => settle(() => reject(e)));
  });
}
