// ---------------------------------------------------------------------------
// The local cloud's Lambda service, function lifecycle, through the real @aws-sdk/client-lambda
// against the server as a child process. Cases:
//   create: the configuration Terraform needs; each validation refusal beside its nearest accept
//   execution role: missing, untrusting, cross-account (refused); trusting (accepted)
//   {Fn} forms: name, full ARN, partial ARN, qualified ARN, ?Qualifier=
//   read / update configuration / update code / RevisionId preconditions / delete
//   versions: $LATEST listed, no NextMarker, publish and re-publish
//   list functions per account, tags, reserved concurrency, code-signing config
//   function policy: add / get / remove, duplicate Sid, bad principal
//   unknown operations answer a 4xx; injected faults reach the caller per operation
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import {
  AddPermissionCommand, CreateFunctionCommand, DeleteFunctionCommand, DeleteFunctionConcurrencyCommand, GetAliasCommand,
  GetFunctionCodeSigningConfigCommand, GetFunctionCommand, GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand,
  GetPolicyCommand, ListFunctionsCommand, ListTagsCommand, ListVersionsByFunctionCommand, PublishVersionCommand,
  PutFunctionConcurrencyCommand, RemovePermissionCommand, TagResourceCommand, UntagResourceCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { createRole, handlerZip, failure } from '../../support/localcloud-zips';
import { useLambdaCloud } from '../../support/lambda-cloud';
import { addFaults, clearFaults } from '../../../scripts/lib/cloud-controls';

/** The suite's cloud, customer-a's clients (where functions are created) and an execution role there. */
const fx = useLambdaCloud('fn-exec');
let untrustingRoleArn: string;
let vendorRoleArn: string;
let zip: Buffer;
let names = 0;

beforeAll(async () => {
  untrustingRoleArn = await createRole(fx.iam, 'ec2-only', JSON.stringify({
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  }));
  vendorRoleArn = await createRole(fx.vendor.iam, 'vendor-exec');
  zip = await handlerZip('exports.handler = async (event) => ({ echo: event });');
}, 60_000);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function uniqueName(prefix = 'fn'): string {
  names += 1;
  return `${prefix}-${names}`;
}

function createInput(overrides: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput {
  return {
    FunctionName: uniqueName(),
    Runtime: 'nodejs22.x',
    Role: fx.roleArn,
    Handler: 'index.handler',
    Code: { ZipFile: zip },
    ...overrides,
  };
}

async function create(overrides: Partial<CreateFunctionCommandInput> = {}) {
  const input = createInput(overrides);
  const out = await fx.lambda.send(new CreateFunctionCommand(input));
  return { name: input.FunctionName!, out };
}


// ---------------------------------------------------------------------------
// CreateFunction
// ---------------------------------------------------------------------------

describe('CreateFunction', () => {
  test('answers 201 with the configuration the Terraform provider needs', async () => {
    const { name, out } = await create({ Environment: { Variables: { GREETING: 'hello' } }, Timeout: 7, MemorySize: 256, Description: 'demo' });
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out).toMatchObject({
      FunctionName: name,
      FunctionArn: `arn:aws:lambda:us-east-1:${fx.accountId}:function:${name}`,
      Runtime: 'nodejs22.x', Role: fx.roleArn, Handler: 'index.handler', Timeout: 7, MemorySize: 256, Description: 'demo',
      Environment: { Variables: { GREETING: 'hello' } },
      Version: '$LATEST', PackageType: 'Zip', State: 'Active', LastUpdateStatus: 'Successful', Architectures: ['x86_64'],
    });
    expect(out.RevisionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('reports CodeSha256 as the base64 SHA-256 of the zip and CodeSize as its length', async () => {
    const { out } = await create();
    expect(out.CodeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    expect(out.CodeSize).toBe(zip.length);
  });

  test('defaults Timeout to 3 seconds and MemorySize to 128 MB', async () => {
    const { out } = await create();
    expect(out).toMatchObject({ Timeout: 3, MemorySize: 128 });
  });

  test('refuses a function name that already exists with ResourceConflictException (409)', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ FunctionName: name }))));
    expect(e.name).toBe('ResourceConflictException');
    expect(e.$metadata.httpStatusCode).toBe(409);
    expect(e.message).toBe(`Function already exist: ${name}`);
  });

  // nodejs18.x has no Node.js binary on this machine: refused by name (runtimes.test.ts).
  test.each(['nodejs22.x', 'nodejs20.x'])('accepts the Node.js runtime %s', async (runtime) => {
    const { out } = await create({ Runtime: runtime as CreateFunctionCommandInput['Runtime'] });
    expect(out.Runtime).toBe(runtime);
  });

  test.each(['python3.12', 'nodejs16.x', 'java21'])('refuses the runtime %s with InvalidParameterValueException', async (runtime) => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Runtime: runtime as CreateFunctionCommandInput['Runtime'] }))));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain(runtime);
  });

  test('accepts the largest Timeout (900) and MemorySize (10240)', async () => {
    const { out } = await create({ Timeout: 900, MemorySize: 10240 });
    expect(out).toMatchObject({ Timeout: 900, MemorySize: 10240 });
  });

  test.each([
    ['Timeout', { Timeout: 0 }, 'timeout'],
    ['Timeout', { Timeout: 901 }, 'timeout'],
    ['MemorySize', { MemorySize: 127 }, 'memorySize'],
    ['MemorySize', { MemorySize: 10241 }, 'memorySize'],
  ])('refuses %s out of range (%j) with ValidationException naming the member', async (_member, overrides, member) => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput(overrides))));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toContain(`at '${member}' failed to satisfy constraint`);
  });

  test.each(['has space', 'x'.repeat(65), 'dots.not.allowed'])('refuses the function name %j with ValidationException', async (name) => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ FunctionName: name }))));
    expect(e.name).toBe('ValidationException');
    expect(e.message).toContain("at 'functionName'");
  });

  test('accepts a 64-character name of letters, digits, - and _', async () => {
    const name = `A_b-9${'z'.repeat(59)}`;
    const { out } = await create({ FunctionName: name });
    expect(out.FunctionName).toBe(name);
  });

  test('refuses reserved environment keys such as AWS_REGION', async () => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Environment: { Variables: { AWS_REGION: 'eu-west-1' } } }))));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain('Reserved keys used in this request: AWS_REGION');
  });

  test('refuses environment variables over 4 KB in total', async () => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Environment: { Variables: { BIG: 'x'.repeat(4100) } } }))));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain('exceeded the 4KB limit');
  });

  test('refuses bytes that are not a zip with InvalidParameterValueException', async () => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Code: { ZipFile: Buffer.from('definitely not a zip') } }))));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain('Could not unzip uploaded file');
  });

  test('refuses code from S3, which the local cloud does not have', async () => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Code: { S3Bucket: 'b', S3Key: 'k.zip' } }))));
    expect(e.name).toBe('InvalidParameterValueException');
  });

  test('refuses settings it cannot honour (Layers) rather than ignoring them', async () => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:l:1'] }))));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain('Layers');
  });
});

// ---------------------------------------------------------------------------
// Execution role
// ---------------------------------------------------------------------------

describe('CreateFunction execution role', () => {
  test('refuses a role that does not exist: "cannot be assumed by Lambda"', async () => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Role: `arn:aws:iam::${fx.accountId}:role/no-such-role` }))));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toBe('The role defined for the function cannot be assumed by Lambda.');
  });

  test('refuses a role whose trust policy does not let lambda.amazonaws.com in', async () => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Role: untrustingRoleArn }))));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toBe('The role defined for the function cannot be assumed by Lambda.');
  });

  test('refuses a role in another account (cross-account pass role)', async () => {
    const e = await failure(fx.lambda.send(new CreateFunctionCommand(createInput({ Role: vendorRoleArn }))));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.$metadata.httpStatusCode).toBe(403);
  });

  test('accepts that same role when its own account creates the function', async () => {
    const out = await fx.vendor.lambda.send(new CreateFunctionCommand(createInput({ Role: vendorRoleArn })));
    expect(out.Role).toBe(vendorRoleArn);
  });
});

// ---------------------------------------------------------------------------
// Reads and the forms of {Fn}
// ---------------------------------------------------------------------------

describe('GetFunction', () => {
  test('answers Configuration, Code and Tags', async () => {
    const { name } = await create({ Tags: { team: 'sidecar' } });
    const out = await fx.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    expect(out.Configuration).toMatchObject({ FunctionName: name, State: 'Active', LastUpdateStatus: 'Successful', PackageType: 'Zip' });
    expect(out.Code?.RepositoryType).toBe('S3');
    expect(out.Code?.Location).toBeTruthy();
    expect(out.Tags).toEqual({ team: 'sidecar' });
  });

  test.each([
    ['a full ARN', (n: string) => `arn:aws:lambda:us-east-1:${fx.accountId}:function:${n}`],
    ['a partial ARN', (n: string) => `${fx.accountId}:function:${n}`],
    ['a qualified ARN ($LATEST)', (n: string) => `arn:aws:lambda:us-east-1:${fx.accountId}:function:${n}:$LATEST`],
  ])('finds the function given as %s', async (_form, ref) => {
    const { name } = await create();
    const out = await fx.lambda.send(new GetFunctionCommand({ FunctionName: ref(name) }));
    expect(out.Configuration?.FunctionName).toBe(name);
  });

  test('answers ResourceNotFoundException (404) naming the ARN for a function that does not exist', async () => {
    const e = await failure(fx.lambda.send(new GetFunctionCommand({ FunctionName: 'never-created' })));
    expect(e.name).toBe('ResourceNotFoundException');
    expect(e.$metadata.httpStatusCode).toBe(404);
    expect(e.message).toBe(`Function not found: arn:aws:lambda:us-east-1:${fx.accountId}:function:never-created`);
  });

  test('refuses an ARN of another region', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new GetFunctionCommand({ FunctionName: `arn:aws:lambda:eu-west-1:${fx.accountId}:function:${name}` })));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain("not reachable in this region ('us-east-1')");
  });

  test('refuses a qualifier in the ARN that differs from the Qualifier parameter', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new GetFunctionCommand({ FunctionName: `${name}:$LATEST`, Qualifier: '1' })));
    expect(e.name).toBe('InvalidParameterValueException');
  });

  test('answers 404 for a version that was never published', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: '7' })));
    expect(e.name).toBe('ResourceNotFoundException');
    expect(e.message).toContain(`function:${name}:7`);
  });

  test('GetFunctionConfiguration answers the same configuration as GetFunction', async () => {
    const { name } = await create();
    const [config, fn] = await Promise.all([
      fx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })),
      fx.lambda.send(new GetFunctionCommand({ FunctionName: name })),
    ]);
    const { $metadata: _m, ...rest } = config;
    expect(rest).toEqual(fn.Configuration);
  });
});

// ---------------------------------------------------------------------------
// Updates and RevisionId
// ---------------------------------------------------------------------------

describe('updates', () => {
  test('UpdateFunctionConfiguration changes the configuration and the RevisionId', async () => {
    const { name, out } = await create();
    const updated = await fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 30, Environment: { Variables: { MODE: 'b' } } }));
    expect(updated).toMatchObject({ Timeout: 30, Environment: { Variables: { MODE: 'b' } }, LastUpdateStatus: 'Successful' });
    expect(updated.RevisionId).not.toBe(out.RevisionId);
    const read = await fx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(read.Timeout).toBe(30);
  });

  test('UpdateFunctionConfiguration with the current RevisionId succeeds', async () => {
    const { name, out } = await create();
    const updated = await fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'v2', RevisionId: out.RevisionId }));
    expect(updated.Description).toBe('v2');
  });

  test('UpdateFunctionConfiguration with a stale RevisionId is refused with PreconditionFailedException (412)', async () => {
    const { name, out } = await create();
    await fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'v2' }));
    const e = await failure(fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'v3', RevisionId: out.RevisionId })));
    expect(e.name).toBe('PreconditionFailedException');
    expect(e.$metadata.httpStatusCode).toBe(412);
  });

  test('UpdateFunctionConfiguration refuses a Timeout over 900', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 901 })));
    expect(e.name).toBe('ValidationException');
  });

  test('UpdateFunctionConfiguration refuses a new role Lambda cannot assume', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Role: untrustingRoleArn })));
    expect(e.name).toBe('InvalidParameterValueException');
  });

  test('UpdateFunctionCode stores the new package and reports its CodeSha256', async () => {
    const { name } = await create();
    const next = await handlerZip('exports.handler = async () => "v2";');
    const out = await fx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: next }));
    expect(out.CodeSha256).toBe(createHash('sha256').update(next).digest('base64'));
    expect(out.CodeSize).toBe(next.length);
  });

  test('UpdateFunctionCode refuses a broken zip and keeps the old code', async () => {
    const { name, out } = await create();
    const e = await failure(fx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: Buffer.from('PK broken') })));
    expect(e.name).toBe('InvalidParameterValueException');
    const read = await fx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(read.CodeSha256).toBe(out.CodeSha256);
  });
});

// ---------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------

describe('versions', () => {
  test('ListVersionsByFunction lists $LATEST with a qualified ARN and no NextMarker', async () => {
    const { name } = await create();
    const out = await fx.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: 10000 }));
    expect(out.Versions?.map((v) => v.Version)).toEqual(['$LATEST']);
    expect(out.Versions?.[0].FunctionArn).toBe(`arn:aws:lambda:us-east-1:${fx.accountId}:function:${name}:$LATEST`);
    expect(out.NextMarker).toBeUndefined();
  });

  test('PublishVersion answers 201 with version 1, which the list then holds last', async () => {
    const { name } = await create();
    const published = await fx.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(published.$metadata.httpStatusCode).toBe(201);
    expect(published.Version).toBe('1');
    const out = await fx.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    expect(out.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
  });

  test('PublishVersion of unchanged code answers the existing version instead of a new one', async () => {
    const { name } = await create();
    await fx.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const again = await fx.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(again.Version).toBe('1');
  });

  test('PublishVersion after a code change publishes version 2', async () => {
    const { name } = await create();
    await fx.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await fx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await handlerZip('exports.handler = async () => 2;') }));
    const next = await fx.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    expect(next.Version).toBe('2');
  });

  test('PublishVersion refuses a CodeSha256 that is not the one in $LATEST', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: 'AAAA' })));
    expect(e.name).toBe('InvalidParameterValueException');
  });

  test('a published version keeps its configuration when $LATEST changes', async () => {
    const { name } = await create({ Timeout: 5 });
    await fx.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Timeout: 9 }));
    const v1 = await fx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: '1' }));
    expect(v1.Timeout).toBe(5);
  });
});

// ---------------------------------------------------------------------------
// Delete and list
// ---------------------------------------------------------------------------

describe('DeleteFunction and ListFunctions', () => {
  test('DeleteFunction answers 204, after which the function is not found', async () => {
    const { name } = await create();
    const out = await fx.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    const e = await failure(fx.lambda.send(new GetFunctionCommand({ FunctionName: name })));
    expect(e.name).toBe('ResourceNotFoundException');
  });

  test('DeleteFunction of a function that does not exist answers 404', async () => {
    const e = await failure(fx.lambda.send(new DeleteFunctionCommand({ FunctionName: 'never-created' })));
    expect(e.name).toBe('ResourceNotFoundException');
  });

  test('a deleted name can be created again', async () => {
    const { name } = await create();
    await fx.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    const out = await fx.lambda.send(new CreateFunctionCommand(createInput({ FunctionName: name })));
    expect(out.FunctionName).toBe(name);
  });

  test("ListFunctions lists the caller's account only", async () => {
    const { name } = await create();
    const mine = await fx.lambda.send(new ListFunctionsCommand({ MaxItems: 1000 }));
    const vendors = await fx.vendor.lambda.send(new ListFunctionsCommand({ MaxItems: 1000 }));
    expect(mine.Functions?.map((f) => f.FunctionName)).toContain(name);
    expect(vendors.Functions?.map((f) => f.FunctionName)).not.toContain(name);
    expect(vendors.Functions?.every((f) => f.FunctionArn?.includes(`:${fx.cloud.accounts.vendor.accountId}:`))).toBe(true);
  });

  test('ListFunctions pages with MaxItems and NextMarker', async () => {
    await create();
    await create();
    const first = await fx.lambda.send(new ListFunctionsCommand({ MaxItems: 1 }));
    expect(first.Functions).toHaveLength(1);
    expect(first.NextMarker).toBeTruthy();
    const second = await fx.lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker: first.NextMarker }));
    expect(second.Functions?.[0].FunctionName).not.toBe(first.Functions?.[0].FunctionName);
  });
});

// ---------------------------------------------------------------------------
// Tags, concurrency, code signing
// ---------------------------------------------------------------------------

describe('settings', () => {
  test('TagResource and UntagResource change what ListTags and GetFunction answer', async () => {
    const { out } = await create({ Tags: { a: '1' } });
    await fx.lambda.send(new TagResourceCommand({ Resource: out.FunctionArn, Tags: { b: '2' } }));
    await fx.lambda.send(new UntagResourceCommand({ Resource: out.FunctionArn, TagKeys: ['a'] }));
    const tags = await fx.lambda.send(new ListTagsCommand({ Resource: out.FunctionArn }));
    expect(tags.Tags).toEqual({ b: '2' });
    const fn = await fx.lambda.send(new GetFunctionCommand({ FunctionName: out.FunctionArn }));
    expect(fn.Tags).toEqual({ b: '2' });
  });

  test('TagResource refuses keys starting with aws:', async () => {
    const { out } = await create();
    const e = await failure(fx.lambda.send(new TagResourceCommand({ Resource: out.FunctionArn, Tags: { 'aws:x': '1' } })));
    expect(e.name).toBe('InvalidParameterValueException');
  });

  test('reserved concurrency is stored, read back and removed', async () => {
    const { name } = await create();
    const put = await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 2 }));
    expect(put.ReservedConcurrentExecutions).toBe(2);
    expect((await fx.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBe(2);
    expect((await fx.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Concurrency?.ReservedConcurrentExecutions).toBe(2);
    await fx.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    expect((await fx.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBeUndefined();
  });

  test('reserved concurrency that leaves fewer than 100 unreserved is refused', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 901 })));
    expect(e.name).toBe('InvalidParameterValueException');
  });

  test('GetFunctionCodeSigningConfig answers an empty CodeSigningConfigArn and the function name', async () => {
    const { name } = await create();
    const out = await fx.lambda.send(new GetFunctionCodeSigningConfigCommand({ FunctionName: name }));
    expect(out).toMatchObject({ CodeSigningConfigArn: '', FunctionName: name });
  });
});

// ---------------------------------------------------------------------------
// Function policy
// ---------------------------------------------------------------------------

describe('function policy', () => {
  test('AddPermission answers 201 with the statement Lambda wrote', async () => {
    const { name, out } = await create();
    const added = await fx.lambda.send(new AddPermissionCommand({
      FunctionName: name, StatementId: 'AllowEvents', Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com',
      SourceArn: `arn:aws:events:us-east-1:${fx.accountId}:rule/nightly`, SourceAccount: fx.accountId,
    }));
    expect(added.$metadata.httpStatusCode).toBe(201);
    expect(JSON.parse(added.Statement!)).toEqual({
      Sid: 'AllowEvents', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: out.FunctionArn,
      Condition: { StringEquals: { 'AWS:SourceAccount': fx.accountId }, ArnLike: { 'AWS:SourceArn': `arn:aws:events:us-east-1:${fx.accountId}:rule/nightly` } },
    });
  });

  test('GetPolicy answers the document as a JSON string, with string Action and Condition values', async () => {
    const { name, out } = await create();
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 's1', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceAccount: fx.accountId }));
    const policy = await fx.lambda.send(new GetPolicyCommand({ FunctionName: name }));
    const doc = JSON.parse(policy.Policy!);
    expect(doc).toMatchObject({ Version: '2012-10-17', Statement: [{ Sid: 's1', Action: 'lambda:InvokeFunction', Resource: out.FunctionArn }] });
    expect(typeof doc.Statement[0].Condition.StringEquals['AWS:SourceAccount']).toBe('string');
    expect(policy.RevisionId).toBeTruthy();
  });

  test('an account ID principal is written as that account root ARN', async () => {
    const { name } = await create();
    const added = await fx.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 'acct', Action: 'lambda:InvokeFunction', Principal: fx.cloud.accounts.vendor.accountId }));
    expect(JSON.parse(added.Statement!).Principal).toEqual({ AWS: `arn:aws:iam::${fx.cloud.accounts.vendor.accountId}:root` });
  });

  test('GetPolicy of a function without statements answers ResourceNotFoundException', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new GetPolicyCommand({ FunctionName: name })));
    expect(e.name).toBe('ResourceNotFoundException');
  });

  test('AddPermission refuses a statement ID that is already used (409)', async () => {
    const { name } = await create();
    const input = { FunctionName: name, StatementId: 'dup', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' };
    await fx.lambda.send(new AddPermissionCommand(input));
    const e = await failure(fx.lambda.send(new AddPermissionCommand(input)));
    expect(e.name).toBe('ResourceConflictException');
    expect(e.$metadata.httpStatusCode).toBe(409);
  });

  test('AddPermission refuses a principal that is neither an account, an IAM ARN nor a service', async () => {
    const { name } = await create();
    const e = await failure(fx.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 'bad', Action: 'lambda:InvokeFunction', Principal: 'not-a-principal' })));
    expect(e.name).toBe('InvalidParameterValueException');
  });

  test('RemovePermission answers 204, and GetPolicy is 404 once no statement is left', async () => {
    const { name } = await create();
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 'gone', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' }));
    const removed = await fx.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: 'gone' }));
    expect(removed.$metadata.httpStatusCode).toBe(204);
    const e = await failure(fx.lambda.send(new GetPolicyCommand({ FunctionName: name })));
    expect(e.name).toBe('ResourceNotFoundException');
  });

  test('RemovePermission of a statement ID that is not there answers ResourceNotFoundException', async () => {
    const { name } = await create();
    await fx.lambda.send(new AddPermissionCommand({ FunctionName: name, StatementId: 'kept', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com' }));
    const e = await failure(fx.lambda.send(new RemovePermissionCommand({ FunctionName: name, StatementId: 'other' })));
    expect(e.name).toBe('ResourceNotFoundException');
    expect(e.message).toBe('Statement other is not found in resource policy.');
  });
});

// ---------------------------------------------------------------------------
// Anything else
// ---------------------------------------------------------------------------

test('an operation the service does not implement answers a non-retryable 4xx, never a 5xx', async () => {
  const { name } = await create();
  const e = await failure(fx.lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' })));
  expect(e.$metadata.httpStatusCode).toBeGreaterThanOrEqual(400);
  expect(e.$metadata.httpStatusCode).toBeLessThan(500);
  expect(e.name).toBe('UnknownOperationException');
});

test('a fault injected for one Lambda operation reaches the caller as that AWS error, and only for that operation', async () => {
  const { name } = await create();
  await addFaults(fx.cloud, { service: 'lambda', operation: 'GetFunction', error: 'TooManyRequestsException', status: 429, count: 1 });
  try {
    const e = await failure(fx.lambda.send(new GetFunctionCommand({ FunctionName: name })));
    expect(e.name).toBe('TooManyRequestsException');
    expect(e.$metadata.httpStatusCode).toBe(429);
    expect((await fx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).FunctionName).toBe(name);
  } finally {
    await clearFaults(fx.cloud);
  }
});
