// ---------------------------------------------------------------------------
// STS on the local cloud, through the real SDK clients:
//  - GetCallerIdentity for root, an IAM user and a role session;
//  - AssumeRole's trust evaluation end to end: the external ID right / wrong / missing, a principal
//    the trust does not name, a cross-account caller without an identity policy, root refused,
//    a role that does not exist;
//  - AssumeRole's validation: RoleSessionName, ExternalId, DurationSeconds (range, role maximum,
//    role chaining), session policy size and grammar;
//  - session-policy scope-down: the session may do only what both the role and the policy allow.
// ---------------------------------------------------------------------------
import { DeleteRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { createTestUser, startTestCloud, type Credentials, type TestCloud, type TestUser } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { createRole } from '../../support/localcloud-fixtures';

const EXTERNAL_ID = 'sc-test-external-id-Qx7+=,.@:/-';
const ASSUME_ANY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };

let cloud: TestCloud;
let vendorAccount: string;
let customerAccount: string;
let connector: TestUser; // vendor-account user allowed to call sts:AssumeRole on anything
let stranger: TestUser; // vendor-account user with the same permission, not named by any trust
let noPolicy: TestUser; // vendor-account user named by the trust but without sts:AssumeRole
let guardedRole: string; // customer role: trusts `connector` and `noPolicy`, with the external ID
let chainRole: string; // vendor role that connector may assume and that may assume again
let chainedTarget: string; // vendor role that trusts chainRole (reached by role chaining)

const sts = (c: Credentials) => new STSClient(cloud.clientConfig(c));
const assume = (c: Credentials, input: Partial<AssumeRoleCommandInput> = {}) =>
  sts(c).send(new AssumeRoleCommand({ RoleArn: guardedRole, RoleSessionName: 'sidecar-test', ExternalId: EXTERNAL_ID, ...input }));
const credentialsOf = (out: Awaited<ReturnType<typeof assume>>): Credentials => ({
  accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken!,
});

beforeAll(async () => {
  cloud = await startTestCloud();
  vendorAccount = cloud.accounts.vendor.accountId;
  customerAccount = cloud.accounts['customer-a'].accountId;
  connector = await createTestUser(cloud, 'vendor', 'connector', ASSUME_ANY);
  stranger = await createTestUser(cloud, 'vendor', 'stranger', ASSUME_ANY);
  noPolicy = await createTestUser(cloud, 'vendor', 'no-policy');
  guardedRole = await createRole(cloud, 'customer-a', 'tibco_sidecar_connector', { AWS: [connector.arn, noPolicy.arn] }, {
    condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
    permissions: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:ListRoles'], Resource: '*' }] },
    maxSessionDuration: 7200,
  });
  chainRole = await createRole(cloud, 'vendor', 'chain-role', { AWS: connector.arn }, { permissions: ASSUME_ANY, maxSessionDuration: 43200 });
  chainedTarget = await createRole(cloud, 'vendor', 'chained-target', { AWS: chainRole }, { maxSessionDuration: 43200 });
}, 60_000);

afterAll(async () => {
  await cloud?.close();
});

// -- GetCallerIdentity ---------------------------------------------------------------

describe('GetCallerIdentity', () => {
  test('names the account root for root keys, with the account ID as UserId', async () => {
    const id = await sts(cloud.credentialsFor('vendor')).send(new GetCallerIdentityCommand({}));
    expect(id).toMatchObject({ Account: vendorAccount, Arn: `arn:aws:iam::${vendorAccount}:root`, UserId: vendorAccount });
  });

  test('names the IAM user for user keys, with an AIDA unique ID', async () => {
    const id = await sts(connector.credentials).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:iam::${vendorAccount}:user/connector`);
    expect(id.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });

  test('names the assumed-role session, with RoleId:session as UserId', async () => {
    const out = await assume(connector.credentials);
    const id = await sts(credentialsOf(out)).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:sts::${customerAccount}:assumed-role/tibco_sidecar_connector/sidecar-test`);
    expect(id.UserId).toBe(out.AssumedRoleUser!.AssumedRoleId);
    expect(id.UserId).toMatch(/^AROA[A-Z0-9]{17}:sidecar-test$/);
  });
});

// -- trust evaluation ----------------------------------------------------------------------

describe('AssumeRole trust evaluation', () => {
  test('the trusted principal with the right external ID gets temporary credentials', async () => {
    const out = await assume(connector.credentials);
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(out.Credentials!.SessionToken!.length).toBeGreaterThan(100);
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${customerAccount}:assumed-role/tibco_sidecar_connector/sidecar-test`);
  });

  test('the trusted principal with a wrong external ID is refused', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { ExternalId: 'sc-another-tenants-id' }));
    expect(refusal).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(refusal.message).toBe(`User: ${connector.arn} is not authorized to perform: sts:AssumeRole on resource: ${guardedRole}`);
  });

  test('the trusted principal without an external ID is refused', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { ExternalId: undefined }));
    expect(refusal).toMatchObject({ code: 'AccessDenied', status: 403 });
  });

  test('a principal the trust policy does not name is refused even with the right external ID', async () => {
    const refusal = await refusalOf(assume(stranger.credentials));
    expect(refusal.code).toBe('AccessDenied');
    expect(refusal.message).toContain(`User: ${stranger.arn} is not authorized to perform: sts:AssumeRole on resource: ${guardedRole}`);
  });

  test('a cross-account principal named by the trust but without an identity policy is refused', async () => {
    const refusal = await refusalOf(assume(noPolicy.credentials));
    expect(refusal.code).toBe('AccessDenied');
    expect(refusal.message).toContain('because no identity-based policy allows the sts:AssumeRole action');
  });

  test('root keys are refused: roles may not be assumed by root accounts', async () => {
    const refusal = await refusalOf(assume(cloud.credentialsFor('vendor')));
    expect(refusal).toMatchObject({ code: 'AccessDenied', status: 403, message: 'Roles may not be assumed by root accounts.' });
  });

  test('a role that does not exist is refused like an untrusting one (its existence is not revealed)', async () => {
    const missing = `arn:aws:iam::${customerAccount}:role/tibco_sidecar_connector-missing`;
    const refusal = await refusalOf(assume(connector.credentials, { RoleArn: missing }));
    expect(refusal).toMatchObject({ code: 'AccessDenied', message: `User: ${connector.arn} is not authorized to perform: sts:AssumeRole on resource: ${missing}` });
  });

  test('a Lambda-service trust refuses an IAM user', async () => {
    const lambdaRole = await createRole(cloud, 'vendor', 'lambda-exec', { Service: 'lambda.amazonaws.com' });
    const refusal = await refusalOf(assume(connector.credentials, { RoleArn: lambdaRole, ExternalId: undefined }));
    expect(refusal.code).toBe('AccessDenied');
  });
});

// -- validation -------------------------------------------------------------------------------

describe('AssumeRole validation', () => {
  test('a RoleSessionName with a character outside [\\w+=,.@-] is refused', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { RoleSessionName: 'has space' }));
    expect(refusal).toMatchObject({ code: 'ValidationError', status: 400 });
    expect(refusal.message).toBe("1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
  });

  test('a RoleSessionName of one character is refused', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { RoleSessionName: 'a' }));
    expect(refusal.message).toContain('Member must have length greater than or equal to 2');
  });

  test('a RoleSessionName of 65 characters is refused', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { RoleSessionName: 'a'.repeat(65) }));
    expect(refusal.message).toContain('Member must have length less than or equal to 64');
  });

  test('an ExternalId of one character is refused', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { ExternalId: 'x' }));
    expect(refusal).toMatchObject({ code: 'ValidationError', message: "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2" });
  });

  test('an ExternalId of 1225 characters is refused', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { ExternalId: 'x'.repeat(1225) }));
    expect(refusal.message).toContain('Member must have length less than or equal to 1224');
  });

  test('an ExternalId with a character outside [\\w+=,.@:/-] is refused, without echoing it', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { ExternalId: 'secret#value' }));
    expect(refusal.code).toBe('ValidationError');
    expect(refusal.message).toContain('regular expression pattern');
    expect(refusal.message).not.toContain('secret#value');
  });

  test('DurationSeconds below 900 is refused', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { DurationSeconds: 899 }));
    expect(refusal.message).toBe("1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
  });

  test("DurationSeconds above the role's MaxSessionDuration is refused", async () => {
    const refusal = await refusalOf(assume(connector.credentials, { DurationSeconds: 7201 }));
    expect(refusal).toMatchObject({ code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' });
  });

  test("DurationSeconds equal to the role's MaxSessionDuration is accepted", async () => {
    const out = await assume(connector.credentials, { DurationSeconds: 7200 });
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(7100_000);
  });

  test('role chaining beyond one hour is refused', async () => {
    const first = credentialsOf(await sts(connector.credentials).send(new AssumeRoleCommand({ RoleArn: chainRole, RoleSessionName: 'first' })));
    const refusal = await refusalOf(assume(first, { RoleArn: chainedTarget, ExternalId: undefined, DurationSeconds: 3601 }));
    expect(refusal).toMatchObject({ code: 'ValidationError', message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' });
  });

  test('role chaining for one hour is accepted', async () => {
    const first = credentialsOf(await sts(connector.credentials).send(new AssumeRoleCommand({ RoleArn: chainRole, RoleSessionName: 'first' })));
    const out = await assume(first, { RoleArn: chainedTarget, ExternalId: undefined, DurationSeconds: 3600 });
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${vendorAccount}:assumed-role/chained-target/sidecar-test`);
  });

  test('the same duration is accepted without chaining', async () => {
    const out = await sts(connector.credentials).send(new AssumeRoleCommand({ RoleArn: chainRole, RoleSessionName: 'direct', DurationSeconds: 3601 }));
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA/);
  });

  test('a session policy over 2048 characters is refused with PackedPolicyTooLarge', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${customerAccount}:role/${'x'.repeat(2100)}` }] });
    const refusal = await refusalOf(assume(connector.credentials, { Policy: policy }));
    expect(refusal.code).toBe('PackedPolicyTooLarge');
  });

  test('PolicyArns, which the local cloud does not implement, is refused rather than ignored', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { PolicyArns: [{ arn: `arn:aws:iam::${customerAccount}:policy/any` }] }));
    expect(refusal).toMatchObject({ code: 'InvalidParameterValue', status: 400 });
  });

  test('a malformed session policy is refused with MalformedPolicyDocument', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole"}]}' }));
    expect(refusal.code).toBe('MalformedPolicyDocument');
  });
});

// -- session-policy scope-down ------------------------------------------------------------------

describe('session policy scope-down', () => {
  let scoped: IAMClient;
  let full: IAMClient;

  beforeAll(async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: guardedRole }] });
    scoped = new IAMClient(cloud.clientConfig(credentialsOf(await assume(connector.credentials, { Policy: policy }))));
    full = new IAMClient(cloud.clientConfig(credentialsOf(await assume(connector.credentials))));
  });

  test('the scoped session may do what both the role and the session policy allow', async () => {
    const role = await scoped.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector' }));
    expect(role.Role!.Arn).toBe(guardedRole);
  });

  test('the scoped session may not do what only the role allows', async () => {
    const refusal = await refusalOf(scoped.send(new ListRolesCommand({})));
    expect(refusal.code).toBe('AccessDenied');
    expect(refusal.message).toContain('because no session policy allows the iam:ListRoles action');
  });

  test('a session without a session policy has the role\'s full permissions', async () => {
    const roles = await full.send(new ListRolesCommand({}));
    expect(roles.Roles!.map((r) => r.RoleName)).toContain('tibco_sidecar_connector');
  });

  test('a session policy cannot grant what the role does not allow', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] });
    const wide = new IAMClient(cloud.clientConfig(credentialsOf(await assume(connector.credentials, { Policy: policy }))));
    const refusal = await refusalOf(wide.send(new DeleteRoleCommand({ RoleName: 'tibco_sidecar_connector' })));
    expect(refusal.code).toBe('AccessDenied');
    expect(refusal.message).toContain('because no identity-based policy allows the iam:DeleteRole action');
  });
});
