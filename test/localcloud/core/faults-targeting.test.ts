// ---------------------------------------------------------------------------
// Fault rules that target one tenant, through the real SDK clients:
//  - an AssumeRole fault for one RoleArn (or one RoleSessionName) fails that role's requests and
//    leaves another role's AssumeRole alone;
//  - a fault for one signer (principal ARN) fails that principal's requests only;
//  - a Lambda fault for one function name matches whether the caller sends the name or the ARN,
//    and leaves other functions alone;
//  - a rule without targeting fields still matches every request of its operation.
// ---------------------------------------------------------------------------
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { faultSubjectOf } from '../../../localcloud/core/faults';
import { createTestUser, startTestCloud, type TestCloud, type TestUser } from '../../../scripts/lib/child-cloud';
import { addFaults, clearFaults, control } from '../../../scripts/lib/cloud-controls';
import { refusalOf } from '../../support/refusal';
import { createRole } from '../../support/localcloud-fixtures';

const ASSUME_ANY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };

let cloud: TestCloud;
let caller: TestUser;
let bystanderCaller: TestUser;
let victimRole: string;
let bystanderRole: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  caller = await createTestUser(cloud, 'vendor', 'fault-caller', ASSUME_ANY);
  bystanderCaller = await createTestUser(cloud, 'vendor', 'fault-bystander', ASSUME_ANY);
  const vendorRoot = `arn:aws:iam::${cloud.accounts.vendor.accountId}:root`;
  victimRole = await createRole(cloud, 'customer-a', 'fault-victim', { AWS: vendorRoot });
  bystanderRole = await createRole(cloud, 'customer-b', 'fault-bystander', { AWS: vendorRoot });
}, 60_000);

afterAll(async () => {
  await cloud?.close();
});

afterEach(() => clearFaults(cloud));

const sts = (user: TestUser) => new STSClient(cloud.clientConfig(user.credentials));
const lambda = () => new LambdaClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
const assume = (user: TestUser, roleArn: string, session = 'fault-test') => sts(user).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }));

// -- STS -------------------------------------------------------------------------------------------

test('an AssumeRole fault for one role ARN fails that role and not another', async () => {
  await addFaults(cloud, { service: 'sts', operation: 'AssumeRole', roleArn: victimRole, error: 'Throttling', message: 'Rate exceeded' });

  expect(await refusalOf(assume(caller, victimRole))).toMatchObject({ code: 'Throttling', status: 400 });
  expect((await assume(caller, bystanderRole)).AssumedRoleUser?.Arn).toContain('fault-bystander/fault-test');
});

test('an AssumeRole fault for one session name fails that session name and not another', async () => {
  await addFaults(cloud, { service: 'sts', operation: 'AssumeRole', roleSessionName: 'sidecar-connector-x', error: 'ServiceUnavailable', status: 503 });

  expect(await refusalOf(assume(caller, victimRole, 'sidecar-connector-x'))).toMatchObject({ code: 'ServiceUnavailable', status: 503 });
  expect((await assume(caller, victimRole, 'sidecar-connector-y')).Credentials?.AccessKeyId).toMatch(/^ASIA/);
});

test('a fault for one principal ARN fails that signer\'s requests and not another signer\'s', async () => {
  await addFaults(cloud, { service: 'sts', operation: 'GetCallerIdentity', principalArn: caller.arn, error: 'Throttling' });

  expect(await refusalOf(sts(caller).send(new GetCallerIdentityCommand({})))).toMatchObject({ code: 'Throttling' });
  expect((await sts(bystanderCaller).send(new GetCallerIdentityCommand({}))).Arn).toBe(bystanderCaller.arn);
});

test('a fault for an assumed-role session\'s ARN matches the session, not the user who assumed it', async () => {
  const session = await assume(caller, victimRole, 'targeted-session');
  const sessionArn = session.AssumedRoleUser!.Arn!;
  await addFaults(cloud, { service: 'sts', operation: 'GetCallerIdentity', principalArn: sessionArn, error: 'Throttling' });
  const asSession = new STSClient(cloud.clientConfig({
    accessKeyId: session.Credentials!.AccessKeyId!, secretAccessKey: session.Credentials!.SecretAccessKey!, sessionToken: session.Credentials!.SessionToken!,
  }));

  expect(await refusalOf(asSession.send(new GetCallerIdentityCommand({})))).toMatchObject({ code: 'Throttling' });
  expect((await sts(caller).send(new GetCallerIdentityCommand({}))).Arn).toBe(caller.arn);
});

// -- Lambda ----------------------------------------------------------------------------------------

test('a Lambda fault for one function name matches the name and the ARN, and no other function', async () => {
  const account = cloud.accounts['customer-a'].accountId;
  await addFaults(cloud, { service: 'lambda', operation: 'Invoke', functionName: 'victim-fn', error: 'TooManyRequestsException', status: 429 });

  expect(await refusalOf(lambda().send(new InvokeCommand({ FunctionName: 'victim-fn' })))).toMatchObject({ code: 'TooManyRequestsException', status: 429 });
  expect(await refusalOf(lambda().send(new InvokeCommand({ FunctionName: `arn:aws:lambda:us-east-1:${account}:function:victim-fn` })))).toMatchObject({ code: 'TooManyRequestsException' });
  // Past the fault, an unknown function is what it is: not found.
  expect(await refusalOf(lambda().send(new InvokeCommand({ FunctionName: 'bystander-fn' })))).toMatchObject({ code: 'ResourceNotFoundException', status: 404 });
});

test('a Lambda fault for a function leaves its other operations alone when it names Invoke', async () => {
  await addFaults(cloud, { service: 'lambda', operation: 'Invoke', functionName: 'victim-fn', error: 'TooManyRequestsException', status: 429 });
  expect(await refusalOf(lambda().send(new GetFunctionCommand({ FunctionName: 'victim-fn' })))).toMatchObject({ code: 'ResourceNotFoundException' });
});

// -- compatibility and validation --------------------------------------------------------------------

test('a rule without targeting fields still matches every caller of its operation', async () => {
  await addFaults(cloud, { service: 'sts', operation: 'AssumeRole', error: 'Throttling', count: 2 });
  expect(await refusalOf(assume(caller, victimRole))).toMatchObject({ code: 'Throttling' });
  expect(await refusalOf(assume(bystanderCaller, bystanderRole))).toMatchObject({ code: 'Throttling' });
  expect((await assume(caller, victimRole)).Credentials).toBeDefined();
});

test('a targeting field of the wrong type is refused by the control', async () => {
  await expect(control(cloud, 'POST', 'faults', { service: 'sts', roleArn: 42, error: 'Throttling' })).rejects.toThrow(/roleArn/);
});

test('the subject of a request without the fields a rule targets never matches that rule', () => {
  const subject = faultSubjectOf({ service: 'iam', path: '/', principalArn: 'arn:aws:iam::111122223333:user/u' });
  expect(subject).toEqual({ principalArn: 'arn:aws:iam::111122223333:user/u' });
  expect(faultSubjectOf({ service: 'lambda', path: '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A111122223333%3Afunction%3Afn%3Aprod/invocations' }).functionName).toBe('fn');
});
