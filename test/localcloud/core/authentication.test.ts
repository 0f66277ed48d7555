// ---------------------------------------------------------------------------
// SigV4 authentication of the local cloud, through the real SDK clients:
//  - a root key, an IAM user's key and a role session's credentials are accepted;
//  - an unknown key, a wrong secret, a body changed after signing, a skewed clock, a missing
//    Authorization header, a temporary key without (or with another session's) token, an
//    inactive user key, and an expired session are each refused with AWS's code.
// ---------------------------------------------------------------------------
import { IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createTestUser, startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { advanceClock, resetClock } from '../../../scripts/lib/cloud-controls';
import { refusalOf } from '../../support/refusal';
import { createRole } from '../../support/localcloud-fixtures';

let cloud: TestCloud;
let vendorRoot: Credentials;
let session: Credentials;
let otherSession: Credentials;

const sts = (credentials: Credentials, extra: object = {}) => new STSClient({ ...cloud.clientConfig(credentials), ...extra });

beforeAll(async () => {
  cloud = await startTestCloud();
  vendorRoot = cloud.credentialsFor('vendor');
  const caller = await createTestUser(cloud, 'vendor', 'auth-caller', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] });
  const role = await createRole(cloud, 'vendor', 'auth-target', { AWS: caller.arn });
  const assume = async (name: string) => {
    const c = (await sts(caller.credentials).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: name }))).Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  };
  session = await assume('one');
  otherSession = await assume('two');
}, 60_000);

afterAll(async () => {
  await cloud?.close();
});

// -- accepted ------------------------------------------------------------------

test('a request signed with an account root key is accepted', async () => {
  const id = await sts(vendorRoot).send(new GetCallerIdentityCommand({}));
  expect(id.Arn).toBe(`arn:aws:iam::${cloud.accounts.vendor.accountId}:root`);
});

test('a request signed with role session credentials and their token is accepted', async () => {
  const id = await sts(session).send(new GetCallerIdentityCommand({}));
  expect(id.Arn).toBe(`arn:aws:sts::${cloud.accounts.vendor.accountId}:assumed-role/auth-target/one`);
});

// -- refused -------------------------------------------------------------------

test('an unknown access key is refused with InvalidClientTokenId', async () => {
  const refusal = await refusalOf(sts({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})));
  expect(refusal).toMatchObject({ code: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid.' });
});

test('a signature made with the wrong secret is refused with SignatureDoesNotMatch', async () => {
  const refusal = await refusalOf(sts({ ...vendorRoot, secretAccessKey: `${vendorRoot.secretAccessKey}x` }).send(new GetCallerIdentityCommand({})));
  expect(refusal).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
});

test('a body changed after signing is refused with SignatureDoesNotMatch', async () => {
  const client = sts(vendorRoot);
  // Runs after the signer (deserialize wraps the HTTP handler): the request on the wire differs from the signed one.
  client.middlewareStack.add((next) => async (args) => {
    const request = args.request as { body: string; headers: Record<string, string> };
    request.body = request.body.replace('GetCallerIdentity', 'GetCallerIdentitx');
    return next(args);
  }, { step: 'deserialize', name: 'tamper', priority: 'low' });
  const refusal = await refusalOf(client.send(new GetCallerIdentityCommand({})));
  expect(refusal).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
});

test('a request signed more than 5 minutes in the past is refused as expired', async () => {
  const refusal = await refusalOf(sts(vendorRoot, { systemClockOffset: -10 * 60 * 1000 }).send(new GetCallerIdentityCommand({})));
  expect(refusal.code).toBe('SignatureDoesNotMatch');
  expect(refusal.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
});

test('a request signed more than 5 minutes in the future is refused as not yet current', async () => {
  const refusal = await refusalOf(sts(vendorRoot, { systemClockOffset: 10 * 60 * 1000 }).send(new GetCallerIdentityCommand({})));
  expect(refusal.code).toBe('SignatureDoesNotMatch');
  expect(refusal.message).toMatch(/^Signature not yet current:/);
});

test('a request signed 4 minutes off is still accepted (inside the 5-minute window)', async () => {
  const id = await sts(vendorRoot, { systemClockOffset: -4 * 60 * 1000 }).send(new GetCallerIdentityCommand({}));
  expect(id.Account).toBe(cloud.accounts.vendor.accountId);
});

test('a request without an Authorization header is refused with MissingAuthenticationToken', async () => {
  const res = await fetch(cloud.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  expect(res.status).toBe(403);
  expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
});

test('temporary credentials without their session token are refused with InvalidClientTokenId', async () => {
  const refusal = await refusalOf(sts({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(new GetCallerIdentityCommand({})));
  expect(refusal).toMatchObject({ code: 'InvalidClientTokenId', status: 403 });
});

test("temporary credentials with another session's token are refused with InvalidClientTokenId", async () => {
  const refusal = await refusalOf(sts({ ...session, sessionToken: otherSession.sessionToken }).send(new GetCallerIdentityCommand({})));
  expect(refusal).toMatchObject({ code: 'InvalidClientTokenId', status: 403 });
});

test("an IAM user's access key is refused once it is made inactive", async () => {
  const user = await createTestUser(cloud, 'vendor', 'auth-inactive');
  expect((await sts(user.credentials).send(new GetCallerIdentityCommand({}))).Arn).toBe(user.arn);
  await new IAMClient(cloud.clientConfig(vendorRoot)).send(new UpdateAccessKeyCommand({ UserName: user.userName, AccessKeyId: user.credentials.accessKeyId, Status: 'Inactive' }));
  const refusal = await refusalOf(sts(user.credentials).send(new GetCallerIdentityCommand({})));
  expect(refusal).toMatchObject({ code: 'InvalidClientTokenId', status: 403 });
});

describe('with the clock moved past the session expiry', () => {
  afterEach(() => resetClock(cloud));

  test('session credentials are refused with ExpiredToken', async () => {
    await advanceClock(cloud, 3601);
    const refusal = await refusalOf(sts(session).send(new GetCallerIdentityCommand({})));
    expect(refusal).toMatchObject({ code: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' });
  });

  test('long-term keys are still accepted (only sessions expire)', async () => {
    await advanceClock(cloud, 3601);
    expect((await sts(vendorRoot).send(new GetCallerIdentityCommand({}))).Account).toBe(cloud.accounts.vendor.accountId);
  });
});
