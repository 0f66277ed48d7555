// ---------------------------------------------------------------------------
// The same STS behaviour through clients other than the JS SDK, spawned from jest: the AWS CLI v1
// (`aws sts assume-role --source-identity ... --tags ... --transitive-tag-keys ... --endpoint-url`)
// and boto3. Each is skipped, with the reason printed, only when it is not installed.
//  - the tenant trust (sts:AssumeRole + sts:SetSourceIdentity + sts:TagSession, external ID,
//    sts:SourceIdentity among the customer's tenants): the listed source identity with tags is
//    allowed and answered with SourceIdentity and PackedPolicySize; another tenant's, or none, is
//    refused with AWS's message; duplicate tag keys are refused with AWS's message;
//  - a missing role and an untrusting one are refused with the same words (but for the ARN).
// ---------------------------------------------------------------------------
import { createTestUser, startTestCloud, type TestCloud, type TestUser } from '../../../scripts/lib/child-cloud';
import { clientEnv, missingProgram, run } from '../../support/external-clients';
import { CLI_TEST_TIMEOUT_MS, SETUP_TIMEOUT_MS, allowing, createRoleWithTrust } from '../../support/sts-sessions';

const EXTERNAL_ID = 'sc-cli-external-id';

let cloud: TestCloud;
let connector: TestUser;
let tenantRole: string;
let otherRole: string;
let missingRole: string;

const cliMissing = missingProgram('aws', ['--version']);
const boto3Missing = missingProgram('python3', ['-c', 'import boto3']);
if (cliMissing) console.warn(`Skipping the AWS CLI cases: ${cliMissing}`);
if (boto3Missing) console.warn(`Skipping the boto3 cases: ${boto3Missing}`);
const cliTest = cliMissing ? test.skip : test;
const boto3Test = boto3Missing ? test.skip : test;

const bare = (caller: string, action: string, role: string) => `User: ${caller} is not authorized to perform: ${action} on resource: ${role}`;

beforeAll(async () => {
  cloud = await startTestCloud();
  connector = await createTestUser(cloud, 'vendor', 'connector', allowing('sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'));
  const stranger = await createTestUser(cloud, 'vendor', 'stranger');
  tenantRole = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector', [{
    Effect: 'Allow',
    Principal: { AWS: connector.arn },
    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
    Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID, 'sts:SourceIdentity': ['tenant-a', 'tenant-a2'] } },
  }]);
  otherRole = await createRoleWithTrust(cloud, 'customer-a', 'tibco_sidecar_connector-other', [
    { Effect: 'Allow', Principal: { AWS: stranger.arn }, Action: 'sts:AssumeRole' },
  ]);
  missingRole = `arn:aws:iam::${cloud.accounts['customer-a'].accountId}:role/tibco_sidecar_connector-missing`;
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, SETUP_TIMEOUT_MS);

// -- the AWS CLI v1 -------------------------------------------------------------------------------

/** `aws sts assume-role` against the local cloud as the connector, with `extra` options. The CLI's
 *  note on retries ("(reached max retries: 0)", from AWS_MAX_ATTEMPTS=1) is taken out of stderr. */
async function cliAssume(roleArn: string, extra: string[]) {
  const res = await run('aws', [
    'sts', 'assume-role', '--endpoint-url', cloud.url, '--region', 'us-east-1', '--output', 'json',
    '--role-arn', roleArn, '--role-session-name', 'cli', '--external-id', EXTERNAL_ID, ...extra,
  ], clientEnv(connector.credentials));
  return { ...res, stderr: res.stderr.replace(/ \(reached max retries: \d+\)/g, '') };
}

describe('GIVEN the AWS CLI v1', () => {
  cliTest('WHEN it assumes the tenant role with a listed --source-identity, --tags and --transitive-tag-keys THEN it gets credentials, SourceIdentity and PackedPolicySize', async () => {
    const res = await cliAssume(tenantRole, ['--source-identity', 'tenant-a', '--tags', 'Key=tenant,Value=tenant-a', 'Key=team,Value=ops', '--transitive-tag-keys', 'tenant']);
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
    const out = JSON.parse(res.stdout) as { Credentials: { AccessKeyId: string }; SourceIdentity: string; PackedPolicySize: number; AssumedRoleUser: { Arn: string } };
    expect(out.Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(out.SourceIdentity).toBe('tenant-a');
    expect(out.PackedPolicySize).toBe(Math.ceil(((6 + 8 + 4 + 3) / 2048) * 100));
    expect(out.AssumedRoleUser.Arn).toMatch(/:assumed-role\/tibco_sidecar_connector\/cli$/);
  }, CLI_TEST_TIMEOUT_MS);

  cliTest.each([
    ["another tenant's source identity", ['--source-identity', 'tenant-b']],
    ['no source identity', []],
  ])('WHEN it passes %s THEN the CLI reports AccessDenied with AWS\'s message', async (_case, extra) => {
    const res = await cliAssume(tenantRole, extra as string[]);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`An error occurred (AccessDenied) when calling the AssumeRole operation: ${bare(connector.arn, 'sts:AssumeRole', tenantRole)}`);
  }, CLI_TEST_TIMEOUT_MS);

  cliTest('WHEN it passes the same tag key twice in two cases THEN InvalidParameterValue', async () => {
    const res = await cliAssume(tenantRole, ['--source-identity', 'tenant-a', '--tags', 'Key=Tenant,Value=a', 'Key=tenant,Value=b']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('An error occurred (InvalidParameterValue) when calling the AssumeRole operation: Duplicate tag keys found. Please note that Tag keys are case insensitive.');
  }, CLI_TEST_TIMEOUT_MS);

  cliTest('WHEN it assumes a missing role and an untrusting one THEN the two refusals read the same', async () => {
    const missing = await cliAssume(missingRole, []);
    const untrusting = await cliAssume(otherRole, []);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe(`An error occurred (AccessDenied) when calling the AssumeRole operation: ${bare(connector.arn, 'sts:AssumeRole', missingRole)}`);
    expect(untrusting.stderr.trim()).toBe(missing.stderr.trim().replace(missingRole, otherRole));
    expect(untrusting.code).toBe(missing.code);
  }, CLI_TEST_TIMEOUT_MS);
});

// -- boto3 ----------------------------------------------------------------------------------------

/** boto3's assume_role with the keyword arguments of argv[2] (JSON); prints the answer's fields or the error. */
const BOTO3_SCRIPT = `
import json, sys, boto3, botocore
sts = boto3.client("sts", endpoint_url=sys.argv[1], region_name="us-east-1", config=botocore.config.Config(retries={"max_attempts": 1}))
try:
    out = sts.assume_role(**json.loads(sys.argv[2]))
    print(json.dumps({"ok": True, "SourceIdentity": out.get("SourceIdentity"), "PackedPolicySize": out.get("PackedPolicySize"), "Arn": out["AssumedRoleUser"]["Arn"]}))
except botocore.exceptions.ClientError as e:
    print(json.dumps({"ok": False, "Code": e.response["Error"]["Code"], "Message": e.response["Error"]["Message"], "Status": e.response["ResponseMetadata"]["HTTPStatusCode"]}))
`;

async function boto3Assume(kwargs: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await run('python3', ['-c', BOTO3_SCRIPT, cloud.url, JSON.stringify({ RoleSessionName: 'boto3', ExternalId: EXTERNAL_ID, ...kwargs })], clientEnv(connector.credentials));
  expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(res.stdout) as Record<string, unknown>;
}

describe('GIVEN boto3', () => {
  boto3Test('WHEN it assumes the tenant role with a listed SourceIdentity and Tags THEN it gets SourceIdentity and PackedPolicySize', async () => {
    const out = await boto3Assume({ RoleArn: tenantRole, SourceIdentity: 'tenant-a2', Tags: [{ Key: 'tenant', Value: 'tenant-a2' }], TransitiveTagKeys: ['tenant'] });
    expect(out).toEqual({ ok: true, SourceIdentity: 'tenant-a2', PackedPolicySize: 1, Arn: expect.stringMatching(/:assumed-role\/tibco_sidecar_connector\/boto3$/) });
  }, CLI_TEST_TIMEOUT_MS);

  boto3Test.each([
    ["another tenant's SourceIdentity", { SourceIdentity: 'tenant-b' }],
    ['no SourceIdentity', {}],
  ])('WHEN it passes %s THEN AccessDenied (403) with AWS\'s message', async (_case, extra) => {
    const out = await boto3Assume({ RoleArn: tenantRole, ...extra });
    expect(out).toEqual({ ok: false, Code: 'AccessDenied', Status: 403, Message: bare(connector.arn, 'sts:AssumeRole', tenantRole) });
  }, CLI_TEST_TIMEOUT_MS);

  boto3Test('WHEN a transitive key is not among its Tags THEN InvalidParameterValue with AWS\'s message', async () => {
    const out = await boto3Assume({ RoleArn: tenantRole, SourceIdentity: 'tenant-a', Tags: [{ Key: 'tenant', Value: 'tenant-a' }], TransitiveTagKeys: ['team'] });
    expect(out).toEqual({ ok: false, Code: 'InvalidParameterValue', Status: 400, Message: 'The specified transitive tag key must be included in the requested tags.' });
  }, CLI_TEST_TIMEOUT_MS);
});
