// ---------------------------------------------------------------------------
// STS refuses AssumeRole on a role that does not exist exactly as it refuses a role that exists but
// does not trust the caller, so a caller cannot map another account's roles
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html#troubleshoot_roles_cant-assume-role):
//  - accepted neighbour: the trusted caller with the right external ID;
//  - missing role, wrong external ID, trust naming someone else, explicit deny in the trust: the
//    same code, HTTP status and bare message "User: <caller> is not authorized to perform:
//    sts:AssumeRole on resource: <role>" through the SDK;
//  - the raw answers of "missing" and "not trusted" are identical but for the request ID and the
//    ARN (same headers, same XML), and take about as long;
//  - a refusal on the caller's own side (no identity-based policy) reads the same for both.
// ---------------------------------------------------------------------------
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { createTestUser, startTestCloud, type Credentials, type TestCloud, type TestUser } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { createRole } from '../../support/localcloud-fixtures';
import { SETUP_TIMEOUT_MS, TEST_TIMEOUT_MS, signedStsQuery, type RawAnswer } from '../../support/sts-sessions';

const EXTERNAL_ID = 'sc-uniformity-external-id';
const ASSUME_ANY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };

let cloud: TestCloud;
let connector: TestUser; // vendor user allowed sts:AssumeRole on anything
let noIdentity: TestUser; // vendor user named by the trust, without any identity policy
let guardedRole: string; // trusts connector and noIdentity, with the external ID
let otherTrustRole: string; // trusts only `stranger`
let denyingRole: string; // allows connector, and explicitly denies it
let missingRole: string; // never created

const bare = (caller: string, role: string) => `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}`;
const assume = (c: Credentials, input: Partial<AssumeRoleCommandInput>) =>
  new STSClient(cloud.clientConfig(c)).send(new AssumeRoleCommand({ RoleArn: guardedRole, RoleSessionName: 'uniformity', ExternalId: EXTERNAL_ID, ...input }));

beforeAll(async () => {
  cloud = await startTestCloud();
  const customer = cloud.accounts['customer-a'].accountId;
  connector = await createTestUser(cloud, 'vendor', 'connector', ASSUME_ANY);
  noIdentity = await createTestUser(cloud, 'vendor', 'no-identity');
  const stranger = await createTestUser(cloud, 'vendor', 'stranger', ASSUME_ANY);
  guardedRole = await createRole(cloud, 'customer-a', 'tibco_sidecar_connector', { AWS: [connector.arn, noIdentity.arn] }, {
    condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
  });
  otherTrustRole = await createRole(cloud, 'customer-a', 'tibco_sidecar_connector-other', { AWS: stranger.arn });
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  const denying = await iam.send(new CreateRoleCommand({
    RoleName: 'tibco_sidecar_connector-denying',
    AssumeRolePolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: connector.arn }, Action: 'sts:AssumeRole' },
        { Effect: 'Deny', Principal: { AWS: connector.arn }, Action: 'sts:AssumeRole' },
      ],
    }),
  }));
  denyingRole = denying.Role!.Arn!;
  missingRole = `arn:aws:iam::${customer}:role/tibco_sidecar_connector-missing`;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, SETUP_TIMEOUT_MS);

// -- through the SDK -------------------------------------------------------------------------

describe('GIVEN a vendor caller allowed sts:AssumeRole on every role', () => {
  test('WHEN it assumes the role that trusts it with the right external ID THEN it gets credentials (the accepted neighbour)', async () => {
    const out = await assume(connector.credentials, {});
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  }, TEST_TIMEOUT_MS);

  test.each([
    ['a role that does not exist', () => missingRole, {}],
    ['the trusting role with a wrong external ID', () => guardedRole, { ExternalId: 'sc-another-tenants-id' }],
    ['the trusting role without an external ID', () => guardedRole, { ExternalId: undefined }],
    ['a role whose trust names someone else', () => otherTrustRole, {}],
    ['a role whose trust explicitly denies the caller', () => denyingRole, {}],
  ])('WHEN it assumes %s THEN STS answers AccessDenied 403 with the bare message', async (_case, role, extra) => {
    const refusal = await refusalOf(assume(connector.credentials, { RoleArn: role(), ...extra }));
    expect(refusal).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: bare(connector.arn, role()) }));
  }, TEST_TIMEOUT_MS);

  test('WHEN a caller without an identity-based policy tries a missing and an existing role THEN both refusals name its own side, identically', async () => {
    const existing = await refusalOf(assume(noIdentity.credentials, {}));
    const missing = await refusalOf(assume(noIdentity.credentials, { RoleArn: missingRole }));
    const own = (role: string) => `${bare(noIdentity.arn, role)} because no identity-based policy allows the sts:AssumeRole action`;
    expect(existing).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: own(guardedRole) }));
    expect(missing).toEqual(expect.objectContaining({ code: 'AccessDenied', status: 403, message: own(missingRole) }));
  }, TEST_TIMEOUT_MS);
});

// -- on the wire -------------------------------------------------------------------------------

/** The answer with what legitimately differs (request ID, the role's ARN, the date) taken out. */
function normalised(answer: RawAnswer, roleArn: string): { status: number; headers: Record<string, string>; body: string } {
  const requestId = answer.headers['x-amzn-requestid'];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (name === 'date') continue;
    headers[name] = name === 'x-amzn-requestid' ? '<request-id>' : name === 'content-length' ? '<length>' : value;
  }
  return { status: answer.status, headers, body: answer.body.split(requestId).join('<request-id>').split(roleArn).join('<role>') };
}

const params = (roleArn: string, externalId = EXTERNAL_ID) => ({ Action: 'AssumeRole', RoleArn: roleArn, RoleSessionName: 'uniformity', ExternalId: externalId });

describe('GIVEN the raw answers of STS', () => {
  test('WHEN the role is missing or does not trust the caller THEN the answers are the same but for request ID and ARN', async () => {
    const missing = await signedStsQuery(cloud, connector.credentials, params(missingRole));
    const untrusting = await signedStsQuery(cloud, connector.credentials, params(otherTrustRole));
    const wrongId = await signedStsQuery(cloud, connector.credentials, params(guardedRole, 'sc-another-tenants-id'));
    expect(missing.status).toBe(403);
    expect(missing.body).toContain('<Code>AccessDenied</Code>');
    expect(normalised(untrusting, otherTrustRole)).toEqual(normalised(missing, missingRole));
    expect(normalised(wrongId, guardedRole)).toEqual(normalised(missing, missingRole));
  }, TEST_TIMEOUT_MS);

  test('WHEN refused many times, interleaved THEN a missing role is answered about as fast as an untrusting one', async () => {
    const timings = { missing: [] as number[], untrusting: [] as number[] };
    for (let i = 0; i < 20; i++) {
      for (const [name, role] of [['missing', missingRole], ['untrusting', otherTrustRole]] as const) {
        const started = performance.now();
        const answer = await signedStsQuery(cloud, connector.credentials, params(role));
        timings[name].push(performance.now() - started);
        expect(answer.status).toBe(403);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const [m, u] = [median(timings.missing), median(timings.untrusting)];
    // A smoke test, not a side-channel proof: on a loaded machine only an obvious gap (a shortcut for
    // missing roles, a delay for existing ones) would exceed this.
    expect(Math.abs(m - u)).toBeLessThan(Math.max(25, 2 * Math.min(m, u)));
  }, TEST_TIMEOUT_MS * 2);
});
