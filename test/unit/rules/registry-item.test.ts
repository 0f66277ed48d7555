// ---------------------------------------------------------------------------
// The registry table's item contract (rules/registry-item.ts): keys, the tenant item's round trip
// and its refusals (same rules as the config), versions, the external-ID reservation (hash, never
// the ID), the vend caller item, and the conditional-write expressions.
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import {
  RegistryItemError, createItemCondition, externalIdReservationItem, externalIdReservationKey, marshalTenantRecord,
  newTenantRecord, nextTenantRecord, parseExternalIdReservationItem, parseTenantItem, parseVendCallerItem,
  tenantEntryOf, tenantItem, tenantKey, tenantVersionCondition, vendCallerItem, vendCallerKey,
} from '../../../rules/registry-item';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const LATER = new Date('2026-11-28T08:30:00.000Z');
const ACME = {
  tenantId: 'acme',
  roleArn: 'arn:aws:iam::444455556666:role/tibco_sidecar_connector',
  externalId: 'sc-test-acme-0123456789',
  functionArns: ['arn:aws:lambda:us-east-1:444455556666:function:sidecar-echo'],
};

describe('keys', () => {
  it('builds the tenant, reservation and vend-caller keys on the one partition key pk', () => {
    expect(tenantKey('acme')).toEqual({ pk: { S: 'tenant#acme' } });
    const hash = createHash('sha256').update('sc-test-acme-0123456789').digest('hex');
    expect(externalIdReservationKey('sc-test-acme-0123456789')).toEqual({ pk: { S: `external-id#${hash}` } });
    expect(vendCallerKey('arn:aws:iam::809167139867:role/ops')).toEqual({ pk: { S: 'vend-caller#arn:aws:iam::809167139867:role/ops' } });
  });
});

describe('tenant item', () => {
  it('marshals a new tenant as active, version 1, created and updated now', () => {
    expect(tenantItem(ACME, NOW)).toEqual({
      pk: { S: 'tenant#acme' },
      tenantId: { S: 'acme' },
      roleArn: { S: ACME.roleArn },
      externalId: { S: ACME.externalId },
      functionArns: { L: [{ S: ACME.functionArns[0] }] },
      status: { S: 'active' },
      createdAt: { S: '2026-11-27T12:00:00.000Z' },
      updatedAt: { S: '2026-11-27T12:00:00.000Z' },
      version: { N: '1' },
    });
  });

  it('round-trips through parseTenantItem, previous ID and manager included', () => {
    const record = newTenantRecord({ ...ACME, previousExternalId: 'sc-test-acme-old-42' }, NOW, 'config');
    expect(parseTenantItem(marshalTenantRecord(record), 'test')).toEqual(record);
  });

  it('gives the lookups the current external ID, and during a rotation the previous one for the fallback', () => {
    const record = newTenantRecord({ ...ACME, previousExternalId: 'sc-test-acme-old-42' }, NOW);
    expect(tenantEntryOf(record)).toEqual({ ...ACME, previousExternalId: 'sc-test-acme-old-42' });
    expect(tenantEntryOf(newTenantRecord(ACME, NOW))).toEqual(ACME);
  });

  it('ignores attributes outside the contract', () => {
    expect(parseTenantItem({ ...tenantItem(ACME, NOW), note: { S: 'x' } }, 'test').tenantId).toBe('acme');
  });

  it('refuses an item with a missing attribute or a wrong type, listing every problem', () => {
    const { roleArn: _r, ...item } = tenantItem(ACME, NOW);
    const bad = { ...item, version: { S: '1' } };
    expect(() => parseTenantItem(bad, 'sidecar-tenants/tenant#acme')).toThrow(RegistryItemError);
    expect(() => parseTenantItem(bad, 'sidecar-tenants/tenant#acme')).toThrow(/sidecar-tenants\/tenant#acme[\s\S]*roleArn: missing[\s\S]*version: must be of type N/);
  });

  it('refuses with the config\'s rules: a role ARN, an external ID, a status, a timestamp', () => {
    const item = { ...tenantItem(ACME, NOW), roleArn: { S: 'arn:aws:iam::1:role/x' }, externalId: { S: 'has space' }, status: { S: 'paused' }, createdAt: { S: 'yesterday' } };
    let error: RegistryItemError | undefined;
    try { parseTenantItem(item, 'test'); } catch (e) { error = e as RegistryItemError; }
    expect(error?.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^roleArn: role ARN/), expect.stringMatching(/^externalId: external ID/),
      expect.stringMatching(/^status:/), expect.stringMatching(/^createdAt: must be an ISO 8601/),
    ]));
    expect(error?.message).not.toContain('has space'); // an external ID is a secret, even a bad one
  });

  it('refuses a pk that does not match the tenant ID', () => {
    expect(() => parseTenantItem({ ...tenantItem(ACME, NOW), pk: { S: 'tenant#globex' } }, 'test')).toThrow(/pk: must be "tenant#acme"/);
  });

  it('refuses a previous external ID equal to the current one, and an empty function list', () => {
    expect(() => newTenantRecord({ ...ACME, previousExternalId: ACME.externalId }, NOW)).toThrow(/previousExternalId: must differ/);
    expect(() => tenantItem({ ...ACME, functionArns: [] }, NOW)).toThrow(/functionArns: must list at least one function/);
  });

  it('increments the version, keeps createdAt and drops the previous ID when a rotation ends', () => {
    const v1 = newTenantRecord({ ...ACME, previousExternalId: 'sc-test-acme-old-42' }, NOW);
    const v2 = nextTenantRecord(v1, { previousExternalId: undefined, status: 'offboarded' }, LATER);
    expect(v2).toEqual({ ...ACME, status: 'offboarded', createdAt: NOW.toISOString(), updatedAt: LATER.toISOString(), version: 2 });
    expect(marshalTenantRecord(v2)).not.toHaveProperty('previousExternalId');
  });
});

describe('external-ID reservation item', () => {
  it('stores the hash of the ID and the tenant, never the ID', () => {
    const item = externalIdReservationItem(ACME.externalId, 'acme', NOW);
    expect(JSON.stringify(item)).not.toContain(ACME.externalId);
    expect(parseExternalIdReservationItem(item, 'test')).toEqual({ pk: externalIdReservationKey(ACME.externalId).pk.S, tenantId: 'acme', createdAt: NOW.toISOString() });
  });

  it('refuses an ID that breaks the rule, and a reservation without a hash key', () => {
    expect(() => externalIdReservationItem('x', 'acme', NOW)).toThrow(/externalId: breaks the external-ID rule/);
    expect(() => parseExternalIdReservationItem({ pk: { S: 'external-id#plain' }, tenantId: { S: 'acme' }, createdAt: { S: NOW.toISOString() } }, 'test')).toThrow(/sha256 hex/);
  });
});

describe('vend caller item', () => {
  const ops = 'arn:aws:iam::809167139867:role/ops';
  it('round-trips a caller and its tenants', () => {
    const item = vendCallerItem({ principalArn: ops, tenantIds: ['acme', 'globex'] });
    expect(item).toEqual({ pk: { S: `vend-caller#${ops}` }, principalArn: { S: ops }, tenantIds: { L: [{ S: 'acme' }, { S: 'globex' }] } });
    expect(parseVendCallerItem(item, 'test')).toEqual({ principalArn: ops, tenantIds: ['acme', 'globex'] });
  });

  it('refuses a session ARN, a wildcard, and an empty tenant list', () => {
    expect(() => vendCallerItem({ principalArn: 'arn:aws:sts::809167139867:assumed-role/ops/s', tenantIds: ['acme'] })).toThrow(/IAM role or user ARN/);
    expect(() => vendCallerItem({ principalArn: 'arn:aws:iam::809167139867:role/*', tenantIds: ['acme'] })).toThrow(/IAM role or user ARN/);
    expect(() => vendCallerItem({ principalArn: ops, tenantIds: [] })).toThrow(/at least one tenant/);
  });
});

describe('conditional writes', () => {
  it('creates only where the key is absent, and updates only the version that was read', () => {
    expect(createItemCondition()).toEqual({ ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } });
    expect(tenantVersionCondition(3)).toEqual({ ConditionExpression: '#version = :expectedVersion', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expectedVersion': { N: '3' } } });
  });
});
