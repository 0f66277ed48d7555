// ---------------------------------------------------------------------------
// The local cloud's Lambda REST-JSON under hostile bodies, sent as raw HTTP with a real SigV4
// signature: truncated JSON, bytes that are not UTF-8, wrong types and arrays for objects (each
// refused with ValidationException naming the member), bodies that are not objects, path
// traversal in a function name, and `__proto__`/`constructor` keys at the top and inside
// Environment.Variables, then probes that pollution would change (defaults of a new function, a
// user without policies). Each answer is Lambda's JSON error with x-amzn-errortype and the right
// 4xx, the server answers its health check after every test, and nothing is written outside its
// state folder. Zip slip, absolute paths, symlinks and zip bombs: test/localcloud/lambda/packages.test.ts.
// ---------------------------------------------------------------------------
import { IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describeFileSystemAfterHostileInput, hostileCloud } from '../../support/hostile-cloud';
import { LAMBDA_PATH, expectLambdaError } from '../../support/raw-http';

const h = hostileCloud('hostile JSON bodies');

describe('JSON bodies for Lambda', () => {
  const createBody = (name: string, extra: object = {}) => ({
    FunctionName: name, Runtime: 'nodejs20.x', Role: h.roleArn, Handler: 'index.handler', Code: { ZipFile: h.zipBase64 }, ...extra,
  });

  test('a truncated JSON body is refused with InvalidRequestContentException', async () => {
    const full = JSON.stringify(createBody('truncated'));
    expectLambdaError(await h.http.signedLambda('POST', LAMBDA_PATH, full.slice(0, full.length / 2)), 400, 'InvalidRequestContentException');
  });

  test('a JSON body that is not UTF-8 is refused with InvalidRequestContentException', async () => {
    expectLambdaError(await h.http.signedLambda('POST', LAMBDA_PATH, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, 'InvalidRequestContentException');
  });

  test.each([
    ['a number for FunctionName', { FunctionName: 42 }, 'functionName'],
    ['a string for Timeout', { Timeout: '30' }, 'timeout'],
    ['a fraction for MemorySize', { MemorySize: 128.5 }, 'memorySize'],
    ['an object for Handler', { Handler: { toString: 'index.handler' } }, 'handler'],
    ['a string for Publish', { Publish: 'true' }, 'publish'],
    ['an array for Environment', { Environment: [{ Variables: { A: 'b' } }] }, 'environment'],
    ['an array for Environment.Variables', { Environment: { Variables: ['A=b'] } }, 'environment.variables'],
    ['an array for Code', { Code: [h.zipBase64] }, 'code'],
    ['an array for Tags', { Tags: [['k', 'v']] }, 'tags'],
    ['a number inside Environment.Variables', { Environment: { Variables: { COUNT: 3 } } }, 'environment.variables.'],
  ])('CreateFunction with %s is refused with ValidationException naming the member', async (_label, override, member) => {
    const res = await h.http.signedLambda('POST', LAMBDA_PATH, JSON.stringify(createBody('wrong-types', override)));
    const error = expectLambdaError(res, 400, 'ValidationException');
    expect(error.message).toContain(`at '${member}`);
  });

  test.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"CreateFunction"'],
    ['a number', '1e400'],
  ])('a CreateFunction body that is %s instead of an object is refused with a 4xx', async (_label, body) => {
    const res = await h.http.signedLambda('POST', LAMBDA_PATH, body);
    expect(res.status).toBe(400);
    expect(['ValidationException', 'InvalidRequestContentException']).toContain(res.headers['x-amzn-errortype']);
  });

  test('an environment key named __proto__ is dropped: stored nowhere, inherited by nothing', async () => {
    // AWS refuses the key by its pattern; zod's record parser skips it, so the function is created
    // without it. What matters here is that neither the function nor the process sees its value.
    const body = `{"FunctionName":"proto-env","Runtime":"nodejs20.x","Role":"${h.roleArn}","Handler":"index.handler","Code":{"ZipFile":"${h.zipBase64}"},"Environment":{"Variables":{"__proto__":{"Timeout":1},"KEPT":"yes"}}}`;
    expect((await h.http.signedLambda('POST', LAMBDA_PATH, body)).status).toBe(201);
    const config = await new LambdaClient(h.cloud.clientConfig(h.root)).send(new GetFunctionConfigurationCommand({ FunctionName: 'proto-env' }));
    expect({ variables: config.Environment?.Variables, timeout: config.Timeout }).toEqual({ variables: { KEPT: 'yes' }, timeout: 3 });
  });

  test('an environment key named constructor is kept as an ordinary variable', async () => {
    const body = `{"FunctionName":"ctor-env","Runtime":"nodejs20.x","Role":"${h.roleArn}","Handler":"index.handler","Code":{"ZipFile":"${h.zipBase64}"},"Environment":{"Variables":{"constructor":"plain","prototype":"also"}}}`;
    const res = await h.http.signedLambda('POST', LAMBDA_PATH, body);
    expect(res.status).toBe(201);
    const config = await new LambdaClient(h.cloud.clientConfig(h.root)).send(new GetFunctionConfigurationCommand({ FunctionName: 'ctor-env' }));
    expect(config.Environment?.Variables).toEqual({ constructor: 'plain', prototype: 'also' });
  });

  test('a function name with a path traversal is refused with ValidationException', async () => {
    expectLambdaError(await h.http.signedLambda('POST', LAMBDA_PATH, JSON.stringify(createBody('../../../escape'))), 400, 'ValidationException');
    expectLambdaError(await h.http.signedLambda('GET', `${LAMBDA_PATH}/..%2F..%2Fiam/configuration`), 400, 'ValidationException');
  });

  describe('prototype pollution', () => {
    // Sent as raw text: JSON.parse makes `__proto__` an own key, which is how a hostile client's
    // body arrives. Each key below would change an answer later if it reached Object.prototype.
    const POISON = '{"Timeout":1,"MemorySize":10240,"Description":"polluted","Publish":true,"Effect":"Allow","Action":"*","Resource":"*","Variables":{"POLLUTED":"yes"},"polluted":"yes"}';
    const poisonedBodies: [string, string, string][] = [
      ['CreateFunction, top level', 'POST', `{"__proto__":${POISON},"FunctionName":"poison-1","Runtime":"nodejs20.x","Role":"${h.roleArn}","Handler":"index.handler","Code":{"ZipFile":"${h.zipBase64}"}}`],
      ['CreateFunction, constructor.prototype', 'POST', `{"constructor":{"prototype":${POISON}},"FunctionName":"poison-2","Runtime":"nodejs20.x","Role":"${h.roleArn}","Handler":"index.handler","Code":{"ZipFile":"${h.zipBase64}"}}`],
      ['CreateFunction, Environment', 'POST', `{"FunctionName":"poison-3","Runtime":"nodejs20.x","Role":"${h.roleArn}","Handler":"index.handler","Code":{"ZipFile":"${h.zipBase64}"},"Environment":{"__proto__":${POISON}}}`],
      ['CreateFunction, Code', 'POST', `{"FunctionName":"poison-4","Runtime":"nodejs20.x","Role":"${h.roleArn}","Handler":"index.handler","Code":{"ZipFile":"${h.zipBase64}","__proto__":${POISON}}}`],
      ['CreateFunction, Tags', 'POST', `{"FunctionName":"poison-5","Runtime":"nodejs20.x","Role":"${h.roleArn}","Handler":"index.handler","Code":{"ZipFile":"${h.zipBase64}"},"Tags":{"__proto__":${POISON}}}`],
    ];

    test.each(poisonedBodies)('a body with __proto__ or constructor keys (%s) is answered without a 5xx', async (_label, method, body) => {
      const res = await h.http.signedLambda(method, LAMBDA_PATH, body);
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) expectLambdaError(res, res.status, String(res.headers['x-amzn-errortype']));
    });

    test('a poisoned UpdateFunctionConfiguration and a poisoned control request are answered without a 5xx', async () => {
      const update = await h.http.signedLambda('PUT', `${LAMBDA_PATH}/ctor-env/configuration`, `{"__proto__":${POISON},"constructor":{"prototype":${POISON}}}`);
      expect(update.status).toBeLessThan(500);
      const control = await fetch(`${h.cloud.url}/_localcloud/control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"__proto__":${POISON},"rules":[]}` });
      h.http.sent += 1; // a hostile input too
      expect(control.status).toBeLessThan(500);
      await fetch(`${h.cloud.url}/_localcloud/control/faults`, { method: 'DELETE' });
    });

    test('afterwards a function created without settings gets the defaults, not polluted values', async () => {
      const lambda = new LambdaClient(h.cloud.clientConfig(h.root));
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'after-poison', Runtime: 'nodejs20.x', Role: h.roleArn, Handler: 'index.handler', Code: { ZipFile: Buffer.from(h.zipBase64, 'base64') } }));
      const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'after-poison' }));
      expect({ timeout: config.Timeout, memory: config.MemorySize, description: config.Description ?? '', version: config.Version, env: config.Environment })
        .toEqual({ timeout: 3, memory: 128, description: '', version: '$LATEST', env: undefined });
    });

    test('afterwards a user without any policy is still refused: Effect/Action/Resource did not leak into policies', async () => {
      const refusal = await new IAMClient(h.cloud.clientConfig(h.plainUser.credentials)).send(new ListRolesCommand({})).then(() => 'allowed', (e: Error) => e.name);
      expect(refusal).toBe('AccessDenied');
    });
  });
});

describeFileSystemAfterHostileInput(h);
