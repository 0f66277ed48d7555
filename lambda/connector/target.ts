// ---------------------------------------------------------------------------
// The target of a request, from the registry alone (one registry read, usually cached; no STS or
// Lambda call): the tenant (missing or offboarded: UnknownTenant), its role inside the agreed
// prefix, and the function it names (or its first one). Every refusal before AWS happens here.
// ---------------------------------------------------------------------------
import { connectorShardFunctionName } from '../../rules/naming';
import { shardOf } from '../../rules/shards';
import type { ShardEnv } from '../shared/env';
import { WrongShardError } from '../shared/errors';
import { allowedFunctionArn, assertRoleInPrefix } from '../shared/tenants';
import type { ConnectorRequest } from './input';
import type { ConnectorDeps, ConnectorTarget } from './types';

/** A shard serves only the tenants `shardOf` assigns it: any other is refused here, before the
 *  registry is read, with the function the caller should have invoked. */
export function assertOwnShard(tenant: string, shard: ShardEnv | undefined): void {
  if (!shard || shard.count <= 1) return;
  const tenantShard = shardOf(tenant, shard.count);
  if (tenantShard !== shard.index) throw new WrongShardError(tenant, shard.index, tenantShard, connectorShardFunctionName(shard.baseName, tenantShard, shard.count));
}

export async function resolveTarget(request: ConnectorRequest, deps: Pick<ConnectorDeps, 'registry' | 'rolePrefix' | 'shard'>, signal?: AbortSignal): Promise<ConnectorTarget> {
  assertOwnShard(request.tenant, deps.shard);
  const tenant = await deps.registry.tenant(request.tenant, signal);
  assertRoleInPrefix(tenant, deps.rolePrefix);
  const functionArn = request.function === undefined ? tenant.functionArns[0] : allowedFunctionArn(tenant, request.function, 'function');
  return { tenant, functionArn };
}
