/**
 * The connector's requests to AWS and its answer, against mocked SDK clients.
 * The connector's one STS client is @aws-sdk/client-sts's (lambda/connector/scoped-clients.ts).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ROLE_SESSION_NAME_PATTERN, functionArn } from '../../../rules/naming';
import { buildTenantRegistry } from '../../../rules/tenant-registry';
import { InMemoryRegistry } from '../../../lambda/shared/registry-reader';
import { scopedInvokeSessionPolicy } from '../../../rules/policies';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import type { ConnectorDeps } from '../../../lambda/connector/types';
import { ScopedClientCache } from '../../../lambda/connector/scoped-clients';
import {
  ACCOUNT_A, ECHO_A, EXTERNAL_ID_ACME, MASTER_CREDENTIALS, ORDERS_B, OTHER_A, PREFIX, PRIVATE_A, REGION, ROLE_A,
  assumeRoleOutput, invokeOutput, lambdaContext, quietLogger, testTenants,
} from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);

function connectorDeps(overrides: Partial<ConnectorDeps> = {}): ConnectorDeps {
  return {
    registry: testTenants(),
    rolePrefix: PREFIX,
    clients: new ScopedClientCache({ stsRegion: REGION, durationSeconds: 1800, maxEntries: 100, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS }),
    logger: quietLogger(),
    ...overrides,
  };
}

beforeEach(() => {
  sts.reset();
  lambda.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput());
  lambda.on(InvokeCommand).resolves(invokeOutput({ hello: 'from the function' }));
});

function assumeRoleInput(call = 0) {
  return sts.commandCalls(AssumeRoleCommand)[call].args[0].input;
}

function invokeInput(call = 0) {
  return lambda.commandCalls(InvokeCommand)[call].args[0].input;
}

// ---------------------------------------------------------------------------
describe('AssumeRole request', () => {
  test('sends the tenant\'s role ARN and its external ID', async () => {
    // Prepare
    const handler = createConnectorHandler(connectorDeps());

    // Act
    await handler({ tenant: 'acme' }, lambdaContext());

    // Assess
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(assumeRoleInput()).toMatchObject({ RoleArn: ROLE_A, ExternalId: EXTERNAL_ID_ACME });
  });

  test('names the session after the tenant, within STS\'s RoleSessionName rule', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'acme' }, lambdaContext());

    const name = assumeRoleInput().RoleSessionName ?? '';
    expect(name).toBe('sidecar-connector-acme');
    expect(name).toMatch(ROLE_SESSION_NAME_PATTERN);
  });

  test('asks for the configured duration', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'acme' }, lambdaContext());

    expect(assumeRoleInput().DurationSeconds).toBe(1800);
  });

  test('scopes the session policy to the one target function', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'acme', function: OTHER_A }, lambdaContext());

    expect(JSON.parse(assumeRoleInput().Policy ?? 'null')).toEqual(scopedInvokeSessionPolicy([OTHER_A]));
  });

  test('calls STS in the Lambda\'s own region', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'globex' }, lambdaContext());

    const client = sts.call(0).thisValue as STSClient;
    expect(await client.config.region()).toBe(REGION);
  });
});

// ---------------------------------------------------------------------------
describe('Invoke request', () => {
  test('invokes the target function by ARN with the payload as JSON', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'acme', function: ECHO_A, payload: { order: 42 } }, lambdaContext());

    const input = invokeInput();
    expect(input.FunctionName).toBe(ECHO_A);
    expect(input.InvocationType).toBe('RequestResponse');
    expect(JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'))).toEqual({ order: 42 });
  });

  test('a dryRun request assumes the same scoped role, then invokes with DryRun and no payload', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 204 });
    const handler = createConnectorHandler(connectorDeps());

    // Act
    const answer = await handler({ tenant: 'acme', dryRun: true, payload: { order: 42 } }, lambdaContext());

    // Assess: the permission is checked, the customer's code is not run, and the answer says so.
    expect(JSON.parse(assumeRoleInput().Policy ?? 'null')).toEqual(scopedInvokeSessionPolicy([ECHO_A]));
    expect(invokeInput()).toMatchObject({ FunctionName: ECHO_A, InvocationType: 'DryRun', Payload: undefined });
    expect(answer).toMatchObject({ ok: true, dryRun: true, statusCode: 204, payload: null });
  });

  test('a dryRun request assumes afresh even when the tenant has cached credentials, and leaves the cache alone', async () => {
    // Prepare: a normal call caches the tenant's session.
    lambda.on(InvokeCommand).resolves({ StatusCode: 204 });
    const deps = connectorDeps();
    const handler = createConnectorHandler(deps);
    await handler({ tenant: 'acme' }, lambdaContext());
    const entriesBefore = deps.clients.stats().entries;

    // Act
    await handler({ tenant: 'acme', dryRun: true }, lambdaContext());
    await handler({ tenant: 'acme', dryRun: true }, lambdaContext());

    // Assess: each test of the connection asked STS again; the cached session was not replaced.
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 3);
    expect(deps.clients.stats().entries).toBe(entriesBefore);
  });

  test('a request without dryRun is not a dry run', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const answer = await handler({ tenant: 'acme' }, lambdaContext());

    expect(answer).toMatchObject({ ok: true, dryRun: false });
  });

  test('dryRun must be a boolean', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const answer = await handler({ tenant: 'acme', dryRun: 'yes' }, lambdaContext());

    expect(answer).toEqual({ ok: false, error: expect.objectContaining({ code: 'InvalidRequest', message: expect.stringContaining('dryRun') }) });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('stamps the client context with the tenant, so the function sees who called', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'acme' }, lambdaContext());

    const decoded = JSON.parse(Buffer.from(invokeInput().ClientContext ?? '', 'base64').toString('utf8'));
    expect(decoded).toEqual({ custom: { sidecarTenant: 'acme', sidecar: 'connector' } });
  });

  test('calls Lambda in the region of the function\'s ARN', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'globex' }, lambdaContext());

    const client = lambda.call(0).thisValue as LambdaClient;
    expect(await client.config.region()).toBe('eu-west-1');
  });

  test('defaults to the tenant\'s first function', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'acme' }, lambdaContext());

    expect(invokeInput().FunctionName).toBe(ECHO_A);
  });

  test('accepts a bare function name from the tenant\'s list', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'acme', function: 'sidecar-other' }, lambdaContext());

    expect(invokeInput().FunctionName).toBe(OTHER_A);
  });

  test('sends an empty object when the request has no payload', async () => {
    const handler = createConnectorHandler(connectorDeps());

    await handler({ tenant: 'acme' }, lambdaContext());

    expect(Buffer.from(invokeInput().Payload as Uint8Array).toString('utf8')).toBe('{}');
  });
});

// ---------------------------------------------------------------------------
describe('the answer', () => {
  test('carries the function\'s parsed payload, status, version, tenant and function ARN', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'globex', payload: 1 }, lambdaContext());

    expect(result).toMatchObject({ ok: true, tenant: 'globex', functionArn: ORDERS_B, statusCode: 200, executedVersion: '$LATEST', payload: { hello: 'from the function' } });
  });

  test('carries timings of each phase', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    if (!result.ok) throw new Error(`expected success, got ${result.error.code}`);
    expect(result.timings).toEqual({ totalMs: expect.any(Number), assumeRoleMs: expect.any(Number), invokeMs: expect.any(Number), credentialsCached: false, sessionRefreshed: false, externalIdUsed: 'current' });
    expect(result.timings.totalMs).toBeGreaterThanOrEqual(result.timings.assumeRoleMs + result.timings.invokeMs);
  });

  test('passes a response that is not JSON through as text', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from('plain words') as unknown as Uint8Array } as never);
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: true, payload: 'plain words' });
  });
});

// ---------------------------------------------------------------------------
describe('refused before any AWS call', () => {
  test('an unknown tenant', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'no-such-tenant' }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'UnknownTenant', message: expect.stringContaining('no-such-tenant') } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('a tenant named like an Object property ("constructor") is unknown', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'constructor' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'UnknownTenant' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a function outside the tenant\'s list (by ARN)', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'acme', function: PRIVATE_A }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'FunctionNotAllowed' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('a function outside the tenant\'s list (by name)', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'acme', function: 'sidecar-private' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'FunctionNotAllowed' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('another tenant\'s function', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'acme', function: ORDERS_B }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'FunctionNotAllowed' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a qualified ARN (an alias or version) of an allowed function', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'acme', function: `${ECHO_A}:prod` }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'FunctionNotAllowed' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a registry entry whose role is outside the agreed prefix', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'rogue' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'RoleNotAllowed', message: expect.stringContaining(PREFIX) } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('an honest tenant when the prefix in force (SIDECAR_ROLE_PREFIX) is another', async () => {
    const handler = createConnectorHandler(connectorDeps({ rolePrefix: 'another_prefix' }));

    const result = await handler({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'RoleNotAllowed' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });
});

// ---------------------------------------------------------------------------
describe('request validation', () => {
  test.each([
    ['an unknown field', { tenant: 'acme', fucntion: ECHO_A }, 'fucntion'],
    ['a missing tenant', { payload: {} }, 'tenant'],
    ['an empty tenant', { tenant: '' }, 'tenant'],
    ['a tenant over 64 characters', { tenant: 'a'.repeat(65) }, 'tenant'],
    ['a function that is not a string', { tenant: 'acme', function: 7 }, 'function'],
    ['a function reference over 170 characters', { tenant: 'acme', function: 'f'.repeat(171) }, 'function'],
  ])('%s is refused, naming the field', async (_what, event, field) => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler(event, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining(`${field}:`) } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a bare name that matches functions in two regions is refused: pass the ARN', async () => {
    const westEcho = functionArn('eu-west-1', ACCOUNT_A, 'sidecar-echo');
    const registry = buildTenantRegistry({ rolePrefix: PREFIX, tenants: [{ id: 'spread', roleArn: ROLE_A, externalId: EXTERNAL_ID_ACME, functions: [ECHO_A, westEcho] }] });
    const handler = createConnectorHandler(connectorDeps({ registry: new InMemoryRegistry(registry) }));

    const result = await handler({ tenant: 'spread', function: 'sidecar-echo' }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining('function: function name "sidecar-echo" matches 2') } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a missing tenant is reported as required', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({}, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'InvalidRequest', message: 'Invalid request: tenant: is required' } });
  });

  test('an event that is not an object is refused', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler('acme', lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining('JSON object') } });
  });

  test('a tenant of exactly 64 characters passes validation (and is then unknown)', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'a'.repeat(64) }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'UnknownTenant' } });
  });

  test('a payload over 6 MB as JSON is refused before any AWS call', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'acme', payload: 'x'.repeat(6 * 1024 * 1024) }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'PayloadTooLarge', message: expect.stringContaining('payload') } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a payload just under 6 MB as JSON is sent', async () => {
    const handler = createConnectorHandler(connectorDeps());

    const result = await handler({ tenant: 'acme', payload: 'x'.repeat(6 * 1024 * 1024 - 2) }, lambdaContext());

    expect(result.ok).toBe(true);
  });
});
