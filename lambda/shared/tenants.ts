// ---------------------------------------------------------------------------
// Registry lookups shared by the connector and vend: the tenant, its role (inside the agreed
// prefix) and the functions it may reach. Each refusal here happens before any AWS call.
// ---------------------------------------------------------------------------
import { hasRolePrefix, parseFunctionArn, parseRoleArn } from '../../rules/naming';
import type { TenantRegistry, TenantRegistryEntry } from '../../rules/tenant-registry';
import { FunctionNotAllowedError, RoleNotAllowedError, UnknownTenantError, ValidationError } from './errors';

/** The tenant's entry. Own properties only: "constructor" or "__proto__" is not a tenant. */
export function findTenant(registry: TenantRegistry, tenantId: string): TenantRegistryEntry {
  if (!Object.prototype.hasOwnProperty.call(registry.tenants, tenantId)) throw new UnknownTenantError(tenantId);
  return registry.tenants[tenantId];
}

/** Refuse a role outside the agreed prefix: the connector's own policy would refuse it too,
 *  but this way a bad registry entry never reaches STS. */
export function assertRoleInPrefix(entry: TenantRegistryEntry, rolePrefix: string): void {
  const role = parseRoleArn(entry.roleArn);
  if (!role || !hasRolePrefix(role.roleName, rolePrefix)) throw new RoleNotAllowedError(entry.tenantId, entry.roleArn, rolePrefix);
}

/**
 * The allowed ARN a request names: an exact ARN from the tenant's list, or a bare function name
 * that matches exactly one of them. Anything else (another function, a qualified ARN, an alias)
 * is refused with FunctionNotAllowed. `field` names the request field in validation errors.
 */
export function allowedFunctionArn(entry: TenantRegistryEntry, requested: string, field: string): string {
  if (requested.startsWith('arn:')) {
    if (entry.functionArns.includes(requested)) return requested;
    throw new FunctionNotAllowedError(entry.tenantId, [requested]);
  }
  const matches = entry.functionArns.filter((arn) => parseFunctionArn(arn)?.functionName === requested);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) throw new ValidationError(field, `function name "${requested}" matches ${matches.length} of the tenant's functions (in different accounts or regions): pass the full ARN`);
  throw new FunctionNotAllowedError(entry.tenantId, [requested]);
}

/** Every requested function resolved, or one FunctionNotAllowedError naming all refused ones. */
export function allowedFunctionArns(entry: TenantRegistryEntry, requested: readonly string[], field: string): string[] {
  const allowed: string[] = [];
  const refused: string[] = [];
  requested.forEach((fn, i) => {
    try {
      const arn = allowedFunctionArn(entry, fn, `${field}[${i}]`);
      if (!allowed.includes(arn)) allowed.push(arn);
    } catch (e) {
      if (!(e instanceof FunctionNotAllowedError)) throw e;
      refused.push(fn);
    }
  });
  if (refused.length > 0) throw new FunctionNotAllowedError(entry.tenantId, refused);
  return allowed;
}
