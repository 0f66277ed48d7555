// ---------------------------------------------------------------------------
// SigV4 verification: parse the Authorization header, look up the secret of its access key,
// recompute the signature of the request as received with @smithy/signature-v4, and compare in
// constant time. Errors carry each service's own code (query services vs Lambda).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
// ---------------------------------------------------------------------------
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsError, speaksJson, type ServiceName } from '../contracts';

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string; // yyyymmdd
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** AWS's errors per protocol: the query services and the JSON ones (Lambda, DynamoDB) name the same failures differently. */
const CODES = {
  missing: { query: 'MissingAuthenticationToken', lambda: 'MissingAuthenticationTokenException' },
  incomplete: { query: 'IncompleteSignature', lambda: 'IncompleteSignatureException' },
  unknownKey: { query: 'InvalidClientTokenId', lambda: 'UnrecognizedClientException' },
  mismatch: { query: 'SignatureDoesNotMatch', lambda: 'InvalidSignatureException' },
  expired: { query: 'ExpiredToken', lambda: 'ExpiredTokenException' },
} as const;

export type SigV4Failure = keyof typeof CODES;

/** Thrown (as an AwsError) when a request's signature cannot be accepted. */
export function sigv4Error(service: ServiceName | undefined, failure: SigV4Failure, message?: string): AwsError {
  const code = CODES[failure][speaksJson(service) ? 'lambda' : 'query'];
  const text = message ?? {
    missing: service === 'lambda' ? 'Missing Authentication Token' : 'Request is missing Authentication Token',
    incomplete: 'Authorization header requires \'Credential\', \'Signature\' and \'SignedHeaders\' parameters.',
    unknownKey: 'The security token included in the request is invalid.',
    mismatch: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    expired: 'The security token included in the request is expired',
  }[failure];
  return new AwsError(code, text, 403);
}

const AUTH_PATTERN = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})\s*$/;

/** The credential scope of a request, before we know who signed it (routing needs the service). */
export function parseAuthorization(headers: IncomingHttpHeaders): ParsedAuthorization | undefined {
  const header = headers.authorization;
  if (header === undefined) return undefined;
  const m = AUTH_PATTERN.exec(header);
  if (!m) throw sigv4Error(undefined, 'incomplete');
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4], signedHeaders: m[5].split(';'), signature: m[6] };
}

/**
 * Region names as AWS spells them: a partition's geography, an optional gov/iso part, a direction
 * and a number (us-east-1, us-gov-west-1, eu-isoe-west-1, ap-southeast-7). The scope's region
 * becomes part of ARNs (a function's), so a scope like `x:999999999999:function:y` must not pass.
 */
const REGION_PATTERN = /^(us|eu|ap|sa|ca|me|af|il|mx|cn)(-gov|-iso[a-z]?)?-(east|west|north|south|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

/** The credential scope's region must be one of AWS's, before anything else is read. */
export function checkScope(auth: ParsedAuthorization, service: ServiceName): void {
  // AWS's wording for a scope outside its regions (SignatureDoesNotMatch / InvalidSignatureException).
  if (!REGION_PATTERN.test(auth.region)) throw sigv4Error(service, 'mismatch', `Credential should be scoped to a valid region, not '${auth.region}'. `);
}

/** Clients may be at most 5 minutes off. https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html (Date) */
export const MAX_SKEW_MS = 5 * 60 * 1000;

function amzDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

export interface ReceivedRequest {
  readonly method: string;
  /** Path as received (percent-encoded), without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Verify the signature of `req` with `secretAccessKey`. `realNow` is the wall clock: the skew
 * check uses real time even when the local cloud's clock is moved for credential expiry.
 */
export async function verifySignature(req: ReceivedRequest, auth: ParsedAuthorization, service: ServiceName, secretAccessKey: string, realNow: Date): Promise<void> {
  checkScope(auth, service);
  const dateHeader = req.headers['x-amz-date'];
  const signedAt = typeof dateHeader === 'string' ? parseAmzDate(dateHeader) : undefined;
  if (!signedAt || !auth.signedHeaders.includes('host')) throw sigv4Error(service, 'incomplete', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header, and a signed \'host\' header.');
  if (amzDate(signedAt).slice(0, 8) !== auth.date) throw sigv4Error(service, 'mismatch', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate(signedAt).slice(0, 8)}', from '${dateHeader}'.`);

  // Skew: AWS's own wording, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html
  if (signedAt.getTime() < realNow.getTime() - MAX_SKEW_MS) {
    throw sigv4Error(service, 'mismatch', `Signature expired: ${amzDate(signedAt)} is now earlier than ${amzDate(new Date(realNow.getTime() - MAX_SKEW_MS))} (${amzDate(realNow)} - 5 min.)`);
  }
  if (signedAt.getTime() > realNow.getTime() + MAX_SKEW_MS) {
    throw sigv4Error(service, 'mismatch', `Signature not yet current: ${amzDate(signedAt)} is still later than ${amzDate(new Date(realNow.getTime() + MAX_SKEW_MS))} (${amzDate(realNow)} + 5 min.)`);
  }

  // A declared payload hash must be the body's: the signer trusts the header, so we check it.
  // UNSIGNED-PAYLOAD is S3's alone; IAM, STS and Lambda sign the body's hash, so a signature over
  // "UNSIGNED-PAYLOAD" does not match theirs. https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (HashedPayload)
  const declared = req.headers['x-amz-content-sha256'];
  if (declared === 'UNSIGNED-PAYLOAD') throw sigv4Error(service, 'mismatch');
  if (declared !== undefined) {
    const actual = createHash('sha256').update(req.body).digest('hex');
    if (declared !== actual) throw sigv4Error(service, 'mismatch', 'The provided \'x-amz-content-sha256\' header does not match what was computed.');
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) throw sigv4Error(service, 'mismatch');
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(req.query.keys())) {
    const values = req.query.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  const request = new HttpRequest({ method: req.method, protocol: 'http:', hostname: 'localhost', path: req.path, query, headers, body: req.body });
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const signed = await signer.sign(request, { signingDate: signedAt, signableHeaders: new Set(auth.signedHeaders) });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(auth.signature, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw sigv4Error(service, 'mismatch');
}
