// ---------------------------------------------------------------------------
// Part 2, STS calls: sts:AssumeRole served by the local cloud (its own operation counter) for
// 1,000 connector calls spread over 1, 10 and 100 tenants, and for 100 concurrent first calls of
// one tenant. The connector runs IN PROCESS here (createConnectorHandler with the real
// ScopedClientCache and SDK clients, signing as the connector's execution role, against the
// local cloud): a deployed connector spreads concurrent calls over up to 4 sandboxes, each with
// its own cache, which would count sandboxes rather than the cache. The 100 tenants are real:
// 100 roles in a customer account, each trusting the connector role with its own external ID.
// ---------------------------------------------------------------------------
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { Logger } from '@aws-lambda-powertools/logger';
import { createConnectorHandler } from '../lambda/connector/connector';
import { InMemoryRegistry } from '../lambda/shared/registry-reader';
import { ScopedClientCache } from '../lambda/connector/scoped-clients';
import type { ConnectorResponse } from '../lambda/connector/types';
import { DEFAULT_CACHE_MAX_ENTRIES, MIN_ASSUME_ROLE_DURATION_SECONDS } from '../lambda/shared/env';
import { generateExternalId } from '../rules/external-id';
import { roleArn } from '../rules/naming';
import { crossAccountTrustPolicy, invokeFunctionsPolicy } from '../rules/policies';
import type { TenantRegistry, TenantRegistryEntry } from '../rules/tenant-registry';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { Results } from './report';
import { mapLimited } from './stats';
import { benchTenant } from './warm-path';
import { assumeRoleCount, executionRoleCredentials, resetStats, type BenchWorld, type Progress } from './world';

export const PART = '2. STS calls';
export const TENANT_COUNTS = [1, 10, 100] as const;

/** Create `count` customer roles (each its own external ID, trusting only the connector role). */
export async function createBenchTenants(world: BenchWorld, count: number): Promise<TenantRegistryEntry[]> {
  const t = benchTenant(world);
  const customer = world.config.customers.find((c) => c.name === t.customer)!;
  const iam = new IAMClient(world.cloud.clientConfig(world.cloud.credentialsFor(customer.name)));
  const principal = world.outputs.vendor.connector_role_arn;
  return mapLimited(count, 8, async (i) => {
    const roleName = `${world.config.rolePrefix}-bench-${String(i).padStart(3, '0')}`;
    const externalId = generateExternalId();
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(crossAccountTrustPolicy({ vendorAccountId: world.config.vendor.accountId, vendorRoleArns: [principal], externalIds: [externalId], tenantIds: [`bench-${i}`] })) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'invoke-sidecar-functions', PolicyDocument: JSON.stringify(invokeFunctionsPolicy([t.functionArn])) }));
    return { tenantId: `bench-${i}`, roleArn: roleArn(customer.accountId, roleName), externalId, functionArns: [t.functionArn] };
  });
}

/** A connector as handler.ts builds it, with a fresh cache, signing as the connector role. */
function inProcessConnector(world: BenchWorld, tenants: readonly TenantRegistryEntry[], roleCredentials: AwsCredentialIdentity) {
  const registry: TenantRegistry = { version: 1, rolePrefix: world.config.rolePrefix, tenants: Object.fromEntries(tenants.map((t) => [t.tenantId, t])) };
  const clients = new ScopedClientCache({
    stsRegion: world.config.region, durationSeconds: MIN_ASSUME_ROLE_DURATION_SECONDS, maxEntries: DEFAULT_CACHE_MAX_ENTRIES,
    cacheCredentials: true, masterCredentials: async () => roleCredentials,
  });
  const handler = createConnectorHandler({ registry: new InMemoryRegistry(registry), rolePrefix: world.config.rolePrefix, clients, logger: new Logger({ serviceName: 'bench-connector', logLevel: 'SILENT' }) });
  return { handler, clients };
}

function expectOk(answer: ConnectorResponse): void {
  if (!answer.ok) throw new Error(`the in-process connector refused a bench call: ${answer.error.code}: ${answer.error.message}`);
}

export async function runStsCalls(world: BenchWorld, results: Results, options: { quick: boolean; progress: Progress }): Promise<void> {
  const calls = 1000;
  const started = Date.now();
  const tenants = await createBenchTenants(world, Math.max(...TENANT_COUNTS));
  options.progress(`[bench] part 2: created ${tenants.length} customer roles with their own external IDs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const roleCredentials = await executionRoleCredentials(world.cloud, world.outputs.vendor.connector_role_arn, world.outputs.vendor.connector_function_arn);

  for (const n of TENANT_COUNTS) {
    const { handler, clients } = inProcessConnector(world, tenants.slice(0, n), roleCredentials);
    await resetStats(world.cloud);
    const t = Date.now();
    // 4 calls in flight, tenants round-robin: every tenant's first call races its next ones.
    await mapLimited(calls, 4, async (i) => expectOk(await handler({ tenant: tenants[i % n].tenantId, payload: { bench: 'sts', i } })));
    const count = await assumeRoleCount(world.cloud);
    const seconds = (Date.now() - t) / 1000;
    options.progress(`[bench] part 2: ${calls} calls over ${n} tenant(s): ${count} AssumeRole (${seconds.toFixed(1)} s; cache says ${clients.stats().assumeRoleCalls})`);
    results.add(PART, {
      name: `sts_calls_per_1000_calls_${n}_tenant${n === 1 ? '' : 's'}`, value: count, unit: 'calls',
      note: `expect ${n} (tenants x 1 credential lifetime of ${MIN_ASSUME_ROLE_DURATION_SECONDS} s; run took ${seconds.toFixed(0)} s)`,
    });
  }

  const { handler } = inProcessConnector(world, tenants.slice(0, 1), roleCredentials);
  await resetStats(world.cloud);
  const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => handler({ tenant: tenants[0].tenantId, payload: { bench: 'concurrent', i } })));
  answers.forEach(expectOk);
  const concurrent = await assumeRoleCount(world.cloud);
  results.add(PART, { name: 'sts_calls_100_concurrent_first_calls', value: concurrent, unit: 'calls', note: 'one tenant, empty cache, 100 calls at once; expect 1' });
}
