/**
 * E2E: the connector's role may assume only roles named with the agreed prefix.
 *  5. A role outside the prefix that trusts the connector's role (with the right external ID
 *     condition) is still refused: the connector's own identity policy does not allow it.
 *  -  The nearest allow path: the same trust on a role inside the prefix is accepted, so the
 *     refusal above is the prefix rule and nothing else.
 * Local only: it creates roles in a customer account and acts as the connector's role.
 */
import { CreateRoleCommand, DeleteRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { crossAccountTrustPolicy } from '../../rules/policies';
import { connectorRoleCredentials, outcome } from '../support/e2e/principals';
import { untilPropagated } from '../support/e2e/propagation';
import { itWhen } from '../support/e2e/skip';
import { connectorRoleUnavailable, loadWorld } from '../support/e2e/world';

const world = loadWorld();
/** Acting as the connector's execution role: the local target, through the cloud's test controls. The
 *  probe roles it creates are its own, removed after; the deployed stacks are not touched. */
const asConnector = world.target === 'local' && world.testControls;
const customer = world.config.customers[0];
const externalId = 'sc-e2e-prefix-probe-1';
const tenantId = 'e2e-prefix-probe';
const REASON = `creates probe roles in a customer account and ${connectorRoleUnavailable(world)}`;

describe('roles outside the prefix', () => {
  const iam = world.iam(world.adminCredentials(customer.name));
  const created: string[] = [];
  const trust = JSON.stringify(crossAccountTrustPolicy({
    vendorAccountId: world.config.vendor.accountId, vendorRoleArns: [world.outputs.vendor.connector_role_arn], externalIds: [externalId], tenantIds: [tenantId],
  }));

  async function roleTrustingTheConnector(roleName: string): Promise<string> {
    const res = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust }));
    created.push(roleName);
    return res.Role!.Arn!;
  }

  async function assumeAsConnector(roleArn: string): Promise<string> {
    const connector = await connectorRoleCredentials(world);
    return outcome(() => world.sts(connector).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'sidecar-e2e-prefix', ExternalId: externalId, SourceIdentity: tenantId })));
  }

  const arns: Record<'outside' | 'middle' | 'control', string> = { outside: '', middle: '', control: '' };

  // The three roles first, the control last; then wait until the control is assumable, so that the
  // new roles have reached STS (IAM propagation) and a refusal below is the prefix rule, not a role
  // STS does not know yet.
  beforeAll(async () => {
    if (!asConnector) return;
    arns.outside = await roleTrustingTheConnector('sidecar-e2e-outside-prefix');
    arns.middle = await roleTrustingTheConnector(`x-${world.config.rolePrefix}-e2e`);
    arns.control = await roleTrustingTheConnector(`${world.config.rolePrefix}-e2e-control`);
    await untilPropagated(`the new role ${arns.control}`, () => assumeAsConnector(arns.control), (o) => o.ok && o.value === 'AccessDenied');
  });

  afterAll(async () => {
    for (const roleName of created) await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
  });

  itWhen(asConnector, REASON)('a role outside the prefix that trusts the connector is refused', async () => {
    expect(await assumeAsConnector(arns.outside)).toBe('AccessDenied');
  });

  itWhen(asConnector, REASON)('a role that only contains the prefix in the middle of its name is refused', async () => {
    expect(await assumeAsConnector(arns.middle)).toBe('AccessDenied');
  });

  itWhen(asConnector, REASON)('the same trust on a role inside the prefix is accepted (the nearest allow path)', async () => {
    expect(await assumeAsConnector(arns.control)).toBe('allowed');
  });
});
