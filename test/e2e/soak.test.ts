/**
 * E2E: the short soak (the full one is `npm run soak`: 10,000 calls over 20 tenants).
 * 500 calls of the deployed connector over the world's tenants (both honest ones, and the
 * confused deputy, which must be refused every time), 5% of AssumeRole and customer Invokes
 * faulted (throttling, 5xx, latency), the connector made cold between phases so STS stays in play.
 *  - none lost: every call sent is answered by the connector;
 *  - every answer is the right result (own nonce, own account and function) or a typed error
 *    that the faults explain (Throttled, Unavailable) or the tenant's own refusal;
 *  - no customer invocation twice: the function logs hold one START per answered request ID;
 *  - memory of the local cloud and of the connector does not run away (printed, loosely bounded).
 * Local only (fault injection).
 */
import { join } from 'node:path';
import { roleSessionName } from '../../rules/naming';
import { formatSoakReport, runSoak, type SoakReport, type SoakTenant } from '../../scripts/soak/soak-run';
import { notOwnStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { loadWorld, tenantOf } from '../support/e2e/world';
import { parseFunctionArn } from '../../rules/naming';

const world = loadWorld();
const CALLS = 500;

function soakTenants(): SoakTenant[] {
  const tenants: SoakTenant[] = world.config.customers.map((c) => {
    const t = tenantOf(world, c.name);
    const fn = parseFunctionArn(Object.values(world.outputs.customers[c.name].function_arns)[0])!;
    return { id: t.id, accountId: fn.accountId, functionName: fn.functionName };
  });
  const honestA = tenantOf(world, world.config.customers[0].name);
  const deputy = world.config.tenants.find((t) => t.roleArn === honestA.roleArn && t.externalId !== honestA.externalId);
  if (deputy) tenants.push({ ...tenants[0], id: deputy.id, refusedWith: 'AssumeRoleRefused' });
  return tenants;
}

describe('a short soak under faults', () => {
  let report: SoakReport;

  itWhen(world.ownsStacks, notOwnStacks('injects faults into the local cloud'))(`${CALLS} calls: none lost, none crossed, none invoked twice`, async () => {
    const health = await (await fetch(`${world.endpoint}/_localcloud/health`)).json() as { pid: number };
    report = await runSoak({
      target: {
        endpoint: world.endpoint!, region: world.region, vendorCredentials: world.adminCredentials('vendor'),
        connectorFunctionName: world.outputs.vendor.connector_function_name, connectorAccountId: world.outputs.vendor.vendor_account_id,
        stateDir: join(process.env.SIDECAR_E2E_DIR!, 'localcloud'), serverPid: health.pid,
      },
      tenants: soakTenants(),
      calls: CALLS,
      concurrency: 4,
      coldStarts: 2,
      sessionNameOf: (tenant) => roleSessionName(tenant),
    });
    // eslint-disable-next-line no-console
    console.log(`short soak:\n${formatSoakReport(report)}`);

    expect(report.violations).toEqual([]);
    expect(report.answered).toBe(report.sent);
    expect(report.sent).toBe(CALLS);
    expect(report.lost).toBe(0);
    expect(report.duplicateInvocations).toBe(0);
    expect(report.faultsInjected).toBeGreaterThan(0);
    expect(report.ok).toBeGreaterThan(CALLS / 2);
    expect(report.errors.AssumeRoleRefused).toBeGreaterThan(0); // the deputy, every time it asked
    const cloud = report.memory.cloudRssMb;
    expect(cloud[cloud.length - 1]).toBeLessThan(cloud[0] * 2);
  }, 180_000);
});
