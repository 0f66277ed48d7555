// ---------------------------------------------------------------------------
// Part 2, STS calls: sts:AssumeRole served by the local cloud (its own operation counter) for
// 1,000 connector calls spread over 1, 10 and 100 tenants, and for 100 concurrent first calls of
// one tenant. The connector runs IN PROCESS here (createConnectorHandler with the real
// ScopedClientCache and SDK clients, signing as the connector's execution role, against the
// local cloud): a deployed connector spreads concurrent calls over a sandbox per call in flight, each with
// its own cache, which would count sandboxes rather than the cache. The 100 tenants are real:
// 100 roles in a customer account, each trusting the connector role with its own external ID.
// Then the STS budget guards: 100 calls of a refused tenant (a confused deputy: a real role, the
// wrong external ID; the refusal cache answers all but the first), and 100 dry runs of one
// tenant (each would be a fresh AssumeRole; the dry-run rate limit holds most back).
// ---------------------------------------------------------------------------
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { Logger } from '@aws-lambda-powertools/logger';
import { createConnectorHandler } from '../lambda/connector/connector';
import { DRY_RUN_BURST, DRY_RUN_REFILL_MS } from '../lambda/connector/dry-run-limit';
import { REFUSAL_TTL_MS } from '../lambda/connector/refusals';
import { ScopedSessionCache } from '../lambda/connector/scoped-clients';
import { InMemoryRegistry } from '../lambda/shared/registry-reader';
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

/** Create `count` customer roles (each its own external ID, trusting only the connector role);
 *  `label` keeps the roles and tenants of different parts apart in one world. */
export async function createBenchTenants(world: BenchWorld, count: number, label = 'bench'): Promise<TenantRegistryEntry[]> {
  const t = benchTenant(world);
  const customer = world.config.customers.find((c) => c.name === t.customer)!;
  const iam = new IAMClient(world.cloud.clientConfig(world.cloud.credentialsFor(customer.name)));
  const principal = world.outputs.vendor.connector_role_arn;
  return mapLimited(count, 8, async (i) => {
    const roleName = `${world.config.rolePrefix}-${label}-${String(i).padStart(3, '0')}`;
    const externalId = generateExternalId();
    await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(crossAccountTrustPolicy({ vendorAccountId: world.config.vendor.accountId, vendorRoleArns: [principal], externalIds: [externalId], tenantIds: [`${label}-${i}`] })) }));
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'invoke-sidecar-functions', PolicyDocument: JSON.stringify(invokeFunctionsPolicy([t.functionArn])) }));
    return { tenantId: `${label}-${i}`, roleArn: roleArn(customer.accountId, roleName), externalId, functionArns: [t.functionArn] };
  });
}

/** A connector as handler.ts builds it, with a fresh cache, signing as the connector role. */
function inProcessConnector(world: BenchWorld, tenants: readonly TenantRegistryEntry[], roleCredentials: AwsCredentialIdentity) {
  const registry: TenantRegistry = { version: 1, rolePrefix: world.config.rolePrefix, tenants: Object.fromEntries(tenants.map((t) => [t.tenantId, t])) };
  const clients = new ScopedSessionCache({
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

  await runStsGuards(world, results, tenants[0], roleCredentials, options);
}

/** The refusal cache and the dry-run rate limit, counted at the cloud. */
async function runStsGuards(world: BenchWorld, results: Results, honest: TenantRegistryEntry, roleCredentials: AwsCredentialIdentity, options: { progress: Progress }): Promise<void> {
  // The confused deputy: the honest tenant's role, another external ID (and tenant): STS refuses.
  const deputy: TenantRegistryEntry = { tenantId: 'bench-deputy', roleArn: honest.roleArn, externalId: generateExternalId(), functionArns: honest.functionArns };
  const { handler } = inProcessConnector(world, [honest, deputy], roleCredentials);
  await resetStats(world.cloud);
  let t = Date.now();
  for (let i = 0; i < 100; i += 1) {
    const answer = await handler({ tenant: deputy.tenantId, payload: { bench: 'deputy', i } });
    if (answer.ok || answer.error.code !== 'AssumeRoleRefused') throw new Error(`the confused deputy was not refused: ${JSON.stringify(answer)}`);
  }
  const refusedSeconds = (Date.now() - t) / 1000;
  const refused = await assumeRoleCount(world.cloud);
  const refusedBound = 1 + Math.floor((refusedSeconds * 1000) / REFUSAL_TTL_MS);
  results.add(PART, {
    name: 'sts_calls_refused_tenant_100_retries', value: refused, unit: 'calls',
    note: `100 calls of a refused tenant in ${refusedSeconds.toFixed(1)} s; refusal cache ${REFUSAL_TTL_MS / 1000} s: at most ${refusedBound} (target <= 2)`,
  });

  await resetStats(world.cloud);
  t = Date.now();
  const codes = new Map<string, number>();
  for (let i = 0; i < 100; i += 1) {
    const answer = await handler({ tenant: honest.tenantId, dryRun: true });
    const code = answer.ok ? 'OK' : answer.error.code;
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  const drySeconds = (Date.now() - t) / 1000;
  const dry = await assumeRoleCount(world.cloud);
  const dryBound = DRY_RUN_BURST + Math.floor((drySeconds * 1000) / DRY_RUN_REFILL_MS);
  options.progress(`[bench] part 2: 100 dry runs in ${drySeconds.toFixed(1)} s: ${JSON.stringify(Object.fromEntries(codes))}`);
  results.add(PART, {
    name: 'sts_calls_dry_run_100_calls', value: dry, unit: 'calls',
    note: `100 dry runs of one tenant in ${drySeconds.toFixed(1)} s; limit ${DRY_RUN_BURST} at once + 1 per ${DRY_RUN_REFILL_MS / 1000} s: at most ${dryBound}`,
  });
}
