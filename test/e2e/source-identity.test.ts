/**
 * E2E: SourceIdentity, the second guard. The connector and vend set the tenant ID as the
 * SourceIdentity of every AssumeRole, and each customer's deployed trust requires it to be one of
 * that customer's tenants, independently of the external ID.
 *  - As the connector's execution role, on customer A's role, with A's external ID: the right tenant
 *    is accepted (and STS reports it as the session's SourceIdentity); another tenant's ID is
 *    refused; no SourceIdentity is refused. Each differs from the allowed call by that one thing.
 *  - The same for every configured customer, so both trust modes hold it.
 *  - Through the deployed Lambdas: the honest tenant's connector call and vended credentials work
 *    under a trust that refuses an AssumeRole without the tenant, so the Lambdas must be setting it.
 * Local only for acting as the connector's execution role (only lambda.amazonaws.com may on AWS).
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { connectorRoleCredentials, outcome } from '../support/e2e/principals';
import { itWhen } from '../support/e2e/skip';
import { callConnector, callVend, connectorRoleUnavailable, loadWorld, tenantIdsOf, tenantOf, type Credentials } from '../support/e2e/world';

const world = loadWorld();
/** Acting as the connector's execution role: the local target, through the cloud's test controls. */
const asConnector = world.target === 'local' && world.testControls;
const NEEDS_CONNECTOR_ROLE = connectorRoleUnavailable(world);
/** A cold connector sandbox and STS round trips on a loaded 2-core machine. */
const TIMEOUT_MS = 90_000;

describe.each(world.config.customers.map((c) => [c.name, c.trustPrincipal] as const))('%s (trust mode %s)', (customerName) => {
  const customer = world.config.customers.find((c) => c.name === customerName)!;
  const roleArn = world.outputs.customers[customerName].role_arn;
  const [ownTenant] = tenantIdsOf(world, customerName);
  const otherTenant = world.config.tenants.map((t) => t.id).find((id) => !tenantIdsOf(world, customerName).includes(id))!;
  let connector: Credentials;

  const assume = (sourceIdentity: string | undefined) => world.sts(connector).send(new AssumeRoleCommand({
    RoleArn: roleArn, RoleSessionName: 'sidecar-e2e-source-identity', ExternalId: customer.externalIds.current, SourceIdentity: sourceIdentity, DurationSeconds: 900,
  }));

  beforeAll(async () => {
    if (asConnector) connector = await connectorRoleCredentials(world);
  }, TIMEOUT_MS);

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('its own tenant as SourceIdentity, with its external ID: accepted, and the session carries it', async () => {
    const res = await assume(ownTenant);
    expect(res.SourceIdentity).toBe(ownTenant);
  }, TIMEOUT_MS);

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('another tenant\'s ID as SourceIdentity, with the right external ID: refused', async () => {
    expect(otherTenant).toBeDefined();
    expect(await outcome(() => assume(otherTenant))).toBe('AccessDenied');
  }, TIMEOUT_MS);

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('no SourceIdentity, with the right external ID: refused', async () => {
    expect(await outcome(() => assume(undefined))).toBe('AccessDenied');
  }, TIMEOUT_MS);
});

describe('the deployed Lambdas set the tenant as SourceIdentity', () => {
  const [customerA] = world.config.customers;
  const acme = tenantOf(world, customerA.name);

  test('the connector\'s call for the honest tenant gets through a trust that refuses an AssumeRole without it', async () => {
    expect(await callConnector(world, { tenant: acme.id, payload: { from: 'source-identity.test' } })).toMatchObject({ ok: true, tenant: acme.id });
  }, TIMEOUT_MS);

  test('vend gets credentials through the same trust', async () => {
    const fn = world.config.tenants.find((t) => t.id === acme.id)!.functions[0];
    expect(await callVend(world, { tenant: acme.id, functions: [fn] })).toMatchObject({ ok: true, tenant: acme.id });
  }, TIMEOUT_MS);
});
