// ---------------------------------------------------------------------------
// Part 7, the fleet: AssumeRole calls per second fleet-wide, from the fleet model
// (fleet-model.ts), at named fleet sizes, with the per-sandbox cache alone and with sharding; and
// the model checked against the real connector on the local cloud at a small scale.
//
// The validation runs real connectors in process (the real ScopedClientCache and SDK clients,
// signing as the connector's execution role, against the local cloud's STS and IAM, as part 2
// does), one per simulated sandbox, each call sent to a sandbox chosen uniformly and a tenant
// drawn by Zipf, with a cache bound small enough that evictions matter. The local cloud counts
// the AssumeRoles; the model, run with other seeds, predicts the count. Credential lifetime is
// not part of this check (it would take a real 10 minutes): the model's lifetime rule is checked
// in its unit test against a case with a known answer.
// ---------------------------------------------------------------------------
import { Logger } from '@aws-lambda-powertools/logger';
import { createConnectorHandler } from '../lambda/connector/connector';
import { ScopedClientCache } from '../lambda/connector/scoped-clients';
import { InMemoryRegistry } from '../lambda/shared/registry-reader';
import type { TenantRegistry, TenantRegistryEntry } from '../rules/tenant-registry';
import { expectedFleetCount, seededRandom, shardsNeeded, simulateFleet, zipfSampler, type FleetShape } from './fleet-model';
import type { Results } from './report';
import { createBenchTenants } from './sts-calls';
import { assumeRoleCount, executionRoleCredentials, resetStats, type BenchWorld, type Progress } from './world';

export const PART = '7. fleet';

/** A planning budget for the vendor account's AssumeRole rate. AWS publishes no fixed STS rate
 *  quota and says its rate limits cannot be raised (https://repost.aws/knowledge-center/iam-sts-throttling-error);
 *  a fleet should stay well under what one account can count on, so this is ours to choose. */
export const STS_BUDGET_PER_S = 50;

/** The fleet the issue names: 10,000 tenants. 1-hour credentials (the most a Lambda role may
 *  chain to), refreshed 5 minutes early, the connector's 1,000-entry cache, 100 warm sandboxes. */
export function namedFleet(quick: boolean): Omit<FleetShape, 'shards' | 'seed'> {
  return {
    tenants: 10_000, zipfExponent: 1, callsPerSecond: quick ? 200 : 500, sandboxes: 100,
    credentialLifetimeS: 3600, refreshBeforeExpiryS: 300, cacheEntries: 1000,
    // One lifetime of warm-up fills the caches; the count is taken over the next 20 minutes.
    warmupS: 3600, durationS: 1200,
  };
}

export const SHARDS = 10;

async function validate(world: BenchWorld, results: Results, options: { quick: boolean; progress: Progress }): Promise<void> {
  const shape = { tenants: 40, zipfExponent: 1, sandboxes: 3, shards: 1, cacheEntries: 8, credentialLifetimeS: 3600, refreshBeforeExpiryS: 300 };
  // Enough calls that one run's luck stays well inside the 10 % the check allows (in-process calls cost ms).
  const calls = options.quick ? 800 : 2000;
  const tenants = await createBenchTenants(world, shape.tenants, 'fleet');
  const roleCredentials = await executionRoleCredentials(world.cloud, world.outputs.vendor.connector_role_arn, world.outputs.vendor.connector_function_arn);
  const registry: TenantRegistry = { version: 1, rolePrefix: world.config.rolePrefix, tenants: Object.fromEntries(tenants.map((t: TenantRegistryEntry) => [t.tenantId, t])) };
  const sandboxes = Array.from({ length: shape.sandboxes }, () => createConnectorHandler({
    registry: new InMemoryRegistry(registry), rolePrefix: world.config.rolePrefix,
    clients: new ScopedClientCache({ stsRegion: world.config.region, durationSeconds: shape.credentialLifetimeS, maxEntries: shape.cacheEntries, cacheCredentials: true, masterCredentials: async () => roleCredentials }),
    logger: new Logger({ serviceName: 'bench-fleet', logLevel: 'SILENT' }),
  }));

  const random = seededRandom(20261127);
  const pickTenant = zipfSampler(shape.tenants, shape.zipfExponent, random);
  await resetStats(world.cloud);
  for (let i = 0; i < calls; i++) {
    const tenant = tenants[pickTenant()].tenantId;
    const answer = await sandboxes[Math.floor(random() * shape.sandboxes)]({ tenant, payload: { bench: 'fleet', i } });
    if (!answer.ok) throw new Error(`part 7: the in-process connector refused call ${i} of tenant ${tenant}: ${answer.error.code}: ${answer.error.message}`);
    if ((i + 1) % 200 === 0) options.progress(`[bench] part 7: validation ${i + 1}/${calls} calls`);
  }
  const measured = await assumeRoleCount(world.cloud);
  // The model, one call per simulated second for as many seconds as there were calls, no warm-up.
  const model = expectedFleetCount({ ...shape, callsPerSecond: 1, durationS: calls, warmupS: 0 }, [1, 2, 3, 4, 5, 6, 7, 8]);
  options.progress(`[bench] part 7: ${calls} calls over ${shape.tenants} tenants on ${shape.sandboxes} sandboxes (cache ${shape.cacheEntries}): ${measured} AssumeRole measured, ${model.assumeRoles.toFixed(1)} modelled`);
  results.add(PART, { name: 'fleet_model_validation_assume_roles_measured', value: measured, unit: 'calls', note: `${calls} calls, ${shape.tenants} Zipf tenants, ${shape.sandboxes} in-process connectors with ${shape.cacheEntries}-entry caches, real STS of the local cloud` });
  results.add(PART, { name: 'fleet_model_validation_assume_roles_modelled', value: model.assumeRoles, unit: 'calls', note: 'the fleet model, same shape, mean of 8 other seeds' });
  results.add(PART, { name: 'fleet_model_validation_ratio', value: model.assumeRoles / measured, unit: 'x', note: 'modelled / measured; target within 0.9-1.1' });
}

export async function runFleet(world: BenchWorld | undefined, results: Results, options: { quick: boolean; progress: Progress }): Promise<void> {
  const fleet = namedFleet(options.quick);
  const named = `${fleet.tenants} tenants, ${fleet.callsPerSecond} calls/s, ${fleet.sandboxes} sandboxes, Zipf ${fleet.zipfExponent}`;
  const unsharded = simulateFleet({ ...fleet, shards: 1, seed: 1 });
  options.progress(`[bench] part 7: ${named}, one cache per sandbox: ${unsharded.assumeRolesPerSecond.toFixed(1)} AssumeRole/s (hit ratio ${unsharded.hitRatio.toFixed(3)})`);
  results.add(PART, { name: 'fleet_assume_role_per_s_10000_tenants_per_sandbox_cache', value: unsharded.assumeRolesPerSecond, unit: '/s', note: `${named}; 1 h credentials refreshed 5 min early; 1,000-entry caches` });
  const sharded = simulateFleet({ ...fleet, shards: SHARDS, seed: 1 });
  options.progress(`[bench] part 7: the same fleet in ${SHARDS} shards: ${sharded.assumeRolesPerSecond.toFixed(1)} AssumeRole/s`);
  results.add(PART, { name: 'fleet_assume_role_per_s_10000_tenants_sharded', value: sharded.assumeRolesPerSecond, unit: '/s', comparator: 'fleet_assume_role_per_s_10000_tenants_per_sandbox_cache', note: `${SHARDS} shards of ${fleet.sandboxes / SHARDS} sandboxes` });
  const needed = shardsNeeded({ ...fleet, seed: 1 }, STS_BUDGET_PER_S, 50);
  results.add(PART, { name: 'fleet_shards_needed_10000_tenants', value: needed?.shards ?? Number.NaN, unit: 'shards', note: `fewest shards keeping the fleet under ${STS_BUDGET_PER_S} AssumeRole/s${needed ? ` (${needed.count.assumeRolesPerSecond.toFixed(1)}/s)` : ': none up to 50'}` });

  if (world) await validate(world, results, options);
  else options.progress('[bench] part 7: no deployed world in this run, so the model is not validated against the real connector (run it with parts 1-3 or alone)');
}
