// ---------------------------------------------------------------------------
// Lambda fidelity, through the real @aws-sdk/client-lambda and the AWS CLI v1:
//   AddPermission: Qualifier $LATEST refused as Lambda refuses it; a published version accepted
//   ListFunctions: pages of at most 50 (MaxItems above 50 still 50), NextMarker, the SDK
//     paginator and the CLI's own paging see every function once; an unknown Marker refused
//   ListVersionsByFunction: the SDK paginator walks $LATEST and the versions in pages
// ---------------------------------------------------------------------------
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AddPermissionCommand, CreateFunctionCommand, GetPolicyCommand, ListFunctionsCommand, PublishVersionCommand, UpdateFunctionCodeCommand,
  paginateListFunctions, paginateListVersionsByFunction,
} from '@aws-sdk/client-lambda';
import { handlerZip, failure } from '../../support/localcloud-zips';
import { clientEnv } from '../../support/external-clients';
import { useLambdaCloud } from '../../support/lambda-cloud';

const run = promisify(execFile);

const fx = useLambdaCloud('pages-exec');
const FUNCTIONS = 53;
let zip: Buffer;

beforeAll(async () => {
  zip = await handlerZip('exports.handler = async () => "ok";');
  for (let i = 0; i < FUNCTIONS; i++) {
    await fx.lambda.send(new CreateFunctionCommand({
      FunctionName: `page-${String(i).padStart(3, '0')}`, Runtime: 'nodejs22.x', Role: fx.roleArn, Handler: 'index.handler', Code: { ZipFile: zip },
    }));
  }
}, 180_000);

describe('AddPermission qualifier', () => {
  const input = (Qualifier?: string) => ({
    FunctionName: 'page-000', StatementId: `s-${(Qualifier ?? 'none').replace('$', '')}`, Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com',
    ...(Qualifier ? { Qualifier } : {}),
  });

  test('refuses Qualifier $LATEST with InvalidParameterValueException', async () => {
    const e = await failure(fx.lambda.send(new AddPermissionCommand(input('$LATEST'))));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toBe('We currently do not support adding policies for $LATEST.');
    expect(e.$metadata.httpStatusCode).toBe(400);
  }, 60_000);

  test('accepts the unqualified function and a published version (the neighbours)', async () => {
    await expect(fx.lambda.send(new AddPermissionCommand(input()))).resolves.toMatchObject({ $metadata: { httpStatusCode: 201 } });
    const v = await fx.lambda.send(new PublishVersionCommand({ FunctionName: 'page-000' }));
    await expect(fx.lambda.send(new AddPermissionCommand(input(v.Version)))).resolves.toMatchObject({ $metadata: { httpStatusCode: 201 } });
    const policy = await fx.lambda.send(new GetPolicyCommand({ FunctionName: 'page-000', Qualifier: v.Version }));
    expect(JSON.parse(policy.Policy!).Statement[0].Resource).toMatch(/:function:page-000:1$/);
  }, 60_000);
});

describe('ListFunctions pages', () => {
  test('answers at most 50 with a NextMarker, even when MaxItems asks for more', async () => {
    const first = await fx.lambda.send(new ListFunctionsCommand({ MaxItems: 1000 }));
    expect(first.Functions).toHaveLength(50);
    expect(first.NextMarker).toBeDefined();
    const second = await fx.lambda.send(new ListFunctionsCommand({ Marker: first.NextMarker }));
    expect(second.Functions!.map((f) => f.FunctionName)).toEqual(['page-050', 'page-051', 'page-052']);
    expect(second.NextMarker).toBeUndefined();
  }, 60_000);

  test('MaxItems below 50 pages by that size (the neighbour of the cap)', async () => {
    const out = await fx.lambda.send(new ListFunctionsCommand({ MaxItems: 7 }));
    expect(out.Functions).toHaveLength(7);
    expect(out.NextMarker).toBeDefined();
  }, 60_000);

  test('the SDK paginator sees every function once', async () => {
    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListFunctions({ client: fx.lambda, pageSize: 20 }, {})) {
      pages += 1;
      names.push(...page.Functions!.map((f) => f.FunctionName!));
    }
    expect(pages).toBe(3);
    expect(new Set(names).size).toBe(FUNCTIONS);
  }, 60_000);

  test('the AWS CLI pages through every function', async () => {
    const keys = fx.cloud.credentialsFor('customer-a');
    const { stdout } = await run('aws', ['lambda', 'list-functions', '--endpoint-url', fx.cloud.url, '--region', 'us-east-1', '--page-size', '20', '--output', 'json'], {
      env: clientEnv(keys),
    });
    expect(JSON.parse(stdout).Functions).toHaveLength(FUNCTIONS);
  }, 60_000);

  test('ListVersionsByFunction pages through $LATEST and every version with the SDK paginator', async () => {
    // Lambda publishes a new version only when the code changed.
    for (const n of [1, 2, 3]) {
      await fx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'page-001', ZipFile: await handlerZip(`exports.handler = async () => ${n};`) }));
      await fx.lambda.send(new PublishVersionCommand({ FunctionName: 'page-001' }));
    }
    const versions: string[] = [];
    for await (const page of paginateListVersionsByFunction({ client: fx.lambda, pageSize: 2 }, { FunctionName: 'page-001' })) {
      expect(page.Versions!.length).toBeLessThanOrEqual(2);
      versions.push(...page.Versions!.map((v) => v.Version!));
    }
    expect(versions).toEqual(['$LATEST', '1', '2', '3']);
  }, 60_000);

  test('refuses a Marker it never issued', async () => {
    const e = await failure(fx.lambda.send(new ListFunctionsCommand({ Marker: 'no-such-marker' })));
    expect(e.name).toBe('InvalidParameterValueException');
  }, 60_000);
});
