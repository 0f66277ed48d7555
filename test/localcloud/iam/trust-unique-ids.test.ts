// ---------------------------------------------------------------------------
// A trust policy names a role or user by its unique ID once saved (IAM User Guide, "AWS JSON policy
// elements: Principal", IAM role principals). Through the real SDK:
//  - GetRole shows the ARN, as written, while the principal exists (what Terraform reads back);
//  - a trusted role deleted and re-created under the same name is not trusted any more, and
//    GetRole shows the old unique ID where the ARN was; saving the ARN again trusts the new role;
//  - the same for a trusted IAM user;
//  - sessions of the deleted role are refused everything, even what the new role may do;
//  - account, service and condition principals (aws:PrincipalArn) stay as written and still work.
// ---------------------------------------------------------------------------
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DeleteUserCommand,
  DeleteUserPolicyCommand, GetRoleCommand, GetUserCommand, IAMClient, ListRolesCommand, PutRolePolicyCommand, PutUserPolicyCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { CALLS_TIMEOUT_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../../support/iam-clients';

const ASSUME_ANY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] });
const trustOf = (aws: string | string[], extra: object = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole', ...extra }] }, null, 2);

let cloud: TestCloud;
let iam: IAMClient;
let account: string;
let operator: Credentials; // an IAM user that may assume anything its trust lets it

const sts = (c: Credentials) => new STSClient(cloud.clientConfig(c));
const sessionOf = async (c: Credentials, roleArn: string): Promise<Credentials> => {
  const out = await sts(c).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'fidelity' }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
};
const trustShown = async (roleName: string) => decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!);
const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`;

async function newUserKeys(userName: string): Promise<{ arn: string; credentials: Credentials }> {
  const user = await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'assume', PolicyDocument: ASSUME_ANY }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { arn: user.User!.Arn!, credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! } };
}

/** A role whose trust names `operator`, with an inline policy that lets its sessions assume roles and list roles. */
async function createTrustedRole(name: string, operatorArn: string) {
  const out = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustOf(operatorArn) }));
  const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'iam:ListRoles'], Resource: '*' }] });
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: doc }));
  return out.Role!;
}

let operatorArn: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  account = cloud.accounts['customer-a'].accountId;
  const op = await newUserKeys('operator');
  operator = op.credentials;
  operatorArn = op.arn;
}, START_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

describe('a trusted role', () => {
  let oldId: string;
  let oldSession: Credentials;

  test('GetRole shows the trust exactly as written while the principal exists', async () => {
    oldId = (await createTrustedRole('trusted', operatorArn)).RoleId!;
    const written = trustOf(roleArn('trusted'));
    const created = await iam.send(new CreateRoleCommand({ RoleName: 'guarded', AssumeRolePolicyDocument: written }));
    expect(decodeURIComponent(created.Role!.AssumeRolePolicyDocument!)).toBe(written);
    expect(await trustShown('guarded')).toBe(written);
    const listed = (await iam.send(new ListRolesCommand({}))).Roles!.find((r) => r.RoleName === 'guarded')!;
    expect(decodeURIComponent(listed.AssumeRolePolicyDocument!)).toBe(written);
  }, CALLS_TIMEOUT_MS);

  test("the trusted role's session assumes the guarded role", async () => {
    oldSession = await sessionOf(operator, roleArn('trusted'));
    await expect(sessionOf(oldSession, roleArn('guarded'))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);

  test('deleted and re-created under the same name, it is not trusted: GetRole shows the old unique ID', async () => {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'trusted', PolicyName: 'p' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'trusted' }));
    expect(await trustShown('guarded')).toBe(trustOf(oldId));
    const recreated = await createTrustedRole('trusted', operatorArn);
    expect(recreated.RoleId).not.toBe(oldId);
    expect(await trustShown('guarded')).toBe(trustOf(oldId));
    const newSession = await sessionOf(operator, roleArn('trusted'));
    const refusal = await refusalOf(sessionOf(newSession, roleArn('guarded')));
    expect(refusal).toMatchObject({ code: 'AccessDenied', status: 403 });
  }, CALLS_TIMEOUT_MS);

  test("a session of the deleted role gets none of the re-created role's permissions", async () => {
    const stale = new IAMClient(cloud.clientConfig(oldSession));
    const refusal = await refusalOf(stale.send(new ListRolesCommand({})));
    expect(refusal.code).toBe('AccessDenied');
    expect(refusal.message).toContain('is not authorized to perform: iam:ListRoles');
    // The neighbour: a session of the re-created role may list roles.
    const fresh = new IAMClient(cloud.clientConfig(await sessionOf(operator, roleArn('trusted'))));
    await expect(fresh.send(new ListRolesCommand({}))).resolves.toBeDefined();
    expect((await refusalOf(sessionOf(oldSession, roleArn('guarded')))).code).toBe('AccessDenied');
  }, CALLS_TIMEOUT_MS);

  test('saving the ARN again trusts the re-created role, and GetRole shows the ARN again', async () => {
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'guarded', PolicyDocument: trustOf(roleArn('trusted')) }));
    expect(await trustShown('guarded')).toBe(trustOf(roleArn('trusted')));
    const newSession = await sessionOf(operator, roleArn('trusted'));
    await expect(sessionOf(newSession, roleArn('guarded'))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});

/** Delete a user made by `newUserKeys` (its key and policy first, as IAM requires). */
async function deleteUser(userName: string, accessKeyId: string) {
  await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
  await iam.send(new DeleteUserPolicyCommand({ UserName: userName, PolicyName: 'assume' }));
  await iam.send(new DeleteUserCommand({ UserName: userName }));
}

describe('a trusted user', () => {
  test('deleted and re-created under the same name, it is refused, and GetRole shows its old unique ID', async () => {
    const first = await newUserKeys('trusted-user');
    const firstId = (await iam.send(new GetUserCommand({ UserName: 'trusted-user' }))).User!.UserId!;
    await iam.send(new CreateRoleCommand({ RoleName: 'user-guarded', AssumeRolePolicyDocument: trustOf(first.arn) }));
    await expect(sessionOf(first.credentials, roleArn('user-guarded'))).resolves.toBeDefined();

    await deleteUser('trusted-user', first.credentials.accessKeyId);
    const second = await newUserKeys('trusted-user');
    expect(second.arn).toBe(first.arn);
    expect(await trustShown('user-guarded')).toBe(trustOf(firstId));
    expect((await refusalOf(sessionOf(second.credentials, roleArn('user-guarded'))))).toMatchObject({ code: 'AccessDenied', status: 403 });
  }, CALLS_TIMEOUT_MS);

  test('saving the ARN again stores the new user: it is trusted', async () => {
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'user-guarded', PolicyDocument: trustOf(`arn:aws:iam::${account}:user/trusted-user`) }));
    const keys = await iam.send(new CreateAccessKeyCommand({ UserName: 'trusted-user' }));
    const credentials = { accessKeyId: keys.AccessKey!.AccessKeyId!, secretAccessKey: keys.AccessKey!.SecretAccessKey! };
    await expect(sessionOf(credentials, roleArn('user-guarded'))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});

describe('principals that are not IAM users or roles', () => {
  test('account, service and aws:PrincipalArn condition principals stay as written', async () => {
    const written = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: [account, `arn:aws:iam::${account}:root`] }, Action: 'sts:AssumeRole', Condition: { ArnEquals: { 'aws:PrincipalArn': roleArn('trusted') } } },
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'by-account', AssumeRolePolicyDocument: written }));
    expect(await trustShown('by-account')).toBe(written);
    // The condition names the role by ARN, so it survives the role being re-created (DESIGN's vendor form).
    await expect(sessionOf(await sessionOf(operator, roleArn('trusted')), roleArn('by-account'))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});
