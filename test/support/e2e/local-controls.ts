// ---------------------------------------------------------------------------
// Test-only controls of the local cloud (served only when it runs with LOCALCLOUD_TEST_CONTROLS=1),
// for the world the e2e suite deployed. On the aws target these do not exist: tests that need them
// are skipped, with the reason printed.
// ---------------------------------------------------------------------------
import type { AwsCredentialIdentity } from '@smithy/types';
import * as controls from '../../../scripts/lib/cloud-controls';
import type { World } from './world';

/** The world's local cloud, for its controls; throws on the aws target. */
export function controlledCloud(world: World): controls.ControlledCloud {
  if (!world.endpoint) throw new Error('local cloud controls exist only on the local target');
  return { url: world.endpoint };
}

/** Credentials of a Lambda execution role, issued exactly as the local Lambda service issues them
 *  to a sandbox (lambda.amazonaws.com assuming the role through its trust policy). */
export function executionRoleCredentials(world: World, roleArn: string, functionArn: string): Promise<AwsCredentialIdentity> {
  return controls.executionRoleCredentials(controlledCloud(world), roleArn, functionArn);
}

export function advanceClock(world: World, seconds: number): Promise<unknown> {
  return controls.advanceClock(controlledCloud(world), seconds);
}

export function resetClock(world: World): Promise<unknown> {
  return controls.resetClock(controlledCloud(world));
}
