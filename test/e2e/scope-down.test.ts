/**
 * E2E: scoped-down credentials (inline session policies), from the connector's path and from the
 * vend Lambda.
 *  6a. Credentials scoped to the sidecar function invoke it and are refused on the customer's
 *      private function; the role's own policy refuses the private function even unscoped; a
 *      session policy cannot widen the role (asking for the private function is still refused).
 *  6b. The vend Lambda's credentials invoke the allowed function, are refused on the other, and
 *      stop working once they expire (local: the local cloud's clock is advanced past expiry).
 *  -   The vend Lambda refuses to vend a function outside the tenant's allowance.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { serializeSessionPolicy } from '../../lambda/shared/assume-role-input';
import { scopedInvokeSessionPolicy } from '../../rules/policies';
import { advanceClock, resetClock } from '../support/e2e/local-controls';
import { connectorRoleCredentials, outcome } from '../support/e2e/principals';
import { itWhen } from '../support/e2e/skip';
import { notOwnStacks } from '../support/e2e/mode';
import { callVend, connectorRoleUnavailable, loadWorld, tenantOf, type Credentials, type VendSuccess } from '../support/e2e/world';

const world = loadWorld();
/** Acting as the connector's execution role: the local target, through the cloud's test controls. */
const asConnector = world.target === 'local' && world.testControls;

/** The vended credentials exactly as a caller of the vend Lambda would use them. */
function asCredentials(c: VendSuccess['credentials']): Credentials {
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
}

function invoke(credentials: Credentials, functionArn: string): Promise<string> {
  return outcome(() => world.lambda(credentials).send(new InvokeCommand({ FunctionName: functionArn, Payload: Buffer.from('{"probe":true}') })));
}

describe.each(world.config.customers.map((c) => [c.name]))('%s', (customerName) => {
  const customer = world.config.customers.find((c) => c.name === customerName)!;
  const out = world.outputs.customers[customerName];
  const sidecarArn = Object.values(out.function_arns)[0];
  const privateArn = out.private_function_arn;

  async function assumeAsConnector(sessionPolicyArns?: string[]): Promise<Credentials> {
    const connector = await connectorRoleCredentials(world);
    const res = await world.sts(connector).send(new AssumeRoleCommand({
      RoleArn: out.role_arn, RoleSessionName: 'sidecar-e2e-scope', ExternalId: customer.externalIds.current, SourceIdentity: tenantOf(world, customerName).id, DurationSeconds: 900,
      Policy: sessionPolicyArns ? serializeSessionPolicy(scopedInvokeSessionPolicy(sessionPolicyArns)) : undefined,
    }));
    const c = res.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  }

  const NEEDS_CONNECTOR_ROLE = connectorRoleUnavailable(world);

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('credentials scoped to the sidecar function invoke it', async () => {
    expect(await invoke(await assumeAsConnector([sidecarArn]), sidecarArn)).toBe('allowed');
  });

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('credentials scoped to the sidecar function are refused on the private function', async () => {
    expect(await invoke(await assumeAsConnector([sidecarArn]), privateArn)).toBe('AccessDeniedException');
  });

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('the role itself, unscoped, is refused on the private function', async () => {
    expect(await invoke(await assumeAsConnector(), privateArn)).toBe('AccessDeniedException');
  });

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('a session policy naming the private function cannot widen the role', async () => {
    expect(await invoke(await assumeAsConnector([privateArn]), privateArn)).toBe('AccessDeniedException');
  });

  itWhen(asConnector, NEEDS_CONNECTOR_ROLE)('credentials scoped to the private function cannot invoke the sidecar function either', async () => {
    expect(await invoke(await assumeAsConnector([privateArn]), sidecarArn)).toBe('AccessDeniedException');
  });

  describe('vended credentials', () => {
    const tenant = tenantOf(world, customerName);
    afterEach(async () => { if (world.ownsStacks) await resetClock(world); });

    test('invoke the vended function and are refused on the private one', async () => {
      const vended = await callVend(world, { tenant: tenant.id, functions: [sidecarArn] });
      expect(vended.ok).toBe(true);
      if (!vended.ok) return;
      const credentials = asCredentials(vended.credentials);
      expect(await invoke(credentials, sidecarArn)).toBe('allowed');
      expect(await invoke(credentials, privateArn)).toBe('AccessDeniedException');
    });

    test('vending the private function is refused', async () => {
      const vended = await callVend(world, { tenant: tenant.id, functions: [privateArn] });
      expect(vended).toEqual({ ok: false, error: expect.objectContaining({ code: 'FunctionNotAllowed' }) });
    });

    itWhen(world.ownsStacks, world.target === 'aws'
      ? 'waiting 15 minutes for real credentials to expire is left out on AWS; the local cloud\'s clock is advanced instead'
      : notOwnStacks('advances the local cloud\'s clock past the expiry, which would expire every session the cloud holds'))(
      'stop working after they expire', async () => {
        const vended = await callVend(world, { tenant: tenant.id, functions: [sidecarArn], durationSeconds: 900 });
        if (!vended.ok) throw new Error(`vend failed: ${vended.error.code}`);
        expect(await invoke(asCredentials(vended.credentials), sidecarArn)).toBe('allowed');
        const lifetime = (Date.parse(vended.credentials.expiration) - Date.now()) / 1000;
        expect(lifetime).toBeGreaterThan(800);
        expect(lifetime).toBeLessThanOrEqual(900);

        await advanceClock(world, Math.ceil(lifetime) + 5);

        expect(await invoke(asCredentials(vended.credentials), sidecarArn)).toMatch(/Expired/);
      });
  });
});
