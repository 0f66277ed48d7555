// ---------------------------------------------------------------------------
// Identities a test acts as, other than the deployed Lambdas:
//  - the connector's execution role, with credentials obtained as the Lambda obtains them (local);
//  - an "operator" of an account: a non-root IAM principal allowed to call sts:AssumeRole and
//    sts:SetSourceIdentity on anything (local: an IAM user the test creates and removes; aws: the
//    account's profile).
// ---------------------------------------------------------------------------
import {
  CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { executionRoleCredentials } from './local-controls';
import { newAccessKeyNotYet, untilPropagated } from './propagation';
import type { Credentials, World } from './world';

export function connectorRoleCredentials(world: World): Promise<AwsCredentialIdentity> {
  return executionRoleCredentials(world, world.outputs.vendor.connector_role_arn, world.outputs.vendor.connector_function_arn);
}

export interface Operator {
  readonly credentials: Credentials;
  /** Removes what the test created (nothing on the aws target). */
  dispose(): Promise<void>;
}

/** A non-root principal of `stack`'s account that may call sts:AssumeRole (and set a source identity) on any role. */
export async function accountOperator(world: World, stack: string, name: string): Promise<Operator> {
  if (world.target === 'aws') return { credentials: world.adminCredentials(stack), dispose: async () => undefined };
  const iam = world.iam(world.adminCredentials(stack));
  const userName = `sidecar-e2e-${name}`;
  await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(new PutUserPolicyCommand({
    UserName: userName,
    PolicyName: 'AssumeAnyRole',
    // Set a source identity too, as the connector does: what a trust asks of the vendor, this operator may offer.
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'AssumeAny', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }] }),
  }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  const credentials = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  // A new key is refused (InvalidClientTokenId) until IAM has propagated it; the key is created
  // after the policy, so by the time it is accepted the policy has had as long to propagate.
  await untilPropagated(`the new access key of ${userName}`, () => world.sts(credentials).send(new GetCallerIdentityCommand({})), newAccessKeyNotYet);
  return {
    credentials,
    dispose: async () => {
      await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: credentials.accessKeyId }));
      await iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: 'AssumeAnyRole' }));
      await iam.send(new DeleteUserCommand({ UserName: userName }));
    },
  };
}

/** The error name an SDK call was refused with, or 'allowed'. */
export async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'allowed';
  } catch (e) {
    return (e as Error).name;
  }
}
