// ---------------------------------------------------------------------------
// Helpers for the STS fidelity suites: a raw, correctly signed STS query request (to compare whole
// answers byte for byte, which the SDK hides), roles with trusts of a test's own, and timeouts
// sized for a loaded 2-core machine. The AWS CLI and boto3 are spawned by ./external-clients.ts.
// ---------------------------------------------------------------------------
import { Sha256 } from '@aws-crypto/sha256-js';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials, TestCloud } from '../../scripts/lib/child-cloud';

/** Starting the server, creating users and roles through the real API: generous on a loaded machine. */
export const SETUP_TIMEOUT_MS = 120_000;
/** One test of a few SDK calls. */
export const TEST_TIMEOUT_MS = 60_000;
/** A test that spawns the AWS CLI or python (each start costs seconds on a loaded machine). */
export const CLI_TEST_TIMEOUT_MS = 180_000;

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** POST a signed STS query (Action, Version and `params`) as `credentials`, and return the answer as sent. */
export async function signedStsQuery(cloud: TestCloud, credentials: Credentials, params: Record<string, string>): Promise<RawAnswer> {
  const body = new URLSearchParams({ Version: '2011-06-15', ...params }).toString();
  const request = new HttpRequest({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: cloud.port, path: '/',
    headers: { host: `127.0.0.1:${cloud.port}`, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'sts', sha256: Sha256 });
  const signed = await signer.sign(request);
  const res = await fetch(`${cloud.url}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body, signal: AbortSignal.timeout(30_000) });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => { headers[name] = value; });
  return { status: res.status, headers, body: await res.text() };
}

// ---------------------------------------------------------------------------
// Roles with a trust policy of the test's own (several statements, several actions)
// ---------------------------------------------------------------------------

export interface TrustedRoleOptions {
  /** Inline permissions of the role. */
  readonly permissions?: object;
  /** IAM tags of the role (aws:ResourceTag in its trust, aws:PrincipalTag in its sessions). */
  readonly tags?: readonly { Key: string; Value: string }[];
}

/** Create `roleName` in `stack`'s account with `statements` as its trust policy; returns its ARN. */
export async function createRoleWithTrust(cloud: TestCloud, stack: string, roleName: string, statements: object[], options: TrustedRoleOptions = {}): Promise<string> {
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor(stack)));
  const role = await iam.send(new CreateRoleCommand({
    RoleName: roleName,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    ...(options.tags ? { Tags: [...options.tags] } : {}),
  }));
  if (options.permissions) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'permissions', PolicyDocument: JSON.stringify(options.permissions) }));
  return role.Role!.Arn!;
}

/** An identity-based policy allowing `actions` on every resource. */
export const allowing = (...actions: string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
