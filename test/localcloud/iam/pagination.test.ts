// ---------------------------------------------------------------------------
// IAM list pagination (IAM API Reference, ListPolicies / ListRoles: Marker, MaxItems, IsTruncated).
// Through the real SDK's paginators, the AWS CLI (which follows Marker itself) and boto3:
//  - a page holds MaxItems items (default 100), IsTruncated and a Marker when more follow, and
//    following the markers gives every item exactly once;
//  - MaxItems outside 1..1000 and a Marker IAM did not issue are refused (ValidationError), beside
//    the accepted bounds 1 and 1000 and a real marker;
//  - ListPolicies' Scope, OnlyAttached and PathPrefix filter as documented.
// ---------------------------------------------------------------------------
import {
  AttachRolePolicyCommand, CreateAccessKeyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand, DeleteUserCommand, IAMClient,
  ListAccessKeysCommand, ListAttachedRolePoliciesCommand, ListPoliciesCommand, ListPolicyVersionsCommand, ListRolePoliciesCommand, ListRolesCommand,
  ListRoleTagsCommand, ListUsersCommand, PutRolePolicyCommand, paginateListPolicies, type ListPoliciesCommandInput, paginateListRoles, paginateListUsers,
} from '@aws-sdk/client-iam';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { AWS_CLI, CALLS_TIMEOUT_MS, CLIENT_TIMEOUT_MS, PYTHON, START_TIMEOUT_MS, STOP_TIMEOUT_MS, awsCli, python, announceSkips } from '../../support/iam-clients';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const DOC = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: `arn:aws:logs:*:*:log-group:g${n}` }] });
const ROLES = 105; // more than one default page
const name = (prefix: string, i: number) => `${prefix}-${String(i).padStart(3, '0')}`;

let cloud: TestCloud;
let iam: IAMClient;
let account: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  account = cloud.accounts['customer-a'].accountId;
  for (let i = 0; i < ROLES; i++) {
    await iam.send(new CreateRoleCommand({ RoleName: name('role', i), Path: i % 2 ? '/odd/' : '/even/', AssumeRolePolicyDocument: TRUST, Tags: i === 0 ? [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }, { Key: 'c', Value: '3' }] : [] }));
  }
  for (let i = 0; i < 5; i++) await iam.send(new CreatePolicyCommand({ PolicyName: name('policy', i), Path: i < 2 ? '/team/' : '/', PolicyDocument: DOC(i) }));
  for (let i = 0; i < 3; i++) await iam.send(new CreateUserCommand({ UserName: name('user', i) }));
}, START_TIMEOUT_MS * 2);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

describe('pages', () => {
  test('ListRoles answers 100 by default, then the rest after the marker', async () => {
    const first = await iam.send(new ListRolesCommand({}));
    expect(first.Roles).toHaveLength(100);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toEqual(expect.any(String));
    const second = await iam.send(new ListRolesCommand({ Marker: first.Marker }));
    expect(second.Roles).toHaveLength(ROLES - 100);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();
    const names = [...first.Roles!, ...second.Roles!].map((r) => r.RoleName);
    expect(names).toEqual(Array.from({ length: ROLES }, (_, i) => name('role', i)));
  }, CALLS_TIMEOUT_MS);

  test("the SDK's paginators walk small pages to every item exactly once", async () => {
    const roles: string[] = [];
    for await (const page of paginateListRoles({ client: iam, pageSize: 7 }, {})) {
      expect(page.Roles!.length).toBeLessThanOrEqual(7);
      roles.push(...page.Roles!.map((r) => r.RoleName!));
    }
    expect(roles).toHaveLength(ROLES);
    expect(new Set(roles).size).toBe(ROLES);
    const users: string[] = [];
    for await (const page of paginateListUsers({ client: iam, pageSize: 1 }, {})) users.push(...page.Users!.map((u) => u.UserName!));
    expect(users).toEqual([name('user', 0), name('user', 1), name('user', 2)]);
  }, CALLS_TIMEOUT_MS);

  test('a page continues after its marker even when that item was deleted meanwhile', async () => {
    const first = await iam.send(new ListUsersCommand({ MaxItems: 2 }));
    expect(first.Users!.map((u) => u.UserName)).toEqual([name('user', 0), name('user', 1)]);
    await iam.send(new DeleteUserCommand({ UserName: name('user', 1) }));
    const next = await iam.send(new ListUsersCommand({ Marker: first.Marker }));
    expect(next.Users!.map((u) => u.UserName)).toEqual([name('user', 2)]);
    expect(next.IsTruncated).toBe(false);
  }, CALLS_TIMEOUT_MS);

  test('the other IAM lists page the same way', async () => {
    const roleName = name('role', 0);
    for (let i = 0; i < 3; i++) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: `inline-${i}`, PolicyDocument: DOC(i) }));
    for (let i = 0; i < 3; i++) await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: `arn:aws:iam::${account}:policy${i < 2 ? '/team/' : '/'}${name('policy', i)}` }));
    const arn = `arn:aws:iam::${account}:policy/${name('policy', 4)}`;
    for (let i = 0; i < 3; i++) await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: DOC(10 + i) }));
    await iam.send(new CreateAccessKeyCommand({ UserName: name('user', 0) }));
    await iam.send(new CreateAccessKeyCommand({ UserName: name('user', 0) }));

    const checks: [string, (m?: string) => Promise<{ IsTruncated?: boolean; Marker?: string; items: unknown[] }>, number][] = [
      ['ListRolePolicies', async (m) => { const o = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, MaxItems: 2, Marker: m })); return { ...o, items: o.PolicyNames ?? [] }; }, 3],
      ['ListAttachedRolePolicies', async (m) => { const o = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, MaxItems: 2, Marker: m })); return { ...o, items: o.AttachedPolicies ?? [] }; }, 3],
      ['ListRoleTags', async (m) => { const o = await iam.send(new ListRoleTagsCommand({ RoleName: roleName, MaxItems: 2, Marker: m })); return { ...o, items: o.Tags ?? [] }; }, 3],
      ['ListPolicyVersions', async (m) => { const o = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, MaxItems: 2, Marker: m })); return { ...o, items: o.Versions ?? [] }; }, 4],
      ['ListAccessKeys', async (m) => { const o = await iam.send(new ListAccessKeysCommand({ UserName: name('user', 0), MaxItems: 1, Marker: m })); return { ...o, items: o.AccessKeyMetadata ?? [] }; }, 2],
    ];
    for (const [what, list, total] of checks) {
      const first = await list();
      expect([what, first.IsTruncated]).toEqual([what, true]);
      let all = [...first.items];
      let marker = first.Marker;
      while (marker) {
        const next = await list(marker);
        all = [...all, ...next.items];
        marker = next.IsTruncated ? next.Marker : undefined;
      }
      expect([what, all.length]).toEqual([what, total]);
    }
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn, MaxItems: 2 }))).Versions!.map((v) => v.VersionId);
    expect(versions).toEqual(['v4', 'v3']); // newest first
  }, CALLS_TIMEOUT_MS * 2);
});

describe('refusals', () => {
  test('MaxItems must be 1..1000: 0 and 1001 are refused, 1 and 1000 accepted', async () => {
    for (const bad of [0, 1001]) {
      const refusal = await refusalOf(iam.send(new ListRolesCommand({ MaxItems: bad })));
      expect(refusal.code).toBe('ValidationError');
      expect(refusal.message).toContain(`Value '${bad}' at 'maxItems' failed to satisfy constraint`);
    }
    expect((await iam.send(new ListRolesCommand({ MaxItems: 1 }))).Roles).toHaveLength(1);
    expect((await iam.send(new ListRolesCommand({ MaxItems: 1000 }))).Roles).toHaveLength(ROLES);
  }, CALLS_TIMEOUT_MS);

  test('a Marker IAM did not issue, or issued by another list, is refused', async () => {
    const usersMarker = (await iam.send(new ListUsersCommand({ MaxItems: 1 }))).Marker!;
    for (const bad of ['not-a-marker', 'bm90LWEtbWFya2Vy', usersMarker]) {
      const refusal = await refusalOf(iam.send(new ListRolesCommand({ Marker: bad })));
      expect(refusal).toMatchObject({ code: 'ValidationError', message: 'Invalid Marker.' });
    }
    await expect(iam.send(new ListUsersCommand({ Marker: usersMarker }))).resolves.toBeDefined();
  }, CALLS_TIMEOUT_MS);
});

describe('ListPolicies filters', () => {
  const arns = async (input: ListPoliciesCommandInput) => {
    const out: string[] = [];
    for await (const page of paginateListPolicies({ client: iam, pageSize: 2 }, input)) out.push(...page.Policies!.map((p) => p.Arn!));
    return out;
  };

  test('Scope: Local lists the account\'s own, AWS the AWS managed ones, All both', async () => {
    const local = await arns({ Scope: 'Local' });
    const aws = await arns({ Scope: 'AWS' });
    const all = await arns({});
    expect(local).toHaveLength(5);
    expect(local.every((a) => a.startsWith(`arn:aws:iam::${account}:policy/`))).toBe(true);
    expect(aws.length).toBeGreaterThan(0);
    expect(aws.every((a) => a.startsWith('arn:aws:iam::aws:policy/'))).toBe(true);
    expect(new Set(all)).toEqual(new Set([...local, ...aws]));
    expect((await refusalOf(iam.send(new ListPoliciesCommand({ Scope: 'Mine' as 'All' })))).code).toBe('ValidationError');
  }, CALLS_TIMEOUT_MS);

  test('OnlyAttached lists the attached ones; PathPrefix those under the path', async () => {
    expect(await arns({ Scope: 'Local', OnlyAttached: true })).toHaveLength(3);
    expect(await arns({ Scope: 'Local', PathPrefix: '/team/' })).toEqual([0, 1].map((i) => `arn:aws:iam::${account}:policy/team/${name('policy', i)}`));
    expect(await arns({ Scope: 'AWS', PathPrefix: '/service-role/' })).toContain('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
    expect(await arns({ Scope: 'AWS', PathPrefix: '/team/' })).toEqual([]);
  }, CALLS_TIMEOUT_MS);
});

describe('through real clients', () => {
  announceSkips('aws', 'python3');

  (AWS_CLI ? test : test.skip)('the AWS CLI follows the markers to every role, and hands out a NextToken with --max-items', async () => {
    const keys = cloud.credentialsFor('customer-a');
    const all = await awsCli(cloud, keys, ['iam', 'list-roles', '--page-size', '40']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).Roles).toHaveLength(ROLES);
    const some = await awsCli(cloud, keys, ['iam', 'list-roles', '--max-items', '3', '--page-size', '2']);
    const parsed = JSON.parse(some.stdout);
    expect(parsed.Roles.map((r: { RoleName: string }) => r.RoleName)).toEqual([0, 1, 2].map((i) => name('role', i)));
    expect(parsed.NextToken).toEqual(expect.any(String));
    const rest = await awsCli(cloud, keys, ['iam', 'list-roles', '--starting-token', parsed.NextToken, '--page-size', '50']);
    expect(JSON.parse(rest.stdout).Roles).toHaveLength(ROLES - 3);
    const scoped = await awsCli(cloud, keys, ['iam', 'list-policies', '--scope', 'Local', '--path-prefix', '/team/', '--page-size', '1']);
    expect(JSON.parse(scoped.stdout).Policies).toHaveLength(2);
  }, CLIENT_TIMEOUT_MS);

  (PYTHON ? test : test.skip)("boto3's paginator walks every role and policy", async () => {
    const script = [
      'import boto3, json, os',
      "iam = boto3.client('iam', endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1')",
      "roles = [r['RoleName'] for p in iam.get_paginator('list_roles').paginate(PaginationConfig={'PageSize': 10}) for r in p['Roles']]",
      "local = [x['Arn'] for p in iam.get_paginator('list_policies').paginate(Scope='Local', OnlyAttached=True, PaginationConfig={'PageSize': 1}) for x in p['Policies']]",
      "print(json.dumps({'roles': len(roles), 'unique': len(set(roles)), 'attached': len(local)}))",
    ].join('\n');
    const out = await python(cloud, cloud.credentialsFor('customer-a'), script);
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({ roles: ROLES, unique: ROLES, attached: 3 });
  }, CLIENT_TIMEOUT_MS);
});
