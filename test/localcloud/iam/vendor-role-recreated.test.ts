// ---------------------------------------------------------------------------
// The project's customer trust (rules/policies.ts, crossAccountTrustPolicy) against the vendor
// re-creating its execution role, on the local cloud through the real SDK, across two accounts:
//  - the trust the project builds (the vendor account as principal, the role by ArnEquals
//    aws:PrincipalArn) accepts the re-created role, and GetRole still shows it as written;
//  - the nearest neighbour, the shape before it (the same statement with the role's ARN as
//    Principal), refuses the re-created role, and GetRole shows the old role's bare unique ID
//    where the ARN was (what `npm run verify` recognises);
//  - after the re-creation the project's trust still refuses another principal of the vendor
//    account, a wrong external ID, another tenant's source identity and none.
// The vendor's execution role is assumed by an IAM user standing in for lambda.amazonaws.com.
// ---------------------------------------------------------------------------
import {
  CreateRoleCommand, DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DEFAULT_ROLE_PREFIX, roleArn } from '../../../rules/naming';
import { assumePrefixedRolesPolicy, crossAccountTrustPolicy } from '../../../rules/policies';
import { createTestUser, startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { CALLS_TIMEOUT_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../../support/iam-clients';

const EXECUTION_ROLE = 'sidecar-connector-exec';
const EXTERNAL_ID = 'sc-recreate-test-external-id-1';
const TENANT = 'acme';
const NEW_SHAPE_ROLE = `${DEFAULT_ROLE_PREFIX}-recreate-new`;
const OLD_SHAPE_ROLE = `${DEFAULT_ROLE_PREFIX}-recreate-old`;

let cloud: TestCloud;
let vendorIam: IAMClient;
let customerIam: IAMClient;
let vendorAccount: string;
let customerAccount: string;
let standIn: Credentials; // stands in for lambda.amazonaws.com: the only one the execution role trusts
let vendorOperator: Credentials; // another principal of the vendor account, allowed to assume anything
let executionRoleArn: string;

const sts = (c: Credentials) => new STSClient(cloud.clientConfig(c));
const customerRoleArn = (name: string) => roleArn(customerAccount, name);
const trustShown = async (name: string) => decodeURIComponent((await customerIam.send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!);

async function session(as: Credentials, arn: string, params: { ExternalId?: string; SourceIdentity?: string } = {}): Promise<Credentials> {
  const out = await sts(as).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'recreate-test', ...params }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

/** The vendor's execution role, as the vendor stack makes it: trusted by its runner, allowed the project's assume policy. */
async function createExecutionRole(): Promise<string> {
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: standInArn }, Action: 'sts:AssumeRole' }] };
  const role = await vendorIam.send(new CreateRoleCommand({ RoleName: EXECUTION_ROLE, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  const policy = assumePrefixedRolesPolicy({ rolePrefix: DEFAULT_ROLE_PREFIX, accountIds: [customerAccount] });
  await vendorIam.send(new PutRolePolicyCommand({ RoleName: EXECUTION_ROLE, PolicyName: 'assume', PolicyDocument: JSON.stringify(policy) }));
  return role.Role!.RoleId!;
}

async function deleteExecutionRole(): Promise<void> {
  await vendorIam.send(new DeleteRolePolicyCommand({ RoleName: EXECUTION_ROLE, PolicyName: 'assume' }));
  await vendorIam.send(new DeleteRoleCommand({ RoleName: EXECUTION_ROLE }));
}

/** What the connector sends: the customer's external ID and the tenant as SourceIdentity. */
const asConnector = { ExternalId: EXTERNAL_ID, SourceIdentity: TENANT };

let standInArn: string;
let firstRoleId: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  vendorIam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
  customerIam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  vendorAccount = cloud.accounts.vendor.accountId;
  customerAccount = cloud.accounts['customer-a'].accountId;
  const runner = await createTestUser(cloud, 'vendor', 'lambda-stand-in', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] });
  standIn = runner.credentials;
  standInArn = runner.arn;
  vendorOperator = (await createTestUser(cloud, 'vendor', 'vendor-operator', {
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }],
  })).credentials;
  firstRoleId = await createExecutionRole();
  executionRoleArn = roleArn(vendorAccount, EXECUTION_ROLE);

  const projectTrust = crossAccountTrustPolicy({ vendorAccountId: vendorAccount, vendorRoleArns: [executionRoleArn], externalIds: [EXTERNAL_ID], tenantIds: [TENANT] });
  // The shape before: the same statement and conditions, with the role's ARN as the Principal.
  const oldTrust = { ...projectTrust, Statement: projectTrust.Statement.map(({ Condition, ...s }) => ({ ...s, Principal: { AWS: executionRoleArn }, Condition: { StringEquals: Condition!.StringEquals } })) };
  await customerIam.send(new CreateRoleCommand({ RoleName: NEW_SHAPE_ROLE, AssumeRolePolicyDocument: JSON.stringify(projectTrust) }));
  await customerIam.send(new CreateRoleCommand({ RoleName: OLD_SHAPE_ROLE, AssumeRolePolicyDocument: JSON.stringify(oldTrust) }));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

describe('before the vendor re-creates its execution role', () => {
  test('both shapes let the execution role in with the external ID and the tenant', async () => {
    const exec = await session(standIn, executionRoleArn);
    await expect(session(exec, customerRoleArn(NEW_SHAPE_ROLE), asConnector)).resolves.toBeDefined();
    await expect(session(exec, customerRoleArn(OLD_SHAPE_ROLE), asConnector)).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});

describe('after the vendor deletes and re-creates its execution role under the same name', () => {
  let exec: Credentials;

  beforeAll(async () => {
    await deleteExecutionRole();
    const secondRoleId = await createExecutionRole();
    expect(secondRoleId).not.toBe(firstRoleId); // really a new role, as cdktf destroy + deploy makes
    exec = await session(standIn, executionRoleArn);
  }, CALLS_TIMEOUT_MS);

  test('the project\'s trust (vendor account + aws:PrincipalArn) still lets the new role in', async () => {
    await expect(session(exec, customerRoleArn(NEW_SHAPE_ROLE), asConnector)).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);

  test('... and GetRole still shows it as written: the account principal and the ARN in the condition', async () => {
    const shown = JSON.parse(await trustShown(NEW_SHAPE_ROLE));
    expect(shown.Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${vendorAccount}:root` });
    expect(shown.Statement[0].Condition.ArnEquals).toEqual({ 'aws:PrincipalArn': executionRoleArn });
  }, CALLS_TIMEOUT_MS);

  test('the nearest neighbour, the role ARN as Principal, refuses the new role: the trust named the old one by its unique ID', async () => {
    expect(await refusalOf(session(exec, customerRoleArn(OLD_SHAPE_ROLE), asConnector))).toMatchObject({ code: 'AccessDenied', status: 403 });
    const shown = JSON.parse(await trustShown(OLD_SHAPE_ROLE));
    expect(shown.Statement[0].Principal).toEqual({ AWS: firstRoleId });
    expect(firstRoleId).toMatch(/^AROA[A-Z0-9]+$/);
  }, CALLS_TIMEOUT_MS);

  test('another principal of the vendor account is refused by the project\'s trust, even with the external ID and the tenant', async () => {
    expect(await refusalOf(session(vendorOperator, customerRoleArn(NEW_SHAPE_ROLE), asConnector))).toMatchObject({ code: 'AccessDenied', status: 403 });
  }, CALLS_TIMEOUT_MS);

  test.each<[string, { ExternalId?: string; SourceIdentity?: string }]>([
    ['a wrong external ID', { ExternalId: `${EXTERNAL_ID}-wrong`, SourceIdentity: TENANT }],
    ['no external ID', { SourceIdentity: TENANT }],
    ['another tenant as source identity', { ExternalId: EXTERNAL_ID, SourceIdentity: 'globex' }],
    ['no source identity', { ExternalId: EXTERNAL_ID }],
  ])('the new execution role with %s is refused', async (_what, params) => {
    expect(await refusalOf(session(exec, customerRoleArn(NEW_SHAPE_ROLE), params))).toMatchObject({ code: 'AccessDenied', status: 403 });
  }, CALLS_TIMEOUT_MS);
});

describe('the caller\'s side of sts:SetSourceIdentity', () => {
  test('an execution role whose own policy allows sts:AssumeRole but not sts:SetSourceIdentity is refused; given it back, allowed', async () => {
    const assumeOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${customerAccount}:role/${DEFAULT_ROLE_PREFIX}*` }] };
    await vendorIam.send(new PutRolePolicyCommand({ RoleName: EXECUTION_ROLE, PolicyName: 'assume', PolicyDocument: JSON.stringify(assumeOnly) }));
    try {
      const exec = await session(standIn, executionRoleArn);
      expect(await refusalOf(session(exec, customerRoleArn(NEW_SHAPE_ROLE), asConnector))).toMatchObject({ code: 'AccessDenied', status: 403 });
    } finally {
      const policy = assumePrefixedRolesPolicy({ rolePrefix: DEFAULT_ROLE_PREFIX, accountIds: [customerAccount] });
      await vendorIam.send(new PutRolePolicyCommand({ RoleName: EXECUTION_ROLE, PolicyName: 'assume', PolicyDocument: JSON.stringify(policy) }));
    }
    await expect(session(await session(standIn, executionRoleArn), customerRoleArn(NEW_SHAPE_ROLE), asConnector)).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});
