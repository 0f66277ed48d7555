// ---------------------------------------------------------------------------
// The target of a request, from the registry alone (one registry read, usually cached; no STS or
// Lambda call): the tenant (missing or offboarded: UnknownTenant), its role inside the agreed
// prefix, and the function it names (or its first one). Every refusal before AWS happens here.
// ---------------------------------------------------------------------------
import { allowedFunctionArn, assertRoleInPrefix } from '../shared/tenants';
import type { ConnectorRequest } from './input';
import type { ConnectorDeps, ConnectorTarget } from './types';

export async function resolveTarget(request: ConnectorRequest, deps: Pick<ConnectorDeps, 'registry' | 'rolePrefix'>, signal?: AbortSignal): Promise<ConnectorTarget> {
  const tenant = await deps.registry.tenant(request.tenant, signal);
  assertRoleInPrefix(tenant, deps.rolePrefix);
  const functionArn = request.function === undefined ? tenant.functionArns[0] : allowedFunctionArn(tenant, request.function, 'function');
  return { tenant, functionArn };
}
