/**
 * The connector's EMF metrics (lambda/shared/metrics.ts), read back from stdout where Powertools
 * writes them: the metric names and values per request, the dimensions (service; ErrorCode on
 * refusals only; never the tenant) and the tenant as metadata.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import { ScopedSessionCache } from '../../../lambda/connector/scoped-clients';
import { createConnectorMetrics, METRICS_NAMESPACE } from '../../../lambda/shared/metrics';
import { MASTER_CREDENTIALS, PREFIX, REGION, assumeRoleOutput, capturedLogs, invokeOutput, lambdaContext, quietLogger, stsError, testTenants } from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);

interface EmfLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

let out: ReturnType<typeof capturedLogs>;

beforeEach(() => {
  sts.reset();
  lambda.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput());
  lambda.on(InvokeCommand).resolves(invokeOutput({ ok: 1 }));
  out = capturedLogs();
});

afterEach(() => out.restore());

function connector() {
  const metrics = createConnectorMetrics('sidecar-connector', {});
  const clients = new ScopedSessionCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 10, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS, metrics });
  const handler = createConnectorHandler({ registry: testTenants(), rolePrefix: PREFIX, clients, logger: quietLogger(), metrics });
  return (event: unknown) => handler(event, lambdaContext());
}

/** The EMF lines written so far. */
function emf(): EmfLine[] {
  return out.lines().filter((l) => '_aws' in l) as unknown as EmfLine[];
}

function names(line: EmfLine): string[] {
  return line._aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name).sort();
}

// ---------------------------------------------------------------------------
describe('EMF metrics', () => {
  test('a first call writes one line: a cache miss, one AssumeRole with its latency, the invoke latency', async () => {
    await connector()({ tenant: 'acme' });

    const lines = emf();
    expect(lines).toHaveLength(1);
    expect(names(lines[0])).toEqual(['AssumeRoleCalls', 'AssumeRoleLatency', 'CacheMiss', 'InvokeLatency']);
    expect(lines[0]).toMatchObject({ AssumeRoleCalls: 1, CacheMiss: 1, AssumeRoleLatency: expect.any(Number), InvokeLatency: expect.any(Number), service: 'sidecar-connector', tenant: 'acme' });
    expect(lines[0]._aws.CloudWatchMetrics[0].Namespace).toBe(METRICS_NAMESPACE);
  });

  test('a warm call writes a cache hit and no AssumeRole', async () => {
    const call = connector();
    await call({ tenant: 'acme' });

    await call({ tenant: 'acme' });

    const second = emf()[1];
    expect(names(second)).toEqual(['CacheHit', 'InvokeLatency']);
    expect(second).toMatchObject({ CacheHit: 1 });
  });

  test('the tenant is metadata, never a dimension', async () => {
    await connector()({ tenant: 'acme' });

    const [line] = emf();
    expect(line._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
    expect(line.tenant).toBe('acme');
  });

  test('a refusal writes Refusals=1 with its ErrorCode as the one extra dimension', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));

    await connector()({ tenant: 'mallory' });

    const refusal = emf().find((l) => names(l).includes('Refusals'));
    expect(refusal).toMatchObject({ Refusals: 1, ErrorCode: 'AssumeRoleRefused', tenant: 'mallory' });
    expect(refusal?._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'ErrorCode']]);
    const calls = emf().find((l) => names(l).includes('AssumeRoleCalls'));
    expect(calls).toMatchObject({ AssumeRoleCalls: 1 });
  });

  test('a refusal answered from the refusal cache makes no AssumeRole metric', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));
    const call = connector();
    await call({ tenant: 'mallory' });
    const before = emf().length;

    await call({ tenant: 'mallory' });

    const added = emf().slice(before);
    expect(added.flatMap(names)).not.toContain('AssumeRoleCalls');
    expect(added.find((l) => names(l).includes('Refusals'))).toMatchObject({ Refusals: 1, ErrorCode: 'AssumeRoleRefused' });
  });

  test('a tenant ID that is not well-formed never reaches the metadata', async () => {
    await connector()({ tenant: 'not a tenant!' });

    const [line] = emf();
    expect(line).toMatchObject({ Refusals: 1 });
    expect(line).not.toHaveProperty('tenant');
  });

  test('a malformed event is counted by code, without a tenant it did not validly name', async () => {
    await connector()({ tenant: 42 });

    const [line] = emf();
    expect(line).toMatchObject({ Refusals: 1, ErrorCode: 'InvalidRequest' });
    expect(line).not.toHaveProperty('tenant');
  });
});
