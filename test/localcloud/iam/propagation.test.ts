// ---------------------------------------------------------------------------
// IAM's eventual consistency, opt-in (LOCALCLOUD_IAM_PROPAGATION_MS), through the real AWS SDK v3
// against the server as a child process. AWS: "Changes that I make are not always immediately
// visible": IAM's own API shows a change at once, everything else sees it only after a while.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
//
// The delayed cloud runs with a 60 s delay and the tests move its clock past it with the clock
// control, so "right after" and "after the delay" hold however slow the machine (no sleeping, no
// timing asserted). Cases:
//   - a new role: AssumeRole refused right after CreateRole (as a missing role is), while IAM's own
//     GetRole and ListRoles show it; assumable once the delay has passed;
//   - a trust edit (UpdateAssumeRolePolicy) from one caller to another: the old caller still
//     assumes and the new one is refused right after; the other way round after the delay;
//   - an inline policy deleted still allows right after and denies after the delay; put back, it
//     allows only after the delay; the same for a managed policy detached and attached again;
//   - Lambda CreateFunction with a just-created execution role: InvalidParameterValueException "The
//     role defined for the function cannot be assumed by Lambda."; the same call after the delay
//     succeeds and the function runs; UpdateFunctionConfiguration to a just-created role likewise;
//   - the same CreateFunction through the AWS CLI v1 (skipped, with the reason, when it is missing);
//   - a restart on the same state: what was persisted is propagated at once;
//   - the nearest accepted neighbour: a cloud started without the option applies each change to
//     the very next request.
// ---------------------------------------------------------------------------
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttachRolePolicyCommand, CreatePolicyCommand, CreateRoleCommand, DeleteRolePolicyCommand, DetachRolePolicyCommand, GetRoleCommand, IAMClient,
  ListRolesCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, ListFunctionsCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { advanceClock } from '../../../scripts/lib/cloud-controls';
import { createTestUser, startTestCloud, type Credentials, type TestCloud, type TestUser } from '../../../scripts/lib/child-cloud';
import { AWS_CLI, CALLS_TIMEOUT_MS, CLIENT_TIMEOUT_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS, awsCli, skipReason } from '../../support/iam-clients';
import { createRole as createExecutionRole, handlerZip } from '../../support/localcloud-zips';
import { refusalOf } from '../../support/refusal';

/** Long enough that no loaded machine takes it between two calls; the tests move the clock past it. */
const DELAY_MS = 60_000;
const PAST_THE_DELAY_SECONDS = DELAY_MS / 1000 + 1;
const DELAYED_ENV = { LOCALCLOUD_IAM_PROPAGATION_MS: String(DELAY_MS) };
const CANNOT_ASSUME = 'The role defined for the function cannot be assumed by Lambda.';
const ASSUME_ANY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };
const LIST_FUNCTIONS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' }] };

const cliSkip = skipReason('aws');
if (cliSkip) console.warn(cliSkip);
const cliTest = AWS_CLI ? test : test.skip;

const trustOf = (...principals: string[]) => JSON.stringify({
  Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' }],
});
const bareDenial = (caller: string, role: string) => `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}`;

/** One cloud's fixture: customer-a's root (IAM and Lambda), where roles and functions live, and two
 *  vendor users allowed sts:AssumeRole, whom the roles' trusts name. */
interface World {
  readonly cloud: TestCloud;
  readonly iam: IAMClient;
  readonly lambda: LambdaClient;
  readonly caller: TestUser;
  readonly other: TestUser;
}

/** Client settings of customer-a's root. */
const rootOf = (cloud: TestCloud) => cloud.clientConfig(cloud.credentialsFor('customer-a'));

async function world(cloud: TestCloud, settle: () => Promise<unknown>): Promise<World> {
  const root = rootOf(cloud);
  const caller = await createTestUser(cloud, 'vendor', 'caller', ASSUME_ANY);
  const other = await createTestUser(cloud, 'vendor', 'other', ASSUME_ANY);
  // The users' keys and policies are IAM changes too: they must reach authentication first.
  await settle();
  return { cloud, iam: new IAMClient(root), lambda: new LambdaClient(root), caller, other };
}

/**
 * The suite's world on a cloud started with `env`, filled in before its tests and closed after
 * them; `settle` lets the test users' own IAM changes reach authentication.
 */
function useWorld(env: NodeJS.ProcessEnv, settle: (cloud: TestCloud) => Promise<unknown>): World {
  const fixture = {} as { -readonly [K in keyof World]: World[K] };
  beforeAll(async () => {
    const cloud = await startTestCloud({ env });
    try {
      Object.assign(fixture, await world(cloud, () => settle(cloud)));
    } catch (e) {
      await cloud.close();
      throw e;
    }
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await fixture.cloud?.close();
  }, STOP_TIMEOUT_MS);
  return fixture;
}

const assume = (w: World, who: Credentials, roleArn: string) =>
  new STSClient(w.cloud.clientConfig(who)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'propagation' }));

async function createTrustingRole(w: World, roleName: string, ...principals: string[]): Promise<string> {
  const out = await w.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustOf(...principals) }));
  return out.Role!.Arn!;
}

/** A Lambda client signed as a session of `roleArn`, assumed by the caller. */
async function sessionLambda(w: World, roleArn: string): Promise<LambdaClient> {
  const c = (await assume(w, w.caller.credentials, roleArn)).Credentials!;
  return new LambdaClient(w.cloud.clientConfig({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! }));
}

async function expectListDenied(lambda: LambdaClient): Promise<void> {
  const refusal = await refusalOf(lambda.send(new ListFunctionsCommand({})));
  expect({ name: refusal.name, status: refusal.status }).toEqual({ name: 'AccessDeniedException', status: 403 });
}

let zip: Buffer;
beforeAll(async () => {
  zip = await handlerZip('exports.handler = async () => ({ ok: true });');
});

const createFunction = (lambda: LambdaClient, functionName: string, roleArn: string) => lambda.send(new CreateFunctionCommand({
  FunctionName: functionName, Runtime: 'nodejs22.x', Role: roleArn, Handler: 'index.handler', Code: { ZipFile: zip },
}));

// ---------------------------------------------------------------------------
// A cloud with a 60 s IAM propagation delay
// ---------------------------------------------------------------------------

describe('GIVEN a local cloud whose IAM changes take 60 s of its clock to propagate', () => {
  const w = useWorld(DELAYED_ENV, (cloud) => advanceClock(cloud, PAST_THE_DELAY_SECONDS));
  const propagate = () => advanceClock(w.cloud, PAST_THE_DELAY_SECONDS);

  test('WHEN a role is created THEN IAM shows it at once, AssumeRole refuses it as a missing role, and accepts it after the delay', async () => {
    const roleArn = await createTrustingRole(w, 'new-role', w.caller.arn);

    const got = await w.iam.send(new GetRoleCommand({ RoleName: 'new-role' }));
    expect(got.Role?.Arn).toBe(roleArn);
    expect((await w.iam.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toContain('new-role');
    const refusal = await refusalOf(assume(w, w.caller.credentials, roleArn));
    expect(refusal).toMatchObject({ code: 'AccessDenied', status: 403, message: bareDenial(w.caller.arn, roleArn) });

    await propagate();

    const session = await assume(w, w.caller.credentials, roleArn);
    expect(session.AssumedRoleUser?.Arn).toMatch(/:assumed-role\/new-role\/propagation$/);
  }, CALLS_TIMEOUT_MS);

  test('WHEN the trust moves from one caller to another THEN the old trust holds right after, and the new one after the delay', async () => {
    const roleArn = await createTrustingRole(w, 'retrusted', w.caller.arn);
    await propagate();

    await w.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'retrusted', PolicyDocument: trustOf(w.other.arn) }));

    await expect(assume(w, w.caller.credentials, roleArn)).resolves.toHaveProperty('Credentials');
    expect(await refusalOf(assume(w, w.other.credentials, roleArn))).toMatchObject({ code: 'AccessDenied', message: bareDenial(w.other.arn, roleArn) });

    await propagate();

    expect(await refusalOf(assume(w, w.caller.credentials, roleArn))).toMatchObject({ code: 'AccessDenied', message: bareDenial(w.caller.arn, roleArn) });
    await expect(assume(w, w.other.credentials, roleArn)).resolves.toHaveProperty('Credentials');
  }, CALLS_TIMEOUT_MS);

  test('WHEN an inline policy is deleted THEN it still allows right after and denies after the delay; put back, it allows only after the delay', async () => {
    const roleArn = await createTrustingRole(w, 'inline-lister', w.caller.arn);
    await w.iam.send(new PutRolePolicyCommand({ RoleName: 'inline-lister', PolicyName: 'list', PolicyDocument: JSON.stringify(LIST_FUNCTIONS) }));
    await propagate();
    const lambda = await sessionLambda(w, roleArn);

    await w.iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline-lister', PolicyName: 'list' }));

    await expect(lambda.send(new ListFunctionsCommand({}))).resolves.toHaveProperty('Functions');
    await propagate();
    await expectListDenied(lambda);

    await w.iam.send(new PutRolePolicyCommand({ RoleName: 'inline-lister', PolicyName: 'list', PolicyDocument: JSON.stringify(LIST_FUNCTIONS) }));

    await expectListDenied(lambda);
    await propagate();
    await expect(lambda.send(new ListFunctionsCommand({}))).resolves.toHaveProperty('Functions');
  }, CALLS_TIMEOUT_MS);

  test('WHEN a managed policy is detached THEN it still allows right after and denies after the delay; attached again, it allows only after the delay', async () => {
    const roleArn = await createTrustingRole(w, 'managed-lister', w.caller.arn);
    const policy = await w.iam.send(new CreatePolicyCommand({ PolicyName: 'list-functions', PolicyDocument: JSON.stringify(LIST_FUNCTIONS) }));
    const policyArn = policy.Policy!.Arn!;
    await w.iam.send(new AttachRolePolicyCommand({ RoleName: 'managed-lister', PolicyArn: policyArn }));
    await propagate();
    const lambda = await sessionLambda(w, roleArn);

    await w.iam.send(new DetachRolePolicyCommand({ RoleName: 'managed-lister', PolicyArn: policyArn }));

    await expect(lambda.send(new ListFunctionsCommand({}))).resolves.toHaveProperty('Functions');
    await propagate();
    await expectListDenied(lambda);

    await w.iam.send(new AttachRolePolicyCommand({ RoleName: 'managed-lister', PolicyArn: policyArn }));

    await expectListDenied(lambda);
    await propagate();
    await expect(lambda.send(new ListFunctionsCommand({}))).resolves.toHaveProperty('Functions');
  }, CALLS_TIMEOUT_MS);

  test('WHEN a function is created with a just-created execution role THEN Lambda refuses with AWS\'s words, and the same call after the delay succeeds and runs', async () => {
    const roleArn = await createExecutionRole(w.iam, 'fresh-exec');

    const refusal = await refusalOf(createFunction(w.lambda, 'fresh-fn', roleArn));
    expect(refusal).toEqual({ name: 'InvalidParameterValueException', code: 'InvalidParameterValueException', message: CANNOT_ASSUME, status: 400 });

    await propagate();

    const created = await createFunction(w.lambda, 'fresh-fn', roleArn);
    expect(created.Role).toBe(roleArn);
    const out = await w.lambda.send(new InvokeCommand({ FunctionName: 'fresh-fn' }));
    expect({ error: out.FunctionError, payload: JSON.parse(Buffer.from(out.Payload!).toString('utf8')) }).toEqual({ error: undefined, payload: { ok: true } });
  }, CLIENT_TIMEOUT_MS);

  test('WHEN a function\'s configuration moves to a just-created role THEN Lambda refuses with AWS\'s words, and accepts it after the delay', async () => {
    const firstRole = await createExecutionRole(w.iam, 'first-exec');
    await propagate();
    await createFunction(w.lambda, 'moving-fn', firstRole);
    const secondRole = await createExecutionRole(w.iam, 'second-exec');
    const update = () => w.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'moving-fn', Role: secondRole }));

    expect(await refusalOf(update())).toMatchObject({ code: 'InvalidParameterValueException', message: CANNOT_ASSUME, status: 400 });

    await propagate();

    expect((await update()).Role).toBe(secondRole);
  }, CALLS_TIMEOUT_MS);

  cliTest('WHEN the AWS CLI creates a function with a just-created execution role THEN it reports InvalidParameterValueException with AWS\'s words, and succeeds after the delay', async () => {
    const roleArn = await createExecutionRole(w.iam, 'cli-exec');
    const dir = mkdtempSync(join(tmpdir(), 'propagation-cli-'));
    const zipFile = join(dir, 'function.zip');
    writeFileSync(zipFile, zip);
    const args = ['lambda', 'create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs22.x', '--handler', 'index.handler', '--role', roleArn, '--zip-file', `fileb://${zipFile}`];

    const refused = await awsCli(w.cloud, w.cloud.credentialsFor('customer-a'), args);
    expect(refused.code).not.toBe(0);
    // The CLI's note on retries ("(reached max retries: 0)", from AWS_MAX_ATTEMPTS=1) is taken out.
    expect(refused.stderr.replace(/ \(reached max retries: \d+\)/, '')).toContain(`An error occurred (InvalidParameterValueException) when calling the CreateFunction operation: ${CANNOT_ASSUME}`);

    await propagate();

    const created = await awsCli(w.cloud, w.cloud.credentialsFor('customer-a'), args);
    rmSync(dir, { recursive: true, force: true });
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toMatchObject({ FunctionName: 'cli-fn', Role: roleArn });
  }, CLIENT_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------
// A restart: the versions are in memory only, so what was persisted counts as propagated
// ---------------------------------------------------------------------------

describe('GIVEN a delayed local cloud restarted on the same state', () => {
  let first: TestCloud | undefined;
  let second: TestCloud | undefined;
  afterAll(async () => {
    await first?.close();
    await second?.close();
  }, STOP_TIMEOUT_MS);

  test('WHEN a role created just before the restart is used THEN it survived and is propagated at once', async () => {
    first = await startTestCloud({ env: DELAYED_ENV });
    const roleArn = await createExecutionRole(new IAMClient(rootOf(first)), 'kept-exec');
    expect(await refusalOf(createFunction(new LambdaClient(rootOf(first)), 'kept-fn', roleArn))).toMatchObject({ code: 'InvalidParameterValueException', message: CANNOT_ASSUME });
    await first.close();

    second = await startTestCloud({ stateDir: first.stateDir, env: DELAYED_ENV });

    expect((await new IAMClient(rootOf(second)).send(new GetRoleCommand({ RoleName: 'kept-exec' }))).Role?.Arn).toBe(roleArn);
    expect((await createFunction(new LambdaClient(rootOf(second)), 'kept-fn', roleArn)).Role).toBe(roleArn);
  }, 2 * START_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------
// The nearest accepted neighbour: no delay, every change applies to the next request
// ---------------------------------------------------------------------------

describe('GIVEN a local cloud started without the option', () => {
  const w = useWorld({}, async () => undefined);

  test('WHEN a role is created THEN AssumeRole accepts it right after', async () => {
    const roleArn = await createTrustingRole(w, 'new-role', w.caller.arn);

    await expect(assume(w, w.caller.credentials, roleArn)).resolves.toHaveProperty('Credentials');
  }, CALLS_TIMEOUT_MS);

  test('WHEN the trust moves from one caller to another THEN the new trust holds right after', async () => {
    const roleArn = await createTrustingRole(w, 'retrusted', w.caller.arn);

    await w.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'retrusted', PolicyDocument: trustOf(w.other.arn) }));

    expect(await refusalOf(assume(w, w.caller.credentials, roleArn))).toMatchObject({ code: 'AccessDenied', message: bareDenial(w.caller.arn, roleArn) });
    await expect(assume(w, w.other.credentials, roleArn)).resolves.toHaveProperty('Credentials');
  }, CALLS_TIMEOUT_MS);

  test('WHEN an inline policy is deleted and put back, and a managed one detached and attached THEN each applies to the next request', async () => {
    const roleArn = await createTrustingRole(w, 'lister', w.caller.arn);
    await w.iam.send(new PutRolePolicyCommand({ RoleName: 'lister', PolicyName: 'list', PolicyDocument: JSON.stringify(LIST_FUNCTIONS) }));
    const lambda = await sessionLambda(w, roleArn);
    await expect(lambda.send(new ListFunctionsCommand({}))).resolves.toHaveProperty('Functions');

    await w.iam.send(new DeleteRolePolicyCommand({ RoleName: 'lister', PolicyName: 'list' }));
    await expectListDenied(lambda);
    const policy = await w.iam.send(new CreatePolicyCommand({ PolicyName: 'list-functions', PolicyDocument: JSON.stringify(LIST_FUNCTIONS) }));
    await w.iam.send(new AttachRolePolicyCommand({ RoleName: 'lister', PolicyArn: policy.Policy!.Arn! }));
    await expect(lambda.send(new ListFunctionsCommand({}))).resolves.toHaveProperty('Functions');
    await w.iam.send(new DetachRolePolicyCommand({ RoleName: 'lister', PolicyArn: policy.Policy!.Arn! }));
    await expectListDenied(lambda);
  }, CALLS_TIMEOUT_MS);

  test('WHEN a function is created with a just-created execution role THEN Lambda accepts it', async () => {
    const roleArn = await createExecutionRole(w.iam, 'fresh-exec');

    expect((await createFunction(w.lambda, 'fresh-fn', roleArn)).Role).toBe(roleArn);
  }, CALLS_TIMEOUT_MS);
});
