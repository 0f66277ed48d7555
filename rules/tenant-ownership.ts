// ---------------------------------------------------------------------------
// Who owns a tenant's role, as far as the config can tell. A tenant is paired with a customer when
// it names that customer's role AND one of that customer's external IDs: the honest pairing. A
// tenant that names a configured customer's role (or a role in that customer's account) with an
// external ID that customer never had does not own the role: that is the confused deputy, and the
// only right answer is to refuse the tenant, never to change the customer's trust to fit it.
// The config's cross-entry rules, the customer stack (which tenant IDs a trust accepts) and
// `npm run verify` read the same answer from here.
// ---------------------------------------------------------------------------
import { parseRoleArn } from './naming';

/** The fields of a customer entry this file reads (config's CustomerConfig has them all). */
export interface OwnerCustomer {
  readonly name: string;
  readonly accountId: string;
  readonly roleName: string;
  readonly externalIds: { readonly current: string; readonly previous?: string };
  /** The tenant IDs the customer wrote down (what the vendor told them), if any. */
  readonly tenantIds?: readonly string[];
}

/** The fields of a tenant entry this file reads. */
export interface OwnedTenant {
  readonly id: string;
  readonly roleArn: string;
  readonly externalId: string;
}

export type TenantOwnership =
  /** The customer's configured role, with one of the customer's external IDs. */
  | { readonly kind: 'paired'; readonly customer: OwnerCustomer }
  /** Another customer's configured role, with an external ID that customer never had. */
  | { readonly kind: 'foreign-role'; readonly owner: OwnerCustomer }
  /** A role in another customer's account (not its configured role), with an external ID that customer never had. */
  | { readonly kind: 'foreign-account'; readonly owner: OwnerCustomer }
  /** The customer's external ID, but a role other than the one the customer configured. */
  | { readonly kind: 'other-role-of-customer'; readonly customer: OwnerCustomer }
  /** A role in an account no configured customer has: the config cannot tell who owns it. */
  | { readonly kind: 'unconfigured' };

/** The external IDs a customer's trust accepts: the current one and, during a rotation, the previous. */
export function externalIdsOf(customer: OwnerCustomer): string[] {
  return [customer.externalIds.current, ...(customer.externalIds.previous !== undefined ? [customer.externalIds.previous] : [])];
}

/** Who owns the role `tenant` names, by the config's customers. */
export function tenantOwnership(tenant: OwnedTenant, customers: readonly OwnerCustomer[]): TenantOwnership {
  const role = parseRoleArn(tenant.roleArn);
  if (!role) return { kind: 'unconfigured' };
  const inAccount = customers.filter((c) => c.accountId === role.accountId);
  if (inAccount.length === 0) return { kind: 'unconfigured' };
  const roleOwner = inAccount.find((c) => c.roleName === role.roleName);
  if (roleOwner) {
    return externalIdsOf(roleOwner).includes(tenant.externalId) ? { kind: 'paired', customer: roleOwner } : { kind: 'foreign-role', owner: roleOwner };
  }
  const idOwner = inAccount.find((c) => externalIdsOf(c).includes(tenant.externalId));
  return idOwner ? { kind: 'other-role-of-customer', customer: idOwner } : { kind: 'foreign-account', owner: inAccount[0] };
}

/** Whether `tenant` is paired with `customer` (its role, one of its external IDs). */
export function isPairedWith(tenant: OwnedTenant, customer: OwnerCustomer, customers: readonly OwnerCustomer[]): boolean {
  const ownership = tenantOwnership(tenant, customers);
  return ownership.kind === 'paired' && ownership.customer.name === customer.name;
}

/**
 * The tenant IDs a customer's trust accepts as SourceIdentity: the `tenantIds` the customer wrote
 * (what the vendor gave them with the external ID), else the config's tenants paired with this
 * customer. The config loader refuses an explicit list that leaves out a paired tenant or names
 * another customer's tenant, and a customer left with none (config/schema.ts).
 */
export function customerTenantIds(customer: OwnerCustomer, tenants: readonly OwnedTenant[], customers: readonly OwnerCustomer[]): string[] {
  if (customer.tenantIds !== undefined) return [...customer.tenantIds];
  return tenants.filter((t) => isPairedWith(t, customer, customers)).map((t) => t.id);
}
