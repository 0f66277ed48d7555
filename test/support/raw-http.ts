// ---------------------------------------------------------------------------
// Raw HTTP to the local cloud, for input the SDK cannot produce: headers sent twice or not at
// all, bodies that are not what they claim, bodies that never finish. Requests can carry a real
// SigV4 signature (@smithy/signature-v4) so that they reach the parser behind authentication.
// And the two error shapes AWS answers with: the query protocol's XML (IAM, STS) and Lambda's
// REST-JSON with x-amzn-errortype.
// ---------------------------------------------------------------------------
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { XMLParser } from 'fast-xml-parser';
import type { Credentials } from '../../scripts/lib/child-cloud';

/** The form encoding of the query protocol (IAM, STS). */
export const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
/** Lambda's function collection. */
export const LAMBDA_PATH = '/2015-03-31/functions';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  /** Pairs, so a header can be sent twice. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer | string;
  /** Writes the body instead of `body` (in chunks, or never to the end); it must not wait for the answer. */
  readonly writeBody?: (request: ClientRequest) => void;
  /** @default 30 s: a hang fails the test instead of stalling the suite. */
  readonly timeoutMs?: number;
}

export interface SignOptions {
  readonly method?: string;
  readonly path?: string;
  readonly body?: Buffer | string;
  readonly contentType?: string;
  /** @default the client's credentials */
  readonly credentials?: Credentials;
  readonly region?: string;
  /** The service named in the credential scope. */
  readonly service: string;
  readonly date?: Date;
}

/** Raw requests to a local cloud on 127.0.0.1:`port`, signed with `credentials` unless told otherwise. */
export class RawHttp {
  /** Requests sent so far: the hostile inputs a suite reports. */
  sent = 0;

  constructor(private readonly port: number, private readonly credentials: Credentials) {}

  send(req: RawRequest): Promise<RawResponse> {
    this.sent += 1;
    const timeoutMs = req.timeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      const raw: string[] = req.headers.flatMap(([k, v]) => [k, v]);
      // Its own connection each time (agent: false): one hostile request must not shape the next.
      const r = httpRequest({ host: '127.0.0.1', port: this.port, method: req.method ?? 'POST', path: req.path ?? '/', headers: raw, setHost: false, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          r.destroy(); // a body that was never finished keeps the request open: the answer ends it
        });
        res.on('error', reject);
      });
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`no answer within ${timeoutMs} ms: the server hangs`)));
      r.on('error', reject);
      if (req.writeBody) req.writeBody(r);
      else r.end(req.body);
    });
  }

  /** Headers of a correctly signed request, as [name, value] pairs in signing order. */
  async signedHeaders(o: SignOptions): Promise<[string, string][]> {
    const path = o.path ?? '/';
    const [pathname, search = ''] = path.split('?');
    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(search)) query[k] = v;
    const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body, 'utf8');
    const request = new HttpRequest({
      method: o.method ?? 'POST', protocol: 'http:', hostname: '127.0.0.1', port: this.port, path: pathname, query,
      headers: { host: `127.0.0.1:${this.port}`, ...(o.contentType ? { 'content-type': o.contentType } : {}), ...(body ? { 'content-length': String(body.length) } : {}) },
      body,
    });
    const signer = new SignatureV4({ credentials: o.credentials ?? this.credentials, region: o.region ?? 'us-east-1', service: o.service, sha256: Sha256 });
    const signed = await signer.sign(request, { signingDate: o.date ?? new Date() });
    return Object.entries(signed.headers as Record<string, string>);
  }

  /** A correctly signed query-protocol request to IAM or STS with `body` as its form. */
  async signedQuery(service: 'iam' | 'sts', body: Buffer | string, credentials?: Credentials): Promise<RawResponse> {
    const headers = await this.signedHeaders({ service, body, contentType: FORM, credentials });
    return this.send({ headers, body });
  }

  /** A correctly signed Lambda REST-JSON request. */
  async signedLambda(method: string, path: string, body?: Buffer | string): Promise<RawResponse> {
    const headers = await this.signedHeaders({ service: 'lambda', method, path, body, contentType: body === undefined ? undefined : 'application/json' });
    return this.send({ method, path, headers, body });
  }
}

// ---------------------------------------------------------------------------
// AWS's error shapes
// ---------------------------------------------------------------------------

export const xml = new XMLParser();

/** The query protocol's <ErrorResponse><Error><Code>; fails when the answer is not one. */
export function queryError(res: RawResponse): { code: string; message: string; type: string } {
  expect(res.headers['content-type']).toBe('text/xml');
  const doc = xml.parse(res.body) as { ErrorResponse?: { Error?: { Code?: string; Message?: string; Type?: string }; RequestId?: string } };
  expect(doc.ErrorResponse?.RequestId).toEqual(expect.any(String));
  return { code: String(doc.ErrorResponse?.Error?.Code), message: String(doc.ErrorResponse?.Error?.Message), type: String(doc.ErrorResponse?.Error?.Type) };
}

export function expectQueryError(res: RawResponse, status: number, code: string): { message: string } {
  const error = queryError(res);
  expect({ status: res.status, code: error.code, type: error.type }).toEqual({ status, code, type: 'Sender' });
  return error;
}

/** Lambda's REST-JSON error: the code in x-amzn-errortype, a JSON body with the message. */
export function expectLambdaError(res: RawResponse, status: number, code: string): { message: string } {
  expect({ status: res.status, errorType: res.headers['x-amzn-errortype'], contentType: res.headers['content-type'] })
    .toEqual({ status, errorType: code, contentType: 'application/json' });
  const body = JSON.parse(res.body) as { Type?: string; message?: string };
  expect(body.Type).toBe('User');
  return { message: String(body.message) };
}
