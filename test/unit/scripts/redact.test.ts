// The redactor that every kept deploy log goes through: Terraform prints trust policies, with
// their external IDs, in its plans.
import { parseConfig } from '../../../config/load';
import { configSecrets, redactSecrets } from '../../../scripts/lib/redact';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const config = { ...parseConfig(JSON.parse(readFileSync(join(__dirname, '../../../config/local.json'), 'utf8')), 'config/local.json'), target: 'local' as const, file: 'config/local.json' };

describe('configSecrets', () => {
  test('lists every external ID (current, previous, tenants) and every local root secret key', () => {
    const values = configSecrets(config).map((s) => s.value);
    for (const c of config.customers) {
      expect(values).toContain(c.externalIds.current);
      if (c.externalIds.previous) expect(values).toContain(c.externalIds.previous);
    }
    for (const t of config.tenants) expect(values).toContain(t.externalId);
    expect(values).toContain((config.accounts.vendor as { secretAccessKey: string }).secretAccessKey);
  });

  test('names a tenant and its customer together when they share an ID', () => {
    const acme = configSecrets(config).find((s) => s.value === config.tenants[0].externalId);
    expect(acme?.label).toMatch(/customer customer-a = external ID of tenant acme/);
  });
});

describe('redactSecrets', () => {
  test('replaces each secret in a Terraform plan line by its label', () => {
    const id = config.customers[0].externalIds.current;
    const line = `+ Condition = { StringEquals = { "sts:ExternalId" = "${id}" } }`;
    const out = redactSecrets(line, configSecrets(config));
    expect(out).not.toContain(id);
    expect(out).toContain('[redacted: current external ID of customer customer-a');
  });

  test('leaves text without secrets as it was', () => {
    expect(redactSecrets('aws_iam_role.customer_role: Creation complete', configSecrets(config))).toBe('aws_iam_role.customer_role: Creation complete');
  });

  test('refuses a secret too short to replace without damaging ordinary text', () => {
    expect(() => redactSecrets('abc', [{ label: 'tiny', value: 'ab' }])).toThrow(/too short/);
  });
});
