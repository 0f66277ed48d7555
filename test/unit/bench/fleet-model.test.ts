/**
 * The fleet model (bench/fleet-model.ts): each part of what it simulates checked against a case
 * whose answer is known without it: credential lifetime (one tenant, one sandbox), the cache
 * bound (two tenants, room for one), a cache big enough (no misses after the warm-up), shards
 * (fewer sandboxes per tenant, fewer AssumeRoles), Zipf skew, repeatability and refusals.
 */
import { expectedFleetCount, FleetShapeError, seededRandom, shardsNeeded, simulateFleet, zipfSampler, type FleetShape } from '../../../bench/fleet-model';

const base: FleetShape = {
  tenants: 1, zipfExponent: 1, callsPerSecond: 10, sandboxes: 1, shards: 1,
  credentialLifetimeS: 900, refreshBeforeExpiryS: 300, cacheEntries: 1000, durationS: 6000, warmupS: 0, seed: 7,
};

describe('credential lifetime', () => {
  test('one busy tenant on one sandbox assumes its role once per usable lifetime (lifetime - refresh margin)', () => {
    // Prepare: 600 s usable, 6,000 s simulated, calls every 0.1 s on average.
    // Act
    const count = simulateFleet(base);
    // Assess: the first call, then one per 600 s.
    expect(count.assumeRoles).toBe(10);
  });

  test('a longer refresh margin means more AssumeRoles (the nearest neighbour)', () => {
    expect(simulateFleet({ ...base, refreshBeforeExpiryS: 600 }).assumeRoles).toBe(20);
  });
});

describe('the per-sandbox cache bound', () => {
  test('two equally busy tenants and room for one: about every other call misses', () => {
    const count = simulateFleet({ ...base, tenants: 2, zipfExponent: 0, cacheEntries: 1, durationS: 2000 });
    expect(count.hitRatio).toBeGreaterThan(0.45);
    expect(count.hitRatio).toBeLessThan(0.55);
  });

  test('room for both: no AssumeRole after the warm-up within one lifetime', () => {
    const count = simulateFleet({ ...base, tenants: 2, zipfExponent: 0, cacheEntries: 2, warmupS: 10, durationS: 500 });
    expect(count.calls).toBeGreaterThan(4000);
    expect(count.assumeRoles).toBe(0);
  });
});

describe('sandboxes and shards', () => {
  const fleet = { ...base, tenants: 200, sandboxes: 20, callsPerSecond: 50, durationS: 1800, warmupS: 600 };

  test('each sandbox has a cache of its own: more sandboxes, more AssumeRoles for the same calls', () => {
    const one = simulateFleet({ ...fleet, sandboxes: 1 });
    const twenty = simulateFleet(fleet);
    expect(twenty.assumeRoles).toBeGreaterThan(one.assumeRoles * 5);
  });

  test('sharding sends each tenant to fewer sandboxes: fewer AssumeRoles', () => {
    const unsharded = simulateFleet(fleet);
    const sharded = simulateFleet({ ...fleet, shards: 10 });
    expect(sharded.assumeRoles).toBeLessThan(unsharded.assumeRoles / 3);
  });

  test('shardsNeeded returns the fewest shards under the budget, and undefined where none is', () => {
    const { shards: _ignored, ...shape } = fleet;
    const unsharded = simulateFleet(fleet).assumeRolesPerSecond;
    const found = shardsNeeded(shape, unsharded / 2, 20);
    expect(found).toBeDefined();
    expect(found!.shards).toBeGreaterThan(1);
    expect(found!.count.assumeRolesPerSecond).toBeLessThanOrEqual(unsharded / 2);
    expect(shardsNeeded(shape, 0, 20)).toBeUndefined();
  });
});

describe('popularity', () => {
  test('Zipf with s = 1: the top tenant of 100 gets about 1 / H(100) = 19 % of calls; s = 0 is uniform', () => {
    const draw = zipfSampler(100, 1, seededRandom(3));
    let top = 0;
    for (let i = 0; i < 100_000; i++) if (draw() === 0) top++;
    expect(top / 100_000).toBeGreaterThan(0.18);
    expect(top / 100_000).toBeLessThan(0.205);

    const uniform = zipfSampler(100, 0, seededRandom(3));
    let first = 0;
    for (let i = 0; i < 100_000; i++) if (uniform() === 0) first++;
    expect(first / 100_000).toBeLessThan(0.012);
  });
});

describe('repeatability and refusals', () => {
  test('the same seed gives the same count; other seeds, close counts', () => {
    const shape = { ...base, tenants: 50, cacheEntries: 10, durationS: 600 };
    expect(simulateFleet(shape)).toEqual(simulateFleet(shape));
    const mean = expectedFleetCount(shape, [1, 2, 3, 4]);
    expect(Math.abs(simulateFleet(shape).assumeRoles / mean.assumeRoles - 1)).toBeLessThan(0.1);
  });

  test.each([
    [{ tenants: 0 }, /tenants must be above 0/],
    [{ sandboxes: 10, shards: 3 }, /sandboxes must split evenly over 3 shards/],
    [{ refreshBeforeExpiryS: 900 }, /refreshBeforeExpiryS must be from 0 to below the credential lifetime/],
    [{ warmupS: -1 }, /warmupS must be 0 or more/],
  ])('refuses %j, naming the field', (edit, message) => {
    expect(() => simulateFleet({ ...base, ...edit })).toThrow(FleetShapeError);
    expect(() => simulateFleet({ ...base, ...edit })).toThrow(message);
  });
});
