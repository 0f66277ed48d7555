/**
 * The connector's one refresh and retry (lambda/connector/session-refresh.ts): when Lambda
 * refuses a held session as expired, or refuses a session taken from the cache, the connector
 * assumes the role once more and retries the Invoke once, within the same call; then it answers
 * a clear typed error. Each allowed retry sits beside the nearest case that must not retry.
 * Server errors after the SDK's retries answer Unavailable.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { refreshReason } from '../../../lambda/connector/session-refresh';
import {
  ROLE_A, assumeRoleOutput, invokeOutput, lambdaContext, lambdaError, stsError, testConnector,
} from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const OK = invokeOutput({ ok: 1 });

const connector = testConnector;

beforeEach(() => {
  sts.reset();
  lambda.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput());
});

// ---------------------------------------------------------------------------
describe('an expired session (ExpiredTokenException)', () => {
  test('a held session refused as expired is refreshed once and the same call succeeds', async () => {
    lambda.on(InvokeCommand).resolvesOnce(OK).rejectsOnce(lambdaError('ExpiredTokenException', 403)).resolves(OK);
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: true, timings: { sessionRefreshed: true, credentialsCached: false } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 3);
  });

  test('the refreshed session is the one held afterwards: the next call assumes nothing', async () => {
    lambda.on(InvokeCommand).resolvesOnce(OK).rejectsOnce(lambdaError('ExpiredTokenException', 403)).resolves(OK);
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());
    await handler({ tenant: 'acme' }, lambdaContext());

    const third = await handler({ tenant: 'acme' }, lambdaContext());

    expect(third).toMatchObject({ ok: true, timings: { credentialsCached: true, sessionRefreshed: false } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  test('a new session refused as expired too is not retried again: Internal, naming the clocks', async () => {
    lambda.on(InvokeCommand).rejects(lambdaError('ExpiredTokenException', 403));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Internal', message: expect.stringContaining('clocks') } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
  });

  test('when STS refuses the new session, the answer is AssumeRoleRefused saying the held one expired', async () => {
    lambda.on(InvokeCommand).resolvesOnce(OK).rejects(lambdaError('ExpiredTokenException', 403));
    sts.on(AssumeRoleCommand).callsFakeOnce(async () => assumeRoleOutput()).rejects(stsError('AccessDenied'));
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'AssumeRoleRefused', message: expect.stringContaining('the held session expired, and a new one was refused') } });
    if (!result.ok) expect(result.error.message).toContain(ROLE_A);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
  });
});

// ---------------------------------------------------------------------------
describe('a refused session (AccessDeniedException)', () => {
  test('a held session that Lambda refuses (revoked) is refreshed once and the same call succeeds', async () => {
    lambda.on(InvokeCommand).resolvesOnce(OK).rejectsOnce(lambdaError('AccessDeniedException', 403)).resolves(OK);
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: true, timings: { sessionRefreshed: true } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  test('a fresh session that Lambda refuses is not refreshed: InvokeRefused at once', async () => {
    lambda.on(InvokeCommand).rejects(lambdaError('AccessDeniedException', 403));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'InvokeRefused' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
  });

  test('after a trust change, the refresh is refused by STS: AssumeRoleRefused explaining the held session', async () => {
    lambda.on(InvokeCommand).resolvesOnce(OK).rejects(lambdaError('AccessDeniedException', 403));
    sts.on(AssumeRoleCommand).callsFakeOnce(async () => assumeRoleOutput()).rejects(stsError('AccessDenied'));
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'AssumeRoleRefused', message: expect.stringContaining('Lambda refused the held session, and a new one was refused') } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
  });

  test('when the new session is refused too, the answer is InvokeRefused after exactly one retry', async () => {
    lambda.on(InvokeCommand).resolvesOnce(OK).rejects(lambdaError('AccessDeniedException', 403));
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'InvokeRefused' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 3);
  });

  test('a session already refused while fresh is not refreshed again on the next call', async () => {
    lambda.on(InvokeCommand).resolvesOnce(OK).rejects(lambdaError('AccessDeniedException', 403));
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());
    await handler({ tenant: 'acme' }, lambdaContext());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'InvokeRefused' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 4);
  });
});

// ---------------------------------------------------------------------------
describe('failures that are not about the session', () => {
  test.each([
    ['TooManyRequestsException', 429, 'Throttled'],
    ['ResourceNotFoundException', 404, 'FunctionNotFound'],
    ['ServiceException', 500, 'Unavailable'],
  ])('%s on a held session is answered without a refresh (%s -> %s)', async (awsCode, status, code) => {
    lambda.on(InvokeCommand).resolvesOnce(OK).rejects(lambdaError(awsCode, status));
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  test('an STS server error becomes Unavailable, naming STS and the status', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('ServiceUnavailable', 503));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'Unavailable', message: 'STS answered a server error (HTTP 503) after retries: retry later' } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('an STS client error that is not a refusal or throttling stays Internal, not Unavailable', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('ValidationError', 400));

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Internal' } });
  });
});

// ---------------------------------------------------------------------------
describe('refreshReason', () => {
  const expired = lambdaError('ExpiredTokenException', 403);
  const denied = lambdaError('AccessDeniedException', 403);

  test('an expired session calls for a refresh, cached or not', () => {
    expect(refreshReason(expired, { cached: false, refusedWhenFresh: false })).toBe('expired-session');
  });

  test('a refusal of a cached session calls for a refresh', () => {
    expect(refreshReason(denied, { cached: true, refusedWhenFresh: false })).toBe('refused-cached-session');
  });

  test('a refusal of a fresh session, or of one already refused while fresh, does not', () => {
    expect(refreshReason(denied, { cached: false, refusedWhenFresh: false })).toBeUndefined();
    expect(refreshReason(denied, { cached: true, refusedWhenFresh: true })).toBeUndefined();
  });

  test('throttling and other errors do not', () => {
    expect(refreshReason(lambdaError('TooManyRequestsException', 429), { cached: true, refusedWhenFresh: false })).toBeUndefined();
    expect(refreshReason(new Error('socket hang up'), { cached: true, refusedWhenFresh: false })).toBeUndefined();
  });
});
