// ---------------------------------------------------------------------------
// AssumeRole's SourceIdentity on the local cloud, through the real SDK (@aws-sdk/client-sts), as AWS
// documents it (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html):
//  - the tenant trust the product will ship (Action sts:AssumeRole + sts:SetSourceIdentity,
//    StringEquals sts:ExternalId, StringEquals sts:SourceIdentity [the customer's tenants]): the right
//    external ID with a listed source identity is allowed; another tenant's, or none, is refused;
//  - a trust without sts:SetSourceIdentity refuses a call that sets one and allows one that does not;
//  - across accounts the caller's identity policy must allow sts:SetSourceIdentity too;
//  - the value's rules (2-64 characters of [\w+=,.@-], no "aws:" prefix), each next to an accepted one;
//  - aws:SourceIdentity in the requests made with the session;
//  - role chaining: the source identity is carried on (and returned), needs sts:SetSourceIdentity in the
//    next trust, and cannot be changed; the same value may be passed again;
//  - a missing role is refused as before, source identity or not.
// ---------------------------------------------------------------------------
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput, type AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import { createTestUser, startTestCloud, type Credentials, type TestCloud, type TestUser } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { SETUP_TIMEOUT_MS, TEST_TIMEOUT_MS, allowing, createRoleWithTrust } from '../../support/sts-sessions';

const EXTERNAL_ID_A = 'sc-tenant-a-external-id';
const TENANTS_OF_A = ['tenant-a', 'tenant-a2'];

let cloud: TestCloud;
let connector: TestUser; // vendor user: sts:AssumeRole and sts:SetSourceIdentity on anything
let assumeOnly: TestUser; // vendor user: sts:AssumeRole only
let tenantRole: string; // customer-a: the product's trust shape
let plainRole: string; // customer-a: external ID only, no sts:SetSourceIdentity
let scopedRole: string; // customer-a: may GetRole only when aws:SourceIdentity is tenant-a
let hopRole: string; // vendor: a first hop for role chaining
let missingRole: string;

const sts = (c: Credentials) => new STSClient(cloud.clientConfig(c));
const assume = (c: Credentials, input: Partial<AssumeRoleCommandInput>) =>
  sts(c).send(new AssumeRoleCommand({ RoleArn: tenantRole, RoleSessionName: 'tenant-a', ExternalId: EXTERNAL_ID_A, SourceIdentity: 'tenant-a', ...input }));
const credentialsOf = (out: AssumeRoleCommandOutput): Credentials => ({
  accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken!,
});
const bare = (caller: string, action: string, role: string) => `User: ${caller} is not authorized to perform: ${action} on resource: ${role}`;

beforeAll(async () => {
  cloud = await startTestCloud();
  const customer = cloud.accounts['customer-a'].accountId;
  connector = await createTestUser(cloud, 'vendor', 'connector', allowing('sts:AssumeRole', 'sts:SetSourceIdentity'));
  assumeOnly = await createTestUser(cloud, 'vendor', 'assume-only', allowing('sts:AssumeRole'));
  hopRole = await createRoleWithTrust(cloud, 'vendor', 'connector-hop', [
    { Effect: 'Allow', Principal: { AWS: connector.arn }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] },
  ], { permissions: allowing('sts:AssumeRole', 'sts:SetSourceIdentity') });
  tenantRole = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector', [{
    Sid: 'VendorConnectorForTenantsOfA',
    Effect: 'Allow',
    Principal: { AWS: [connector.arn, assumeOnly.arn, hopRole] },
    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
    Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID_A, 'sts:SourceIdentity': TENANTS_OF_A } },
  }], { permissions: allowing('iam:GetRole') });
  plainRole = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector-plain', [{
    Effect: 'Allow', Principal: { AWS: [connector.arn, assumeOnly.arn, hopRole] }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID_A } },
  }]);
  scopedRole = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector-scoped', [
    { Effect: 'Allow', Principal: { AWS: [connector.arn, hopRole] }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] },
  ], {
    permissions: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*', Condition: { StringEquals: { 'aws:SourceIdentity': 'tenant-a' } } }] },
  });
  missingRole = `arn:aws:iam::${customer}:role/tibco_sidecar_connector-missing`;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, SETUP_TIMEOUT_MS);

// -- the product's trust shape -------------------------------------------------------------------

describe('GIVEN the tenant trust: sts:AssumeRole + sts:SetSourceIdentity, the external ID, and sts:SourceIdentity among the customer\'s tenants', () => {
  test('WHEN the connector passes the right external ID and a listed source identity THEN it is allowed, and the answer echoes the source identity', async () => {
    const out = await assume(connector.credentials, {});
    expect(out.SourceIdentity).toBe('tenant-a');
    expect(out.AssumedRoleUser?.Arn).toMatch(/:assumed-role\/tibco_sidecar_connector\/tenant-a$/);
    const other = await assume(connector.credentials, { SourceIdentity: 'tenant-a2' });
    expect(other.SourceIdentity).toBe('tenant-a2');
  }, TEST_TIMEOUT_MS);

  test('WHEN it passes the right external ID with another tenant\'s source identity THEN AccessDenied', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { SourceIdentity: 'tenant-b' }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(connector.arn, 'sts:AssumeRole', tenantRole) }));
  }, TEST_TIMEOUT_MS);

  test('WHEN it passes the right external ID and no source identity THEN AccessDenied', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { SourceIdentity: undefined }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(connector.arn, 'sts:AssumeRole', tenantRole) }));
  }, TEST_TIMEOUT_MS);

  test('WHEN it passes a listed source identity with another tenant\'s external ID THEN AccessDenied', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { ExternalId: 'sc-tenant-b-external-id' }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(connector.arn, 'sts:AssumeRole', tenantRole) }));
  }, TEST_TIMEOUT_MS);

  test('WHEN a caller whose own policy lacks sts:SetSourceIdentity sets one across accounts THEN its own side refuses', async () => {
    const refusal = await refusalOf(assume(assumeOnly.credentials, {}));
    expect(refusal).toEqual(expect.objectContaining({
      code: 'AccessDenied', status: 403,
      message: `${bare(assumeOnly.arn, 'sts:SetSourceIdentity', tenantRole)} because no identity-based policy allows the sts:SetSourceIdentity action`,
    }));
    // Neighbour: the same caller without a source identity, where the trust does not require one.
    const plain = await assume(assumeOnly.credentials, { RoleArn: plainRole, SourceIdentity: undefined });
    expect(plain.SourceIdentity).toBeUndefined();
  }, TEST_TIMEOUT_MS);
});

describe('GIVEN a trust that allows sts:AssumeRole but not sts:SetSourceIdentity', () => {
  test('WHEN the call sets a source identity THEN AccessDenied on sts:SetSourceIdentity', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { RoleArn: plainRole }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(connector.arn, 'sts:SetSourceIdentity', plainRole) }));
  }, TEST_TIMEOUT_MS);

  test('WHEN the call sets none THEN it is allowed', async () => {
    const out = await assume(connector.credentials, { RoleArn: plainRole, SourceIdentity: undefined });
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.SourceIdentity).toBeUndefined();
  }, TEST_TIMEOUT_MS);
});

describe('GIVEN a role that does not exist', () => {
  test('WHEN the call sets a source identity THEN the refusal is the same bare sts:AssumeRole one', async () => {
    const refusal = await refusalOf(assume(connector.credentials, { RoleArn: missingRole }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(connector.arn, 'sts:AssumeRole', missingRole) }));
  }, TEST_TIMEOUT_MS);
});

// -- the value's rules --------------------------------------------------------------------------

describe('GIVEN the SourceIdentity value rules (2-64 characters of [\\w+=,.@-], not beginning with aws:)', () => {
  const onScoped = (value: string) => assume(connector.credentials, { RoleArn: scopedRole, ExternalId: undefined, SourceIdentity: value });

  test.each([
    ['one character', 'a', "1 validation error detected: Value 'a' at 'sourceIdentity' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    ['65 characters', 'a'.repeat(65), `1 validation error detected: Value '${'a'.repeat(65)}' at 'sourceIdentity' failed to satisfy constraint: Member must have length less than or equal to 64`],
    ['a space', 'tenant a', "1 validation error detected: Value 'tenant a' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
    ['the reserved aws: prefix', 'aws:tenant', "1 validation error detected: Value 'aws:tenant' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
  ])('WHEN it has %s THEN ValidationError', async (_case, value, message) => {
    const refusal = await refusalOf(onScoped(value));
    expect(refusal).toEqual(expect.objectContaining({ code: 'ValidationError', status: 400, message }));
  }, TEST_TIMEOUT_MS);

  test.each([
    ['two characters', 'ab'],
    ['64 characters', 'a'.repeat(64)],
    ['every allowed symbol', 'Tenant_1+=,.@-x'],
    ['aws without the colon', 'aws-tenant'],
  ])('WHEN it has %s THEN it is accepted', async (_case, value) => {
    const out = await onScoped(value);
    expect(out.SourceIdentity).toBe(value);
  }, TEST_TIMEOUT_MS);
});

// -- aws:SourceIdentity in the session's requests ------------------------------------------------

describe('GIVEN a role that may GetRole only when aws:SourceIdentity is tenant-a', () => {
  const iamAs = async (sourceIdentity: string | undefined) =>
    new IAMClient(cloud.clientConfig(credentialsOf(await assume(connector.credentials, { RoleArn: scopedRole, ExternalId: undefined, SourceIdentity: sourceIdentity }))));

  test('WHEN its session was created with tenant-a THEN GetRole is allowed', async () => {
    const iam = await iamAs('tenant-a');
    const role = await iam.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector-scoped' }));
    expect(role.Role?.Arn).toBe(scopedRole);
  }, TEST_TIMEOUT_MS);

  test.each([['tenant-b'], [undefined]])('WHEN its session was created with source identity %s THEN GetRole is refused', async (sourceIdentity) => {
    const iam = await iamAs(sourceIdentity);
    const refusal = await refusalOf(iam.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector-scoped' })));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403 }));
    expect(refusal.message).toContain('because no identity-based policy allows the iam:GetRole action');
  }, TEST_TIMEOUT_MS);
});

// -- role chaining --------------------------------------------------------------------------------

describe('GIVEN a session of the vendor hop role created with source identity tenant-a', () => {
  let hop: Credentials;
  let hopWithout: Credentials;

  beforeAll(async () => {
    hop = credentialsOf(await sts(connector.credentials).send(new AssumeRoleCommand({ RoleArn: hopRole, RoleSessionName: 'hop', SourceIdentity: 'tenant-a' })));
    hopWithout = credentialsOf(await sts(connector.credentials).send(new AssumeRoleCommand({ RoleArn: hopRole, RoleSessionName: 'hop-plain' })));
  }, SETUP_TIMEOUT_MS);

  test('WHEN it assumes the tenant role without passing a source identity THEN the source identity is carried on, returned, and satisfies sts:SourceIdentity', async () => {
    const out = await assume(hop, { SourceIdentity: undefined });
    expect(out.SourceIdentity).toBe('tenant-a');
    const id = await sts(credentialsOf(out)).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toMatch(/:assumed-role\/tibco_sidecar_connector\/tenant-a$/);
  }, TEST_TIMEOUT_MS);

  test('WHEN it passes the same source identity again THEN it is allowed', async () => {
    const out = await assume(hop, { SourceIdentity: 'tenant-a' });
    expect(out.SourceIdentity).toBe('tenant-a');
  }, TEST_TIMEOUT_MS);

  test('WHEN it passes a different one, even one the trust lists THEN AccessDenied: a source identity cannot be changed', async () => {
    const refusal = await refusalOf(assume(hop, { SourceIdentity: 'tenant-a2' }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(`arn:aws:sts::${cloud.accounts.vendor.accountId}:assumed-role/connector-hop/hop`, 'sts:SetSourceIdentity', tenantRole) }));
  }, TEST_TIMEOUT_MS);

  test('WHEN it assumes a role whose trust lacks sts:SetSourceIdentity THEN the carried source identity is refused there', async () => {
    const refusal = await refusalOf(assume(hop, { RoleArn: plainRole, SourceIdentity: undefined }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403 }));
    expect(refusal.message).toBe(bare(`arn:aws:sts::${cloud.accounts.vendor.accountId}:assumed-role/connector-hop/hop`, 'sts:SetSourceIdentity', plainRole));
    // Neighbour: a hop session without a source identity may.
    const out = await assume(hopWithout, { RoleArn: plainRole, SourceIdentity: undefined });
    expect(out.SourceIdentity).toBeUndefined();
  }, TEST_TIMEOUT_MS);

  test('WHEN the chained session makes a request THEN aws:SourceIdentity is still tenant-a', async () => {
    const out = await assume(hop, { RoleArn: scopedRole, ExternalId: undefined, SourceIdentity: undefined });
    const iam = new IAMClient(cloud.clientConfig(credentialsOf(out)));
    const role = await iam.send(new GetRoleCommand({ RoleName: 'tibco_sidecar_connector-scoped' }));
    expect(role.Role?.Arn).toBe(scopedRole);
  }, TEST_TIMEOUT_MS);
});
