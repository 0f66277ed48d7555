// ---------------------------------------------------------------------------
// Which connector shard serves a tenant. A fleet of connector functions (shards), each with its
// own reserved concurrency, splits the tenants between them so a noisy tenant can only exhaust
// its own shard. Callers, the stacks and the benchmark's fleet model all route with this one
// function, so a tenant always lands on the same shard. Pure: imports nothing.
// ---------------------------------------------------------------------------

/** 32-bit FNV-1a of the UTF-16 code units: stable across processes and Node versions. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Thrown for a shard count that is not a whole number from 1 to MAX_SHARDS. */
export class ShardCountError extends RangeError {
  readonly code = 'InvalidShardCount';
  constructor(readonly shardCount: number) {
    super(`The connector's shard count must be a whole number from 1 to ${MAX_SHARDS} (got ${shardCount})`);
    this.name = 'ShardCountError';
  }
}

/** More shards than this is a fleet of its own: split the vendor account instead. */
export const MAX_SHARDS = 64;

/** The shard (0-based) that serves `tenantId` among `shardCount` shards. */
export function shardOf(tenantId: string, shardCount: number): number {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS) throw new ShardCountError(shardCount);
  return fnv1a(tenantId) % shardCount;
}
