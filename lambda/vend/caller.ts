// ---------------------------------------------------------------------------
// Who is calling vend: the caller's proof (a signed, unsent sts:GetCallerIdentity request,
// lambda/shared/caller-proof.ts) checked here and sent to STS, which verifies the signature and
// names the signer. Vend trusts only STS's answer, never a claim in the request.
//
// Checked before STS is called (each a CallerProofRefused):
//   - the body is exactly GetCallerIdentity, so vend never sends any other action in the caller's name;
//   - the audience header equals this vend function's ARN and is among the signed headers,
//     so a proof made for another service (or another vend) is refused;
//   - the signed host is vend's own STS endpoint: vend sends the proof only there, never to the
//     URL in the proof, so a caller cannot point vend at a server that answers with any ARN;
//   - the signing time is within STS's 15 minutes (STS would refuse it anyway; this says why).
// ---------------------------------------------------------------------------
import { XMLParser } from 'fast-xml-parser';
import { GET_CALLER_IDENTITY_BODY, VEND_AUDIENCE_HEADER, type CallerProof } from '../shared/caller-proof';
import { withinBudget } from '../shared/budget';
import { CallerProofRefusedError, ServiceUnavailableError, ThrottledError, TimedOutError } from '../shared/errors';

/** STS refuses a request signed more than 15 minutes before (or after) it arrives.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html */
export const PROOF_MAX_SKEW_MS = 15 * 60 * 1000;

/** The HTTP exchange with STS; `fetch` in production, a fake in unit tests. */
export type StsForwarder = (request: { url: string; method: 'POST'; headers: Record<string, string>; body: string }, signal?: AbortSignal) => Promise<{ status: number; body: string }>;

export interface CallerVerifierDeps {
  /** This vend function's ARN (SIDECAR_VEND_AUDIENCE): what the audience header must say. */
  readonly audience: string;
  /** Vend's own STS endpoint (lambda/shared/caller-proof.ts, stsEndpoint). */
  readonly stsEndpoint: string;
  readonly forward: StsForwarder;
  /** The clock, for tests. @default Date.now */
  readonly now?: () => number;
}

/** The production forwarder: Node's fetch, without following redirects. */
export const fetchForwarder: StsForwarder = async (request, signal) => {
  const headers = { ...request.headers };
  delete headers['content-length']; // fetch sets it from the body
  const response = await fetch(request.url, { method: request.method, headers, body: request.body, redirect: 'manual', signal });
  return { status: response.status, body: await response.text() };
};

/** Headers that fetch manages itself and that are not part of the proof's identity. */
const HOP_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding']);

/** The verified principal ARN of the caller (a role session mapped to its role). */
export async function verifyCallerProof(proof: CallerProof, deps: CallerVerifierDeps, signal?: AbortSignal): Promise<string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(proof.headers)) headers[name.toLowerCase()] = value;

  // ---- what was signed ---------------------------------------------------
  if (proof.body !== GET_CALLER_IDENTITY_BODY) throw new CallerProofRefusedError(`the proof's body must be exactly "${GET_CALLER_IDENTITY_BODY}"`);
  const audience = headers[VEND_AUDIENCE_HEADER];
  if (audience !== deps.audience) {
    throw new CallerProofRefusedError(audience === undefined ? `the proof has no ${VEND_AUDIENCE_HEADER} header` : `the proof was made for ${audience.slice(0, 200)}, not for this vend function (${deps.audience})`);
  }
  const signedHeaders = /^AWS4-HMAC-SHA256 Credential=[^,]+\/sts\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$/.exec(headers.authorization ?? '');
  if (!signedHeaders) throw new CallerProofRefusedError('the proof has no SigV4 authorization header for STS');
  const signed = signedHeaders[1].split(';');
  for (const required of [VEND_AUDIENCE_HEADER, 'host']) {
    if (!signed.includes(required)) throw new CallerProofRefusedError(`the ${required} header is not among the proof's signed headers`);
  }
  const endpoint = new URL(deps.stsEndpoint);
  if (headers.host !== endpoint.host) throw new CallerProofRefusedError(`the proof was signed for STS at ${String(headers.host).slice(0, 200)}, but vend verifies with ${endpoint.host}`);
  const signedAt = parseAmzDate(headers['x-amz-date']);
  if (signedAt === undefined) throw new CallerProofRefusedError('the proof has no valid x-amz-date header');
  const skew = (deps.now ?? Date.now)() - signedAt;
  if (Math.abs(skew) > PROOF_MAX_SKEW_MS) throw new CallerProofRefusedError(skew > 0 ? 'the proof expired (signed more than 15 minutes ago)' : 'the proof is dated more than 15 minutes ahead');

  // ---- STS says who signed it ------------------------------------------------
  const forwarded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_HEADERS.has(name)) forwarded[name] = value;
  let answer: { status: number; body: string };
  try {
    answer = await withinBudget(
      deps.forward({ url: `${endpoint.origin}/`, method: 'POST', headers: forwarded, body: proof.body }, signal),
      signal,
      () => new TimedOutError('Verifying the caller with STS did not finish within the vend Lambda\'s time budget'),
    );
  } catch (e) {
    if (e instanceof TimedOutError) throw e;
    throw new ServiceUnavailableError('STS', undefined, { cause: e });
  }
  return principalOf(answer);
}

function parseAmzDate(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/** STS's answer as the caller's principal ARN, or the refusal it means. */
function principalOf(answer: { status: number; body: string }): string {
  let parsed: Record<string, any> = {};
  try {
    parsed = xml.parse(answer.body) as Record<string, any>;
  } catch {
    // handled below by the missing fields
  }
  if (answer.status === 200) {
    const arn = parsed?.GetCallerIdentityResponse?.GetCallerIdentityResult?.Arn;
    if (typeof arn !== 'string') throw new ServiceUnavailableError('STS', answer.status);
    return principalArnOf(arn);
  }
  const code = parsed?.ErrorResponse?.Error?.Code;
  if (code === 'Throttling') throw new ThrottledError('STS');
  if (answer.status >= 500) throw new ServiceUnavailableError('STS', answer.status);
  // SignatureDoesNotMatch (forged, or expired: "Signature expired"), InvalidClientTokenId (unknown
  // key), ExpiredToken (the caller's session ended), AccessDenied...: the proof proves nothing.
  throw new CallerProofRefusedError(`STS refused the proof (${typeof code === 'string' ? code.slice(0, 60) : `HTTP ${answer.status}`})`);
}

/**
 * The ARN a vend caller is configured by. A role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`)
 * is its role (`arn:aws:iam::<account>:role/<role>`); STS drops the role's path from a session's
 * ARN, so vend callers are roles without a path (config refuses one with a path). Users and roots
 * are themselves. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
 */
export function principalArnOf(callerArn: string): string {
  const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/[^/]+$/.exec(callerArn);
  if (session) return `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`;
  return callerArn;
}
