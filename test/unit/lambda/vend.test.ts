/**
 * The vend Lambda: scoped-down temporary credentials for the intersection of what is asked and
 * what the registry allows; anything outside is refused before STS is called.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ROLE_SESSION_NAME_PATTERN, functionArn } from '../../../rules/naming';
import { buildTenantRegistry } from '../../../rules/tenant-registry';
import { InMemoryRegistry } from '../../../lambda/shared/registry-reader';
import { scopedInvokeSessionPolicy } from '../../../rules/policies';
import { createVendHandler, type VendDeps } from '../../../lambda/vend/vend';
import {
  ACCOUNT_A, ECHO_A, EXTERNAL_ID_ACME, ORDERS_B, OTHER_A, PREFIX, PRIVATE_A, REGION, ROLE_A, assumeRoleOutput, lambdaContext, quietLogger, stsError, PLATFORM_ROLE, TEST_VEND_CALLERS, testTenants, testCallerDeps, withCallerProof,
} from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);

function vendHandler(overrides: Partial<VendDeps> = {}) {
  return withCallerProof(createVendHandler({ registry: testTenants(), callers: testCallerDeps(), rolePrefix: PREFIX, sts: new STSClient({ region: REGION }), logger: quietLogger(), defaultDurationSeconds: 900, ...overrides }));
}

function assumeRoleInput(call = 0) {
  return sts.commandCalls(AssumeRoleCommand)[call].args[0].input;
}

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput(15 * 60 * 1000));
});

// ---------------------------------------------------------------------------
describe('vending', () => {
  test('returns the credentials with their expiry as ISO 8601, the functions and their region', async () => {
    const result = await vendHandler()({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(result).toEqual({
      ok: true,
      tenant: 'acme',
      functionArns: [ECHO_A],
      region: REGION,
      caller: PLATFORM_ROLE,
      credentials: { accessKeyId: expect.stringMatching(/^ASIA/), secretAccessKey: expect.any(String), sessionToken: expect.any(String), expiration: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
      externalIdUsed: 'current',
    });
  });

  test('assumes the tenant\'s role with its external ID and a vend session name', async () => {
    await vendHandler()({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    const input = assumeRoleInput();
    expect(input).toMatchObject({ RoleArn: ROLE_A, ExternalId: EXTERNAL_ID_ACME, RoleSessionName: 'sidecar-vend-acme' });
    expect(input.RoleSessionName).toMatch(ROLE_SESSION_NAME_PATTERN);
  });

  test('narrows the session policy to what is asked, not all the tenant may reach', async () => {
    await vendHandler()({ tenant: 'acme', functions: [OTHER_A] }, lambdaContext());

    expect(JSON.parse(assumeRoleInput().Policy ?? 'null')).toEqual(scopedInvokeSessionPolicy([OTHER_A]));
  });

  test('takes names and ARNs alike, and lists each function once', async () => {
    const result = await vendHandler()({ tenant: 'acme', functions: ['sidecar-echo', ECHO_A, OTHER_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: true, functionArns: [ECHO_A, OTHER_A] });
    expect(JSON.parse(assumeRoleInput().Policy ?? 'null')).toEqual(scopedInvokeSessionPolicy([ECHO_A, OTHER_A]));
  });

  test('asks for the requested duration', async () => {
    await vendHandler()({ tenant: 'acme', functions: [ECHO_A], durationSeconds: 3600 }, lambdaContext());

    expect(assumeRoleInput().DurationSeconds).toBe(3600);
  });

  test('asks for the default duration when none is requested', async () => {
    await vendHandler({ defaultDurationSeconds: 1200 })({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(assumeRoleInput().DurationSeconds).toBe(1200);
  });

  test('each vend is a fresh session: nothing is cached', async () => {
    const handler = vendHandler();

    const first = await handler({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());
    const second = await handler({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    if (!first.ok || !second.ok) throw new Error('expected two vends');
    expect(first.credentials.accessKeyId).not.toBe(second.credentials.accessKeyId);
  });
});

// ---------------------------------------------------------------------------
describe('refused before STS', () => {
  test('a function outside the tenant\'s allowance, even beside allowed ones', async () => {
    const result = await vendHandler()({ tenant: 'acme', functions: [ECHO_A, PRIVATE_A] }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'FunctionNotAllowed', message: expect.stringContaining(PRIVATE_A) } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('the refusal names every function refused, not only the first', async () => {
    const result = await vendHandler()({ tenant: 'acme', functions: [PRIVATE_A, ORDERS_B] }, lambdaContext());

    if (result.ok) throw new Error('expected a refusal');
    expect(result.error.message).toContain(PRIVATE_A);
    expect(result.error.message).toContain(ORDERS_B);
  });

  test('an unknown tenant', async () => {
    const registry = testTenants({ callers: [{ principalArn: PLATFORM_ROLE, tenantIds: ['nobody'] }] });
    const result = await vendHandler({ registry })({ tenant: 'nobody', functions: [ECHO_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'UnknownTenant' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a registry entry whose role is outside the prefix', async () => {
    const result = await vendHandler()({ tenant: 'rogue', functions: [ECHO_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'RoleNotAllowed' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test.each([
    ['no functions', { tenant: 'acme', functions: [] }, 'functions'],
    ['eleven functions', { tenant: 'acme', functions: Array.from({ length: 11 }, () => ECHO_A) }, 'functions'],
    ['a function that is not a string', { tenant: 'acme', functions: [1] }, 'functions[0]'],
    ['a duration over one hour', { tenant: 'acme', functions: [ECHO_A], durationSeconds: 3601 }, 'durationSeconds'],
    ['a duration under 15 minutes', { tenant: 'acme', functions: [ECHO_A], durationSeconds: 899 }, 'durationSeconds'],
    ['a fractional duration', { tenant: 'acme', functions: [ECHO_A], durationSeconds: 900.5 }, 'durationSeconds'],
    ['an unknown field', { tenant: 'acme', functions: [ECHO_A], policy: '*' }, 'policy'],
  ])('%s is refused, naming the field', async (_what, event, field) => {
    const result = await vendHandler()(event, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining(`${field}:`) } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('functions in two regions are refused: one vend, one region', async () => {
    const westEcho = functionArn('eu-west-1', ACCOUNT_A, 'sidecar-echo-west');
    const registry = buildTenantRegistry({ rolePrefix: PREFIX, tenants: [{ id: 'spread', roleArn: ROLE_A, externalId: EXTERNAL_ID_ACME, functions: [ECHO_A, westEcho] }] });

    const result = await vendHandler({ registry: new InMemoryRegistry(registry, TEST_VEND_CALLERS) })({ tenant: 'spread', functions: [ECHO_A, westEcho] }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: expect.stringContaining('functions: the functions are in several regions') } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('ten functions, the most allowed, pass validation', async () => {
    const result = await vendHandler()({ tenant: 'acme', functions: Array.from({ length: 10 }, () => ECHO_A) }, lambdaContext());

    expect(result.ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------
describe('STS answers', () => {
  test('AccessDenied becomes AssumeRoleRefused', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));

    const result = await vendHandler()({ tenant: 'mallory', functions: [ECHO_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
  });

  test('Throttling becomes Throttled', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 400));

    const result = await vendHandler()({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Throttled' } });
  });

  test('an answer without complete credentials becomes Internal', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAONLYKEY', SecretAccessKey: undefined as never, SessionToken: 't', Expiration: new Date() } });

    const result = await vendHandler()({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Internal', message: expect.stringContaining('without complete credentials') } });
  });
});

// ---------------------------------------------------------------------------
describe('a rotation in progress: the same fallback as the connector', () => {
  const PREVIOUS_ID = 'sc-test-acme-previous-77';
  function rotating(): InMemoryRegistry {
    const base = buildTenantRegistry({ rolePrefix: PREFIX, tenants: [{ id: 'acme', roleArn: ROLE_A, externalId: EXTERNAL_ID_ACME, functions: [ECHO_A] }] });
    return new InMemoryRegistry({ ...base, tenants: { acme: { ...base.tenants.acme, previousExternalId: PREVIOUS_ID } } }, TEST_VEND_CALLERS);
  }
  const sent = () => sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.ExternalId);

  test('the current ID works: only it is sent', async () => {
    sts.on(AssumeRoleCommand).resolves(assumeRoleOutput());

    const result = await vendHandler({ registry: rotating() })({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: true, externalIdUsed: 'current' });
    expect(sent()).toEqual([EXTERNAL_ID_ACME]);
  });

  test('AccessDenied on the current ID: the previous one once, same role and SourceIdentity; the answer says which, never the ID', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(stsError('AccessDenied')).resolves(assumeRoleOutput());

    const result = await vendHandler({ registry: rotating() })({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: true, externalIdUsed: 'previous' });
    expect(sent()).toEqual([EXTERNAL_ID_ACME, PREVIOUS_ID]);
    for (const call of sts.commandCalls(AssumeRoleCommand)) expect(call.args[0].input).toMatchObject({ RoleArn: ROLE_A, SourceIdentity: 'acme' });
    expect(JSON.stringify(result)).not.toContain(PREVIOUS_ID);
  });

  test('both refused: AssumeRoleRefused; Throttling on the current ID does not fall back', async () => {
    sts.on(AssumeRoleCommand).rejects(stsError('AccessDenied'));
    expect(await vendHandler({ registry: rotating() })({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext())).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
    expect(sent()).toEqual([EXTERNAL_ID_ACME, PREVIOUS_ID]);

    sts.reset();
    sts.on(AssumeRoleCommand).rejects(stsError('Throttling', 400));
    expect(await vendHandler({ registry: rotating() })({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext())).toMatchObject({ ok: false, error: { code: 'Throttled' } });
    expect(sent()).toEqual([EXTERNAL_ID_ACME]);
  });
});
