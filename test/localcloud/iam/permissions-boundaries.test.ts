// ---------------------------------------------------------------------------
// Permissions boundaries are evaluated (IAM User Guide, "Permissions boundaries for IAM entities"
// and "Policy evaluation logic"). Through the real SDK:
//  - a user's or a role session's effective permissions are identity policies ∩ boundary
//    (∩ session policy): an action the identity allows and the boundary does not is refused
//    "because no permissions boundary allows"; removing the boundary lets it through;
//  - an explicit deny in the boundary refuses "with an explicit deny in a permissions boundary";
//  - same account, a trust (resource) policy naming the role's ARN is capped by the role's
//    boundary, one naming the session's ARN is not; one naming a user's ARN is not capped by the
//    user's boundary, one naming the account only delegates to identity ∩ boundary;
//  - cross account, the boundary caps the identity side;
//  - GetRole / GetUser show the boundary, GetPolicy counts its use, DeletePolicy refuses a boundary in use;
//    an AWS managed policy serves as a boundary too.
// ---------------------------------------------------------------------------
import {
  CreateAccessKeyCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, DeletePolicyCommand, DeleteRolePermissionsBoundaryCommand,
  DeleteUserPermissionsBoundaryCommand, GetPolicyCommand, GetRoleCommand, GetUserCommand, IAMClient, ListRolesCommand, ListUsersCommand, PutRolePolicyCommand,
  PutRolePermissionsBoundaryCommand, PutUserPermissionsBoundaryCommand, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { CALLS_TIMEOUT_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../../support/iam-clients';

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], resource = '*') => ({ Effect: 'Allow', Action: action, Resource: resource });
const deny = (action: string | string[], resource = '*') => ({ Effect: 'Deny', Action: action, Resource: resource });
const trustOf = (aws: string | string[]) => policy({ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' });
const IAM_READ_ONLY = 'arn:aws:iam::aws:policy/IAMReadOnlyAccess';

let cloud: TestCloud;
let iam: IAMClient;
let vendorIam: IAMClient;
let account: string;
let listRolesOnly: string; // boundary: iam:ListRoles and sts:AssumeRole
let denyListRoles: string; // boundary: everything but iam:ListRoles

const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;
const sts = (c: Credentials) => new STSClient(cloud.clientConfig(c));
const assume = async (c: Credentials, arn: string, sessionName = 'fidelity'): Promise<Credentials> => {
  const out = await sts(c).send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: sessionName }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
};

async function userWith(client: IAMClient, userName: string, identity: string, boundary?: string): Promise<{ arn: string; credentials: Credentials }> {
  const user = await client.send(new CreateUserCommand({ UserName: userName, ...(boundary ? { PermissionsBoundary: boundary } : {}) }));
  await client.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'identity', PolicyDocument: identity }));
  const key = await client.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { arn: user.User!.Arn!, credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! } };
}

beforeAll(async () => {
  cloud = await startTestCloud();
  iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  vendorIam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
  account = cloud.accounts['customer-a'].accountId;
  listRolesOnly = (await iam.send(new CreatePolicyCommand({ PolicyName: 'list-roles-only', PolicyDocument: policy(allow(['iam:ListRoles', 'sts:AssumeRole'])) }))).Policy!.Arn!;
  denyListRoles = (await iam.send(new CreatePolicyCommand({ PolicyName: 'deny-list-roles', PolicyDocument: policy(allow('*'), deny('iam:ListRoles')) }))).Policy!.Arn!;
}, START_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

describe('an IAM user with a boundary', () => {
  let user: { arn: string; credentials: Credentials };
  const client = () => new IAMClient(cloud.clientConfig(user.credentials));

  test('without a boundary, its identity policy allows both calls', async () => {
    user = await userWith(iam, 'bounded-user', policy(allow(['iam:ListRoles', 'iam:ListUsers'])));
    await expect(client().send(new ListRolesCommand({}))).resolves.toBeDefined();
    await expect(client().send(new ListUsersCommand({}))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);

  test('with a boundary, only what both allow: the rest "because no permissions boundary allows"', async () => {
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded-user', PermissionsBoundary: listRolesOnly }));
    expect((await iam.send(new GetUserCommand({ UserName: 'bounded-user' }))).User!.PermissionsBoundary).toEqual({ PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: listRolesOnly });
    await expect(client().send(new ListRolesCommand({}))).resolves.toBeDefined();
    const refusal = await refusalOf(client().send(new ListUsersCommand({})));
    expect(refusal).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(refusal.message).toBe(`User: ${user.arn} is not authorized to perform: iam:ListUsers on resource: * because no permissions boundary allows the iam:ListUsers action`);
  }, CALLS_TIMEOUT_MS);

  test('a boundary grants nothing the identity policies do not', async () => {
    const noIdentity = await userWith(iam, 'boundary-only', policy(allow('iam:GetUser')), IAM_READ_ONLY);
    const refusal = await refusalOf(new IAMClient(cloud.clientConfig(noIdentity.credentials)).send(new ListRolesCommand({})));
    expect(refusal.message).toContain('because no identity-based policy allows the iam:ListRoles action');
  }, CALLS_TIMEOUT_MS);

  test('an explicit deny in the boundary refuses "with an explicit deny in a permissions boundary"', async () => {
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded-user', PermissionsBoundary: denyListRoles }));
    await expect(client().send(new ListUsersCommand({}))).resolves.toBeDefined();
    const refusal = await refusalOf(client().send(new ListRolesCommand({})));
    expect(refusal.message).toBe(`User: ${user.arn} is not authorized to perform: iam:ListRoles on resource: * with an explicit deny in a permissions boundary`);
  }, CALLS_TIMEOUT_MS);

  test('removing the boundary restores the identity policy', async () => {
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded-user' }));
    await expect(client().send(new ListRolesCommand({}))).resolves.toBeDefined();
    await expect(client().send(new ListUsersCommand({}))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});

describe('a role with a boundary', () => {
  let operator: Credentials;

  beforeAll(async () => {
    operator = (await userWith(iam, 'operator', policy(allow('sts:AssumeRole')))).credentials;
    const trust = trustOf(`arn:aws:iam::${account}:user/operator`);
    await iam.send(new CreateRoleCommand({ RoleName: 'bounded-role', AssumeRolePolicyDocument: trust, PermissionsBoundary: listRolesOnly }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'bounded-role', PolicyName: 'p', PolicyDocument: policy(allow(['iam:ListRoles', 'iam:ListUsers', 'sts:AssumeRole'])) }));
  }, CALLS_TIMEOUT_MS);

  test('its sessions get identity ∩ boundary ∩ session policy', async () => {
    expect((await iam.send(new GetRoleCommand({ RoleName: 'bounded-role' }))).Role!.PermissionsBoundary!.PermissionsBoundaryArn).toBe(listRolesOnly);
    const session = new IAMClient(cloud.clientConfig(await assume(operator, roleArn('bounded-role'))));
    await expect(session.send(new ListRolesCommand({}))).resolves.toBeDefined();
    expect((await refusalOf(session.send(new ListUsersCommand({})))).message).toContain('because no permissions boundary allows the iam:ListUsers action');
    // A session policy cuts further: it allows ListUsers only, which the boundary still refuses.
    const out = await sts(operator).send(new AssumeRoleCommand({ RoleArn: roleArn('bounded-role'), RoleSessionName: 'scoped', Policy: policy(allow('iam:ListUsers')) }));
    const scoped = new IAMClient(cloud.clientConfig({ accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! }));
    expect((await refusalOf(scoped.send(new ListRolesCommand({})))).message).toContain('because no session policy allows the iam:ListRoles action');
    expect((await refusalOf(scoped.send(new ListUsersCommand({})))).message).toContain('because no permissions boundary allows the iam:ListUsers action');
  }, CALLS_TIMEOUT_MS);

  test('same account: a trust naming the role ARN is capped by the boundary; one naming the session ARN is not', async () => {
    // The boundary allows sts:AssumeRole; swap it for one that does not, and trust the role by ARN.
    const noAssume = (await iam.send(new CreatePolicyCommand({ PolicyName: 'no-assume', PolicyDocument: policy(allow('iam:ListRoles')) }))).Policy!.Arn!;
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded-role', PermissionsBoundary: noAssume }));
    await iam.send(new CreateRoleCommand({ RoleName: 'trusts-role-arn', AssumeRolePolicyDocument: trustOf(roleArn('bounded-role')) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'trusts-session-arn', AssumeRolePolicyDocument: trustOf(`arn:aws:sts::${account}:assumed-role/bounded-role/capped`) }));
    const session = await assume(operator, roleArn('bounded-role'), 'capped');
    const refusal = await refusalOf(assume(session, roleArn('trusts-role-arn')));
    expect(refusal.message).toContain('because no permissions boundary allows the sts:AssumeRole action');
    await expect(assume(session, roleArn('trusts-session-arn'))).resolves.toBeDefined();
    // Without the boundary, the role-ARN trust lets the session in.
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'bounded-role' }));
    await expect(assume(await assume(operator, roleArn('bounded-role')), roleArn('trusts-role-arn'))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});

describe('resource-based grants to a user with a boundary', () => {
  test("same account: a trust naming the user's ARN is not capped by its boundary; one naming the account is", async () => {
    const capped = await userWith(iam, 'capped-user', policy(allow(['sts:AssumeRole', 'iam:ListRoles'])), listRolesOnly.replace('list-roles-only', 'no-assume'));
    await iam.send(new CreateRoleCommand({ RoleName: 'trusts-user-arn', AssumeRolePolicyDocument: trustOf(capped.arn) }));
    await iam.send(new CreateRoleCommand({ RoleName: 'trusts-account', AssumeRolePolicyDocument: trustOf(`arn:aws:iam::${account}:root`) }));
    await expect(assume(capped.credentials, roleArn('trusts-user-arn'))).resolves.toBeDefined();
    const refusal = await refusalOf(assume(capped.credentials, roleArn('trusts-account')));
    expect(refusal.message).toContain('because no permissions boundary allows the sts:AssumeRole action');
  }, CALLS_TIMEOUT_MS);

  test('cross account: the boundary caps the identity side even when the trust names the user', async () => {
    const vendorBoundary = (await vendorIam.send(new CreatePolicyCommand({ PolicyName: 'vendor-no-assume', PolicyDocument: policy(allow('iam:ListRoles')) }))).Policy!.Arn!;
    const free = await userWith(vendorIam, 'vendor-free', policy(allow('sts:AssumeRole')));
    const capped = await userWith(vendorIam, 'vendor-capped', policy(allow('sts:AssumeRole')), vendorBoundary);
    await iam.send(new CreateRoleCommand({ RoleName: 'trusts-vendor-users', AssumeRolePolicyDocument: trustOf([free.arn, capped.arn]) }));
    await expect(assume(free.credentials, roleArn('trusts-vendor-users'))).resolves.toBeDefined();
    const refusal = await refusalOf(assume(capped.credentials, roleArn('trusts-vendor-users')));
    expect(refusal.message).toContain('because no permissions boundary allows the sts:AssumeRole action');
  }, CALLS_TIMEOUT_MS);
});

describe('the boundary policy itself', () => {
  test('GetPolicy counts its use as a boundary, and DeletePolicy refuses it while in use', async () => {
    const unused = (await iam.send(new CreatePolicyCommand({ PolicyName: 'unused-boundary', PolicyDocument: policy(allow('iam:ListRoles')) }))).Policy!.Arn!;
    const noAssume = `arn:aws:iam::${account}:policy/no-assume`; // capped-user's boundary
    const inUse = (await iam.send(new GetPolicyCommand({ PolicyArn: noAssume }))).Policy!;
    expect(inUse).toMatchObject({ PermissionsBoundaryUsageCount: 1, AttachmentCount: 0 });
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: unused }))).Policy!.PermissionsBoundaryUsageCount).toBe(0);
    const refusal = await refusalOf(iam.send(new DeletePolicyCommand({ PolicyArn: noAssume })));
    expect(refusal.code).toBe('DeleteConflict');
    await expect(iam.send(new DeletePolicyCommand({ PolicyArn: unused }))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);

  test('a boundary that is not a managed policy of the account is refused with NoSuchEntity', async () => {
    const arn = `arn:aws:iam::${account}:policy/not-there`;
    const refusal = await refusalOf(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded-role', PermissionsBoundary: arn })));
    expect(refusal).toMatchObject({ code: 'NoSuchEntity', message: `Scope ARN: ${arn} does not exist or is not attachable.` });
    await expect(iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded-role', PermissionsBoundary: IAM_READ_ONLY }))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});
