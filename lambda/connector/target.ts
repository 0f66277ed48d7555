// ---------------------------------------------------------------------------
// The target of a request, from the registry alone (no AWS call): the tenant, its role inside
// the agreed prefix, and the function it names (or its first one). Every refusal before AWS
// happens here.
// ---------------------------------------------------------------------------
import { allowedFunctionArn, assertRoleInPrefix, findTenant } from '../shared/tenants';
import type { ConnectorRequest } from './input';
import type { ConnectorDeps, ConnectorTarget } from './types';

export function resolveTarget(request: ConnectorRequest, deps: Pick<ConnectorDeps, 'registry' | 'rolePrefix'>): ConnectorTarget {
  const tenant = findTenant(deps.registry, request.tenant);
  assertRoleInPrefix(tenant, deps.rolePrefix);
  const functionArn = request.function === undefined ? tenant.functionArns[0] : allowedFunctionArn(tenant, request.function, 'function');
  return { tenant, functionArn };
}
