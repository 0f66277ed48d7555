// ---------------------------------------------------------------------------
// Synth assertions on the vendor stack of config/local.json: the connector and vend functions
// (nodejs22.x, their own execution roles trusted by the Lambda service of the vendor account),
// roles that can do nothing but assume the prefixed roles and log (configured and dynamic
// onboarding), the environment without external IDs, the outputs, the synth-time warning for an
// unreachable tenant; and its guards.
// ---------------------------------------------------------------------------
import { Testing } from 'cdktf';
import { assumePrefixedRolesPolicy, lambdaServiceTrustPolicy } from '../../../rules/policies';
import { VendorStack } from '../../../modules/vendor-stack';
import {
  asList, localConfig, localStacks, parsePolicy, policiesOfRole, ref, resourceWhere, resourcesOf, synthApp, synthJson, unvalidated,
} from '../../support/synth';

const { config, vendorAccount, customerA, customerB, local, vendorJson } = localStacks();

// ---------------------------------------------------------------------------
// Vendor stack
// ---------------------------------------------------------------------------

describe('vendor stack', () => {
  const ALLOWED_ACTIONS = new Set(['sts:AssumeRole', 'sts:SetSourceIdentity', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);

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
  ])('%s can do nothing but assume the prefixed roles and write its own logs', (roleName, functionName) => {
    const { id } = resourceWhere(vendorJson, 'aws_iam_role', 'name', roleName);
    const { inline, attachments } = policiesOfRole(vendorJson, id);
    expect(attachments).toEqual([]);
    expect(inline.map((p) => p.name).sort()).toEqual(['assume-sidecar-connector-roles', 'write-own-logs']);
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

  test('the connector and vend functions get the service name and role prefix in their environment', () => {
    const connector = resourceWhere(vendorJson, 'aws_lambda_function', 'function_name', config.vendor.connectorFunctionName).attrs;
    expect(connector.environment.variables).toEqual({ POWERTOOLS_SERVICE_NAME: 'sidecar-connector', SIDECAR_ROLE_PREFIX: 'tibco_sidecar_connector', NODE_OPTIONS: '--enable-source-maps' });
    const vend = resourceWhere(vendorJson, 'aws_lambda_function', 'function_name', config.vendor.vendFunctionName).attrs;
    expect(vend.environment.variables.POWERTOOLS_SERVICE_NAME).toBe('sidecar-vend');
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
      vend_function_name: { value: expect.stringMatching(/^\$\{aws_lambda_function\.vend_function_\w+\.function_name\}$/) },
      vend_function_arn: { value: expect.stringMatching(/^\$\{aws_lambda_function\.vend_function_\w+\.arn\}$/) },
      vend_role_arn: { value: expect.stringMatching(/^\$\{aws_iam_role\.vend_role_\w+\.arn\}$/) },
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
});
