// ---------------------------------------------------------------------------
// Reading a request body with a size bound, so a runaway client cannot exhaust memory.
// Lambda accepts zips up to 50 MB base64-encoded in the request (about 70 MB of JSON).
// https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
// ---------------------------------------------------------------------------
import type { IncomingMessage } from 'node:http';

export const MAX_BODY_BYTES = 70 * 1024 * 1024;

/** Thrown when a body is larger than the bound; the server answers 413 in the service's shape. */
export class BodyTooLargeError extends Error {
  readonly code = 'RequestEntityTooLarge';
  constructor(readonly limit: number) {
    super(`Request must be smaller than ${limit} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume(); // drain, so the connection can carry the 413
    return Promise.reject(new BodyTooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => { if (!tooLarge) resolve(Buffer.concat(chunks)); });
    req.on('error', reject);
  });
}
