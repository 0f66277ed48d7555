// verify's dry runs and the connector's dry-run rate limit (lambda/connector/dry-run-limit.ts):
// an answer DryRunRateLimited is asked again after the retry-after it names, twice at most; any
// other answer is returned as it is. The connector Lambda is mocked; no wait is real (retry-after 0).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../../../config/load';
import { askConnector } from '../../../scripts/verify/diagnose';

const lambda = mockClient(LambdaClient);
const config = loadConfig({ ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: '' });
const ECHO = 'arn:aws:lambda:us-east-1:444455556666:function:sidecar-echo';

const answer = (body: unknown) => ({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(body)) as unknown as Uint8Array }) as never;
const limited = (retryAfterSeconds: number) => answer({ ok: false, error: { code: 'DryRunRateLimited', message: 'limited', retryAfterSeconds } });

beforeEach(() => lambda.reset());

describe('verify asking the connector for a dry run', () => {
  test('a rate-limited dry run is asked again and the later answer counts', async () => {
    lambda.on(InvokeCommand).resolvesOnce(limited(0)).resolves(answer({ ok: true, functionArn: ECHO }));

    const result = await askConnector(config, 'acme', ECHO, 'http://127.0.0.1:1');

    expect(result).toEqual({ ok: true, functionArn: ECHO });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
  });

  test('it asks three times at most, then reports the rate limit', async () => {
    lambda.on(InvokeCommand).resolves(limited(0));

    const result = await askConnector(config, 'acme', ECHO, 'http://127.0.0.1:1');

    expect(result).toMatchObject({ ok: false, error: { code: 'DryRunRateLimited' } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 3);
  });

  test('a wait longer than it is willing to make is reported at once', async () => {
    lambda.on(InvokeCommand).resolves(limited(600));

    const result = await askConnector(config, 'acme', ECHO, 'http://127.0.0.1:1');

    expect(result).toMatchObject({ ok: false, error: { code: 'DryRunRateLimited' } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
  });

  test('a refusal is not asked again: it is the answer', async () => {
    lambda.on(InvokeCommand).resolves(answer({ ok: false, error: { code: 'AssumeRoleRefused', message: 'refused' } }));

    const result = await askConnector(config, 'acme', ECHO, 'http://127.0.0.1:1');

    expect(result).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
  });
});
