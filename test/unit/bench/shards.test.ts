import { shardOf } from '../../../rules/shards';
import { tenantIdOnOtherShard } from '../../../bench/shards';

describe('bench part 8: the quiet tenant is on the other shard', () => {
  it.each(['acme', 'globex', 'bench-tenant', 'x'])('a tenant ID off the shard of %s, for 2 and 5 shards', (avoid) => {
    for (const shards of [2, 5]) {
      const id = tenantIdOnOtherShard(avoid, shards, 'run1');
      expect(shardOf(id, shards)).not.toBe(shardOf(avoid, shards));
      expect(id.startsWith('bench-quiet-run1-')).toBe(true);
    }
  });

  it('refuses when every tenant is on one shard (a single shard)', () => {
    expect(() => tenantIdOnOtherShard('acme', 1, 'run1')).toThrow(/no tenant ID of 1,000 tried lands off shard 0 of 1/);
  });
});
