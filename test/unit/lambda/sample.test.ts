/**
 * The customer's sample function: its echo shows whose function ran and who called it, whether
 * the sandbox is warm, and its test hooks provoke an error, a delay and a large response.
 */
import type { Context } from 'aws-lambda';
import type { SampleEcho } from '../../../lambda/sample/handler';

type SampleHandler = (event: unknown, context: Context) => Promise<SampleEcho>;

/** A fresh module each time: the cold-start counter is per sandbox, i.e. per module load. */
function freshHandler(): SampleHandler {
  let handler: SampleHandler | undefined;
  jest.isolateModules(() => { handler = (require('../../../lambda/sample/handler') as { handler: SampleHandler }).handler; });
  if (!handler) throw new Error('sample handler did not load');
  return handler;
}

function context(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'sidecar-echo',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:444455556666:function:sidecar-echo',
    memoryLimitInMB: '128',
    awsRequestId: 'req-sample-1',
    logGroupName: '/aws/lambda/sidecar-echo',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 3000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

const CLIENT_CONTEXT = { custom: { sidecarTenant: 'acme', sidecar: 'connector' } } as unknown as Context['clientContext'];

// ---------------------------------------------------------------------------
describe('the echo', () => {
  test('shows the event, whose function ran, and who called it', async () => {
    const handler = freshHandler();

    const echo = await handler({ order: 42 }, context({ clientContext: CLIENT_CONTEXT }));

    expect(echo).toEqual({
      echo: { order: 42 },
      account: '444455556666',
      functionName: 'sidecar-echo',
      functionArn: 'arn:aws:lambda:eu-west-1:444455556666:function:sidecar-echo',
      requestId: 'req-sample-1',
      region: 'eu-west-1',
      caller: { clientContext: { custom: { sidecarTenant: 'acme', sidecar: 'connector' } }, identity: null },
      coldStart: true,
      invocationsInThisSandbox: 1,
    });
  });

  test('reads the account from a qualified ARN (an alias) too', async () => {
    const handler = freshHandler();

    const echo = await handler({}, context({ invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:sidecar-orders:live' }));

    expect(echo).toMatchObject({ account: '111122223333', region: 'us-east-1' });
  });

  test('shows no caller when the invocation carries no client context', async () => {
    const handler = freshHandler();

    const echo = await handler({}, context());

    expect(echo.caller).toEqual({ clientContext: null, identity: null });
  });

  test('the first invocation of a sandbox is cold, the next ones warm and counted', async () => {
    const handler = freshHandler();

    const first = await handler({}, context());
    const second = await handler({}, context());
    const third = await handler({}, context());

    expect([first, second, third].map((e) => [e.coldStart, e.invocationsInThisSandbox])).toEqual([[true, 1], [false, 2], [false, 3]]);
  });
});

// ---------------------------------------------------------------------------
describe('test hooks (sidecarTest)', () => {
  test('"throw" makes the function fail with that message', async () => {
    const handler = freshHandler();

    await expect(handler({ sidecarTest: { throw: 'provoked failure' } }, context())).rejects.toThrow('provoked failure');
  });

  test('"sleepMs" delays the answer', async () => {
    const handler = freshHandler();
    const started = Date.now();

    await handler({ sidecarTest: { sleepMs: 120 } }, context());

    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  test('"responseBytes" adds a filler of that many bytes', async () => {
    const handler = freshHandler();

    const echo = await handler({ sidecarTest: { responseBytes: 7 * 1024 * 1024 } }, context());

    expect(echo.filler).toHaveLength(7 * 1024 * 1024);
  });

  test('hooks with values of the wrong type are ignored', async () => {
    const handler = freshHandler();

    const echo = await handler({ sidecarTest: { throw: 42, sleepMs: 'long', responseBytes: -5 } }, context());

    expect(echo.filler).toBeUndefined();
    expect(echo.echo).toEqual({ sidecarTest: { throw: 42, sleepMs: 'long', responseBytes: -5 } });
  });
});

// ---------------------------------------------------------------------------
describe('the invocation log line', () => {
  let logged: string[];
  beforeEach(() => {
    logged = [];
    jest.spyOn(console, 'log').mockImplementation((line: unknown) => { logged.push(String(line)); });
  });
  afterEach(() => jest.restoreAllMocks());

  test('logs one line per invocation with the SHA-256 of the event as JSON', async () => {
    const handler = freshHandler();
    const { createHash } = await import('node:crypto');

    await handler({ nonce: 'n-1' }, context());

    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0])).toEqual({
      message: 'invoked', requestId: 'req-sample-1', eventSha256: createHash('sha256').update('{"nonce":"n-1"}').digest('hex'),
    });
  });

  test('never logs the event itself (a customer payload may be private)', async () => {
    const handler = freshHandler();

    await handler({ secret: 'do-not-log-me' }, context());

    expect(logged.join('\n')).not.toContain('do-not-log-me');
  });

  test('two different events get different fingerprints', async () => {
    const handler = freshHandler();

    await handler({ nonce: 'a' }, context());
    await handler({ nonce: 'b' }, context());

    expect(JSON.parse(logged[0]).eventSha256).not.toBe(JSON.parse(logged[1]).eventSha256);
  });
});
