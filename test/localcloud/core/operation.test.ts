// ---------------------------------------------------------------------------
// Operating the local cloud, through the real SDK clients and plain HTTP:
//  - an API it does not implement answers AWS's InvalidAction (400), never success, never 5xx;
//  - the health check; the /iam path prefix the provider uses with a path-style endpoint;
//  - test controls are off unless LOCALCLOUD_TEST_CONTROLS=1; faults (throttling, latency, count)
//    and per-operation counts when they are on;
//  - state (users, keys, roles, sessions) survives a restart;
//  - a body over the bound answers 413; a taken port fails with a clear error;
//  - the request log has one line per request and never a secret, a session token or an external ID.
// ---------------------------------------------------------------------------
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { GetRoleCommand, IAMClient, ListGroupsCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { createTestUser, startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { addFaults, clearFaults, control, operationStats } from '../../../scripts/lib/cloud-controls';
import { refusalOf } from '../../support/refusal';
import { createRole } from '../../support/localcloud-fixtures';

const EXTERNAL_ID = 'sc-operation-test-external-id-5mKq';
const ASSUME_ANY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };

let cloud: TestCloud;
const sts = (c: Credentials, endpoint?: string) => new STSClient({ ...cloud.clientConfig(c), ...(endpoint ? { endpoint } : {}) });

beforeAll(async () => {
  cloud = await startTestCloud();
}, 60_000);

afterAll(async () => {
  await cloud?.close();
});

// -- honesty about what is implemented -----------------------------------------------------------

test('an IAM action the local cloud does not implement answers InvalidAction with 400', async () => {
  const refusal = await refusalOf(new IAMClient(cloud.clientConfig(cloud.credentialsFor('vendor'))).send(new ListGroupsCommand({})));
  expect(refusal).toMatchObject({ code: 'InvalidAction', status: 400, message: 'The action ListGroups is not valid for this web service.' });
});

test('an STS action the local cloud does not implement answers InvalidAction with 400', async () => {
  const refusal = await refusalOf(sts(cloud.credentialsFor('vendor')).send(new GetSessionTokenCommand({})));
  expect(refusal).toMatchObject({ code: 'InvalidAction', status: 400 });
});

test('the health check answers without authentication', async () => {
  const res = await fetch(`${cloud.url}/_localcloud/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ok', pid: cloud.pid });
});

test('an endpoint with the /iam path prefix reaches IAM', async () => {
  const iam = new IAMClient({ ...cloud.clientConfig(cloud.credentialsFor('vendor')), endpoint: `${cloud.url}/iam` });
  const refusal = await refusalOf(iam.send(new GetRoleCommand({ RoleName: 'no-such-role' })));
  expect(refusal.code).toBe('NoSuchEntity');
});

// -- test controls ---------------------------------------------------------------------------------

describe('test controls', () => {
  afterEach(() => clearFaults(cloud));

  test('are off unless LOCALCLOUD_TEST_CONTROLS=1', async () => {
    const plain = await startTestCloud({ env: { LOCALCLOUD_TEST_CONTROLS: '0' } });
    try {
      const res = await fetch(`${plain.url}/_localcloud/control/clock`, { method: 'POST', body: JSON.stringify({ advanceSeconds: 99999 }) });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-amzn-errortype')).toBe('NotFound');
      expect(((await res.json()) as { message: string }).message).toContain('LOCALCLOUD_TEST_CONTROLS=1');
    } finally {
      await plain.close();
    }
  });

  test('a throttling fault fails the matching operation, then retires after its count', async () => {
    await addFaults(cloud, { service: 'sts', operation: 'GetCallerIdentity', error: 'Throttling', message: 'Rate exceeded', status: 400, count: 1 });
    const refusal = await refusalOf(sts(cloud.credentialsFor('vendor')).send(new GetCallerIdentityCommand({})));
    expect(refusal).toMatchObject({ code: 'Throttling', status: 400, message: 'Rate exceeded' });
    expect((await sts(cloud.credentialsFor('vendor')).send(new GetCallerIdentityCommand({}))).Account).toBe(cloud.accounts.vendor.accountId);
  });

  test('a fault for one operation leaves the others alone', async () => {
    await addFaults(cloud, { service: 'sts', operation: 'AssumeRole', error: 'Throttling' });
    expect((await sts(cloud.credentialsFor('vendor')).send(new GetCallerIdentityCommand({}))).Account).toBe(cloud.accounts.vendor.accountId);
  });

  test('a latency fault delays the response', async () => {
    await addFaults(cloud, { service: 'sts', operation: 'GetCallerIdentity', latencyMs: 400, count: 1 });
    const started = Date.now();
    await sts(cloud.credentialsFor('vendor')).send(new GetCallerIdentityCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
  });

  test('an invalid fault rule is refused', async () => {
    await expect(control(cloud, 'POST', 'faults', { service: 'ec2', error: 'Throttling' })).rejects.toThrow(/answered 400/);
  });

  test("service-credentials issues a Lambda execution role's session through its trust policy", async () => {
    const account = cloud.accounts.vendor.accountId;
    const roleArn = await createRole(cloud, 'vendor', 'exec-for-lambda', { Service: 'lambda.amazonaws.com' }, { condition: { StringEquals: { 'aws:SourceAccount': account } } });
    const c = await control<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }>(cloud, 'POST', 'service-credentials', {
      roleArn, service: 'lambda.amazonaws.com', sourceArn: `arn:aws:lambda:us-east-1:${account}:function:my-fn`,
    });
    expect(new Date(c.expiration).getTime()).toBeGreaterThan(Date.now());
    const id = await sts({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken }).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(`arn:aws:sts::${account}:assumed-role/exec-for-lambda/my-fn`);
  });

  test('service-credentials is refused when the trust policy does not allow the source account', async () => {
    const account = cloud.accounts.vendor.accountId;
    const roleArn = await createRole(cloud, 'vendor', 'exec-other-account', { Service: 'lambda.amazonaws.com' }, { condition: { StringEquals: { 'aws:SourceAccount': '000000000000' } } });
    await expect(control(cloud, 'POST', 'service-credentials', {
      roleArn, service: 'lambda.amazonaws.com', sourceArn: `arn:aws:lambda:us-east-1:${account}:function:my-fn`,
    })).rejects.toThrow(/answered 403: .*not authorized to perform: sts:AssumeRole/);
  });

  test('stats count requests per operation', async () => {
    await control(cloud, 'DELETE', 'stats');
    const client = sts(cloud.credentialsFor('vendor'));
    await client.send(new GetCallerIdentityCommand({}));
    await client.send(new GetCallerIdentityCommand({}));
    expect(await operationStats(cloud)).toEqual({ 'sts:GetCallerIdentity': 2 });
  });
});

// -- persistence -----------------------------------------------------------------------------------

test('users, keys, roles and sessions survive a restart', async () => {
  const first = await startTestCloud();
  let restarted: TestCloud | undefined;
  try {
    const user = await createTestUser(first, 'vendor', 'persistent', ASSUME_ANY);
    const role = await createRole(first, 'customer-a', 'tibco_sidecar_connector', { AWS: user.arn }, { condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } });
    const c = (await new STSClient(first.clientConfig(user.credentials)).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'before-restart', ExternalId: EXTERNAL_ID }))).Credentials!;
    const session = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    await first.close();

    restarted = await startTestCloud({ stateDir: first.stateDir });
    const bySession = await new STSClient(restarted.clientConfig(session)).send(new GetCallerIdentityCommand({}));
    expect(bySession.Arn).toBe(`arn:aws:sts::${restarted.accounts['customer-a'].accountId}:assumed-role/tibco_sidecar_connector/before-restart`);
    const again = await new STSClient(restarted.clientConfig(user.credentials)).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'after-restart', ExternalId: EXTERNAL_ID }));
    expect(again.AssumedRoleUser!.Arn).toMatch(/after-restart$/);
  } finally {
    await first.close();
    await restarted?.close();
  }
}, 60_000);

// -- limits and failures ---------------------------------------------------------------------------

test('an unsigned request declaring a body over 70 MB is refused (403) before its body is read', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${cloud.url}/2015-03-31/functions`, { method: 'POST', headers: { 'content-length': String(71 * 1024 * 1024), 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
    req.write('{"FunctionName":"x"');
  });
  // Authentication comes from the headers first; a signed one gets 413 (test/localcloud/hostile/body-limits.test.ts).
  expect(status).toBe(403);
});

test('a second server on a taken port fails with a clear error', async () => {
  await expect(startTestCloud({ env: { LOCALCLOUD_PORT: String(cloud.port) }, startTimeoutMs: 15_000 })).rejects.toThrow(`Port ${cloud.port} on 127.0.0.1 is already in use`);
}, 30_000);

// -- the request log -------------------------------------------------------------------------------

test('the request log has a line per request and never a secret, session token or external ID', async () => {
  const user = await createTestUser(cloud, 'vendor', 'logged', ASSUME_ANY);
  const role = await createRole(cloud, 'customer-b', 'tibco_sidecar_connector-logged', { AWS: user.arn }, { condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } });
  const out = await new STSClient(cloud.clientConfig(user.credentials)).send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'logged', ExternalId: EXTERNAL_ID }));
  const log = readFileSync(cloud.logFile, 'utf8');
  const lines = log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toContainEqual(expect.objectContaining({ message: 'request', awsService: 'sts', operation: 'AssumeRole', principal: user.arn, status: 200 }));
  for (const secret of [EXTERNAL_ID, user.credentials.secretAccessKey, out.Credentials!.SecretAccessKey!, out.Credentials!.SessionToken!, cloud.credentialsFor('vendor').secretAccessKey]) {
    expect(log).not.toContain(secret);
  }
});
