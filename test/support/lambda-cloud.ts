// ---------------------------------------------------------------------------
// The fixture of the local Lambda service's suites (test/localcloud/lambda/): a local cloud of the
// suite's own, customer-a's account with its root's Lambda and IAM clients, and an execution role
// there that the Lambda service may assume. Each suite adds what is its own (packages, other
// accounts' clients, other roles).
// ---------------------------------------------------------------------------
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createRole } from '../../localcloud/lambda/testing/fixtures';
import { startTestCloud, type TestCloud } from '../../scripts/lib/child-cloud';

export interface LambdaCloud {
  readonly cloud: TestCloud;
  /** customer-a's account ID: where the suites deploy their functions. */
  readonly accountId: string;
  /** customer-a's root, through Lambda. */
  readonly lambda: LambdaClient;
  /** customer-a's root, through IAM. */
  readonly iam: IAMClient;
  /** The ARN of an execution role in customer-a's account, trusting the Lambda service. */
  readonly roleArn: string;
}

/** Start the cloud and create the execution role `executionRoleName`; the caller closes `cloud`. */
export async function startLambdaCloud(executionRoleName: string): Promise<LambdaCloud> {
  const cloud = await startTestCloud();
  try {
    const credentials = cloud.credentialsFor('customer-a');
    const iam = new IAMClient(cloud.clientConfig(credentials));
    return {
      cloud,
      accountId: cloud.accounts['customer-a'].accountId,
      lambda: new LambdaClient(cloud.clientConfig(credentials)),
      iam,
      roleArn: await createRole(iam, executionRoleName),
    };
  } catch (e) {
    await cloud.close();
    throw e;
  }
}
