// ---------------------------------------------------------------------------
// The local cloud's test controls, served under /_localcloud/control/ only when it runs with
// LOCALCLOUD_TEST_CONTROLS=1 (as ./child-cloud.ts starts it): its clock, injected faults, request
// counts per operation, and the credentials its Lambda service hands a function. Used by the
// soak, the benchmarks and the tests; on real AWS none of this exists.
// ---------------------------------------------------------------------------
import type { AwsCredentialIdentity } from '@smithy/types';

/** Where the controls are: the local cloud's base URL. */
export interface ControlledCloud {
  readonly url: string;
}

/** One control call; the parsed JSON answer (`{}` for an empty one). Throws on a non-2xx answer. */
export async function control<T = unknown>(cloud: ControlledCloud, method: 'GET' | 'POST' | 'DELETE', name: string, body?: unknown): Promise<T> {
  const res = await fetch(`${cloud.url}/_localcloud/control/${name}`, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`local cloud control ${method} ${name} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

// ---------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------

export const advanceClock = (cloud: ControlledCloud, seconds: number) => control(cloud, 'POST', 'clock', { advanceSeconds: seconds });
export const resetClock = (cloud: ControlledCloud) => control(cloud, 'POST', 'clock', { reset: true });

// ---------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------

/** A fault rule as the local cloud takes it (localcloud/core/faults.ts validates it). */
export interface FaultRule {
  service: 'iam' | 'sts' | 'lambda' | 'dynamodb';
  operation?: string;
  error?: string;
  message?: string;
  status?: number;
  rate?: number;
  count?: number;
  latencyMs?: number;
  principalArn?: string;
  roleArn?: string;
  roleSessionName?: string;
  functionName?: string;
}

export const addFaults = (cloud: ControlledCloud, rules: FaultRule | readonly FaultRule[]) => control(cloud, 'POST', 'faults', rules);
export const clearFaults = (cloud: ControlledCloud) => control(cloud, 'DELETE', 'faults');

// ---------------------------------------------------------------------------
// Request counts
// ---------------------------------------------------------------------------

/** Requests served per operation (`sts:AssumeRole`, `lambda:Invoke`, ...) since the last reset. */
export const operationStats = async (cloud: ControlledCloud): Promise<Record<string, number>> => (await control<{ operations: Record<string, number> }>(cloud, 'GET', 'stats')).operations;
export const resetStats = (cloud: ControlledCloud) => control(cloud, 'DELETE', 'stats');

// ---------------------------------------------------------------------------
// Credentials of a function's execution role
// ---------------------------------------------------------------------------

/** Credentials of a Lambda execution role, issued exactly as the local Lambda service issues them
 *  to a sandbox (lambda.amazonaws.com assuming the role through its trust policy). */
export async function executionRoleCredentials(cloud: ControlledCloud, roleArn: string, functionArn: string): Promise<AwsCredentialIdentity & { sessionToken: string }> {
  const c = await control<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }>(
    cloud, 'POST', 'service-credentials', { roleArn, service: 'lambda.amazonaws.com', sourceArn: functionArn });
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(c.expiration) };
}
