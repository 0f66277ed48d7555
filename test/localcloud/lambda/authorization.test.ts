// ---------------------------------------------------------------------------
// Who may call a function, enforced on every Lambda call through the real SDK. Each allow sits
// beside its nearest deny. Cases:
//   cross-account: refused without a function policy (also for DryRun and for reads, and for a
//     function that does not exist: no existence leak); allowed once AddPermission names the
//     account; a statement for another action or another principal does not help; a role named
//     in the policy still needs its own identity policy (both sides must allow)
//   same account: an IAM user needs an identity policy; one scoped to function A cannot call B
//   session policy scope-down: AssumeRole with a policy for function A can invoke A, not B,
//     though the role itself may invoke both
//   removing the permission takes the access away again
// ---------------------------------------------------------------------------
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand, CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient, RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createRole, handlerZip } from '../../support/localcloud-zips';
import { createTestUser, type Credentials } from '../../../scripts/lib/child-cloud';
import { useLambdaCloud } from '../../support/lambda-cloud';

/** The suite's cloud, customer-a's clients (the account whose functions are called), an execution role there, the vendor's clients. */
const fx = useLambdaCloud('authz-exec');
let zip: Buffer;
let names = 0;

beforeAll(async () => {
  const { cloud } = fx;
  // Root may not assume roles (STS refuses it), so each account gets a user that may.
  const assumeAny = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };
  assumers.vendor = (await createTestUser(cloud, 'vendor', 'assumer', assumeAny)).credentials;
  assumers['customer-a'] = (await createTestUser(cloud, 'customer-a', 'assumer', assumeAny)).credentials;
  zip = await handlerZip('exports.handler = async (event) => ({ ok: true, fn: process.env.AWS_LAMBDA_FUNCTION_NAME });');
}, 60_000);

const assumers: Record<string, Credentials> = {};

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** A new customer-a function; answers its ARN. */
async function customerFunction(): Promise<string> {
  names += 1;
  const out = await fx.lambda.send(new CreateFunctionCommand({
    FunctionName: `authz-${names}`, Runtime: 'nodejs22.x', Role: fx.roleArn, Handler: 'index.handler', Code: { ZipFile: zip },
  }));
  return out.FunctionArn!;
}

function clientFor(credentials: Credentials): LambdaClient {
  return new LambdaClient(fx.cloud.clientConfig(credentials));
}

async function invoke(client: LambdaClient, functionArn: string, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}) {
  return client.send(new InvokeCommand({ FunctionName: functionArn, Payload: Buffer.from('{}'), ...extra }));
}

async function denial(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (e) {
    return e as { name: string; message: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to be refused, but it was allowed');
}

function allowInvoke(resource: string | string[]) {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: resource }] };
}

/** A role in `iam`'s account that the account's principals may assume (trust names the account),
 *  with `policy` as its identity policy. */
async function assumableRole(iam: IAMClient, account: string, roleName: string, policy?: object): Promise<string> {
  const arn = await createRole(iam, roleName, JSON.stringify({
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
  }));
  if (policy) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'invoke', PolicyDocument: JSON.stringify(policy) }));
  return arn;
}

/** Assume `roleArn` as the assumer user of `stack`'s account, optionally with a session policy. */
async function assume(stack: string, roleArn: string, sessionPolicy?: object): Promise<Credentials> {
  const sts = new STSClient(fx.cloud.clientConfig(assumers[stack]));
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'authz-test', Policy: sessionPolicy ? JSON.stringify(sessionPolicy) : undefined }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

// ---------------------------------------------------------------------------
// Cross-account
// ---------------------------------------------------------------------------

describe('cross-account', () => {
  test("the vendor account cannot invoke a customer's function without a function policy", async () => {
    const fn = await customerFunction();
    const e = await denial(invoke(fx.vendor.lambda, fn));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toContain('lambda:InvokeFunction');
  });

  test('the refusal holds for DryRun too', async () => {
    const fn = await customerFunction();
    const e = await denial(invoke(fx.vendor.lambda, fn, { InvocationType: 'DryRun' }));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('the refusal holds for reads (GetFunction)', async () => {
    const fn = await customerFunction();
    const e = await denial(fx.vendor.lambda.send(new GetFunctionCommand({ FunctionName: fn })));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('a function that does not exist is refused the same way, so existence does not leak', async () => {
    const e = await denial(invoke(fx.vendor.lambda, `arn:aws:lambda:us-east-1:${fx.accountId}:function:does-not-exist`));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('AddPermission naming the vendor account lets the vendor invoke', async () => {
    const fn = await customerFunction();
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'vendor', Action: 'lambda:InvokeFunction', Principal: fx.vendor.accountId }));
    const out = await invoke(fx.vendor.lambda, fn);
    expect(out.StatusCode).toBe(200);
    expect(JSON.parse(Buffer.from(out.Payload!).toString()).ok).toBe(true);
  });

  test('a permission for another action (lambda:GetFunction) does not allow invoking', async () => {
    const fn = await customerFunction();
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'read', Action: 'lambda:GetFunction', Principal: fx.vendor.accountId }));
    expect((await fx.vendor.lambda.send(new GetFunctionCommand({ FunctionName: fn }))).Configuration?.FunctionArn).toBe(fn);
    const e = await denial(invoke(fx.vendor.lambda, fn));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('a permission for another account does not allow the vendor', async () => {
    const fn = await customerFunction();
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'b', Action: 'lambda:InvokeFunction', Principal: fx.cloud.accounts['customer-b'].accountId }));
    const e = await denial(invoke(fx.vendor.lambda, fn));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('a permission naming one vendor role allows that role, not the vendor root', async () => {
    const fn = await customerFunction();
    const roleArn = await assumableRole(fx.vendor.iam, fx.vendor.accountId, `caller-${names}`, allowInvoke(fn));
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'role', Action: 'lambda:InvokeFunction', Principal: roleArn }));
    expect((await invoke(clientFor(await assume('vendor', roleArn)), fn)).StatusCode).toBe(200);
    const e = await denial(invoke(fx.vendor.lambda, fn));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('a vendor role named in the function policy but without its own identity policy is refused (both sides must allow)', async () => {
    const fn = await customerFunction();
    const roleArn = await assumableRole(fx.vendor.iam, fx.vendor.accountId, `no-identity-${names}`);
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'role', Action: 'lambda:InvokeFunction', Principal: roleArn }));
    const e = await denial(invoke(clientFor(await assume('vendor', roleArn)), fn));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('RemovePermission takes the access away again', async () => {
    const fn = await customerFunction();
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: fn, StatementId: 'vendor', Action: 'lambda:InvokeFunction', Principal: fx.vendor.accountId }));
    await invoke(fx.vendor.lambda, fn);
    await fx.lambda.send(new RemovePermissionCommand({ FunctionName: fn, StatementId: 'vendor' }));
    const e = await denial(invoke(fx.vendor.lambda, fn));
    expect(e.name).toBe('AccessDeniedException');
  });
});

// ---------------------------------------------------------------------------
// Same account: identity policies
// ---------------------------------------------------------------------------

describe('same account', () => {
  test('an IAM user without any policy cannot invoke', async () => {
    const fn = await customerFunction();
    const user = await createTestUser(fx.cloud, 'customer-a', `nobody-${names}`);
    const e = await denial(invoke(clientFor(user.credentials), fn));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('an IAM user whose policy allows function A invokes A', async () => {
    const fn = await customerFunction();
    const user = await createTestUser(fx.cloud, 'customer-a', `a-only-${names}`, allowInvoke(fn));
    expect((await invoke(clientFor(user.credentials), fn)).StatusCode).toBe(200);
  });

  test('an IAM user whose policy allows function A cannot invoke function B', async () => {
    const a = await customerFunction();
    const b = await customerFunction();
    const user = await createTestUser(fx.cloud, 'customer-a', `a-not-b-${names}`, allowInvoke(a));
    const e = await denial(invoke(clientFor(user.credentials), b));
    expect(e.name).toBe('AccessDeniedException');
  });
});

// ---------------------------------------------------------------------------
// Session policies: scoped-down credentials
// ---------------------------------------------------------------------------

describe('session policy scope-down', () => {
  let roleArn: string;
  let a: string;
  let b: string;

  beforeAll(async () => {
    a = await customerFunction();
    b = await customerFunction();
    // The role itself may invoke and read every function of the account; only the session policy narrows it.
    roleArn = await assumableRole(fx.iam, fx.accountId, 'invoker', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction', 'lambda:GetFunction'], Resource: `arn:aws:lambda:us-east-1:${fx.accountId}:function:*` }],
    });
  });

  test('the role without a session policy may invoke both functions and read them', async () => {
    const client = clientFor(await assume('customer-a', roleArn));
    expect((await invoke(client, a)).StatusCode).toBe(200);
    expect((await invoke(client, b)).StatusCode).toBe(200);
    expect((await client.send(new GetFunctionCommand({ FunctionName: a }))).Configuration?.FunctionArn).toBe(a);
  });

  test('credentials from AssumeRole with a session policy for function A invoke A', async () => {
    const client = clientFor(await assume('customer-a', roleArn, allowInvoke(a)));
    expect((await invoke(client, a)).StatusCode).toBe(200);
  });

  test('the same scoped credentials are refused on function B', async () => {
    const client = clientFor(await assume('customer-a', roleArn, allowInvoke(a)));
    const e = await denial(invoke(client, b));
    expect(e.name).toBe('AccessDeniedException');
  });

  test('the scoped credentials cannot read function A: the session policy allows only invoking, though the role may read', async () => {
    const client = clientFor(await assume('customer-a', roleArn, allowInvoke(a)));
    const e = await denial(client.send(new GetFunctionCommand({ FunctionName: a })));
    expect(e.name).toBe('AccessDeniedException');
  });
});
