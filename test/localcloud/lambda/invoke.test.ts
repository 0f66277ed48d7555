// ---------------------------------------------------------------------------
// The local cloud's Lambda runtime, through the real @aws-sdk/client-lambda: deployed zips run
// in child Node processes with the execution role's credentials. Cases:
//   RequestResponse: result, ExecutedVersion, context, environment (and what must NOT leak in)
//   the role's credentials reach AWS (STS GetCallerIdentity from inside the handler)
//   warm reuse (module state survives), one invocation per sandbox, recycling on
//     configuration change, after a timeout, after idling, when role credentials expire
//   handler errors, timeouts, init errors, a handler outside the package (refused)
//   DryRun runs nothing; Event answers 202 and runs later; ClientContext; LogType Tail; logs file
//   payload limits both ways; reserved concurrency throttles; a function survives a restart
// ---------------------------------------------------------------------------
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand, InvokeCommand, LambdaClient, PublishVersionCommand, PutFunctionConcurrencyCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, type CreateFunctionCommandInput, type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { buildZip, createRole, handlerZip, failure } from '../../support/localcloud-zips';
import { startTestCloud } from '../../../scripts/lib/child-cloud';
import { useLambdaCloud } from '../../support/lambda-cloud';
import { advanceClock, resetClock } from '../../../scripts/lib/cloud-controls';
import { waitForSandboxProcesses } from '../../support/sandbox-processes';
import { startSignal } from '../../support/signal-server';
import { startGate } from '../../support/gate-server';

/** A handler that reports what it sees, and can be told to fail, sleep, or answer big. */
const PROBE_SOURCE = `
const sandbox = require('node:crypto').randomUUID();
let count = 0;
exports.handler = async (event, context) => {
  count += 1;
  console.log('invoked with', JSON.stringify(event));
  switch (event.action) {
    case 'throw': throw new TypeError('boom ' + event.n);
    case 'sleep':
      if (event.signalUrl) await fetch(event.signalUrl);
      await new Promise((r) => setTimeout(r, event.ms));
      break;
    case 'big': return 'x'.repeat(event.bytes);
    case 'exit': process.exit(3);
    case 'whoami': {
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      const id = await new STSClient({}).send(new GetCallerIdentityCommand({}));
      return { count, arn: id.Arn, account: id.Account };
    }
  }
  const env = {};
  for (const k of ['AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_REGION',
    'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'TZ', 'NODE_OPTIONS', '_HANDLER', 'LAMBDA_TASK_ROOT', 'AWS_LAMBDA_LOG_GROUP_NAME',
    'GREETING', 'LOCALCLOUD_STATE_DIR', 'LOCALCLOUD_TEST_CONTROLS', 'AWS_ACCESS_KEY_ID', 'AWS_SESSION_TOKEN']) env[k] = process.env[k];
  return {
    count, sandbox, pid: process.pid, cwd: process.cwd(), event, env,
    context: {
      functionName: context.functionName, functionVersion: context.functionVersion, invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB, awsRequestId: context.awsRequestId, logGroupName: context.logGroupName,
      logStreamName: context.logStreamName, clientContext: context.clientContext, remaining: context.getRemainingTimeInMillis(),
    },
  };
};
`;

/** The suite's cloud, customer-a's clients (where the probes are deployed) and an execution role there. */
const fx = useLambdaCloud('probe-exec');
let probeZip: Buffer;
let names = 0;

beforeAll(async () => {
  probeZip = await handlerZip(PROBE_SOURCE);
}, 60_000);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

async function deploy(overrides: Partial<CreateFunctionCommandInput> = {}): Promise<string> {
  names += 1;
  const name = overrides.FunctionName ?? `probe-${names}`;
  await fx.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Role: fx.roleArn, Handler: 'index.handler', Code: { ZipFile: probeZip }, Timeout: 10, ...overrides,
  }));
  return name;
}

async function call(name: string, event: unknown = {}, extra: Partial<ConstructorParameters<typeof InvokeCommand>[0]> = {}): Promise<InvokeCommandOutput> {
  return fx.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)), ...extra }));
}

function payloadOf(out: InvokeCommandOutput): any {
  return JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'));
}

async function result(name: string, event: unknown = {}): Promise<any> {
  const out = await call(name, event);
  if (out.FunctionError) throw new Error(`function error: ${Buffer.from(out.Payload!).toString()}`);
  return payloadOf(out);
}

function logFile(name: string): string {
  return join(fx.cloud.stateDir, 'lambda', 'logs', fx.accountId, `${name}.log`);
}

function logText(name: string): string {
  return existsSync(logFile(name)) ? readFileSync(logFile(name), 'utf8') : '';
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


// ---------------------------------------------------------------------------
// RequestResponse
// ---------------------------------------------------------------------------

describe('RequestResponse', () => {
  test("answers 200 with the handler's result and X-Amz-Executed-Version $LATEST", async () => {
    const name = await deploy();
    const out = await call(name, { hello: 'world' });
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(out.FunctionError).toBeUndefined();
    expect(payloadOf(out).event).toEqual({ hello: 'world' });
  });

  test('hands the handler the context Lambda defines', async () => {
    const name = await deploy({ MemorySize: 256 });
    const out = await call(name);
    const { context } = payloadOf(out);
    expect(context).toMatchObject({
      functionName: name, functionVersion: '$LATEST', invokedFunctionArn: `arn:aws:lambda:us-east-1:${fx.accountId}:function:${name}`,
      memoryLimitInMB: '256', awsRequestId: out.$metadata.requestId, logGroupName: `/aws/lambda/${name}`,
    });
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.remaining).toBeGreaterThan(8000);
    expect(context.remaining).toBeLessThanOrEqual(10_000);
  });

  test("sets Lambda's runtime environment and the function's variables", async () => {
    const name = await deploy({ Environment: { Variables: { GREETING: 'hej' } }, MemorySize: 192 });
    const { env, cwd } = await result(name);
    expect(env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: name, AWS_LAMBDA_FUNCTION_VERSION: '$LATEST', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '192',
      AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: fx.cloud.url, TZ: ':UTC', _HANDLER: 'index.handler',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`, GREETING: 'hej',
    });
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    expect(env.AWS_SESSION_TOKEN).toBeTruthy();
    expect(cwd).toBe(env.LAMBDA_TASK_ROOT);
  });

  test("does not leak the local cloud's own environment (NODE_OPTIONS, LOCALCLOUD_*) into the sandbox", async () => {
    const name = await deploy();
    const { env } = await result(name);
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(env.LOCALCLOUD_STATE_DIR).toBeUndefined();
    expect(env.LOCALCLOUD_TEST_CONTROLS).toBeUndefined();
  });

  test("runs with the execution role's temporary credentials, which STS recognises as that role's session", async () => {
    const name = await deploy();
    const who = await result(name, { action: 'whoami' });
    expect(who.account).toBe(fx.accountId);
    expect(who.arn).toBe(`arn:aws:sts::${fx.accountId}:assumed-role/probe-exec/${name}`);
  });

  test('invoking a published version runs that version and reports it as executed', async () => {
    const name = await deploy();
    await fx.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await fx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await handlerZip('exports.handler = async () => "v2";') }));
    const v1 = await call(name, {}, { Qualifier: '1' });
    expect(v1.ExecutedVersion).toBe('1');
    expect(payloadOf(v1).context.functionVersion).toBe('1');
    expect(payloadOf(await call(name))).toBe('v2');
  });

  test('refuses a payload that is not JSON with InvalidRequestContentException', async () => {
    const name = await deploy();
    const e = await failure(fx.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{not json') })));
    expect(e.name).toBe('InvalidRequestContentException');
  });

  test('answers 404 for a function that does not exist', async () => {
    const e = await failure(call('never-deployed'));
    expect(e.name).toBe('ResourceNotFoundException');
  });
});

// ---------------------------------------------------------------------------
// Warm sandboxes
// ---------------------------------------------------------------------------

describe('sandboxes', () => {
  test('stay warm: module state survives between invocations in the same process', async () => {
    const name = await deploy();
    const first = await result(name);
    const second = await result(name);
    expect([first.count, second.count]).toEqual([1, 2]);
    expect(second.sandbox).toBe(first.sandbox);
  });

  test('serve one invocation at a time: concurrent invocations run in separate processes, in parallel', async () => {
    const name = await deploy();
    const gate = await startGate();
    try {
      const calls = [1, 2, 3].map(() => result(name, { action: 'sleep', ms: 0, signalUrl: gate.url }));
      await gate.arrivals(3); // all three running at once: one after another, the second would never arrive
      gate.releaseAll();
      const outs = await Promise.all(calls);
      expect(new Set(outs.map((o) => o.sandbox)).size).toBe(3);
    } finally {
      gate.close();
    }
  });

  // Scaling out without a per-function cap, and the throttles beyond a limit: scaling.test.ts.

  test('are replaced after a configuration change: new state, new environment', async () => {
    const name = await deploy({ Environment: { Variables: { GREETING: 'one' } } });
    const before = await result(name);
    await fx.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { GREETING: 'two' } } }));
    const after = await result(name);
    expect(after.count).toBe(1);
    expect(after.sandbox).not.toBe(before.sandbox);
    expect(after.env.GREETING).toBe('two');
  });

  test('are replaced after a code change', async () => {
    const name = await deploy();
    await result(name);
    await fx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await handlerZip('exports.handler = async () => "new code";') }));
    expect(payloadOf(await call(name))).toBe('new code');
  });

  test('a timed-out sandbox is stopped, and the next invocation gets a fresh one', async () => {
    const name = await deploy({ Timeout: 1 });
    const first = await result(name);
    await call(name, { action: 'sleep', ms: 3000 });
    const next = await result(name);
    expect(next.count).toBe(1);
    expect(next.sandbox).not.toBe(first.sandbox);
    // Only the new sandbox's process is left (an isolated sandbox's own pid is 1 in its namespace).
    const ref = { functionArn: `arn:aws:lambda:us-east-1:${fx.accountId}:function:${name}`, pid: first.pid, isolation: fx.cloud.sandboxIsolation };
    expect(await waitForSandboxProcesses(ref, fx.cloud.sandboxIsolation === 'namespaces' ? 1 : 0)).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

describe('function errors', () => {
  test('a thrown error answers 200 with X-Amz-Function-Error Unhandled and errorType, errorMessage, trace', async () => {
    const name = await deploy();
    const out = await call(name, { action: 'throw', n: 7 });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const error = payloadOf(out);
    expect(error).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom 7' });
    expect(error.trace[0]).toBe('TypeError: boom 7');
  });

  test('a sandbox survives a handled error: module state is kept', async () => {
    const name = await deploy();
    await result(name);
    await call(name, { action: 'throw', n: 1 });
    expect((await result(name)).count).toBe(3);
  });

  test('a timeout answers Sandbox.Timedout with "Task timed out after 1.00 seconds"', async () => {
    const name = await deploy({ Timeout: 1 });
    const started = Date.now();
    const out = await call(name, { action: 'sleep', ms: 5000 });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(out.FunctionError).toBe('Unhandled');
    expect(payloadOf(out)).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${out.$metadata.requestId} Error: Task timed out after 1.00 seconds` });
  });

  test('a handler that exits the process answers Runtime.ExitError', async () => {
    const name = await deploy();
    const out = await call(name, { action: 'exit' });
    expect(out.FunctionError).toBe('Unhandled');
    expect(payloadOf(out).errorType).toBe('Runtime.ExitError');
  });

  test('a response over 6 MB answers Function.ResponseSizeTooLarge', async () => {
    const name = await deploy();
    const out = await call(name, { action: 'big', bytes: 6_400_000 });
    expect(out.FunctionError).toBe('Unhandled');
    expect(payloadOf(out)).toEqual({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).' });
  });

  test('a response just under 6 MB is returned whole', async () => {
    const name = await deploy();
    const out = await call(name, { action: 'big', bytes: 6_000_000 });
    expect(out.FunctionError).toBeUndefined();
    expect(payloadOf(out)).toHaveLength(6_000_000);
  });

  test('a request payload over 6 MB is refused with RequestTooLargeException (413)', async () => {
    const name = await deploy();
    const e = await failure(call(name, { blob: 'x'.repeat(6_300_000) }));
    expect(e.name).toBe('RequestTooLargeException');
    expect(e.$metadata.httpStatusCode).toBe(413);
  });

  test('a handler name without an export answers Runtime.HandlerNotFound', async () => {
    const name = await deploy({ Handler: 'index.missing' });
    const out = await call(name);
    expect(payloadOf(out)).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.missing is undefined or not exported' });
  });

  test('a handler file that is not in the package answers Runtime.ImportModuleError', async () => {
    const name = await deploy({ Handler: 'nofile.handler' });
    expect(payloadOf(await call(name)).errorType).toBe('Runtime.ImportModuleError');
  });

  test('a handler path that climbs out of the package is not loaded, even when the file exists', async () => {
    const taskRoot = join(fx.cloud.stateDir, 'lambda', 'code', createHash('sha256').update(probeZip).digest('hex'));
    const outside = relative(taskRoot, require.resolve('yazl')).replace(/\.js$/, '');
    const name = await deploy({ Handler: `${outside}.ZipFile` });
    const out = await call(name);
    expect(payloadOf(out).errorType).toBe('Runtime.ImportModuleError');
  });

  test('a syntax error in the code answers Runtime.UserCodeSyntaxError', async () => {
    const name = await deploy({ Code: { ZipFile: await handlerZip('exports.handler = async () => {') } });
    expect(payloadOf(await call(name)).errorType).toBe('Runtime.UserCodeSyntaxError');
  });

  test('an error thrown while the module loads is reported as the invocation error', async () => {
    const name = await deploy({ Code: { ZipFile: await handlerZip('throw new RangeError("bad init"); exports.handler = async () => 1;') } });
    expect(payloadOf(await call(name))).toMatchObject({ errorType: 'RangeError', errorMessage: 'bad init' });
  });
});

// ---------------------------------------------------------------------------
// Handler styles
// ---------------------------------------------------------------------------

describe('handler styles', () => {
  test('a callback-style handler answers through its callback', async () => {
    const name = await deploy({ Code: { ZipFile: await handlerZip('exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { via: "callback" }), 10); };') } });
    expect(await result(name)).toEqual({ via: 'callback' });
  });

  test('an ES module handler (index.mjs) is loaded with import()', async () => {
    const code = await buildZip({ 'index.mjs': 'export const handler = async (event) => ({ esm: true, n: event.n });' });
    const name = await deploy({ Code: { ZipFile: code } });
    expect(await result(name, { n: 5 })).toEqual({ esm: true, n: 5 });
  });

  test('a handler in a subfolder is found by its path', async () => {
    const code = await buildZip({ 'src/app/main.js': 'exports.run = async () => "nested";' });
    const name = await deploy({ Code: { ZipFile: code }, Handler: 'src/app/main.run' });
    expect(await result(name)).toBe('nested');
  });

  test('a handler returning undefined answers null', async () => {
    const name = await deploy({ Code: { ZipFile: await handlerZip('exports.handler = async () => undefined;') } });
    const out = await call(name);
    expect(Buffer.from(out.Payload!).toString()).toBe('null');
  });
});

// ---------------------------------------------------------------------------
// Invocation types, client context, logs
// ---------------------------------------------------------------------------

describe('invocation types', () => {
  test('DryRun answers 204 and does not run the code', async () => {
    const name = await deploy();
    const dry = await call(name, { marker: 'dry-run-marker' }, { InvocationType: 'DryRun' });
    expect(dry.StatusCode).toBe(204);
    const real = await result(name);
    expect(real.count).toBe(1);
    expect(logText(name)).not.toContain('dry-run-marker');
  });

  test('DryRun still answers 404 for a function that does not exist', async () => {
    const e = await failure(call('never-deployed', {}, { InvocationType: 'DryRun' }));
    expect(e.name).toBe('ResourceNotFoundException');
  });

  test('Event answers 202 at once and runs the handler in the background', async () => {
    const name = await deploy();
    const started = Date.now();
    const out = await call(name, { action: 'sleep', ms: 3000, marker: 'event-marker' }, { InvocationType: 'Event' });
    expect(out.StatusCode).toBe(202);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(logText(name)).not.toContain(`END RequestId: ${out.$metadata.requestId}`);
    await waitFor(() => logText(name).includes(`END RequestId: ${out.$metadata.requestId}`));
    expect(logText(name)).toContain('event-marker');
  });

  test('an unknown invocation type is refused with ValidationException', async () => {
    const name = await deploy();
    const e = await failure(fx.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: 'Later' as 'Event' })));
    expect(e.name).toBe('ValidationException');
  });

  test('ClientContext reaches the handler as context.clientContext', async () => {
    const name = await deploy();
    const clientContext = { custom: { tenant: 'acme' }, env: { locale: 'en' } };
    const out = await call(name, {}, { ClientContext: Buffer.from(JSON.stringify(clientContext)).toString('base64') });
    expect(payloadOf(out).context.clientContext).toEqual(clientContext);
  });

  test('a ClientContext that is not base64 JSON is refused', async () => {
    const name = await deploy();
    const e = await failure(call(name, {}, { ClientContext: Buffer.from('not json').toString('base64') }));
    expect(e.name).toBe('InvalidRequestContentException');
  });

  test("LogType Tail answers the invocation's log, base64, in X-Amz-Log-Result", async () => {
    const name = await deploy();
    const out = await call(name, { marker: 'tail-marker' }, { LogType: 'Tail' });
    const log = Buffer.from(out.LogResult!, 'base64').toString('utf8');
    expect(log).toContain(`START RequestId: ${out.$metadata.requestId} Version: $LATEST`);
    expect(log).toMatch(new RegExp(`\\t${out.$metadata.requestId}\\tINFO\\tinvoked with .*tail-marker`));
    expect(log).toContain(`REPORT RequestId: ${out.$metadata.requestId}`);
  });

  test('without LogType Tail no log is returned', async () => {
    const name = await deploy();
    const out = await call(name);
    expect(out.LogResult).toBeUndefined();
  });

  test("each invocation's console output is kept in the function's log file", async () => {
    const name = await deploy();
    const out = await call(name, { marker: 'file-marker' });
    const text = logText(name);
    expect(text).toContain(`START RequestId: ${out.$metadata.requestId}`);
    expect(text).toContain('file-marker');
    expect(text).toContain(`END RequestId: ${out.$metadata.requestId}`);
  });

  test('the log file records a timeout', async () => {
    const name = await deploy({ Timeout: 1 });
    const out = await call(name, { action: 'sleep', ms: 3000 });
    expect(logText(name)).toContain(`${out.$metadata.requestId} Task timed out after 1.00 seconds`);
  });
});

// ---------------------------------------------------------------------------
// Concurrency limits
// ---------------------------------------------------------------------------

describe('reserved concurrency', () => {
  test('0 throttles every invocation with TooManyRequestsException (429)', async () => {
    const name = await deploy();
    await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const e = await failure(call(name));
    expect(e.name).toBe('TooManyRequestsException');
    expect(e.$metadata.httpStatusCode).toBe(429);
  });

  test('1 throttles a second invocation while the first is running', async () => {
    const name = await deploy();
    await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 }));
    const signal = await startSignal();
    const slow = call(name, { action: 'sleep', ms: 1500, signalUrl: signal.url });
    await signal.received; // the first invocation is running now
    signal.close();
    const e = await failure(call(name));
    expect(e.name).toBe('TooManyRequestsException');
    expect((await slow).FunctionError).toBeUndefined();
  });

  test('1 lets invocations through one after another', async () => {
    const name = await deploy();
    await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 }));
    expect((await result(name)).count).toBe(1);
    expect((await result(name)).count).toBe(2);
  });
});

// ---------------------------------------------------------------------------
// Restart
// ---------------------------------------------------------------------------

test('a function survives a restart of the local cloud and runs from the same state folder', async () => {
  const first = await startTestCloud();
  try {
    const iam = new IAMClient(first.clientConfig(first.credentialsFor('customer-a')));
    const role = await createRole(iam, 'restart-exec');
    const client = new LambdaClient(first.clientConfig(first.credentialsFor('customer-a')));
    await client.send(new CreateFunctionCommand({ FunctionName: 'survivor', Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: await handlerZip('exports.handler = async () => "still here";') } }));
  } finally {
    await first.close();
  }
  const second = await startTestCloud({ stateDir: first.stateDir });
  try {
    const client = new LambdaClient(second.clientConfig(second.credentialsFor('customer-a')));
    const out = await client.send(new InvokeCommand({ FunctionName: 'survivor' }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toBe('still here');
  } finally {
    await second.close();
  }
}, 60_000);

// ---------------------------------------------------------------------------
// Recycling on the local cloud's clock (last: moving the clock affects every session)
// ---------------------------------------------------------------------------

describe('recycling over time', () => {
  afterEach(async () => {
    await resetClock(fx.cloud);
  });

  test('a sandbox idle for more than 5 minutes is replaced', async () => {
    const name = await deploy();
    const first = await result(name);
    await advanceClock(fx.cloud, 6 * 60);
    const next = await result(name);
    expect(next.count).toBe(1);
    expect(next.sandbox).not.toBe(first.sandbox);
  });

  test('a sandbox idle for less than 5 minutes is reused', async () => {
    const name = await deploy();
    const first = await result(name);
    await advanceClock(fx.cloud, 4 * 60);
    const next = await result(name);
    expect(next.sandbox).toBe(first.sandbox);
  });

  test('once the role credentials a sandbox holds expire, the next invocation runs with fresh ones that AWS accepts', async () => {
    const name = await deploy();
    const before = await result(name, { action: 'whoami' });
    await advanceClock(fx.cloud, 13 * 3600);
    const after = await result(name, { action: 'whoami' });
    expect(after.count).toBe(1);
    expect(after.arn).toBe(before.arn);
  });
});
