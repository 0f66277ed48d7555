// ---------------------------------------------------------------------------
// Run by cache-bound.ts in its own `node --expose-gc` process: a ScopedClientCache with the
// connector's default bound takes N tenants, once each, each with real credentials (AssumeRole
// against the local cloud, signing with the keys in the environment), as the connector would.
// The one STS client and the per-region Lambda client are made before the baseline (50 warm-up
// tenants are credentialed then forgotten), so the figures are the entries' own bytes.
// Prints the heap growth, after a full GC, once the cache is full and at the end, as JSON.
// ---------------------------------------------------------------------------
import { ScopedSessionCache } from '../lambda/connector/scoped-clients';
import { DEFAULT_CACHE_MAX_ENTRIES, MIN_ASSUME_ROLE_DURATION_SECONDS } from '../lambda/shared/env';
import type { TenantRegistryEntry } from '../rules/tenant-registry';
import { mapLimited } from './stats';

const gc = (globalThis as { gc?: () => void }).gc;
const WARM_UP_CALLS = 50;
if (!gc) throw new Error('run with node --expose-gc: the heap is only comparable after a full collection');

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const tenants = Number(process.env.BENCH_CACHE_TENANTS);
  const roleArn = process.env.BENCH_ROLE_ARN!;
  const externalId = process.env.BENCH_EXTERNAL_ID!;
  const fn = process.env.BENCH_FUNCTION_ARN!;
  const cache = new ScopedSessionCache({ stsRegion: process.env.AWS_REGION!, durationSeconds: MIN_ASSUME_ROLE_DURATION_SECONDS, maxEntries: DEFAULT_CACHE_MAX_ENTRIES, cacheCredentials: true });
  // Registry entries are made on the fly and not kept: only what the cache holds stays on the heap.
  let credentialed = 0;
  const call = async (i: number) => {
    const tenant: TenantRegistryEntry = { tenantId: `cache-bench-${i}`, roleArn, externalId, functionArns: [fn] };
    await cache.acquire(tenant, fn).resolveCredentials();
    credentialed += 1;
  };
  // Warm-up: the cache's shared clients (STS; Lambda for the region) exist before the baseline,
  // and the SDK's one-time allocations (compiled code, caches of the first requests: ~1 MB here,
  // measured) are made by WARM_UP_CALLS forgotten sessions, so the figures are the entries' own.
  cache.lambdaClient(fn.split(':')[3]);
  for (let i = 0; i < WARM_UP_CALLS; i += 1) {
    const warm = cache.acquire({ tenantId: `cache-bench-warmup-${i}`, roleArn, externalId, functionArns: [fn] }, fn);
    await warm.resolveCredentials();
    cache.forget(warm);
  }
  const before = heapAfterGc();
  await mapLimited(DEFAULT_CACHE_MAX_ENTRIES, 16, call);
  const full = heapAfterGc();
  const entriesWhenFull = cache.stats().entries;
  let maxEntriesSeen = entriesWhenFull;
  await mapLimited(tenants - DEFAULT_CACHE_MAX_ENTRIES, 16, async (i) => {
    await call(i + DEFAULT_CACHE_MAX_ENTRIES);
    maxEntriesSeen = Math.max(maxEntriesSeen, cache.stats().entries);
  });
  const end = heapAfterGc();
  process.stdout.write(`${JSON.stringify({ tenants, maxEntries: DEFAULT_CACHE_MAX_ENTRIES, bytesWhenFull: full - before, bytesAtEnd: end - before, entriesWhenFull, maxEntriesSeen, credentialed, stats: { ...cache.stats(), assumeRoleCalls: cache.stats().assumeRoleCalls - WARM_UP_CALLS } })}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
