// ---------------------------------------------------------------------------
// The fleet model: how many AssumeRole calls per second a fleet of connector sandboxes makes,
// by discrete-event simulation. What it simulates, and why each part is there:
//  - tenants with skewed popularity (Zipf, exponent s): a few tenants make most calls;
//  - calls arriving as a Poisson process at `callsPerSecond`, each landing on one sandbox of the
//    tenant's shard, chosen uniformly (Lambda does not document how it picks a warm sandbox;
//    uniform is the assumption, and the one the validation against the real connector checks);
//  - each sandbox with a cache of its own (as the connector's is): a least-recently-used map
//    bounded at `cacheEntries`, each entry usable until `refreshBeforeExpiryS` before its
//    credentials expire, `credentialLifetimeS` after the AssumeRole that fetched them;
//  - shards: tenants split over `shards` groups of `sandboxes / shards` sandboxes by the same
//    routing function callers use (rules/shards.ts), so a tenant's calls reach fewer sandboxes.
// The count is taken after `warmupS`, so the figure is the steady state, not the empty caches.
// Pure and seeded: the same shape and seed give the same count.
// ---------------------------------------------------------------------------
import { shardOf } from '../rules/shards';

export interface FleetShape {
  readonly tenants: number;
  /** Zipf exponent of tenant popularity: 0 is uniform, about 1 is typical of web traffic. */
  readonly zipfExponent: number;
  readonly callsPerSecond: number;
  /** Warm connector sandboxes in the whole fleet. */
  readonly sandboxes: number;
  /** 1: every sandbox serves every tenant. */
  readonly shards: number;
  /** AssumeRole DurationSeconds. */
  readonly credentialLifetimeS: number;
  /** The cache refreshes this long before expiry (the SDK's and the connector's five minutes). */
  readonly refreshBeforeExpiryS: number;
  /** The per-sandbox cache bound. */
  readonly cacheEntries: number;
  /** Simulated time counted, after the warm-up. */
  readonly durationS: number;
  readonly warmupS: number;
  readonly seed: number;
}

export interface FleetCount {
  readonly calls: number;
  readonly assumeRoles: number;
  readonly assumeRolesPerSecond: number;
  readonly hitRatio: number;
}

/** Thrown for a shape the model cannot run; names the field. */
export class FleetShapeError extends RangeError {
  readonly code = 'InvalidFleetShape';
  constructor(field: keyof FleetShape, why: string) {
    super(`Fleet shape: ${field} ${why}`);
    this.name = 'FleetShapeError';
  }
}

function checkShape(s: FleetShape): void {
  const positive: (keyof FleetShape)[] = ['tenants', 'callsPerSecond', 'sandboxes', 'shards', 'credentialLifetimeS', 'cacheEntries', 'durationS'];
  for (const f of positive) if (!(Number(s[f]) > 0)) throw new FleetShapeError(f, `must be above 0 (got ${s[f]})`);
  if (s.refreshBeforeExpiryS < 0 || s.refreshBeforeExpiryS >= s.credentialLifetimeS) throw new FleetShapeError('refreshBeforeExpiryS', `must be from 0 to below the credential lifetime (got ${s.refreshBeforeExpiryS})`);
  if (s.sandboxes % s.shards !== 0) throw new FleetShapeError('sandboxes', `must split evenly over ${s.shards} shards (got ${s.sandboxes})`);
  if (s.warmupS < 0) throw new FleetShapeError('warmupS', `must be 0 or more (got ${s.warmupS})`);
  if (s.zipfExponent < 0) throw new FleetShapeError('zipfExponent', `must be 0 or more (got ${s.zipfExponent})`);
}

/** A small seeded generator (mulberry32): the model must repeat exactly for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws tenant indexes 0..n-1 with probability proportional to 1 / (rank + 1)^s. */
export function zipfSampler(n: number, s: number, random: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += 1 / Math.pow(i + 1, s);
    cdf[i] = total;
  }
  return () => {
    const x = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The tenant IDs the model uses: the routing function hashes these, as it would real ones. */
export const modelTenantId = (i: number): string => `tenant-${i}`;

/**
 * Every sandbox's cache at once: per sandbox, a least-recently-used list of tenant indexes with
 * the time each entry's credentials stop being used. Typed arrays indexed by
 * sandbox * tenants + tenant, linked as doubly linked lists, so a fleet of millions of calls runs
 * in seconds (a Map per sandbox was several times slower).
 */
class FleetCaches {
  private readonly until: Float64Array;
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly present: Uint8Array;
  /** Per sandbox: most recently used node, least recently used node, entry count. */
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private readonly size: Int32Array;

  constructor(sandboxes: number, private readonly tenants: number, private readonly bound: number) {
    const nodes = sandboxes * tenants;
    this.until = new Float64Array(nodes);
    this.prev = new Int32Array(nodes).fill(-1);
    this.next = new Int32Array(nodes).fill(-1);
    this.present = new Uint8Array(nodes);
    this.head = new Int32Array(sandboxes).fill(-1);
    this.tail = new Int32Array(sandboxes).fill(-1);
    this.size = new Int32Array(sandboxes);
  }

  private unlink(sandbox: number, node: number): void {
    const p = this.prev[node];
    const n = this.next[node];
    if (p >= 0) this.next[p] = n; else this.head[sandbox] = n;
    if (n >= 0) this.prev[n] = p; else this.tail[sandbox] = p;
    this.prev[node] = -1;
    this.next[node] = -1;
  }

  private pushFront(sandbox: number, node: number): void {
    const h = this.head[sandbox];
    this.next[node] = h;
    this.prev[node] = -1;
    if (h >= 0) this.prev[h] = node; else this.tail[sandbox] = node;
    this.head[sandbox] = node;
  }

  /** true on a hit; on a miss, the AssumeRole's credentials are stored (evicting the least recently used). */
  call(sandbox: number, tenant: number, now: number, usableForS: number): boolean {
    const node = sandbox * this.tenants + tenant;
    if (this.present[node]) {
      this.unlink(sandbox, node);
      this.pushFront(sandbox, node);
      if (now < this.until[node]) return true;
      this.until[node] = now + usableForS;
      return false;
    }
    this.present[node] = 1;
    this.until[node] = now + usableForS;
    this.pushFront(sandbox, node);
    if (++this.size[sandbox] > this.bound) {
      const oldest = this.tail[sandbox];
      this.unlink(sandbox, oldest);
      this.present[oldest] = 0;
      this.size[sandbox]--;
    }
    return false;
  }
}

export function simulateFleet(shape: FleetShape): FleetCount {
  checkShape(shape);
  const random = seededRandom(shape.seed);
  const pickTenant = zipfSampler(shape.tenants, shape.zipfExponent, random);
  const perShard = shape.sandboxes / shape.shards;
  const shardOfTenant = new Int32Array(shape.tenants);
  for (let i = 0; i < shape.tenants; i++) shardOfTenant[i] = shape.shards === 1 ? 0 : shardOf(modelTenantId(i), shape.shards);
  const caches = new FleetCaches(shape.sandboxes, shape.tenants, shape.cacheEntries);
  const usableForS = shape.credentialLifetimeS - shape.refreshBeforeExpiryS;
  const end = shape.warmupS + shape.durationS;

  let now = 0;
  let calls = 0;
  let assumeRoles = 0;
  for (;;) {
    now += -Math.log(1 - random()) / shape.callsPerSecond;
    if (now >= end) break;
    const tenant = pickTenant();
    const sandbox = shardOfTenant[tenant] * perShard + Math.floor(random() * perShard);
    const hit = caches.call(sandbox, tenant, now, usableForS);
    if (now < shape.warmupS) continue;
    calls++;
    if (!hit) assumeRoles++;
  }
  return { calls, assumeRoles, assumeRolesPerSecond: assumeRoles / shape.durationS, hitRatio: calls === 0 ? 0 : 1 - assumeRoles / calls };
}

/** The mean count over several seeds: what the model predicts, less one run's luck. */
export function expectedFleetCount(shape: Omit<FleetShape, 'seed'>, seeds: readonly number[]): FleetCount {
  const runs = seeds.map((seed) => simulateFleet({ ...shape, seed }));
  const mean = (f: (c: FleetCount) => number) => runs.reduce((sum, c) => sum + f(c), 0) / runs.length;
  return { calls: mean((c) => c.calls), assumeRoles: mean((c) => c.assumeRoles), assumeRolesPerSecond: mean((c) => c.assumeRolesPerSecond), hitRatio: mean((c) => c.hitRatio) };
}

/** The fewest shards (dividing the sandboxes evenly) that keep the fleet under `budgetPerS`, or undefined. */
export function shardsNeeded(shape: Omit<FleetShape, 'shards'>, budgetPerS: number, maxShards: number): { shards: number; count: FleetCount } | undefined {
  for (let shards = 1; shards <= maxShards; shards++) {
    if (shape.sandboxes % shards !== 0) continue;
    const count = simulateFleet({ ...shape, shards });
    if (count.assumeRolesPerSecond <= budgetPerS) return { shards, count };
  }
  return undefined;
}
