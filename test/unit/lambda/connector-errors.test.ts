/**
 * How the connector maps each failure to a typed error with a stable code, and answers it
 * instead of throwing: STS refusals, Lambda refusals, the function's own errors, throttling,
 * time budget, payload size, and the unexpected.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ECHO_A, ROLE_A, assumeRoleOutput, invokeOutput, lambdaContext, lambdaError, stsError, testConnector,
} from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);

const connector = testConnector;

beforeEach(() => {
  sts.reset();
  lambda.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput());
  lambda.on(InvokeCommand).resolves(invokeOutput({ ok: 1 }));
});

// ---------------------------------------------------------------------------
describe('STS failures', () => {
  test('AccessDenied (the confused deputy) becomes AssumeRoleRefused, and nothing is invoked', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));

    const result = await connector()({ tenant: 'mallory' }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'AssumeRoleRefused', message: expect.stringContaining(ROLE_A) } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('the AssumeRoleRefused message names the tenant and what to check, not AWS\'s words', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));

    const result = await connector()({ tenant: 'mallory' }, lambdaContext());

    if (result.ok) throw new Error('expected a refusal');
    expect(result.error.message).toContain('"mallory"');
    expect(result.error.message).toContain('external ID');
    expect(result.error.message).not.toContain('from STS');
  });

  test('Throttling becomes Throttled', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 400));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Throttled', message: expect.stringContaining('STS') } });
  });

  test('the Lambda\'s own expired credentials become Internal, naming the execution role', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('ExpiredTokenException', 400));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Internal', message: expect.stringContaining('execution role') } });
  });

  test('an unexpected STS error becomes Internal', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('MalformedPolicyDocument', 400));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Internal' } });
  });
});

// ---------------------------------------------------------------------------
describe('Invoke failures', () => {
  test.each([
    ['AccessDeniedException', 'InvokeRefused', 403],
    ['ResourceNotFoundException', 'FunctionNotFound', 404],
    ['TooManyRequestsException', 'Throttled', 429],
    ['RequestTooLargeException', 'PayloadTooLarge', 413],
    ['ServiceException', 'Unavailable', 500],
  ])('%s becomes %s', async (awsCode, code, status) => {
    lambda.on(InvokeCommand).rejects(lambdaError(awsCode, status));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code } });
  });

  test('InvokeRefused names the function and the permission to check', async () => {
    lambda.on(InvokeCommand).rejects(lambdaError('AccessDeniedException', 403));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { message: expect.stringContaining(`${ECHO_A} for tenant "acme": check that the tenant's role allows lambda:InvokeFunction`) } });
  });

  test('an expired session is dropped from the cache, so the next call assumes the role again', async () => {
    lambda.on(InvokeCommand).rejectsOnce(lambdaError('ExpiredTokenException', 403)).resolves(invokeOutput({ ok: 1 }));
    const handler = connector();

    await handler({ tenant: 'acme' }, lambdaContext());
    const second = await handler({ tenant: 'acme' }, lambdaContext());

    expect(second.ok).toBe(true);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  test('a refused Invoke keeps the session: permissions are checked per call, not per session', async () => {
    lambda.on(InvokeCommand).rejectsOnce(lambdaError('AccessDeniedException', 403)).resolves(invokeOutput({ ok: 1 }));
    const handler = connector();

    await handler({ tenant: 'acme' }, lambdaContext());
    await handler({ tenant: 'acme' }, lambdaContext());

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  test('a non-AWS error becomes Internal without repeating its message', async () => {
    lambda.on(InvokeCommand).rejects(new TypeError('secret internals at 0xdeadbeef'));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Internal' } });
    if (!result.ok) expect(result.error.message).not.toContain('0xdeadbeef');
  });
});

// ---------------------------------------------------------------------------
describe('the function\'s own errors (X-Amz-Function-Error)', () => {
  test('an error the function threw becomes FunctionError with its errorType and errorMessage', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput({ errorType: 'Error', errorMessage: 'order 42 not found', trace: ['at handler'] }, { FunctionError: 'Unhandled' }));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toEqual({
      ok: false,
      error: { code: 'FunctionError', message: expect.stringContaining('order 42 not found'), functionError: { errorType: 'Error', errorMessage: 'order 42 not found' } },
    });
  });

  test('the function\'s own timeout (Sandbox.Timedout) becomes TimedOut', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput({ errorType: 'Sandbox.Timedout', errorMessage: 'RequestId: r Error: Task timed out after 3.00 seconds' }, { FunctionError: 'Unhandled' }));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut', message: expect.stringContaining('its own timeout') } });
  });

  test('an older runtime\'s timeout report (message only) becomes TimedOut', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput({ errorMessage: '2024-01-01T00:00:00.000Z r Task timed out after 3.00 seconds' }, { FunctionError: 'Unhandled' }));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut' } });
  });

  test('a response over Lambda\'s limit (Function.ResponseSizeTooLarge) becomes PayloadTooLarge', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).' }, { FunctionError: 'Unhandled' }));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'PayloadTooLarge' } });
  });

  test('a response that would not fit in the connector\'s own answer becomes PayloadTooLarge', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('x'.repeat(6 * 1024 * 1024 - 100)));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'PayloadTooLarge', message: expect.stringContaining('response') } });
  });

  test('a response of 5 MB is passed through', async () => {
    lambda.on(InvokeCommand).resolves(invokeOutput('x'.repeat(5 * 1024 * 1024)));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result.ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------
describe('the time budget (context.getRemainingTimeInMillis minus a margin)', () => {
  test('an Invoke slower than the budget becomes TimedOut without waiting for it', async () => {
    // Prepare: 700 ms left, 500 ms margin: a 200 ms budget; the Invoke would take much longer.
    let finishInvoke: () => void = () => undefined;
    lambda.on(InvokeCommand).callsFake(() => new Promise((resolve) => { finishInvoke = () => resolve(invokeOutput({ late: true })); }));
    const started = Date.now();

    // Act
    const result = await connector()({ tenant: 'acme' }, lambdaContext(700));
    finishInvoke();

    // Assess
    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut', message: expect.stringContaining('time budget') } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('an AssumeRole slower than the budget becomes TimedOut, and nothing is invoked', async () => {
    let finishAssume: () => void = () => undefined;
    sts.on(AssumeRoleCommand).callsFake(() => new Promise((resolve) => { finishAssume = () => resolve(assumeRoleOutput()); }));

    const result = await connector()({ tenant: 'acme' }, lambdaContext(700));
    finishAssume();

    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut' } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('a budget already spent is refused before any AWS call', async () => {
    const result = await connector()({ tenant: 'acme' }, lambdaContext(300));

    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('the SDK\'s own abort (the signal passed to send) becomes TimedOut', async () => {
    const abort = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    lambda.on(InvokeCommand).rejects(abort);

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'TimedOut' } });
  });

  test('Invoke receives the budget\'s abort signal', async () => {
    await connector()({ tenant: 'acme' }, lambdaContext());

    const options = (lambda.commandCalls(InvokeCommand)[0].args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined;
    expect(options?.abortSignal).toBeInstanceOf(AbortSignal);
  });
});
