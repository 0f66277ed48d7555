// ---------------------------------------------------------------------------
// Bodies the local cloud must not wait for or hold, sent as raw HTTP with a real SigV4 signature:
// one declared a byte over the limit (413, STS XML), one sent in chunks that grows a byte past it
// (413, Lambda JSON), and bodies that stop arriving (408 after the body timeout, in each protocol's
// shape, not a hang). Each answer closes the connection, the server answers its health check after
// every test, and nothing is written outside its state folder.
// ---------------------------------------------------------------------------
import type { ClientRequest } from 'node:http';
import { BODY_TIMEOUT_MS, MAX_BODY_BYTES, describeFileSystemAfterHostileInput, hostileCloud } from '../../support/hostile-cloud';
import { FORM, LAMBDA_PATH, expectLambdaError, expectQueryError, type RawResponse } from '../../support/raw-http';

const h = hostileCloud('hostile body sizes and times');

describe('body size and time limits', () => {
  test('a body declared one byte over the limit is refused with 413 RequestEntityTooLarge (STS XML)', async () => {
    const headers = await h.http.signedHeaders({ service: 'sts', body: 'Action=GetCallerIdentity', contentType: FORM });
    const declared: [string, string][] = headers.map(([k, v]) => [k, k === 'content-length' ? String(MAX_BODY_BYTES + 1) : v]);
    const res = await h.http.send({ headers: declared, body: 'Action=GetCallerIdentity' });
    expectQueryError(res, 413, 'RequestEntityTooLarge');
    // The connection closes: the undelivered "rest of the body" must not be read as a next request.
    expect(res.headers.connection).toBe('close');
  });

  test('a chunked Lambda body that grows one byte past the limit is refused with 413 RequestEntityTooLargeException', async () => {
    // No Content-Length: Node's client then sends the body chunked, so only counting can stop it.
    const headers = (await h.http.signedHeaders({ service: 'lambda', method: 'POST', path: LAMBDA_PATH })).filter(([k]) => k !== 'content-length');
    const pumpOnePastTheLimit = (r: ClientRequest) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < MAX_BODY_BYTES + 1) {
          const piece = sent + chunk.length > MAX_BODY_BYTES + 1 ? chunk.subarray(0, MAX_BODY_BYTES + 1 - sent) : chunk;
          sent += piece.length;
          if (!r.write(piece)) return void r.once('drain', pump);
        }
        r.end();
      };
      pump();
    };
    const res = await h.http.send({ method: 'POST', path: LAMBDA_PATH, headers, writeBody: pumpOnePastTheLimit, timeoutMs: 60_000 });
    expectLambdaError(res, 413, 'RequestEntityTooLargeException');
    expect(res.headers.connection).toBe('close');
  }, 60_000);

  /** Send the signed headers and the first bytes of a body, and never the rest; the server's answer. */
  function sendStalledBody(path: string, headers: [string, string][], firstBytes: string): Promise<RawResponse> {
    return h.http.send({ method: 'POST', path, headers, writeBody: (r) => r.write(firstBytes), timeoutMs: BODY_TIMEOUT_MS * 5 });
  }

  test('a body that stops arriving is answered 408 RequestTimeout after the body timeout, not left hanging', async () => {
    const body = 'Action=GetCallerIdentity&Version=2011-06-15';
    const headers = await h.http.signedHeaders({ service: 'sts', body, contentType: FORM });
    const started = Date.now();
    const res = await sendStalledBody('/', headers, body.slice(0, 10)); // ...and never the rest
    const waited = Date.now() - started;
    expectQueryError(res, 408, 'RequestTimeout');
    expect(res.headers.connection).toBe('close');
    expect(waited).toBeGreaterThanOrEqual(BODY_TIMEOUT_MS - 100);
    expect(waited).toBeLessThan(BODY_TIMEOUT_MS * 4);
  }, 30_000);

  test('a Lambda body that stops arriving is answered 408 in Lambda\'s shape', async () => {
    const body = JSON.stringify({ FunctionName: 'slow' });
    const headers = await h.http.signedHeaders({ service: 'lambda', method: 'POST', path: LAMBDA_PATH, body, contentType: 'application/json' });
    const res = await sendStalledBody(LAMBDA_PATH, headers, body.slice(0, 3));
    expectLambdaError(res, 408, 'RequestTimeoutException');
  }, 30_000);
});

describeFileSystemAfterHostileInput(h);
