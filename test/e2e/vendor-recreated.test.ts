/**
 * E2E: the customers' trusts survive the vendor re-creating its execution roles.
 * `cdktf destroy vendor` then `cdktf deploy vendor`, with the real cdktf and Terraform, as the
 * vendor's platform team would run them; the customer stacks are not touched.
 *  - The re-created roles are new roles (new unique IDs), yet every honest tenant's call through the
 *    connector reaches its own customer's function, and vend still vends; each customer's trust
 *    still reads as written (the vendor account, the roles by aws:PrincipalArn, no bare unique ID).
 *  - Still refused afterwards: another principal of the vendor account where the trust names the
 *    vendor's roles, the new connector role with a wrong external ID, the confused-deputy tenant.
 *  - The nearest neighbour, the old shape (the role ARN as Principal): customer A's trust is
 *    rewritten to it, works while the roles live, and after one more re-creation refuses the
 *    connector, showing a bare AROA... ID. verify recognises it, as the vendor (tenant mode) and as
 *    the customer (customer mode), and its advice, redeploying customer A's stack, repairs it.
 * Local target only: it destroys and redeploys stacks.
 */
import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { roleArn } from '../../rules/naming';
import { verifyCustomer } from '../../scripts/verify/customer-check';
import { verifyTenant } from '../../scripts/verify/diagnose';
import { accountOperator, connectorRoleCredentials, outcome } from '../support/e2e/principals';
import { untilPropagated, untilServed, untilVerdict } from '../support/e2e/propagation';
import { notOwnStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { destroyVendor, redeploy } from '../support/e2e/stacks';
import { callConnector, callVend, loadWorld, tenantIdsOf, tenantOf, type ConnectorSuccess } from '../support/e2e/world';

const world = loadWorld();
const owns = world.ownsStacks;
const REASON = notOwnStacks('destroys and redeploys the vendor stack');
/** Two Terraform runs (destroy, deploy; each with a synth) on a loaded 2-core machine. */
const RECREATE_TIMEOUT_MS = 600_000;
/** Cold connector and vend sandboxes after the re-creation, STS and Lambda round trips. */
const CALL_TIMEOUT_MS = 120_000;

const vendor = world.config.vendor;
const executionRoles = [vendor.connectorRoleName, vendor.vendRoleName];
const vendorIam = world.iam(world.adminCredentials('vendor'));
const [customerA] = world.config.customers;
const customerAIam = world.iam(world.adminCredentials(customerA.name));
const roleNameA = world.outputs.customers[customerA.name].role_name;
const verifyOptions = { endpoint: world.endpoint };

const roleIds = async () => Promise.all(executionRoles.map(async (RoleName) => (await vendorIam.send(new GetRoleCommand({ RoleName }))).Role!.RoleId!));
const trustOf = async (customerName: string) => {
  const iam = world.iam(world.adminCredentials(customerName));
  return JSON.parse(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: world.outputs.customers[customerName].role_name }))).Role!.AssumeRolePolicyDocument!));
};

/** Each configured customer's honest tenant, through the deployed connector: its own function answers. */
async function expectEveryCustomerServed(): Promise<void> {
  for (const customer of world.config.customers) {
    const tenant = tenantOf(world, customer.name);
    // Re-created roles reach STS and Lambda only once IAM has propagated them.
    const answer = await untilServed(`the connector serving ${tenant.id}`, () => callConnector(world, { tenant: tenant.id, payload: { from: 'vendor-recreated.test' } }));
    expect(answer).toMatchObject({ ok: true, tenant: tenant.id });
    expect((answer as ConnectorSuccess).payload.account).toBe(customer.accountId);
  }
}

describe('the vendor stack destroyed and deployed again', () => {
  let before: string[];

  itWhen(owns, REASON)('cdktf destroy vendor, then cdktf deploy vendor: new execution roles under the same names', async () => {
    await expectEveryCustomerServed(); // the starting point
    before = await roleIds();
    await destroyVendor(world);
    await redeploy(world, { vendor: true, customers: [] }, 'vendor-recreated');
    const after = await roleIds();
    for (const [i, id] of after.entries()) expect(id).not.toBe(before[i]);
  }, RECREATE_TIMEOUT_MS);

  itWhen(owns, REASON)('every customer is still served through the connector', async () => {
    await expectEveryCustomerServed();
  }, CALL_TIMEOUT_MS);

  itWhen(owns, REASON)('vend still vends for an honest tenant', async () => {
    const acme = tenantOf(world, customerA.name);
    const fn = world.config.tenants.find((t) => t.id === acme.id)!.functions[0];
    expect(await untilServed(`vend for ${acme.id}`, () => callVend(world, { tenant: acme.id, functions: [fn] }))).toMatchObject({ ok: true, tenant: acme.id });
  }, CALL_TIMEOUT_MS);

  itWhen(owns, REASON)('every customer\'s trust still reads as written: the vendor account, the roles by ARN in the condition, no bare unique ID', async () => {
    for (const customer of world.config.customers) {
      const [statement] = (await trustOf(customer.name)).Statement;
      expect(statement.Principal).toEqual({ AWS: `arn:aws:iam::${vendor.accountId}:root` });
      expect(JSON.stringify(statement)).not.toMatch(/AROA/);
      if (customer.trustPrincipal === 'role') {
        expect(statement.Condition.ArnEquals['aws:PrincipalArn']).toEqual(executionRoles.map((name) => roleArn(vendor.accountId, name)));
      }
    }
  }, CALL_TIMEOUT_MS);

  itWhen(owns, REASON)('another principal of the vendor account is refused where the trust names the vendor\'s roles, even with the external ID and the tenant', async () => {
    const op = await accountOperator(world, 'vendor', 'recreated-operator');
    try {
      for (const customer of world.config.customers) {
        const res = await outcome(() => world.sts(op.credentials).send(new AssumeRoleCommand({
          RoleArn: world.outputs.customers[customer.name].role_arn, RoleSessionName: 'sidecar-e2e-operator',
          ExternalId: customer.externalIds.current, SourceIdentity: tenantIdsOf(world, customer.name)[0],
        })));
        // account mode lets in any principal the vendor's own policies allow: documented as the weaker mode.
        expect(res).toBe(customer.trustPrincipal === 'role' ? 'AccessDenied' : 'allowed');
      }
    } finally {
      await op.dispose();
    }
  }, CALL_TIMEOUT_MS);

  itWhen(owns, REASON)('the new connector role is refused with a wrong external ID, and accepted with the right one (the nearest neighbour)', async () => {
    const connector = await connectorRoleCredentials(world);
    for (const customer of world.config.customers) {
      const assume = (externalId: string) => outcome(() => world.sts(connector).send(new AssumeRoleCommand({
        RoleArn: world.outputs.customers[customer.name].role_arn, RoleSessionName: 'sidecar-e2e-recreated', ExternalId: externalId, SourceIdentity: tenantIdsOf(world, customer.name)[0],
      })));
      expect(await assume(`${customer.externalIds.current}-wrong`)).toBe('AccessDenied');
      expect(await untilPropagated(`the new connector role assuming ${customer.name}'s role`, () => assume(customer.externalIds.current), (o) => o.ok && o.value === 'AccessDenied')).toBe('allowed');
    }
  }, CALL_TIMEOUT_MS);

  itWhen(owns, REASON)('verify: every tenant as before, the confused deputy still refused', async () => {
    for (const tenant of world.config.tenants) {
      const expected = tenant.id === 'mallory' ? 'confused-deputy' : 'ok';
      const d = await untilVerdict(`verify ${tenant.id}`, () => verifyTenant(world.config, tenant.id, verifyOptions), expected);
      expect(d.verdict).toBe(expected);
    }
  }, CALL_TIMEOUT_MS);
});

describe('the old trust shape (the role ARN as Principal), for contrast', () => {
  const connectorArn = roleArn(vendor.accountId, vendor.connectorRoleName);
  const acme = tenantOf(world, customerA.name);

  itWhen(owns && customerA.trustPrincipal === 'role', `${REASON}; customer A must trust the vendor's roles`)(
    'works while the vendor\'s roles live, is left naming a bare unique ID by their re-creation, and verify says so and how to repair it', async () => {
      const deployed = await trustOf(customerA.name);
      const oldShape = {
        ...deployed,
        Statement: deployed.Statement.map((s: Record<string, any>) => ({ ...s, Principal: { AWS: executionRoles.map((name) => roleArn(vendor.accountId, name)) }, Condition: { StringEquals: s.Condition.StringEquals } })),
      };
      await customerAIam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleNameA, PolicyDocument: JSON.stringify(oldShape) }));
      try {
        // While the roles live, the old shape works: the refusal below is the re-creation's doing.
        expect(await untilServed(`a dry run for ${acme.id} through the old shape`, () => callConnector(world, { tenant: acme.id, dryRun: true }))).toMatchObject({ ok: true });
        const [oldConnectorId] = await roleIds();

        await destroyVendor(world);
        await redeploy(world, { vendor: true, customers: [] }, 'vendor-recreated-again');

        const [statement] = (await trustOf(customerA.name)).Statement;
        expect(statement.Principal.AWS).toContain(oldConnectorId);
        expect(statement.Principal.AWS).not.toContain(connectorArn);
        expect(await callConnector(world, { tenant: acme.id, dryRun: true })).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });

        const asVendor = await untilVerdict(`verify ${acme.id}`, () => verifyTenant(world.config, acme.id, verifyOptions), 'trust-principal-orphaned');
        expect(asVendor.verdict).toBe('trust-principal-orphaned');
        expect(asVendor.summary).toContain(oldConnectorId);
        expect(asVendor.summary).toMatch(/deleted and re-created/);
        expect(asVendor.fix).toMatch(new RegExp(`Customer ${customerA.name}: redeploy your stack from the config`));

        const asCustomer = await verifyCustomer(world.config, customerA.name, verifyOptions);
        expect(asCustomer.verdict).toBe('trust-principal-orphaned');
        expect(asCustomer.fix).toMatch(/redeploy your stack from your config/);

        // The other customers (the project's shape) are served all along.
        for (const customer of world.config.customers.slice(1)) {
          const id = tenantOf(world, customer.name).id;
          expect((await untilVerdict(`verify ${id}`, () => verifyTenant(world.config, id, verifyOptions), 'ok')).verdict).toBe('ok');
        }
      } finally {
        // verify's advice, and what leaves the account as deployed for the other e2e files.
        await redeploy(world, { vendor: false, customers: [customerA.name] }, 'customer-a-repaired');
      }
      expect((await untilVerdict(`verify ${acme.id}`, () => verifyTenant(world.config, acme.id, verifyOptions), 'ok')).verdict).toBe('ok');
      expect((await verifyCustomer(world.config, customerA.name, verifyOptions)).verdict).toBe('ok');
      expect(await untilServed(`the connector serving ${acme.id}`, () => callConnector(world, { tenant: acme.id, payload: { from: 'vendor-recreated.test' } }))).toMatchObject({ ok: true, tenant: acme.id });
    }, RECREATE_TIMEOUT_MS);
});
