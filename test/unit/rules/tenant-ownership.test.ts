// ---------------------------------------------------------------------------
// Who owns a tenant's role (rules/tenant-ownership.ts): the honest pairing (the customer's role and
// one of its external IDs), and each way a tenant can point at a role it does not own, each beside
// its nearest honest neighbour; and which tenant IDs a customer's trust accepts as SourceIdentity.
// ---------------------------------------------------------------------------
import { customerTenantIds, externalIdsOf, isPairedWith, tenantOwnership, type OwnerCustomer } from '../../../rules/tenant-ownership';

const A: OwnerCustomer = { name: 'customer-a', accountId: '444455556666', roleName: 'tibco_sidecar_connector', externalIds: { current: 'sc-a' } };
const B: OwnerCustomer = { name: 'customer-b', accountId: '111122223333', roleName: 'tibco_sidecar_connector-orders', externalIds: { current: 'sc-b', previous: 'sc-b-old' } };
const CUSTOMERS = [A, B];
const ROLE_A = 'arn:aws:iam::444455556666:role/tibco_sidecar_connector';
const ROLE_B = 'arn:aws:iam::111122223333:role/tibco_sidecar_connector-orders';

const acme = { id: 'acme', roleArn: ROLE_A, externalId: 'sc-a' };
const globex = { id: 'globex', roleArn: ROLE_B, externalId: 'sc-b' };
const globexOld = { id: 'globex-old', roleArn: ROLE_B, externalId: 'sc-b-old' };
const mallory = { id: 'mallory', roleArn: ROLE_A, externalId: 'sc-m' };

describe('tenantOwnership', () => {
  test('the customer\'s role with its current external ID: paired with that customer', () => {
    expect(tenantOwnership(acme, CUSTOMERS)).toEqual({ kind: 'paired', customer: A });
  });

  test('the customer\'s role with its previous external ID (a rotation): paired too', () => {
    expect(tenantOwnership(globexOld, CUSTOMERS)).toEqual({ kind: 'paired', customer: B });
  });

  test('the confused deputy: customer A\'s role with an external ID A never had is A\'s role, not the tenant\'s', () => {
    expect(tenantOwnership(mallory, CUSTOMERS)).toEqual({ kind: 'foreign-role', owner: A });
  });

  test('customer A\'s role with customer B\'s external ID is still A\'s role', () => {
    expect(tenantOwnership({ id: 'x', roleArn: ROLE_A, externalId: 'sc-b' }, CUSTOMERS)).toEqual({ kind: 'foreign-role', owner: A });
  });

  test('another role in customer A\'s account, with an external ID A never had: A\'s account, not the tenant\'s', () => {
    expect(tenantOwnership({ id: 'x', roleArn: 'arn:aws:iam::444455556666:role/tibco_sidecar_connector-other', externalId: 'sc-m' }, CUSTOMERS)).toEqual({ kind: 'foreign-account', owner: A });
  });

  test('another role in customer A\'s account with A\'s own external ID: A\'s, but not the role A configured', () => {
    expect(tenantOwnership({ id: 'x', roleArn: 'arn:aws:iam::444455556666:role/tibco_sidecar_connector-other', externalId: 'sc-a' }, CUSTOMERS)).toEqual({ kind: 'other-role-of-customer', customer: A });
  });

  test('a role in an account no customer has: the config cannot tell', () => {
    expect(tenantOwnership({ id: 'x', roleArn: 'arn:aws:iam::999988887777:role/tibco_sidecar_connector', externalId: 'sc-a' }, CUSTOMERS)).toEqual({ kind: 'unconfigured' });
  });

  test('isPairedWith names the one customer a tenant is paired with', () => {
    expect(isPairedWith(acme, A, CUSTOMERS)).toBe(true);
    expect(isPairedWith(acme, B, CUSTOMERS)).toBe(false);
    expect(isPairedWith(mallory, A, CUSTOMERS)).toBe(false);
  });
});

describe('customerTenantIds (what the trust accepts as SourceIdentity)', () => {
  const tenants = [acme, globex, globexOld, mallory];

  test('by default, the tenants paired with the customer: never the confused deputy on its role', () => {
    expect(customerTenantIds(A, tenants, CUSTOMERS)).toEqual(['acme']);
    expect(customerTenantIds(B, tenants, CUSTOMERS)).toEqual(['globex', 'globex-old']);
  });

  test('the tenantIds a customer wrote down win (the vendor told them before adding the tenant)', () => {
    expect(customerTenantIds({ ...A, tenantIds: ['acme-new'] }, tenants, CUSTOMERS)).toEqual(['acme-new']);
  });

  test('no paired tenant and no list: none (the config loader and the stack refuse that)', () => {
    expect(customerTenantIds(A, [globex, mallory], CUSTOMERS)).toEqual([]);
  });

  test('externalIdsOf: the current ID, and the previous during a rotation', () => {
    expect(externalIdsOf(A)).toEqual(['sc-a']);
    expect(externalIdsOf(B)).toEqual(['sc-b', 'sc-b-old']);
  });
});
