// ---------------------------------------------------------------------------
// AWS managed policies (IAM User Guide, "AWS managed policies"; documents from the AWS Managed
// Policy Reference). Through the real SDK, and through the AWS CLI and boto3:
//  - GetPolicy / GetPolicyVersion read AWSLambdaBasicExecutionRole (and the other shipped ones)
//    from any account, with the published document;
//  - any account attaches them; attached, they are evaluated (IAMReadOnlyAccess lets a user list
//    roles and not create one);
//  - no account changes them: CreatePolicyVersion, SetDefaultPolicyVersion, DeletePolicyVersion,
//    DeletePolicy, TagPolicy are refused (AccessDenied), the policy stays as published;
//  - ListPolicies Scope=AWS lists them, Scope=Local does not.
// ---------------------------------------------------------------------------
import {
  AttachRolePolicyCommand, AttachUserPolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, DeletePolicyCommand, DeletePolicyVersionCommand,
  DetachRolePolicyCommand, GetPolicyCommand, GetPolicyVersionCommand, IAMClient, ListAttachedRolePoliciesCommand, ListPoliciesCommand, ListRolesCommand,
  SetDefaultPolicyVersionCommand, TagPolicyCommand,
} from '@aws-sdk/client-iam';
import { createTestUser, startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { AWS_CLI, CALLS_TIMEOUT_MS, CLIENT_TIMEOUT_MS, PYTHON, START_TIMEOUT_MS, STOP_TIMEOUT_MS, awsCli, python, announceSkips } from '../../support/iam-clients';

const BASIC = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const IAM_READ_ONLY = 'arn:aws:iam::aws:policy/IAMReadOnlyAccess';
const SHIPPED = [
  BASIC, 'arn:aws:iam::aws:policy/service-role/AWSLambdaRole', 'arn:aws:iam::aws:policy/AWSLambdaExecute',
  'arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole', IAM_READ_ONLY,
];
/** As published: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html */
const BASIC_DOCUMENT = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }] };
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let cloud: TestCloud;
let a: IAMClient;
let b: IAMClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  a = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  b = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-b')));
  await a.send(new CreateRoleCommand({ RoleName: 'fn-exec', AssumeRolePolicyDocument: TRUST }));
  await b.send(new CreateRoleCommand({ RoleName: 'fn-exec', AssumeRolePolicyDocument: TRUST }));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

describe('reading', () => {
  test('every account reads the shipped policies and their default version', async () => {
    for (const client of [a, b]) {
      for (const arn of SHIPPED) {
        const policy = (await client.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
        expect(policy).toMatchObject({ Arn: arn, IsAttachable: true });
        const version = await client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId }));
        expect(version.PolicyVersion!.IsDefaultVersion).toBe(true);
      }
    }
    const basic = await a.send(new GetPolicyVersionCommand({ PolicyArn: BASIC, VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(basic.PolicyVersion!.Document!))).toEqual(BASIC_DOCUMENT);
  }, CALLS_TIMEOUT_MS);

  test('one AWS does not ship is NoSuchEntity', async () => {
    const refusal = await refusalOf(a.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NotAPolicyAwsShips' })));
    expect(refusal.code).toBe('NoSuchEntity');
  }, CALLS_TIMEOUT_MS);

  test('ListPolicies: Scope=AWS lists them, Scope=Local does not', async () => {
    const aws = (await a.send(new ListPoliciesCommand({ Scope: 'AWS' }))).Policies!.map((p) => p.Arn);
    expect(aws).toEqual(expect.arrayContaining(SHIPPED));
    const local = (await a.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies ?? [];
    expect(local.map((p) => p.Arn)).not.toContain(BASIC);
  }, CALLS_TIMEOUT_MS);
});

describe('attaching', () => {
  test('every account attaches one, and counts only its own attachments', async () => {
    await a.send(new AttachRolePolicyCommand({ RoleName: 'fn-exec', PolicyArn: BASIC }));
    await b.send(new AttachRolePolicyCommand({ RoleName: 'fn-exec', PolicyArn: BASIC }));
    expect((await a.send(new ListAttachedRolePoliciesCommand({ RoleName: 'fn-exec' }))).AttachedPolicies).toEqual([{ PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: BASIC }]);
    expect((await a.send(new GetPolicyCommand({ PolicyArn: BASIC }))).Policy!.AttachmentCount).toBe(1);
    await b.send(new DetachRolePolicyCommand({ RoleName: 'fn-exec', PolicyArn: BASIC }));
    expect((await a.send(new GetPolicyCommand({ PolicyArn: BASIC }))).Policy!.AttachmentCount).toBe(1);
  }, CALLS_TIMEOUT_MS);

  test('attached, it is evaluated: IAMReadOnlyAccess lists roles and does not create one', async () => {
    const user = await createTestUser(cloud, 'customer-a', 'reader');
    const asUser = new IAMClient(cloud.clientConfig(user.credentials));
    expect((await refusalOf(asUser.send(new ListRolesCommand({})))).code).toBe('AccessDenied');
    await a.send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: IAM_READ_ONLY }));
    await expect(asUser.send(new ListRolesCommand({}))).resolves.toBeDefined();
    const refusal = await refusalOf(asUser.send(new CreateRoleCommand({ RoleName: 'not-allowed', AssumeRolePolicyDocument: TRUST })));
    expect(refusal.message).toContain('because no identity-based policy allows the iam:CreateRole action');
  }, CALLS_TIMEOUT_MS);
});

describe('changing', () => {
  test('no account changes an AWS managed policy; it stays as published', async () => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    for (const call of [
      a.send(new CreatePolicyVersionCommand({ PolicyArn: BASIC, PolicyDocument: document, SetAsDefault: true })),
      a.send(new SetDefaultPolicyVersionCommand({ PolicyArn: BASIC, VersionId: 'v1' })),
      a.send(new DeletePolicyVersionCommand({ PolicyArn: BASIC, VersionId: 'v1' })),
      a.send(new TagPolicyCommand({ PolicyArn: BASIC, Tags: [{ Key: 'k', Value: 'v' }] })),
      a.send(new DeletePolicyCommand({ PolicyArn: IAM_READ_ONLY })),
    ]) {
      const refusal = await refusalOf(call);
      expect(refusal).toMatchObject({ code: 'AccessDenied', status: 403 });
    }
    const policy = (await a.send(new GetPolicyCommand({ PolicyArn: BASIC }))).Policy!;
    expect(policy.DefaultVersionId).toBe('v1');
    expect(policy.Tags ?? []).toEqual([]);
    const version = await a.send(new GetPolicyVersionCommand({ PolicyArn: BASIC, VersionId: 'v1' }));
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!))).toEqual(BASIC_DOCUMENT);
  }, CALLS_TIMEOUT_MS);
});

describe('through real clients', () => {
  announceSkips('aws', 'python3');

  (AWS_CLI ? test : test.skip)('the AWS CLI reads, attaches and cannot change AWSLambdaBasicExecutionRole', async () => {
    const keys = cloud.credentialsFor('customer-b');
    const got = await awsCli(cloud, keys, ['iam', 'get-policy-version', '--policy-arn', BASIC, '--version-id', 'v1']);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout).PolicyVersion.Document).toEqual(BASIC_DOCUMENT);
    const attach = await awsCli(cloud, keys, ['iam', 'attach-role-policy', '--role-name', 'fn-exec', '--policy-arn', BASIC]);
    expect(attach.code).toBe(0);
    const listed = await awsCli(cloud, keys, ['iam', 'list-attached-role-policies', '--role-name', 'fn-exec']);
    expect(JSON.parse(listed.stdout).AttachedPolicies).toEqual([{ PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: BASIC }]);
    const change = await awsCli(cloud, keys, ['iam', 'create-policy-version', '--policy-arn', BASIC, '--policy-document', JSON.stringify(BASIC_DOCUMENT)]);
    expect(change.code).not.toBe(0);
    expect(change.stderr).toContain('AccessDenied');
    const scoped = await awsCli(cloud, keys, ['iam', 'list-policies', '--scope', 'AWS', '--only-attached']);
    expect(JSON.parse(scoped.stdout).Policies.map((p: { Arn: string }) => p.Arn)).toEqual([BASIC]);
  }, CLIENT_TIMEOUT_MS);

  (PYTHON ? test : test.skip)('boto3 reads the document and the attachment count', async () => {
    const script = [
      'import boto3, json, os',
      "iam = boto3.client('iam', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1')",
      `p = iam.get_policy(PolicyArn='${BASIC}')['Policy']`,
      "v = iam.get_policy_version(PolicyArn=p['Arn'], VersionId=p['DefaultVersionId'])['PolicyVersion']",
      "print(json.dumps({'count': p['AttachmentCount'], 'document': v['Document']}))",
    ].join('\n');
    const out = await python(cloud, cloud.credentialsFor('customer-a'), script);
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({ count: 1, document: BASIC_DOCUMENT });
  }, CLIENT_TIMEOUT_MS);
});
