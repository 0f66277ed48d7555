/**
 * What the connector and vend Lambdas write to their logs: one structured JSON line per request
 * with tenant, function, outcome and timings, and never credentials, session tokens, secret keys
 * or external IDs, on success or failure. The logs are captured where Powertools writes them.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import { ScopedClientCache } from '../../../lambda/connector/scoped-clients';
import { REDACTED } from '../../../lambda/shared/logger';
import { createVendHandler } from '../../../lambda/vend/vend';
import {
  ECHO_A, EXTERNAL_ID_ACME, EXTERNAL_ID_MALLORY, MASTER_CREDENTIALS, PREFIX, REGION, assumeRoleOutput, capturedLogs, invokeOutput, lambdaContext, stsError, testTenants, testCallerDeps, withCallerProof,
} from '../../support/lambda-fixtures';

// The connector and vend both call STS through @aws-sdk/client-sts.
const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);

let issuedSecrets: string[];
let logs: ReturnType<typeof capturedLogs>;

beforeEach(() => {
  sts.reset();
  lambda.reset();
  issuedSecrets = [];
  const issue = async () => {
    const output = assumeRoleOutput();
    issuedSecrets.push(output.Credentials.AccessKeyId, output.Credentials.SecretAccessKey, output.Credentials.SessionToken);
    return output;
  };
  sts.on(AssumeRoleCommand).callsFake(issue);
  lambda.on(InvokeCommand).resolves(invokeOutput({ ok: 1 }));
  logs = capturedLogs();
});

afterEach(() => logs.restore());

function connector() {
  const clients = new ScopedClientCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 10, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS });
  return createConnectorHandler({ registry: testTenants(), rolePrefix: PREFIX, clients, logger: logs.logger });
}

function expectNoSecrets(text: string, secrets: string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) expect(text).not.toContain(secret);
}

// ---------------------------------------------------------------------------
describe('connector logs', () => {
  test('one JSON line per request with tenant, function, outcome and timings', async () => {
    await connector()({ tenant: 'acme' }, lambdaContext());

    const lines = logs.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO', message: 'connector request', tenant: 'acme', functionArn: ECHO_A, outcome: 'OK',
      timings: { totalMs: expect.any(Number), assumeRoleMs: expect.any(Number), invokeMs: expect.any(Number), credentialsCached: false },
    });
  });

  test('a successful call logs no credentials and no external ID', async () => {
    await connector()({ tenant: 'acme' }, lambdaContext());

    expectNoSecrets(logs.text(), [...issuedSecrets, EXTERNAL_ID_ACME, MASTER_SECRET]);
  });

  test('a refused AssumeRole is logged with its code and AWS request ID, and no external ID', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));

    await connector()({ tenant: 'mallory' }, lambdaContext());

    const lines = logs.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'WARN', tenant: 'mallory', functionArn: ECHO_A, outcome: 'AssumeRoleRefused', awsCause: { errorCode: 'AccessDenied', awsRequestId: 'sts-req-1' } });
    expect(logs.text()).not.toContain(EXTERNAL_ID_MALLORY);
  });

  test('an Internal error is logged with its cause, and still no credentials', async () => {
    lambda.on(InvokeCommand).rejects(new TypeError('boom'));

    await connector()({ tenant: 'acme' }, lambdaContext());

    const lines = logs.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'ERROR', outcome: 'Internal', cause: expect.objectContaining({ message: 'boom' }) });
    expectNoSecrets(logs.text(), [...issuedSecrets, EXTERNAL_ID_ACME]);
  });

  test('fields named for secrets are blanked even if a caller passes them', () => {
    logs.logger.info('careless', { credentials: { accessKeyId: 'AKIAOOPS' }, nested: { externalId: 'sc-oops', SessionToken: 'tok-oops' }, tenant: 'acme' });

    const [line] = logs.lines();
    expect(line).toMatchObject({ credentials: REDACTED, nested: { externalId: REDACTED, SessionToken: REDACTED }, tenant: 'acme' });
    expectNoSecrets(logs.text(), ['AKIAOOPS', 'sc-oops', 'tok-oops']);
  });
});

// ---------------------------------------------------------------------------
describe('vend logs', () => {
  test('a vend logs who got which functions until when, never the credentials it returns', async () => {
    const handler = withCallerProof(createVendHandler({ registry: testTenants(), callers: testCallerDeps(), rolePrefix: PREFIX, sts: new STSClient({ region: REGION }), logger: logs.logger, defaultDurationSeconds: 900 }));

    const result = await handler({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(result.ok).toBe(true);
    const [line] = logs.lines();
    expect(line).toMatchObject({ message: 'vend request', tenant: 'acme', functionArns: [ECHO_A], outcome: 'OK', expiresAt: expect.any(String) });
    expectNoSecrets(logs.text(), [...issuedSecrets, EXTERNAL_ID_ACME]);
  });
});

const MASTER_SECRET = 'test-master-secret-do-not-log';
