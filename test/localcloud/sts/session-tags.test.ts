// ---------------------------------------------------------------------------
// AssumeRole's session tags on the local cloud, through the real SDK (@aws-sdk/client-sts), as AWS
// documents them (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html):
//  - the trust must allow sts:TagSession; its conditions see aws:RequestTag/<key>, aws:TagKeys and
//    sts:TransitiveTagKeys (multivalued, ForAllValues) and the role's own tags as aws:ResourceTag;
//  - Tags / TransitiveTagKeys rules: 50 tags, key 1-128, value 0-256, AWS's alphabet, no aws: prefix,
//    duplicate keys without regard to case, transitive keys among the tags; each beside an accepted one;
//  - PackedPolicySize in the answer, PackedPolicyTooLarge past 100%;
//  - aws:PrincipalTag/<key> in the session's requests: the role's tags, overridden by session tags;
//  - role chaining: transitive tags are carried on (and stay transitive), other tags are not, an
//    inherited key cannot be passed again, and the next trust must allow sts:TagSession.
// ---------------------------------------------------------------------------
import { GetRoleCommand, IAMClient, ListRolesCommand, ListRoleTagsCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput, type AssumeRoleCommandOutput, type Tag } from '@aws-sdk/client-sts';
import { createTestUser, startTestCloud, type Credentials, type TestCloud, type TestUser } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { SETUP_TIMEOUT_MS, TEST_TIMEOUT_MS, allowing, createRoleWithTrust } from '../../support/sts-sessions';

const EXTERNAL_ID = 'sc-tags-external-id';

let cloud: TestCloud;
let connector: TestUser; // vendor user: sts:AssumeRole and sts:TagSession on anything
let taggedRole: string; // customer-a: tag conditions in its trust; permissions by principal tags
let openRole: string; // customer-a: sts:AssumeRole + sts:TagSession, no condition
let untaggingRole: string; // customer-a: sts:AssumeRole only
let hopRole: string; // vendor: first hop of a chain
let chainTarget: string; // customer-a: trusts the hop for sts:AssumeRole + sts:TagSession
let chainThird: string; // customer-a: trusts chainTarget for sts:AssumeRole + sts:TagSession
let chainNoTag: string; // customer-a: trusts the hop for sts:AssumeRole only

const sts = (c: Credentials) => new STSClient(cloud.clientConfig(c));
const assume = (c: Credentials, input: Partial<AssumeRoleCommandInput>) =>
  sts(c).send(new AssumeRoleCommand({ RoleArn: taggedRole, RoleSessionName: 'tags', ExternalId: EXTERNAL_ID, ...input }));
const credentialsOf = (out: AssumeRoleCommandOutput): Credentials => ({
  accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken!,
});
const bare = (caller: string, action: string, role: string) => `User: ${caller} is not authorized to perform: ${action} on resource: ${role}`;
const tags = (pairs: Record<string, string>): Tag[] => Object.entries(pairs).map(([Key, Value]) => ({ Key, Value }));

beforeAll(async () => {
  cloud = await startTestCloud();
  connector = await createTestUser(cloud, 'vendor', 'connector', allowing('sts:AssumeRole', 'sts:TagSession'));
  taggedRole = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector', [
    { Sid: 'Assume', Effect: 'Allow', Principal: { AWS: connector.arn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } },
    {
      Sid: 'TagAsTenantA',
      Effect: 'Allow',
      Principal: { AWS: connector.arn },
      Action: 'sts:TagSession',
      Condition: {
        StringEquals: { 'aws:RequestTag/tenant': 'tenant-a', 'aws:ResourceTag/owner': 'customer-a' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['tenant', 'team', 'cost'], 'sts:TransitiveTagKeys': ['tenant'] },
      },
    },
  ], {
    tags: [{ Key: 'owner', Value: 'customer-a' }, { Key: 'team', Value: 'role-team' }],
    permissions: {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'TenantA', Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/tenant': 'tenant-a' } } },
        { Sid: 'SessionTeam', Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'session-team' } } },
        { Sid: 'RoleOwner', Effect: 'Allow', Action: 'iam:ListRoleTags', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/owner': 'customer-a' } } },
      ],
    },
  });
  openRole = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector-open', [
    { Effect: 'Allow', Principal: { AWS: connector.arn }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
  ]);
  untaggingRole = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector-untagging', [
    { Effect: 'Allow', Principal: { AWS: connector.arn }, Action: 'sts:AssumeRole' },
  ]);
  hopRole = await createRoleWithTrust(cloud, 'vendor', 'connector-hop', [
    { Effect: 'Allow', Principal: { AWS: connector.arn }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
  ], { permissions: allowing('sts:AssumeRole', 'sts:TagSession') });
  const byTenantTag = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession'], Resource: '*' },
      { Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/tenant': 'tenant-a' } } },
      { Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { Null: { 'aws:PrincipalTag/team': 'false' } } },
    ],
  };
  chainTarget = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector-chain', [
    { Effect: 'Allow', Principal: { AWS: hopRole }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
  ], { permissions: byTenantTag });
  chainThird = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector-third', [
    { Effect: 'Allow', Principal: { AWS: chainTarget }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
  ], { permissions: byTenantTag });
  chainNoTag = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector-notag', [
    { Effect: 'Allow', Principal: { AWS: hopRole }, Action: 'sts:AssumeRole' },
  ]);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, SETUP_TIMEOUT_MS);

// -- the trust's view of the tags ----------------------------------------------------------------

describe('GIVEN a trust that allows sts:TagSession only with tenant=tenant-a, keys among tenant/team/cost and only tenant transitive', () => {
  test('WHEN the connector passes tenant=tenant-a and team, tenant transitive THEN it is allowed, with PackedPolicySize', async () => {
    const out = await assume(connector.credentials, { Tags: tags({ tenant: 'tenant-a', team: 'session-team' }), TransitiveTagKeys: ['tenant'] });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.PackedPolicySize).toBe(Math.ceil(((6 + 8 + 4 + 12) / 2048) * 100));
  }, TEST_TIMEOUT_MS);

  test.each([
    ['another tenant in aws:RequestTag/tenant', { Tags: tags({ tenant: 'tenant-b' }) }],
    ['a tag key outside aws:TagKeys', { Tags: tags({ tenant: 'tenant-a', secret: 'x' }) }],
    ['a transitive key outside sts:TransitiveTagKeys', { Tags: tags({ tenant: 'tenant-a', team: 't' }), TransitiveTagKeys: ['team'] }],
    ['no tenant tag at all', { Tags: tags({ team: 't' }) }],
  ])('WHEN it passes %s THEN AccessDenied on sts:TagSession', async (_case, input) => {
    const refusal = await refusalOf(assume(connector.credentials, input));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(connector.arn, 'sts:TagSession', taggedRole) }));
  }, TEST_TIMEOUT_MS);

  test('WHEN it passes no tags THEN sts:TagSession is not needed and the call is allowed, without PackedPolicySize', async () => {
    const out = await assume(connector.credentials, {});
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.PackedPolicySize).toBeUndefined();
  }, TEST_TIMEOUT_MS);
});

describe('GIVEN a trust that allows sts:AssumeRole but not sts:TagSession', () => {
  test('WHEN the call passes tags THEN AccessDenied on sts:TagSession', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { RoleArn: untaggingRole, ExternalId: undefined, Tags: tags({ tenant: 'tenant-a' }) }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(connector.arn, 'sts:TagSession', untaggingRole) }));
  }, TEST_TIMEOUT_MS);

  test('WHEN the call passes none THEN it is allowed', async () => {
    const out = await assume(connector.credentials, { RoleArn: untaggingRole, ExternalId: undefined });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  }, TEST_TIMEOUT_MS);
});

// -- the rules of Tags and TransitiveTagKeys -----------------------------------------------------

describe('GIVEN the Tags and TransitiveTagKeys rules', () => {
  const onOpen = (input: Partial<AssumeRoleCommandInput>) => assume(connector.credentials, { RoleArn: openRole, ExternalId: undefined, ...input });
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));

  test.each([
    ['51 tags', 'ValidationError', { Tags: many(51) }, "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"],
    ['a key of 129 characters', 'ValidationError', { Tags: [{ Key: 'k'.repeat(129), Value: 'v' }] }, `1 validation error detected: Value '${'k'.repeat(129)}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`],
    ['a value of 257 characters', 'ValidationError', { Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] }, `1 validation error detected: Value '${'v'.repeat(257)}' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256`],
    ['a key with #', 'ValidationError', { Tags: [{ Key: 'a#b', Value: 'v' }] }, "1 validation error detected: Value 'a#b' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+"],
    ['a value with a comma', 'ValidationError', { Tags: [{ Key: 'k', Value: 'a,b' }] }, "1 validation error detected: Value 'a,b' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"],
    ['a key beginning with aws:', 'InvalidParameterValue', { Tags: [{ Key: 'aws:tenant', Value: 'v' }] }, 'Tag keys and values cannot begin with the reserved prefix aws:.'],
    ['the same key twice, in two cases', 'InvalidParameterValue', { Tags: [{ Key: 'Tenant', Value: 'a' }, { Key: 'tenant', Value: 'b' }] }, 'Duplicate tag keys found. Please note that Tag keys are case insensitive.'],
    ['a transitive key that is not a tag', 'InvalidParameterValue', { Tags: tags({ tenant: 'a' }), TransitiveTagKeys: ['team'] }, 'The specified transitive tag key must be included in the requested tags.'],
    ['a transitive key without tags', 'InvalidParameterValue', { TransitiveTagKeys: ['team'] }, 'The specified transitive tag key must be included in the requested tags.'],
  ])('WHEN the call has %s THEN %s', async (_case, code, input, message) => {
    const refusal = await refusalOf(onOpen(input as Partial<AssumeRoleCommandInput>));
    expect(refusal).toEqual(expect.objectContaining({ code, status: 400, message }));
  }, TEST_TIMEOUT_MS);

  test.each([
    ['50 tags', { Tags: many(50) }],
    ['a key of 128 and a value of 256 characters', { Tags: [{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }] }],
    ['an empty value', { Tags: [{ Key: 'phoneNumber', Value: '' }] }],
    ['letters, digits, spaces and _ . : / = + - @', { Tags: [{ Key: 'Équipe 1_.:/=+-@', Value: 'ünïcode 2_.:/=+-@' }] }],
    ['aws inside, not as a prefix', { Tags: [{ Key: 'my-aws:key', Value: 'v' }] }],
    ['a transitive key in another case than its tag', { Tags: tags({ Tenant: 'a' }), TransitiveTagKeys: ['TENANT'] }],
  ])('WHEN the call has %s THEN it is accepted', async (_case, input) => {
    const out = await onOpen(input);
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  }, TEST_TIMEOUT_MS);

  test('WHEN tags and session policy together pass the packed limit THEN PackedPolicyTooLarge with the percentage; just under it THEN PackedPolicySize near 100', async () => {
    const big = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `${i}`.padEnd(128, 'k'), Value: 'v'.repeat(256) }));
    const refusal = await refusalOf(onOpen({ Tags: big(6) }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'PackedPolicyTooLarge', status: 400, message: 'Packed size of session tags consumes 113% of allotted space.' }));
    const out = await onOpen({ Tags: big(5) });
    expect(out.PackedPolicySize).toBe(94);
  }, TEST_TIMEOUT_MS);
});

// -- aws:PrincipalTag in the session ---------------------------------------------------------------

describe('GIVEN the role tagged owner=customer-a and team=role-team, with permissions by principal tag', () => {
  const iamWith = async (sessionTags: Record<string, string>) =>
    new IAMClient(cloud.clientConfig(credentialsOf(await assume(connector.credentials, { Tags: tags(sessionTags) }))));

  test('WHEN the session is tagged tenant=tenant-a THEN aws:PrincipalTag/tenant allows GetRole', async () => {
    const iam = await iamWith({ tenant: 'tenant-a' });
    expect((await iam.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector' }))).Role?.Arn).toBe(taggedRole);
  }, TEST_TIMEOUT_MS);

  test('WHEN the session has no tenant tag THEN GetRole is refused', async () => {
    const iam = new IAMClient(cloud.clientConfig(credentialsOf(await assume(connector.credentials, {}))));
    const refusal = await refusalOf(iam.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector' })));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403 }));
  }, TEST_TIMEOUT_MS);

  test('WHEN the session tag team=session-team overrides the role tag team=role-team THEN ListRoles (team=session-team) is allowed', async () => {
    const iam = await iamWith({ tenant: 'tenant-a', team: 'session-team' });
    expect((await iam.send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);
  }, TEST_TIMEOUT_MS);

  test('WHEN the session passes no team tag THEN the role tag team=role-team applies and ListRoles is refused', async () => {
    const iam = await iamWith({ tenant: 'tenant-a' });
    const refusal = await refusalOf(iam.send(new ListRolesCommand({})));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403 }));
  }, TEST_TIMEOUT_MS);

  test('WHEN the session passes other tags THEN the role\'s own tag owner=customer-a still applies (ListRoleTags)', async () => {
    const iam = await iamWith({ tenant: 'tenant-a', cost: '1' });
    expect((await iam.send(new ListRoleTagsCommand({ RoleName: 'tibco_sidecar_connector' }))).Tags).toEqual(expect.arrayContaining([{ Key: 'owner', Value: 'customer-a' }]));
  }, TEST_TIMEOUT_MS);
});

// -- role chaining ---------------------------------------------------------------------------------

describe('GIVEN a hop session tagged tenant=tenant-a (transitive) and team=t (not transitive)', () => {
  let hop: Credentials;
  let hopUntransitive: Credentials;
  const hopArn = () => `arn:aws:sts::${cloud.accounts.vendor.accountId}:assumed-role/connector-hop/hop`;

  beforeAll(async () => {
    hop = credentialsOf(await sts(connector.credentials).send(new AssumeRoleCommand({
      RoleArn: hopRole, RoleSessionName: 'hop', Tags: tags({ tenant: 'tenant-a', team: 't' }), TransitiveTagKeys: ['tenant'],
    })));
    hopUntransitive = credentialsOf(await sts(connector.credentials).send(new AssumeRoleCommand({ RoleArn: hopRole, RoleSessionName: 'hop-plain', Tags: tags({ tenant: 'tenant-a' }) })));
  }, SETUP_TIMEOUT_MS);

  test('WHEN it assumes the next role THEN the transitive tag is carried on and the other is not', async () => {
    const iam = new IAMClient(cloud.clientConfig(credentialsOf(await assume(hop, { RoleArn: chainTarget, ExternalId: undefined }))));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector-chain' }))).Role?.Arn).toBe(chainTarget);
    const refusal = await refusalOf(iam.send(new ListRolesCommand({})));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403 }));
  }, TEST_TIMEOUT_MS);

  test('WHEN that session assumes a third role THEN the inherited tag is still transitive', async () => {
    const second = credentialsOf(await assume(hop, { RoleArn: chainTarget, ExternalId: undefined, RoleSessionName: 'second' }));
    const iam = new IAMClient(cloud.clientConfig(credentialsOf(await assume(second, { RoleArn: chainThird, ExternalId: undefined }))));
    expect((await iam.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector-third' }))).Role?.Arn).toBe(chainThird);
  }, TEST_TIMEOUT_MS);

  test.each([['tenant'], ['TENANT']])('WHEN it passes the inherited key %s again THEN InvalidParameterValue', async (key) => {
    const refusal = await refusalOf(assume(hop, { RoleArn: chainTarget, ExternalId: undefined, Tags: [{ Key: key, Value: 'tenant-b' }] }));
    expect(refusal).toEqual(expect.objectContaining({
      code: 'InvalidParameterValue', status: 400,
      message: "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    }));
  }, TEST_TIMEOUT_MS);

  test('WHEN it passes a new key THEN it is accepted beside the inherited one', async () => {
    const iam = new IAMClient(cloud.clientConfig(credentialsOf(await assume(hop, { RoleArn: chainTarget, ExternalId: undefined, Tags: tags({ team: 'new' }) }))));
    expect((await iam.send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);
    expect((await iam.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector-chain' }))).Role?.Arn).toBe(chainTarget);
  }, TEST_TIMEOUT_MS);

  test('WHEN it assumes a role whose trust lacks sts:TagSession THEN the inherited tags are refused there; a hop without transitive tags may', async () => {
    const refusal = await refusalOf(assume(hop, { RoleArn: chainNoTag, ExternalId: undefined }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(hopArn(), 'sts:TagSession', chainNoTag) }));
    const out = await assume(hopUntransitive, { RoleArn: chainNoTag, ExternalId: undefined });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  }, TEST_TIMEOUT_MS);
});
