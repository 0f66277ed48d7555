// ---------------------------------------------------------------------------
// Helpers for the STS fidelity suites: a raw, correctly signed STS query request (to compare whole
// answers byte for byte, which the SDK hides), the AWS CLI / boto3 spawned as child processes,
// and timeouts sized for a loaded 2-core machine.
// ---------------------------------------------------------------------------
import { spawn, spawnSync } from 'node:child_process';
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
// External clients: the AWS CLI v1 and boto3
// ---------------------------------------------------------------------------

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Whether `command --version`-style probing finds the program; the reason when it does not. */
export function missingProgram(command: string, args: readonly string[]): string | undefined {
  const probe = spawnSync(command, [...args], { encoding: 'utf8', timeout: 60_000 });
  if (probe.error) return `${command} is not installed (${probe.error.message})`;
  if (probe.status !== 0) return `${command} ${args.join(' ')} exited ${probe.status}: ${(probe.stderr || probe.stdout).trim()}`;
  return undefined;
}

/** The environment an external AWS client needs to reach the local cloud as `credentials`, and nothing of the host's profile. */
export function clientEnv(credentials: Credentials): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
    AWS_RETRY_MODE: 'standard',
  };
  if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  return env;
}

/** Run a program to completion (killed after `timeoutMs`), collecting its output. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 120_000, stdin?: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end(stdin ?? '');
  });
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
