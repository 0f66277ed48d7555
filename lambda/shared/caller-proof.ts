// ---------------------------------------------------------------------------
// A caller's proof of identity for vend. Lambda's Invoke does not tell a function who called it,
// so the caller signs an sts:GetCallerIdentity request with its own credentials and hands it to
// vend unsent; vend sends it to STS and reads the verified ARN from the answer
// (lambda/vend/caller.ts). A header naming the vend function (the audience) is part of what is
// signed, so a proof made for vend cannot be replayed to another service that trusts the same
// pattern, and a proof made for another one is refused by vend. This is the pattern of
// HashiCorp Vault's AWS IAM auth method (its login takes iam_http_request_method, _url, _body and
// _headers, and its server-ID header X-Vault-AWS-IAM-Server-ID must be signed):
// https://developer.hashicorp.com/vault/api-docs/v1.8.x/auth/aws (Login)
// STS refuses a signature more than 15 minutes old, so a proof expires by itself:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/signing-elements.html
// ---------------------------------------------------------------------------
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

/** The signed header that binds a proof to one vend function: its value is the function's ARN. */
export const VEND_AUDIENCE_HEADER = 'x-sidecar-vend-audience';

/** The only request a proof may be: GetCallerIdentity, STS API version 2011-06-15. */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** What the caller sends in vend's `callerProof` field: a signed request, never sent by the caller. */
export interface CallerProof {
  readonly method: 'POST';
  /** The STS endpoint it was signed for (vend sends it to its own STS endpoint, which must match). */
  readonly url: string;
  /** Every header, the signature (authorization) and the audience header among them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The STS endpoint the SDK would use: AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL (the local
 * cloud), then the regional endpoint. The caller and vend must agree on it, because the host is
 * signed. https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
export function stsEndpoint(region: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL;
  return (configured && configured.trim() !== '' ? configured : `https://sts.${region}.amazonaws.com`).replace(/\/+$/, '');
}

export interface CallerProofOptions {
  /** Where the proof is signed for. @default stsEndpoint(region) */
  readonly endpoint?: string;
  /** The signing time, for tests. @default now */
  readonly signingDate?: Date;
}

/**
 * Sign a GetCallerIdentity request for `audience` (the vend function's ARN) with `credentials`.
 * The result goes in vend's request as `callerProof`; it is good for about 15 minutes.
 */
export async function buildCallerProof(credentials: AwsCredentialIdentity, region: string, audience: string, options: CallerProofOptions = {}): Promise<CallerProof> {
  const url = new URL(options.endpoint ?? stsEndpoint(region));
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname && url.pathname !== '' ? url.pathname : '/',
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      [VEND_AUDIENCE_HEADER]: audience,
    },
    body: GET_CALLER_IDENTITY_BODY,
  });
  const signer = new SignatureV4({ service: 'sts', region, credentials, sha256: Sha256 });
  const signed = await signer.sign(request, { signingDate: options.signingDate });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  return { method: 'POST', url: `${url.protocol}//${url.host}${request.path}`, headers, body: GET_CALLER_IDENTITY_BODY };
}
