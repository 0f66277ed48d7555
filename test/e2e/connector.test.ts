/**
 * E2E: the connector Lambda, called as the vendor's platform calls it.
 *  1. Each honest tenant's call reaches its own customer's function (the echo shows account and function).
 *  2. The confused-deputy tenant (customer A's role ARN with its own external ID) is refused by STS,
 *     and the connector answers AssumeRoleRefused.
 *  - A tenant not in the registry, and a function outside a tenant's list, are refused before AWS.
 *  - The connector only ever sends its tenant's own external ID: the honest tenants of both
 *    customers work in the same warm sandbox, one after the other.
 */
import { callConnector, loadWorld, tenantOf } from '../support/e2e/world';
import { parseFunctionArn } from '../../rules/naming';

const world = loadWorld();

describe('honest tenants reach their own function', () => {
  test.each(world.config.customers.map((c) => [c.name]))('tenant of %s', async (customerName) => {
    // Prepare
    const tenant = tenantOf(world, customerName);
    const expectedArn = Object.values(world.outputs.customers[customerName].function_arns)[0];

    // Act
    const result = await callConnector(world, { tenant: tenant.id, payload: { order: 42, from: tenant.id } });

    // Assess
    expect(result).toMatchObject({ ok: true, tenant: tenant.id, functionArn: expectedArn });
    if (!result.ok) return;
    expect(result.payload.account).toBe(world.outputs.customers[customerName].account_id);
    expect(result.payload.functionName).toBe(parseFunctionArn(expectedArn)?.functionName);
    expect(result.payload.echo).toEqual({ order: 42, from: tenant.id });
    expect(result.payload.caller.clientContext?.custom?.sidecarTenant).toBe(tenant.id);
  });
});

describe('the confused deputy is refused', () => {
  test('a tenant naming customer A\'s role with its own external ID gets AssumeRoleRefused', async () => {
    // Prepare: the registry entry that points at another customer's role, found by its shape, not by name.
    const customerA = world.config.customers[0];
    const honest = tenantOf(world, customerA.name);
    const attacker = world.config.tenants.find((t) => t.roleArn === honest.roleArn && t.externalId !== honest.externalId);
    if (!attacker) throw new Error('config has no confused-deputy tenant (a tenant naming customer A\'s role with another external ID)');

    // Act
    const result = await callConnector(world, { tenant: attacker.id, payload: { steal: true } });

    // Assess
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'AssumeRoleRefused' }) });
  });

  test('the honest tenant of the same role still works right after the attempt', async () => {
    const honest = tenantOf(world, world.config.customers[0].name);
    const result = await callConnector(world, { tenant: honest.id });
    expect(result.ok).toBe(true);
  });
});

describe('refused before any AWS call', () => {
  test('an unknown tenant', async () => {
    const result = await callConnector(world, { tenant: 'no-such-tenant' });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'UnknownTenant' }) });
  });

  test('a function outside the tenant\'s list (the customer\'s private function)', async () => {
    const customer = world.config.customers[0];
    const tenant = tenantOf(world, customer.name);
    const result = await callConnector(world, { tenant: tenant.id, function: world.outputs.customers[customer.name].private_function_arn });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'FunctionNotAllowed' }) });
  });
});

describe('dry runs are rate-limited per tenant, as the config says (vendor.dryRunLimit)', () => {
  test('back-to-back dry runs of one tenant: the burst passes, then DryRunRateLimited naming when to retry; and again once it refills', async () => {
    const limit = world.config.vendor.dryRunLimit;
    const tenant = tenantOf(world, world.config.customers[world.config.customers.length - 1].name);
    // Sequential calls land on the function's first idle sandbox (each sandbox keeps its own
    // buckets). At most this many calls, so that a slow machine's refills cannot pass forever.
    const bound = limit.burst * 10;
    let limited: Awaited<ReturnType<typeof callConnector>> | undefined;
    let passed = 0;
    for (let i = 0; i < bound && !limited; i++) {
      const answer = await callConnector(world, { tenant: tenant.id, dryRun: true });
      if (answer.ok) passed++;
      else limited = answer;
    }
    expect(passed).toBeGreaterThanOrEqual(limit.burst);
    expect(limited).toMatchObject({ ok: false, error: { code: 'DryRunRateLimited', retryAfterSeconds: expect.any(Number) } });
    const retryAfter = (limited as unknown as { error: { retryAfterSeconds: number } }).error.retryAfterSeconds;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(limit.refillSeconds);

    // The nearest allow path: after the retry-after, the same dry run passes.
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 200));
    expect(await callConnector(world, { tenant: tenant.id, dryRun: true })).toMatchObject({ ok: true });
  });
});
