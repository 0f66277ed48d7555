// ---------------------------------------------------------------------------
// IAM on the local cloud, through the real SDK client:
//  - response shapes the Terraform provider needs (CreateDate, ARN, AROA RoleId, URL-encoded
//    documents with + as %2B, DefaultVersionId that GetPolicyVersion fetches);
//  - validation: names, paths, MaxSessionDuration, malformed documents, a trust policy naming a
//    principal that does not exist, duplicates, missing entities, delete conflicts, version limit;
//  - IAM calls by a non-root user are authorized by its identity policies (allow, implicit deny,
//    explicit deny).
// ---------------------------------------------------------------------------
import {
  AttachRolePolicyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand, DeletePolicyVersionCommand,
  DeleteRoleCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { createTestUser, startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';

const TRUST_LAMBDA = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const policyJson = (action: string, resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });

let cloud: TestCloud;
let iam: IAMClient;
let account: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  account = cloud.accounts['customer-a'].accountId;
}, 60_000);

afterAll(async () => {
  await cloud?.close();
});

// -- shapes ---------------------------------------------------------------------------------

describe('response shapes', () => {
  test('CreateRole answers the role with an ARN, an AROA RoleId, CreateDate and the default MaxSessionDuration', async () => {
    const out = await iam.send(new CreateRoleCommand({ RoleName: 'shape-role', Path: '/team/', AssumeRolePolicyDocument: TRUST_LAMBDA, Tags: [{ Key: 'k', Value: 'v' }] }));
    expect(out.Role).toMatchObject({ RoleName: 'shape-role', Path: '/team/', Arn: `arn:aws:iam::${account}:role/team/shape-role`, MaxSessionDuration: 3600 });
    expect(out.Role!.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(out.Role!.CreateDate).toBeInstanceOf(Date);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'shape-role' }));
    expect(got.Role!.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
  });

  test('policy documents come back URL-encoded, with + as %2B', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'plus-role', AssumeRolePolicyDocument: TRUST_LAMBDA }));
    const document = policyJson('lambda:InvokeFunction', `arn:aws:lambda:us-east-1:${account}:function:a+b`);
    await iam.send(new PutRolePolicyCommand({ RoleName: 'plus-role', PolicyName: 'p', PolicyDocument: document }));
    const out = await iam.send(new GetRolePolicyCommand({ RoleName: 'plus-role', PolicyName: 'p' }));
    expect(out.PolicyDocument).toContain('a%2Bb');
    expect(decodeURIComponent(out.PolicyDocument!)).toBe(document);
  });

  test("a managed policy's DefaultVersionId is fetchable with GetPolicyVersion", async () => {
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: 'shape-policy', PolicyDocument: policyJson('logs:CreateLogGroup') }));
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: created.Policy!.Arn }))).Policy!;
    expect(policy).toMatchObject({ Arn: `arn:aws:iam::${account}:policy/shape-policy`, DefaultVersionId: 'v1', AttachmentCount: 0, IsAttachable: true });
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policy.Arn, VersionId: policy.DefaultVersionId }));
    expect(decodeURIComponent(version.PolicyVersion!.Document!)).toBe(policyJson('logs:CreateLogGroup'));
  });

  test('an attached policy is listed by ListAttachedRolePolicies and counted by GetPolicy', async () => {
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: 'attach-me', PolicyDocument: policyJson('logs:PutLogEvents') }));
    await iam.send(new CreateRoleCommand({ RoleName: 'attach-role', AssumeRolePolicyDocument: TRUST_LAMBDA }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'attach-role', PolicyArn: created.Policy!.Arn }));
    const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'attach-role' }));
    expect(listed.AttachedPolicies).toEqual([{ PolicyName: 'attach-me', PolicyArn: created.Policy!.Arn }]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: created.Policy!.Arn }))).Policy!.AttachmentCount).toBe(1);
  });
});

// -- validation -------------------------------------------------------------------------------

describe('validation', () => {
  test('a role name of 65 characters is refused', async () => {
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'r'.repeat(65), AssumeRolePolicyDocument: TRUST_LAMBDA })));
    expect(refusal).toMatchObject({ code: 'ValidationError', status: 400 });
    expect(refusal.message).toContain("at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64");
  });

  test('a role name with a character outside [\\w+=,.@-] is refused', async () => {
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'bad/name', AssumeRolePolicyDocument: TRUST_LAMBDA })));
    expect(refusal.message).toBe("1 validation error detected: Value 'bad/name' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  });

  test('a path that does not start and end with / is refused', async () => {
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'path-role', Path: 'team', AssumeRolePolicyDocument: TRUST_LAMBDA })));
    expect(refusal).toMatchObject({ code: 'ValidationError' });
    expect(refusal.message).toContain("at 'path'");
  });

  test('MaxSessionDuration below 3600 is refused', async () => {
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'short-role', AssumeRolePolicyDocument: TRUST_LAMBDA, MaxSessionDuration: 3599 })));
    expect(refusal.message).toBe("1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600");
  });

  test('MaxSessionDuration above 43200 is refused', async () => {
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'long-role', AssumeRolePolicyDocument: TRUST_LAMBDA, MaxSessionDuration: 43201 })));
    expect(refusal.message).toContain('Member must have value less than or equal to 43200');
  });

  test('a trust policy that is not JSON is refused with MalformedPolicyDocument', async () => {
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'json-role', AssumeRolePolicyDocument: '{"Version":' })));
    expect(refusal).toMatchObject({ code: 'MalformedPolicyDocument', status: 400, message: 'This policy contains invalid Json' });
  });

  test('a policy with an unknown element is refused with MalformedPolicyDocument', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'element-role', AssumeRolePolicyDocument: TRUST_LAMBDA }));
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Colour: 'blue' }] });
    const refusal = await refusalOf(iam.send(new PutRolePolicyCommand({ RoleName: 'element-role', PolicyName: 'p', PolicyDocument: document })));
    expect(refusal.code).toBe('MalformedPolicyDocument');
  });

  test('a trust policy naming a role that does not exist is refused: Invalid principal in policy', async () => {
    const missing = `arn:aws:iam::${cloud.accounts.vendor.accountId}:role/sidecar-connector-exec`;
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: missing }, Action: 'sts:AssumeRole' }] });
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'early-customer', AssumeRolePolicyDocument: trust })));
    expect(refusal).toMatchObject({ code: 'MalformedPolicyDocument', message: `Invalid principal in policy: "AWS":"${missing}"` });
  });

  test('the same trust policy is accepted once the named role exists', async () => {
    const vendorIam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
    const vendorRole = (await vendorIam.send(new CreateRoleCommand({ RoleName: 'vendor-exec', AssumeRolePolicyDocument: TRUST_LAMBDA }))).Role!.Arn!;
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: vendorRole }, Action: 'sts:AssumeRole' }] });
    const out = await iam.send(new CreateRoleCommand({ RoleName: 'late-customer', AssumeRolePolicyDocument: trust }));
    expect(out.Role!.RoleName).toBe('late-customer');
  });

  test('UpdateAssumeRolePolicy refuses a principal that does not exist', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'update-trust', AssumeRolePolicyDocument: TRUST_LAMBDA }));
    const missing = `arn:aws:iam::${account}:user/nobody`;
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: missing }, Action: 'sts:AssumeRole' }] });
    const refusal = await refusalOf(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'update-trust', PolicyDocument: trust })));
    expect(refusal.message).toBe(`Invalid principal in policy: "AWS":"${missing}"`);
  });

  test('a role name already taken (in any letter case) is refused with EntityAlreadyExists', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'Taken', AssumeRolePolicyDocument: TRUST_LAMBDA }));
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'taken', AssumeRolePolicyDocument: TRUST_LAMBDA })));
    expect(refusal).toMatchObject({ code: 'EntityAlreadyExists', status: 409, message: 'Role with name taken already exists.' });
  });

  test('GetRole of a role that does not exist is refused with NoSuchEntity', async () => {
    const refusal = await refusalOf(iam.send(new GetRoleCommand({ RoleName: 'ghost' })));
    expect(refusal).toMatchObject({ code: 'NoSuchEntity', status: 404, message: 'The role with name ghost cannot be found.' });
  });

  test('DeleteRole of a role with an inline policy is refused with DeleteConflict', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'busy-role', AssumeRolePolicyDocument: TRUST_LAMBDA }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'busy-role', PolicyName: 'p', PolicyDocument: policyJson('iam:GetRole') }));
    const refusal = await refusalOf(iam.send(new DeleteRoleCommand({ RoleName: 'busy-role' })));
    expect(refusal).toMatchObject({ code: 'DeleteConflict', status: 409, message: 'Cannot delete entity, must delete policies first.' });
  });

  test('a sixth version of a managed policy is refused with LimitExceeded', async () => {
    const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'versioned', PolicyDocument: policyJson('iam:GetRole') }))).Policy!.Arn!;
    for (let i = 0; i < 4; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyJson('iam:GetRole', `arn:aws:iam::${account}:role/r${i}`), SetAsDefault: true }));
    expect((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!.map((v) => v.VersionId)).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
    const refusal = await refusalOf(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyJson('iam:ListRoles') })));
    expect(refusal).toMatchObject({ code: 'LimitExceeded', status: 409 });
  });

  test('deleting the default version of a managed policy is refused with DeleteConflict', async () => {
    const arn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'default-kept', PolicyDocument: policyJson('iam:GetRole') }))).Policy!.Arn!;
    const refusal = await refusalOf(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })));
    expect(refusal).toMatchObject({ code: 'DeleteConflict', message: 'Cannot delete the default version of a policy.' });
  });
});

// -- authorization of IAM calls -------------------------------------------------------------------

describe('IAM calls by a non-root user', () => {
  test('are allowed when an identity policy allows the action', async () => {
    const user = await createTestUser(cloud, 'customer-a', 'reader', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: `arn:aws:iam::${account}:role/*` }] });
    const out = await new IAMClient(cloud.clientConfig(user.credentials)).send(new GetRoleCommand({ RoleName: 'shape-role' }));
    expect(out.Role!.RoleName).toBe('shape-role');
  });

  test('are refused when no identity policy allows the action', async () => {
    const user = await createTestUser(cloud, 'customer-a', 'reader-only', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }] });
    const refusal = await refusalOf(new IAMClient(cloud.clientConfig(user.credentials)).send(new CreateUserCommand({ UserName: 'sneaky' })));
    expect(refusal).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(refusal.message).toBe(`User: ${user.arn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${account}:user/sneaky because no identity-based policy allows the iam:CreateUser action`);
  });

  test('are refused by an explicit deny even when another statement allows', async () => {
    const user = await createTestUser(cloud, 'customer-a', 'denied', { Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Action: 'iam:*', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:PutUserPolicy', Resource: '*' },
    ] });
    const refusal = await refusalOf(new IAMClient(cloud.clientConfig(user.credentials)).send(new PutUserPolicyCommand({ UserName: 'denied', PolicyName: 'escalate', PolicyDocument: policyJson('*') })));
    expect(refusal.code).toBe('AccessDenied');
    expect(refusal.message).toContain('with an explicit deny in an identity-based policy');
  });
});
