// ---------------------------------------------------------------------------
// Lambda's scaling and concurrency limits in the local cloud, through the real
// @aws-sdk/client-lambda. Invocations are held running at a gate (test/support/gate-server.ts)
// that the test opens, so every assertion compares orders and counts, never durations. Cases:
//   a function scales out: 5 invocations of one function run at once, each in its own sandbox
//   a slow function holding its calls does not delay another function's call
//   reserved concurrency 2: a third concurrent call is throttled (429 TooManyRequestsException,
//     Reason ReservedFunctionConcurrentInvocationLimitExceeded); once one ends, calls run again
//   reserved concurrency 0 throttles every call (and the raw 429's header and body, as Lambda sends them)
//   the account limit (3 here) throttles with Reason ConcurrentInvocationLimitExceeded, and
//     leaves nothing to reserve below 100 ("...minimum value of [3]")
//   Put/Get/DeleteFunctionConcurrency round-trip (GetFunction's Concurrency too); reserving past
//     the unreserved minimum is refused; each action needs its permission (AccessDeniedException)
// ---------------------------------------------------------------------------
import {
  CreateFunctionCommand, DeleteFunctionConcurrencyCommand, GetFunctionCommand, GetFunctionConcurrencyCommand, InvokeCommand,
  LambdaClient, PutFunctionConcurrencyCommand, TooManyRequestsException, type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { IAMClient } from '@aws-sdk/client-iam';
import { createRole, failure, handlerZip } from '../../support/localcloud-zips';
import { useLambdaCloud } from '../../support/lambda-cloud';
import { startGate, type Gate } from '../../support/gate-server';
import { RawHttp, expectLambdaError } from '../../support/raw-http';
import { createTestUser, startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';

jest.setTimeout(120_000);

/** Waits at the gate when the event names one; answers which sandbox ran it (an ID made when
 *  the module loads: pids repeat across isolated sandboxes, each in its own PID namespace). */
const GATED_SOURCE = `
const sandbox = require('node:crypto').randomUUID();
exports.handler = async (event) => {
  if (event.gateUrl) await (await fetch(event.gateUrl)).text();
  return { sandbox };
};
`;

const fx = useLambdaCloud('scaling-exec');
let zip: Buffer;
let names = 0;
const gates: Gate[] = [];

beforeAll(async () => {
  zip = await handlerZip(GATED_SOURCE);
});

afterEach(() => {
  for (const gate of gates.splice(0)) gate.close();
});

async function gate(): Promise<Gate> {
  const g = await startGate();
  gates.push(g);
  return g;
}

async function deploy(lambda: LambdaClient, roleArn: string, prefix = 'scaling'): Promise<string> {
  names += 1;
  const name = `${prefix}-${names}`;
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Role: roleArn, Handler: 'index.handler', Code: { ZipFile: zip }, Timeout: 60 }));
  return name;
}

function invoke(lambda: LambdaClient, name: string, event: object = {}): Promise<InvokeCommandOutput> {
  return lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
}

function sandboxOf(out: InvokeCommandOutput): string {
  expect(out.FunctionError).toBeUndefined();
  return (JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as { sandbox: string }).sandbox;
}

/** The throttle as the SDK surfaces it: the modelled exception, with Lambda's body fields. */
async function throttled(call: Promise<unknown>): Promise<TooManyRequestsException> {
  const e = await failure(call);
  expect(e).toBeInstanceOf(TooManyRequestsException);
  const t = e as unknown as TooManyRequestsException;
  expect(t.$metadata.httpStatusCode).toBe(429);
  expect(t.Type).toBe('User');
  expect(t.message).toBe('Rate Exceeded.');
  return t;
}

// ---------------------------------------------------------------------------
// Scaling out
// ---------------------------------------------------------------------------

describe('scaling out', () => {
  test('five invocations of one function run at once, each in a sandbox of its own', async () => {
    const name = await deploy(fx.lambda, fx.roleArn);
    const g = await gate();
    const calls = [1, 2, 3, 4, 5].map(() => invoke(fx.lambda, name, { gateUrl: g.url }));
    await g.arrivals(5); // all five are running: none waits for another to end
    g.releaseAll();
    const sandboxes = (await Promise.all(calls)).map(sandboxOf);
    expect(new Set(sandboxes).size).toBe(5);
  });

  test('a warm sandbox is reused before a new one starts', async () => {
    const name = await deploy(fx.lambda, fx.roleArn);
    const first = sandboxOf(await invoke(fx.lambda, name));
    const second = sandboxOf(await invoke(fx.lambda, name));
    expect(second).toBe(first);
  });

  test('a slow function holding its calls does not delay another function\'s call', async () => {
    const slow = await deploy(fx.lambda, fx.roleArn);
    const other = await deploy(fx.lambda, fx.roleArn);
    const g = await gate();
    const order: string[] = [];
    const held = [1, 2, 3, 4].map(() => invoke(fx.lambda, slow, { gateUrl: g.url }).then((out) => {
      order.push('slow');
      return out;
    }));
    await g.arrivals(4);
    const otherOut = await invoke(fx.lambda, other);
    order.push('other');
    sandboxOf(otherOut);
    g.releaseAll();
    await Promise.all(held);
    expect(order).toEqual(['other', 'slow', 'slow', 'slow', 'slow']);
  });
});

// ---------------------------------------------------------------------------
// Reserved concurrency
// ---------------------------------------------------------------------------

describe('reserved concurrency', () => {
  test('2: a third concurrent call is throttled with the reserved reason; once one ends, a call runs again', async () => {
    const name = await deploy(fx.lambda, fx.roleArn);
    await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 2 }));
    const g = await gate();
    const first = invoke(fx.lambda, name, { gateUrl: g.url });
    const second = invoke(fx.lambda, name, { gateUrl: g.url });
    await g.arrivals(2);

    const e = await throttled(invoke(fx.lambda, name));
    expect(e.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');

    g.releaseOne();
    await Promise.race([first, second]);
    sandboxOf(await invoke(fx.lambda, name)); // one place free again
    g.releaseAll();
    await Promise.all([first, second]);
    await fx.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name })); // the next tests reserve from 0
  });

  test('0 throttles every call: 429, x-amzn-errortype TooManyRequestsException, Lambda\'s body with the Reason', async () => {
    const name = await deploy(fx.lambda, fx.roleArn);
    await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const e = await throttled(invoke(fx.lambda, name));
    expect(e.Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    const raw = await new RawHttp(fx.cloud.port, fx.cloud.credentialsFor('customer-a')).signedLambda('POST', `/2015-03-31/functions/${name}/invocations`, '{}');
    expectLambdaError(raw, 429, 'TooManyRequestsException');
    expect(JSON.parse(raw.body)).toEqual({ Type: 'User', message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    await fx.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    sandboxOf(await invoke(fx.lambda, name));
  });
});

// ---------------------------------------------------------------------------
// Put/Get/DeleteFunctionConcurrency
// ---------------------------------------------------------------------------

describe('Put/Get/DeleteFunctionConcurrency', () => {
  test('round-trip: Put answers the value, Get and GetFunction show it, Delete removes it', async () => {
    const name = await deploy(fx.lambda, fx.roleArn);
    expect((await fx.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Concurrency).toBeUndefined();
    const put = await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 7 }));
    expect(put.ReservedConcurrentExecutions).toBe(7);
    expect((await fx.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBe(7);
    expect((await fx.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Concurrency).toEqual({ ReservedConcurrentExecutions: 7 });
    await fx.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    expect((await fx.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBeUndefined();
    expect((await fx.lambda.send(new GetFunctionCommand({ FunctionName: name }))).Concurrency).toBeUndefined();
  });

  test('reserving past the unreserved minimum of 100 is refused; up to it is accepted', async () => {
    // The default account limit is 200: 100 can be reserved in all.
    const first = await deploy(fx.lambda, fx.roleArn);
    const second = await deploy(fx.lambda, fx.roleArn);
    const over = await failure(fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: first, ReservedConcurrentExecutions: 101 })));
    expect(over.name).toBe('InvalidParameterValueException');
    expect(over.message).toBe("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].");

    await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: first, ReservedConcurrentExecutions: 100 }));
    try {
      const another = await failure(fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: second, ReservedConcurrentExecutions: 1 })));
      expect(another.name).toBe('InvalidParameterValueException');
      // Changing the same function's reservation counts it once.
      await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: first, ReservedConcurrentExecutions: 99 }));
      await fx.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: second, ReservedConcurrentExecutions: 1 }));
    } finally {
      await fx.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: first }));
      await fx.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: second }));
    }
  });

  test('each action needs its own permission: without it, AccessDeniedException', async () => {
    const name = await deploy(fx.lambda, fx.roleArn);
    const reader = await createTestUser(fx.cloud, 'customer-a', 'concurrency-reader', {
      Version: '2012-10-17',
      Statement: [{ Sid: 'ReadOnly', Effect: 'Allow', Action: ['lambda:GetFunction', 'lambda:GetFunctionConcurrency'], Resource: '*' }],
    });
    const lambda = new LambdaClient(fx.cloud.clientConfig(reader.credentials));
    expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBeUndefined();
    for (const call of [
      () => lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 })),
      () => lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name })),
    ]) {
      const e = await failure(call());
      expect(e.name).toBe('AccessDeniedException');
      expect(e.$metadata.httpStatusCode).toBe(403);
    }
    const nobody = await createTestUser(fx.cloud, 'customer-a', 'concurrency-nobody');
    const denied = await failure(new LambdaClient(fx.cloud.clientConfig(nobody.credentials)).send(new GetFunctionConcurrencyCommand({ FunctionName: name })));
    expect(denied.name).toBe('AccessDeniedException');
    expect((await fx.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name }))).ReservedConcurrentExecutions).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------
// The account limit, on a cloud of its own whose accounts have a limit of 3
// ---------------------------------------------------------------------------

describe('an account concurrency limit of 3', () => {
  let small: TestCloud;
  let lambda: LambdaClient;
  let roleArn: string;

  beforeAll(async () => {
    small = await startTestCloud({ env: { LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY: '3' } });
    const config = small.clientConfig(small.credentialsFor('customer-a'));
    lambda = new LambdaClient(config);
    roleArn = await createRole(new IAMClient(config), 'small-exec');
  }, 60_000);

  afterAll(async () => {
    await small?.close();
  });

  test('a fourth concurrent call in the account is throttled with the account reason; once one ends, calls run again', async () => {
    const a = await deploy(lambda, roleArn, 'small');
    const b = await deploy(lambda, roleArn, 'small');
    const c = await deploy(lambda, roleArn, 'small');
    const g = await gate();
    const held = [invoke(lambda, a, { gateUrl: g.url }), invoke(lambda, a, { gateUrl: g.url }), invoke(lambda, b, { gateUrl: g.url })];
    await g.arrivals(3);

    const e = await throttled(invoke(lambda, c));
    expect(e.Reason).toBe('ConcurrentInvocationLimitExceeded');

    g.releaseOne();
    await Promise.race(held);
    sandboxOf(await invoke(lambda, c));
    g.releaseAll();
    await Promise.all(held);
  });

  test('below 100, the whole limit stays unreserved: any reservation but 0 is refused', async () => {
    const name = await deploy(lambda, roleArn, 'small');
    const e = await failure(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 })));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toBe("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [3].");
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    expect((await throttled(invoke(lambda, name))).Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
  });
});
