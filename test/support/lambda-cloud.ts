// ---------------------------------------------------------------------------
// The fixture of the local Lambda service's suites (test/localcloud/lambda/): a local cloud of the
// suite's own, customer-a's account with its root's Lambda and IAM clients and an execution role
// there that the Lambda service may assume, and the vendor account's clients; closed after the
// suite. Each suite adds what is its own (packages, other roles, users).
// ---------------------------------------------------------------------------
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createRole } from './localcloud-zips';
import { startTestCloud, type TestCloud } from '../../scripts/lib/child-cloud';

/** An account's root, through Lambda and IAM. */
export interface AccountClients {
  readonly accountId: string;
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
}

/** customer-a's account (where the suites deploy their functions), with the cloud around it. */
export interface LambdaCloud extends AccountClients {
  readonly cloud: TestCloud;
  /** The ARN of an execution role in customer-a's account, trusting the Lambda service. */
  readonly roleArn: string;
  /** The vendor's account, for calls across accounts. */
  readonly vendor: AccountClients;
}

function accountClients(cloud: TestCloud, stack: string): AccountClients {
  const config = cloud.clientConfig(cloud.credentialsFor(stack));
  return { accountId: cloud.accounts[stack].accountId, lambda: new LambdaClient(config), iam: new IAMClient(config) };
}

/** Start the cloud and create the execution role `executionRoleName`; the caller closes `cloud`. */
async function startLambdaCloud(executionRoleName: string): Promise<LambdaCloud> {
  const cloud = await startTestCloud();
  try {
    const customer = accountClients(cloud, 'customer-a');
    return { ...customer, cloud, roleArn: await createRole(customer.iam, executionRoleName), vendor: accountClients(cloud, 'vendor') };
  } catch (e) {
    await cloud.close();
    throw e;
  }
}

/**
 * The suite's fixture: started (with the execution role `executionRoleName`) before its tests and
 * closed after them. Call once at the top of the suite's file, before its own beforeAll, which
 * then finds the fixture filled in.
 */
export function useLambdaCloud(executionRoleName: string): LambdaCloud {
  const fixture = {} as { -readonly [K in keyof LambdaCloud]: LambdaCloud[K] };
  beforeAll(async () => {
    Object.assign(fixture, await startLambdaCloud(executionRoleName));
  }, 60_000);
  afterAll(async () => {
    await fixture.cloud?.close();
  });
  return fixture;
}
