/**
 * E2E: the external-ID guard on each customer's role, called directly through STS, in both
 * trust modes (customer A trusts the vendor account narrowed to the connector's and vend's roles by
 * aws:PrincipalArn; customer B trusts the vendor account). Every call sets the customer's tenant as
 * SourceIdentity, as the connector does, so each refusal is the external ID's or the principal's.
 *  3. As the connector's role: the right external ID is accepted; a wrong one, a missing one, and
 *     the other customer's are refused. During a rotation the previous ID is still accepted.
 *  4. A principal other than the vendor's (an operator of another customer's account) is refused
 *     even with the right external ID; another vendor principal than the connector's role is
 *     refused where the trust names the role, and accepted where it names the account (that is
 *     what `account` mode means: documented as the weaker mode).
 *  7. Both trust modes hold the guard: every case above runs for every configured customer.
 */
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { connectorRoleCredentials, accountOperator, outcome, type Operator } from '../support/e2e/principals';
import { untilPropagated } from '../support/e2e/propagation';
import { itWhen } from '../support/e2e/skip';
import { connectorRoleUnavailable, loadWorld, tenantIdsOf, type Credentials } from '../support/e2e/world';

const world = loadWorld();
/** Acting as the connector's execution role: the local target, through the cloud's test controls. */
const asConnector = world.target === 'local' && world.testControls;
const NEEDS_CONNECTOR_ROLE = connectorRoleUnavailable(world);

/** AssumeRole as the connector makes it: with the customer's tenant as SourceIdentity, so that each
 *  case differs from the allowed one by the external ID or the principal alone. */
function assume(credentials: Credentials, roleArn: string, externalId: string | undefined, sourceIdentity: string): Promise<string> {
  return outcome(() => world.sts(credentials).send(new AssumeRoleCommand({
    RoleArn: roleArn, RoleSessionName: 'sidecar-e2e', ExternalId: externalId, SourceIdentity: sourceIdentity, DurationSeconds: 900,
  })));
}

describe.each(world.config.customers.map((c) => [c.name, c.trustPrincipal] as const))('%s (trust names the vendor %s)', (customerName, mode) => {
  const customer = world.config.customers.find((c) => c.name === customerName)!;
  const roleArn = world.outputs.customers[customerName].role_arn;
  const others = world.config.customers.filter((c) => c.name !== customerName);
  const [tenantId] = tenantIdsOf(world, customerName);
  let connector: Credentials;

  beforeAll(async () => {
    if (asConnector) connector = await connectorRoleCredentials(world);
  });

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('the connector\'s role with the right external ID is accepted', async () => {
    expect(await assume(connector, roleArn, customer.externalIds.current, tenantId)).toBe('allowed');
  });

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('the connector\'s role with a wrong external ID is refused', async () => {
    expect(await assume(connector, roleArn, `${customer.externalIds.current}-wrong`, tenantId)).toBe('AccessDenied');
  });

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('the connector\'s role without an external ID is refused', async () => {
    expect(await assume(connector, roleArn, undefined, tenantId)).toBe('AccessDenied');
  });

  itWhen(asConnector && others.length > 0, NEEDS_CONNECTOR_ROLE)('the connector\'s role with another customer\'s external ID is refused', async () => {
    for (const other of others) expect(await assume(connector, roleArn, other.externalIds.current, tenantId)).toBe('AccessDenied');
  });

  itWhen(asConnector && customer.externalIds.previous !== undefined, asConnector ? 'only customers in a rotation have a previous ID' : `${NEEDS_CONNECTOR_ROLE}; and only customers in a rotation have a previous ID`)(
    'during a rotation the previous external ID is still accepted', async () => {
      expect(await assume(connector, roleArn, customer.externalIds.previous, tenantId)).toBe('allowed');
    });

  describe('principals other than the connector', () => {
    const operators: Operator[] = [];
    afterAll(async () => { for (const op of operators) await op.dispose(); });

    itWhen(others.length > 0, 'needs a second customer account to act from')('an operator of another customer\'s account is refused even with the right external ID', async () => {
      for (const other of others) {
        const op = await accountOperator(world, other.name, `from-${other.name}-to-${customerName}`);
        operators.push(op);
        expect(await assume(op.credentials, roleArn, customer.externalIds.current, tenantId)).toBe('AccessDenied');
      }
    });

    test(`a vendor operator (not the connector's role) is ${mode === 'role' ? 'refused' : 'accepted, as account mode allows'} with the right external ID`, async () => {
      const op = await accountOperator(world, 'vendor', `vendor-op-to-${customerName}`);
      operators.push(op);
      const attempt = () => assume(op.credentials, roleArn, customer.externalIds.current, tenantId);
      // Where it must be accepted, the operator's just-made policy may still be propagating.
      const result = mode === 'role' ? await attempt() : await untilPropagated(`a vendor operator assuming ${roleArn}`, attempt, (o) => o.ok && o.value === 'AccessDenied');
      expect(result).toBe(mode === 'role' ? 'AccessDenied' : 'allowed');
    });

    test('a vendor operator with a wrong external ID is refused in every mode', async () => {
      const op = await accountOperator(world, 'vendor', `vendor-op-wrong-${customerName}`);
      operators.push(op);
      expect(await assume(op.credentials, roleArn, 'sc-wrong-external-id', tenantId)).toBe('AccessDenied');
    });
  });
});
