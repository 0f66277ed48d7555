// ---------------------------------------------------------------------------
// Which connector function a caller invokes for a tenant. With one shard (the default), the
// connector's configured name; with several, the shard that `shardOf` assigns the tenant, named by
// `connectorShardFunctionName`. Callers (demo, verify, the e2e world, the bench) route with this
// one function; the connector refuses a tenant of another shard (WrongShard) with the same rule.
// Pure: takes the config's vendor section, calls nothing.
// ---------------------------------------------------------------------------
import { connectorShardFunctionName } from './naming';
import { shardOf } from './shards';

/** The part of the config routing reads (structural, so it needs neither zod nor the loader). */
export interface ConnectorRoutingConfig {
  readonly vendor: {
    readonly connectorFunctionName: string;
    readonly connectorShards?: { readonly count: number };
  };
}

/** The configured shard count (1 when the config has no `connectorShards`). */
export function connectorShardCount(config: ConnectorRoutingConfig): number {
  return config.vendor.connectorShards?.count ?? 1;
}

/** Every connector function, shard 0 first (one name, the configured one, when unsharded). */
export function connectorShardFunctionNames(config: ConnectorRoutingConfig): string[] {
  const count = connectorShardCount(config);
  return Array.from({ length: count }, (_, index) => connectorShardFunctionName(config.vendor.connectorFunctionName, index, count));
}

/** The connector function that serves `tenantId`. */
export function connectorFunctionFor(tenantId: string, config: ConnectorRoutingConfig): string {
  const count = connectorShardCount(config);
  return connectorShardFunctionName(config.vendor.connectorFunctionName, shardOf(tenantId, count), count);
}
