// ---------------------------------------------------------------------------
// Synth assertions on the vendor stack of config/local.json: the connector and vend functions
// (nodejs22.x, their own execution roles trusted by the Lambda service of the vendor account),
// roles that can do nothing but assume the prefixed roles, read the registry and log (configured
// and dynamic onboarding), the environment without external IDs, the outputs, the synth-time
// warning for an unreachable tenant; the registry table, its seeded items, the read policies and
// vend's function policy; and its guards.
// ---------------------------------------------------------------------------
import { Testing } from 'cdktf';
import { assumePrefixedRolesPolicy, lambdaServiceTrustPolicy, registryReadPolicy } from '../../../rules/policies';
import { VendorStack } from '../../../modules/vendor-stack';
import { CONFIG_SEED_TIMESTAMP } from '../../../modules/tenant-registry-table';
import { externalIdReservationPk, marshalTenantRecord, newTenantRecord } from '../../../rules/registry-item';
import {
  asList, localConfig, localStacks, parsePolicy, policiesOfRole, ref, resourceWhere, resourcesOf, synthApp, synthJson, unvalidated,
} from '../../support/synth';

const { config, vendorAccount, customerA, customerB, local, vendorJson } = localStacks();

// ---------------------------------------------------------------------------
// Vendor stack
// ---------------------------------------------------------------------------

describe('vendor stack', () => {
  const ALLOWED_ACTIONS = new Set(['sts:AssumeRole', 'sts:SetSourceIdentity', 'dynamodb:GetItem', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);

  test.each([
    ['connector', config.vendor.connectorFunctionName, config.vendor.connectorRoleName],
    ['vend', config.vendor.vendFunctionName, config.vendor.vendRoleName],
  ])('the %s function runs nodejs22.x as index.handler with its own execution role', (_kind, functionName, roleName) => {
    const fn = resourceWhere(vendorJson, 'aws_lambda_function', 'function_name', functionName).attrs;
    const role = resourceWhere(vendorJson, 'aws_iam_role', 'name', roleName);
    expect(fn).toMatchObject({ runtime: 'nodejs22.x', handler: 'index.handler', timeout: 30, memory_size: 256 });
    expect(fn.role).toBe(ref('aws_iam_role', role.id, 'arn'));
    expect(fn.filename).toMatch(/^assets\/.+\/archive\.zip$/);
    expect(fn.source_code_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each([
    [config.vendor.connectorRoleName], [config.vendor.vendRoleName],
  ])('%s is trusted by the Lambda service of the vendor account only', (roleName) => {
    const role = resourceWhere(vendorJson, 'aws_iam_role', 'name', roleName).attrs;
    expect(parsePolicy(role.assume_role_policy)).toEqual(lambdaServiceTrustPolicy(vendorAccount));
  });

  test.each([
    [config.vendor.connectorRoleName, config.vendor.connectorFunctionName], [config.vendor.vendRoleName, config.vendor.vendFunctionName],
  ])('%s can do nothing but assume the prefixed roles, read the registry and write its own logs', (roleName, functionName) => {
    const { id } = resourceWhere(vendorJson, 'aws_iam_role', 'name', roleName);
    const { inline, attachments } = policiesOfRole(vendorJson, id);
    expect(attachments).toEqual([]);
    expect(inline.map((p) => p.name).sort()).toEqual(['assume-sidecar-connector-roles', 'read-tenant-registry', 'write-own-logs']);
    const statements = inline.flatMap((p) => parsePolicy(p.policy).Statement);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      for (const action of asList(statement.Action)) expect(ALLOWED_ACTIONS.has(action)).toBe(true);
    }
    const assume = statements.filter((s) => asList(s.Action).includes('sts:AssumeRole'));
    expect(assume.flatMap((s) => asList(s.Resource)).sort()).toEqual([customerB.accountId, customerA.accountId].map((a) => `arn:aws:iam::${a}:role/tibco_sidecar_connector*`).sort());
    // The tenant as SourceIdentity: set on exactly the roles it may assume, nowhere else.
    const setSource = statements.filter((s) => asList(s.Action).includes('sts:SetSourceIdentity'));
    expect(setSource.flatMap((s) => asList(s.Resource)).sort()).toEqual(assume.flatMap((s) => asList(s.Resource)).sort());
    const logs = statements.filter((s) => asList(s.Action).some((a) => a.startsWith('logs:')));
    for (const resource of logs.flatMap((s) => asList(s.Resource))) {
      expect(resource.startsWith(`arn:aws:logs:${config.region}:${vendorAccount}:log-group:/aws/lambda/${functionName}:`)).toBe(true);
    }
  });

  test('dynamic onboarding lets the roles assume the prefixed role in any account, and nothing wider', () => {
    const dynamic = synthApp({ config: localConfig((raw) => { raw.vendor.onboarding = 'dynamic'; }) });
    const json = synthJson(dynamic.vendor);
    for (const roleName of [config.vendor.connectorRoleName, config.vendor.vendRoleName]) {
      const { id } = resourceWhere(json, 'aws_iam_role', 'name', roleName);
      const assume = policiesOfRole(json, id).inline.find((p) => p.name === 'assume-sidecar-connector-roles')!;
      expect(parsePolicy(assume.policy)).toEqual(assumePrefixedRolesPolicy({ rolePrefix: 'tibco_sidecar_connector', accountIds: '*' }));
    }
  });

  test('configured onboarding does not reach an account that is not a configured customer', () => {
    const { id } = resourceWhere(vendorJson, 'aws_iam_role', 'name', config.vendor.connectorRoleName);
    const resources = policiesOfRole(vendorJson, id).inline.flatMap((p) => parsePolicy(p.policy).Statement).flatMap((s) => asList(s.Resource));
    expect(resources).not.toContain('arn:aws:iam::*:role/tibco_sidecar_connector*');
    expect(resources.some((r) => r.includes(`:${vendorAccount}:role/`))).toBe(false);
  });

  test('the connector and vend functions get the service name and role prefix in their environment (the connector: the config\'s dry-run limit too)', () => {
    const connector = resourceWhere(vendorJson, 'aws_lambda_function', 'function_name', config.vendor.connectorFunctionName).attrs;
    expect(connector.environment.variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'sidecar-connector', SIDECAR_ROLE_PREFIX: 'tibco_sidecar_connector', NODE_OPTIONS: '--enable-source-maps',
      SIDECAR_REGISTRY_TABLE: 'sidecar-tenants', SIDECAR_REGISTRY_REGION: config.region,
      SIDECAR_DRY_RUN_BURST: String(config.vendor.dryRunLimit.burst), SIDECAR_DRY_RUN_REFILL_SECONDS: String(config.vendor.dryRunLimit.refillSeconds),
    });
    expect(config.vendor.dryRunLimit).toEqual({ burst: 3, refillSeconds: 1 });
    const vend = resourceWhere(vendorJson, 'aws_lambda_function', 'function_name', config.vendor.vendFunctionName).attrs;
    expect(vend.environment.variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'sidecar-vend', SIDECAR_ROLE_PREFIX: 'tibco_sidecar_connector', NODE_OPTIONS: '--enable-source-maps',
      SIDECAR_REGISTRY_TABLE: 'sidecar-tenants', SIDECAR_REGISTRY_REGION: config.region,
      SIDECAR_VEND_AUDIENCE: `arn:aws:lambda:${config.region}:${vendorAccount}:function:${config.vendor.vendFunctionName}`,
    });
  });

  test('the environment carries no external ID', () => {
    const env = JSON.stringify(Object.values(resourcesOf(vendorJson, 'aws_lambda_function')).map((f) => f.environment));
    for (const tenant of config.tenants) expect(env).not.toContain(tenant.externalId);
  });

  test('outputs the function names and ARNs, the role ARNs and the account ID', () => {
    const connector = resourceWhere(vendorJson, 'aws_lambda_function', 'function_name', config.vendor.connectorFunctionName).id;
    const connectorRole = resourceWhere(vendorJson, 'aws_iam_role', 'name', config.vendor.connectorRoleName).id;
    expect(vendorJson.output).toEqual({
      vendor_account_id: { value: vendorAccount },
      connector_function_name: { value: ref('aws_lambda_function', connector, 'function_name') },
      connector_function_arn: { value: ref('aws_lambda_function', connector, 'arn') },
      connector_role_arn: { value: ref('aws_iam_role', connectorRole, 'arn') },
      connector_shard_function_names: { value: [ref('aws_lambda_function', connector, 'function_name')] },
      vend_function_name: { value: expect.stringMatching(/^\$\{aws_lambda_function\.vend_function_\w+\.function_name\}$/) },
      vend_function_arn: { value: expect.stringMatching(/^\$\{aws_lambda_function\.vend_function_\w+\.arn\}$/) },
      vend_role_arn: { value: expect.stringMatching(/^\$\{aws_iam_role\.vend_role_\w+\.arn\}$/) },
      registry_table_name: { value: expect.stringMatching(/^\$\{aws_dynamodb_table\.registry_table_\w+\.name\}$/) },
      registry_table_arn: { value: expect.stringMatching(/^\$\{aws_dynamodb_table\.registry_table_\w+\.arn\}$/) },
    });
  });

  test('warns at synth when a tenant names an account the configured onboarding cannot reach', () => {
    const cfg = localConfig((raw) => {
      raw.tenants.push({ id: 'stranger', roleArn: 'arn:aws:iam::999988887777:role/tibco_sidecar_connector', externalId: 'stranger-ext-id-0001', functions: ['arn:aws:lambda:us-east-1:999988887777:function:x'] });
    });
    const { vendor } = synthApp({ config: cfg });
    const warnings = vendor.node.metadata.filter((m) => /warn/i.test(m.type)).map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining('tenant "stranger" names a role in account 999988887777')]);
    expect(local.vendor.node.metadata.filter((m) => /warn/i.test(m.type))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Tenant registry: the table, its seeded items, who may read it, who may invoke vend
// ---------------------------------------------------------------------------

describe('tenant registry', () => {
  const tableArn = `arn:aws:dynamodb:${config.region}:${vendorAccount}:table/sidecar-tenants`;
  const items = () => Object.values(resourcesOf(vendorJson, 'aws_dynamodb_table_item')).map((r) => ({ ...r, item: JSON.parse(r.item as string) as Record<string, any> }) as Record<string, any>);

  test('one on-demand table keyed by pk (S), with point-in-time recovery, default encryption, and deletion protection as configured', () => {
    const tables = Object.values(resourcesOf(vendorJson, 'aws_dynamodb_table'));
    expect(tables).toHaveLength(1);
    expect(tables[0]).toMatchObject({
      name: 'sidecar-tenants', billing_mode: 'PAY_PER_REQUEST', hash_key: 'pk', attribute: [{ name: 'pk', type: 'S' }],
      point_in_time_recovery: { enabled: true }, deletion_protection_enabled: false,
    });
    expect(tables[0]).not.toHaveProperty('range_key');
    expect(tables[0]).not.toHaveProperty('server_side_encryption');
  });

  test('deletion protection is on unless the config turns it off, and the table name comes from config', () => {
    const json = synthJson(synthApp({ config: localConfig((raw) => { delete raw.vendor.registryDeletionProtection; raw.vendor.registryTableName = 'acme.tenants'; }) }).vendor);
    expect(Object.values(resourcesOf(json, 'aws_dynamodb_table'))[0]).toMatchObject({ name: 'acme.tenants', deletion_protection_enabled: true });
  });

  test('seeds one tenant item per configured tenant, exactly as the item contract marshals it, the rotating one with its previous ID', () => {
    const tenantItems = items().filter((r) => String(r.item.pk.S).startsWith('tenant#'));
    expect(tenantItems.map((r) => r.item.tenantId.S).sort()).toEqual(config.tenants.map((t) => t.id).sort());
    for (const t of config.tenants) {
      const previous = t.id === 'globex' ? customerB.externalIds.previous : undefined;
      const expected = marshalTenantRecord(newTenantRecord({ tenantId: t.id, roleArn: t.roleArn, externalId: t.externalId, functionArns: t.functions, ...(previous ? { previousExternalId: previous } : {}) }, CONFIG_SEED_TIMESTAMP, 'config'));
      const found = tenantItems.find((r) => r.item.tenantId.S === t.id)!;
      expect(found.item).toEqual(expected);
      expect(found.hash_key).toMatch(/^\$\{aws_dynamodb_table\.registry_table_\w+\.hash_key\}$/);
      expect(found.table_name).toMatch(/^\$\{aws_dynamodb_table\.registry_table_\w+\.name\}$/);
    }
    expect(tenantItems.find((r) => r.item.tenantId.S === 'globex')!.item.previousExternalId).toEqual({ S: customerB.externalIds.previous });
  });

  test('reserves every seeded external ID (current and previous) by its hash, never by the ID itself', () => {
    const reservations = items().filter((r) => String(r.item.pk.S).startsWith('external-id#'));
    const expected = [...config.tenants.map((t) => ({ pk: externalIdReservationPk(t.externalId), tenantId: t.id })), { pk: externalIdReservationPk(customerB.externalIds.previous!), tenantId: 'globex' }];
    expect(reservations.map((r) => ({ pk: r.item.pk.S, tenantId: r.item.tenantId.S })).sort((a, b) => a.pk.localeCompare(b.pk))).toEqual(expected.sort((a, b) => a.pk.localeCompare(b.pk)));
    for (const r of reservations) for (const t of config.tenants) expect(JSON.stringify(r.item)).not.toContain(t.externalId);
  });

  test('seeds one vend-caller item per configured caller', () => {
    const callers = items().filter((r) => String(r.item.pk.S).startsWith('vend-caller#')).map((r) => r.item);
    expect(callers).toEqual(config.vendor.vendCallers.map((c) => ({ pk: { S: `vend-caller#${c.principalArn}` }, principalArn: { S: c.principalArn }, tenantIds: { L: c.tenants.map((t) => ({ S: t })) } })));
  });

  test.each([
    [config.vendor.connectorRoleName, ['tenant'] as const],
    [config.vendor.vendRoleName, ['tenant', 'vend-caller'] as const],
  ])('%s may GetItem on the registry table only, and only the items it reads', (roleName, itemKinds) => {
    const { id } = resourceWhere(vendorJson, 'aws_iam_role', 'name', roleName);
    const read = policiesOfRole(vendorJson, id).inline.find((p) => p.name === 'read-tenant-registry')!;
    expect(parsePolicy(read.policy)).toEqual(registryReadPolicy({ tableArn, itemKinds }));
  });

  test('vend\'s function policy names each configured caller by its ARN (an account root included)', () => {
    const json = synthJson(synthApp({ config: localConfig((raw) => { raw.vendor.vendCallers.push({ principalArn: `arn:aws:iam::${vendorAccount}:role/sidecar-platform`, tenants: ['acme'] }); }) }).vendor);
    const vend = resourceWhere(json, 'aws_lambda_function', 'function_name', config.vendor.vendFunctionName).id;
    const permissions = Object.values(resourcesOf(json, 'aws_lambda_permission'));
    expect(permissions.map((p) => p.principal).sort()).toEqual([`arn:aws:iam::${vendorAccount}:root`, `arn:aws:iam::${vendorAccount}:role/sidecar-platform`].sort());
    for (const p of permissions) {
      expect(p).toMatchObject({ action: 'lambda:InvokeFunction', function_name: ref('aws_lambda_function', vend, 'function_name'), statement_id: expect.stringMatching(/^AllowVendCaller-[0-9a-f]{12}$/) });
    }
    expect(Object.values(resourcesOf(vendorJson, 'aws_lambda_permission'))).toHaveLength(config.vendor.vendCallers.length);
  });

  test('no vend caller configured: no function policy, and no vend-caller item', () => {
    const json = synthJson(synthApp({ config: localConfig((raw) => { raw.vendor.vendCallers = []; }) }).vendor);
    expect(resourcesOf(json, 'aws_lambda_permission')).toEqual({});
    expect(Object.values(resourcesOf(json, 'aws_dynamodb_table_item')).filter((r) => String(r.item).includes('vend-caller#'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
// Guards: each refusal of the construct
// ---------------------------------------------------------------------------

describe('guards', () => {
  const app = () => Testing.app();

  test('configured onboarding with no customers is refused (the connector could assume nothing)', () => {
    const bad = unvalidated(config, (c) => { c.customers = []; });
    expect(() => new VendorStack(app(), { config: bad, target: 'local', env: {} })).toThrow('vendor.onboarding is "configured" but no customers are configured');
  });

  test('dynamic onboarding with no customers is accepted', () => {
    const ok = unvalidated(config, (c) => { c.customers = []; c.vendor.onboarding = 'dynamic'; });
    expect(() => new VendorStack(app(), { config: ok, target: 'local', env: {} })).not.toThrow();
  });

  test('two tenants reserving one external ID are refused at synth (the reservation is unique), naming both, not the ID', () => {
    const shared = config.tenants[0].externalId;
    const bad = unvalidated(config, (c) => { c.tenants[2].externalId = shared; });
    let message = '';
    try { new VendorStack(app(), { config: bad, target: 'local', env: {} }); } catch (e) { message = (e as Error).message; }
    expect(message).toMatch(/tenant "mallory" \(current external ID\) and tenant "acme" \(current external ID\) would write the same registry item \(the same external ID\)/);
    expect(message).not.toContain(shared);
  });
});
