/**
 * Shard routing (rules/shards.ts): stable, in range, even enough, and refusing a bad count.
 */
import { MAX_SHARDS, shardOf, ShardCountError } from '../../../rules/shards';

test('a tenant always lands on the same shard, in range', () => {
  for (const shards of [1, 2, 7, MAX_SHARDS]) {
    for (const tenant of ['acme', 'globex', 'mallory', 'tenant-9999']) {
      const s = shardOf(tenant, shards);
      expect(s).toBe(shardOf(tenant, shards));
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(shards);
    }
  }
});

test('10,000 tenants spread over 8 shards within 10 % of an even share each', () => {
  const counts = new Array(8).fill(0);
  for (let i = 0; i < 10_000; i++) counts[shardOf(`tenant-${i}`, 8)]++;
  for (const c of counts) expect(Math.abs(c / 1250 - 1)).toBeLessThan(0.1);
});

test('a known value, so a change of hash (which would move every tenant) is noticed', () => {
  expect([shardOf('acme', 16), shardOf('globex', 16), shardOf('mallory', 16)]).toMatchSnapshot();
});

test.each([0, -1, 1.5, MAX_SHARDS + 1, Number.NaN])('refuses %p shards, naming the limit', (n) => {
  expect(() => shardOf('acme', n)).toThrow(ShardCountError);
  expect(() => shardOf('acme', n)).toThrow(new RegExp(`from 1 to ${MAX_SHARDS}`));
});
