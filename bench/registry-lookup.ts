// ---------------------------------------------------------------------------
// Registry lookups (inside part 1, the warm path): what reading the tenant registry from
// DynamoDB at run time costs the connector. The real RegistryReader, signing as the connector's
// execution role (so its least-privilege GetItem policy is what authorizes it), against the
// vendor stack's table in the bench's local cloud:
//   - cached: the connector's default TTL; after the first call every lookup is the cache's;
//   - miss:   TTL 0, every lookup a GetItem round trip.
// Interleaved in blocks, so that the machine's noise hits both alike.
// ---------------------------------------------------------------------------
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_REGISTRY_CACHE_TTL_SECONDS } from '../lambda/shared/env';
import { RegistryReader } from '../lambda/shared/registry-reader';
import type { Results } from './report';
import { summarize, timed } from './stats';
import { benchTenant } from './warm-path';
import { executionRoleCredentials, type BenchWorld, type Progress } from './world';

export async function runRegistryLookups(world: BenchWorld, results: Results, part: string, options: { calls: number; progress: Progress }): Promise<void> {
  const tenant = benchTenant(world);
  const roleCredentials = await executionRoleCredentials(world.cloud, world.outputs.vendor.connector_role_arn, world.outputs.vendor.connector_function_arn);
  const dynamodb = new DynamoDBClient(world.cloud.clientConfig(roleCredentials));
  const tableName = world.outputs.vendor.registry_table_name;
  const readers = {
    cached: new RegistryReader({ tableName, dynamodb, ttlMs: DEFAULT_REGISTRY_CACHE_TTL_SECONDS * 1000 }),
    miss: new RegistryReader({ tableName, dynamodb, ttlMs: 0 }),
  };
  const samples: Record<keyof typeof readers, number[]> = { cached: [], miss: [] };
  // Warm-up: the SDK's first request, the cache's first item.
  for (const reader of Object.values(readers)) for (let i = 0; i < 5; i++) await reader.tenant(tenant.id);
  for (let block = 0; block < options.calls / 50; block++) {
    for (const mode of ['cached', 'miss'] as const) {
      for (let i = 0; i < 50; i++) {
        const { ms, value } = await timed(() => readers[mode].tenant(tenant.id));
        if (value.tenantId !== tenant.id) throw new Error(`registry lookup answered tenant ${value.tenantId} for ${tenant.id}`);
        samples[mode].push(ms);
      }
    }
  }
  const cached = summarize(samples.cached, 'cached registry lookups');
  const miss = summarize(samples.miss, 'registry lookups with no cache');
  options.progress(`[bench] part 1: registry lookup p50 ${cached.p50.toFixed(3)} ms cached, ${miss.p50.toFixed(2)} ms on a miss (GetItem)`);
  results.add(part, { name: 'registry_lookup_p50_ms_miss', value: miss.p50, unit: 'ms', note: `GetItem on ${tableName} as the connector's role, TTL 0; p99 ${miss.p99.toFixed(2)} ms` });
  results.add(part, {
    name: 'registry_lookup_p50_ms_cached', value: cached.p50, unit: 'ms', comparator: 'registry_lookup_p50_ms_miss',
    note: `the connector's ${DEFAULT_REGISTRY_CACHE_TTL_SECONDS} s TTL: a lookup costs a GetItem once per tenant per TTL per sandbox`,
  });
}
