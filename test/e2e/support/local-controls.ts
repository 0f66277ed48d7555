// ---------------------------------------------------------------------------
// Test-only controls of the local cloud (served only when it runs with LOCALCLOUD_TEST_CONTROLS=1).
// On the aws target these do not exist: tests that need them are skipped, with the reason printed.
// ---------------------------------------------------------------------------
import type { AwsCredentialIdentity } from '@smithy/types';
import type { World } from './world';

async function control<T>(world: World, path: string, body?: unknown, method = 'POST'): Promise<T> {
  if (!world.endpoint) throw new Error('local cloud controls exist only on the local target');
  const res = await fetch(`${world.endpoint}/_localcloud/control/${path}`, {
    method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`local cloud control ${path} answered ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** Credentials of a Lambda execution role, issued exactly as the local Lambda service issues them
 *  to a sandbox (lambda.amazonaws.com assuming the role through its trust policy). */
export async function executionRoleCredentials(world: World, roleArn: string, functionArn: string): Promise<AwsCredentialIdentity> {
  const c = await control<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }>(
    world, 'service-credentials', { roleArn, service: 'lambda.amazonaws.com', sourceArn: functionArn });
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: new Date(c.expiration) };
}

export function advanceClock(world: World, seconds: number): Promise<unknown> {
  return control(world, 'clock', { advanceSeconds: seconds });
}

export function resetClock(world: World): Promise<unknown> {
  return control(world, 'clock', { reset: true });
}
