// ---------------------------------------------------------------------------
// IAM names are plain strings ([\w+=,.@-]+, IAM API Reference, CreateRole RoleName and
// PutUserPolicy PolicyName): `__proto__`, `constructor` and `hasOwnProperty` are names like any
// other. Through the real SDK, and across a restart (state files round-trip them):
//  - an inline Deny policy named `__proto__` on a user is stored, listed, read and takes effect;
//  - roles named `constructor` and `hasOwnProperty` are created, read, listed and assumed;
//  - a user named `toString` has keys that work.
// ---------------------------------------------------------------------------
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetRoleCommand, GetUserPolicyCommand, IAMClient, ListRolePoliciesCommand, ListRolesCommand,
  ListUserPoliciesCommand, PutRolePolicyCommand, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { CALLS_TIMEOUT_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../../support/iam-clients';

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const ALLOW_ALL = policy({ Effect: 'Allow', Action: ['iam:ListRoles', 'iam:GetRole', 'sts:AssumeRole'], Resource: '*' });
const DENY_LIST = policy({ Effect: 'Deny', Action: 'iam:ListRoles', Resource: '*' });

let cloud: TestCloud;
let iam: IAMClient;
let account: string;
let user: Credentials;
const stateDir = `${require('node:os').tmpdir()}/lc-name-records-${process.pid}-${Date.now()}`;

async function start(): Promise<void> {
  cloud = await startTestCloud({ stateDir });
  iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  account = cloud.accounts['customer-a'].accountId;
}

beforeAll(start, START_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

const asUser = () => new IAMClient(cloud.clientConfig(user));

describe('an inline policy named __proto__', () => {
  test('the user allowed by another inline policy lists roles', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'toString' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'toString', PolicyName: 'allow', PolicyDocument: ALLOW_ALL }));
    const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'toString' }));
    user = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
    await expect(asUser().send(new ListRolesCommand({}))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);

  test('a Deny named __proto__ is stored, listed, read back, and takes effect', async () => {
    await iam.send(new PutUserPolicyCommand({ UserName: 'toString', PolicyName: '__proto__', PolicyDocument: DENY_LIST }));
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'toString' }))).PolicyNames).toEqual(['__proto__', 'allow']);
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'toString', PolicyName: '__proto__' }));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(DENY_LIST);
    const refusal = await refusalOf(asUser().send(new ListRolesCommand({})));
    expect(refusal.message).toContain('with an explicit deny in an identity-based policy');
  }, CALLS_TIMEOUT_MS);
});

describe('roles named constructor and hasOwnProperty', () => {
  test.each(['constructor', 'hasOwnProperty'])('%s is created, read, listed and assumed', async (name) => {
    const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:user/toString` }, Action: 'sts:AssumeRole' });
    const created = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    expect(created.Role!.Arn).toBe(`arn:aws:iam::${account}:role/${name}`);
    await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'valueOf', PolicyDocument: ALLOW_ALL }));
    expect((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.RoleName).toBe(name);
    expect((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames).toEqual(['valueOf']);
    expect((await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).toContain(name);
    const out = await new STSClient(cloud.clientConfig(user)).send(new AssumeRoleCommand({ RoleArn: created.Role!.Arn, RoleSessionName: 'session' }));
    expect(out.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${account}:assumed-role/${name}/session`);
    // A second CreateRole with the same name is a duplicate, as for any name.
    const duplicate = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust })));
    expect(duplicate.code).toBe('EntityAlreadyExists');
  }, CALLS_TIMEOUT_MS);
});

describe('after a restart', () => {
  test('the state file gives back the __proto__ policy (still denying) and the roles', async () => {
    await cloud.close();
    await start();
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'toString' }))).PolicyNames).toEqual(['__proto__', 'allow']);
    expect((await refusalOf(asUser().send(new ListRolesCommand({})))).message).toContain('with an explicit deny');
    for (const name of ['constructor', 'hasOwnProperty']) expect((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.RoleName).toBe(name);
    await expect(new STSClient(cloud.clientConfig(user)).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: `arn:aws:iam::${account}:user/toString` });
  }, START_TIMEOUT_MS + STOP_TIMEOUT_MS);
});
