// ---------------------------------------------------------------------------
// Synth assertions on every stack, as main.ts wires them from config/local.json (and from
// config/aws.example.json for the aws target):
//   names; trust policies (principals per mode, sts:ExternalId with current + previous);
//   the customer role may only invoke its listed functions, never the private one;
//   the connector and vend roles can do nothing but assume the prefixed roles and log;
//   no `*` action anywhere; nodejs22.x; the registry in the bundles; outputs; provider per target;
//   and a negative test for each guard of the constructs.
// ---------------------------------------------------------------------------
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { PROJECT_ROOT } from '../../config/load';
import { LambdaBundle } from '../../modules/bundle';
import { CustomerStack } from '../../modules/customer-stack';
import { accountRootArn, functionArn, roleArn } from '../../rules/naming';
import { assumePrefixedRolesPolicy, crossAccountTrustPolicy, lambdaServiceTrustPolicy } from '../../rules/policies';
import { SidecarFunction } from '../../modules/sidecar-function';
import { StackConfigError } from '../../modules/stack-config-error';
import { buildTenantRegistry } from '../../rules/tenant-registry';
import { VendorStack } from '../../modules/vendor-stack';
import {
  asList, awsConfig, everyPolicyStatement, localConfig, parsePolicy, readZip, ref, resourceWhere, resourcesOf, synthApp, synthJson, unvalidated,
  type SynthesizedStack,
} from '../support/synth';

const config = localConfig();
const vendorAccount = config.vendor.accountId;
const customerA = config.customers.find((c) => c.name === 'customer-a')!;
const customerB = config.customers.find((c) => c.name === 'customer-b')!;

/** The three stacks of config/local.json, synthesized once for the read-only assertions. */
const local = synthApp({ config });
const vendorJson = synthJson(local.vendor);
const customerJson: Record<string, SynthesizedStack> = Object.fromEntries(local.customers.map((s) => [s.node.id, synthJson(s)]));
const allJson = [vendorJson, ...Object.values(customerJson)];

const connectorRoleArn = roleArn(vendorAccount, config.vendor.connectorRoleName);
const vendRoleArn = roleArn(vendorAccount, config.vendor.vendRoleName);

/** Every statement of every policy attached to a role (inline, managed, attachment), by the role's logical ID. */
function policiesOfRole(json: SynthesizedStack, roleId: string) {
  const role = resourcesOf(json, 'aws_iam_role')[roleId];
  const byName = ref('aws_iam_role', roleId, 'name');
  const byId = ref('aws_iam_role', roleId, 'id');
  const inline = Object.values(resourcesOf(json, 'aws_iam_role_policy')).filter((p) => p.role === byName || p.role === byId);
  const attachments = Object.values(resourcesOf(json, 'aws_iam_role_policy_attachment')).filter((p) => p.role === byName || p.role === byId);
  return { role, inline, attachments };
}

// ---------------------------------------------------------------------------
// Stacks and names
// ---------------------------------------------------------------------------

describe('the app', () => {
  test('has a vendor stack and one stack per configured customer, named after the customer', () => {
    expect(local.app.node.children.filter((c) => c instanceof TerraformStack).map((s) => s.node.id)).toEqual(['vendor', 'customer-a', 'customer-b']);
  });

  // `terraform validate` on every stack, offline with the mirror: test/unit/terraform-validate.test.ts.

  test('no stack references another stack\'s state', () => {
    for (const json of allJson) {
      expect(JSON.stringify(json)).not.toContain('terraform_remote_state');
      expect(resourcesOf(json, 'terraform_remote_state')).toEqual({});
    }
  });
});

// ---------------------------------------------------------------------------
// Policies everywhere
// ---------------------------------------------------------------------------

describe('every policy in every stack', () => {
  test('has no wildcard action', () => {
    const statements = allJson.flatMap(everyPolicyStatement);
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) for (const action of asList(statement.Action)) expect(action).not.toContain('*');
  });

  test('is passed as a JSON string, not as a policy-document data source', () => {
    for (const json of allJson) expect(JSON.stringify(json)).not.toContain('aws_iam_policy_document');
  });

  test('every statement has a Sid', () => {
    for (const statement of allJson.flatMap(everyPolicyStatement)) expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
  });

  test('no role gets a managed policy, inline_policy block or attachment', () => {
    for (const json of allJson) {
      expect(resourcesOf(json, 'aws_iam_policy')).toEqual({});
      expect(resourcesOf(json, 'aws_iam_role_policy_attachment')).toEqual({});
      expect(resourcesOf(json, 'aws_iam_role_policy_attachments_exclusive')).toEqual({});
      for (const role of Object.values(resourcesOf(json, 'aws_iam_role'))) {
        expect(role.inline_policy).toBeUndefined();
        expect(role.managed_policy_arns).toBeUndefined();
      }
    }
  });
});

// ---------------------------------------------------------------------------
// Vendor stack
// ---------------------------------------------------------------------------

describe('vendor stack', () => {
  const ALLOWED_ACTIONS = new Set(['sts:AssumeRole', 'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);

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
// The bundles
// ---------------------------------------------------------------------------

describe('bundles', () => {
  let outdir: string;
  let synthesized: ReturnType<typeof synthApp>;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'sidecar-stacks-fullsynth-'));
    synthesized = synthApp({ config, outdir });
    synthesized.app.synth();
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const zipOf = (stack: string, functionName: string) => {
    const json = synthJson(stack === 'vendor' ? synthesized.vendor : synthesized.customers.find((c) => c.node.id === stack)!);
    const fn = resourceWhere(json, 'aws_lambda_function', 'function_name', functionName).attrs;
    return readZip(join(outdir, 'stacks', stack, fn.filename));
  };

  test.each([[config.vendor.connectorFunctionName], [config.vendor.vendFunctionName]])('the %s zip holds index.js and registry.json equal to buildTenantRegistry(config)', async (functionName) => {
    const files = await zipOf('vendor', functionName);
    expect([...files.keys()].sort()).toEqual(['index.js', 'registry.json']);
    expect(JSON.parse(files.get('registry.json')!.toString('utf8'))).toEqual(buildTenantRegistry(config));
    expect(files.get('index.js')!.length).toBeGreaterThan(100);
  });

  test('a customer\'s zip holds the sample code and no registry (other tenants\' external IDs never leave the vendor)', async () => {
    const files = await zipOf('customer-a', customerA.functions[0]);
    expect([...files.keys()]).toEqual(['index.js']);
    const code = files.get('index.js')!.toString('utf8');
    for (const tenant of config.tenants) expect(code).not.toContain(tenant.externalId);
  });

  test.each([
    ['vendor', config.vendor.connectorFunctionName], ['vendor', config.vendor.vendFunctionName], ['customer-a', customerA.functions[0]],
  ])('the %s zip of %s loads as CommonJS exporting handler (and its registry passes the Lambda\'s own parser)', async (stack, functionName) => {
    const files = await zipOf(stack, functionName);
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-bundle-'));
    try {
      for (const [name, contents] of files) writeFileSync(join(dir, name), contents);
      // Load it in a child process, not in jest's module system, exactly as a Lambda runtime would.
      const { execFileSync } = await import('node:child_process');
      const out = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(dir, 'index.js'))}).handler)`], {
        env: { PATH: process.env.PATH, POWERTOOLS_SERVICE_NAME: 'test', SIDECAR_ROLE_PREFIX: 'tibco_sidecar_connector', AWS_REGION: 'us-east-1' },
        encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a changed registry changes the connector\'s source_code_hash', () => {
    const changed = synthApp({ config: localConfig((raw) => { raw.tenants.pop(); }) });
    const hashOf = (json: SynthesizedStack) => resourceWhere(json, 'aws_lambda_function', 'function_name', config.vendor.connectorFunctionName).attrs.source_code_hash;
    expect(hashOf(synthJson(changed.vendor))).not.toBe(hashOf(vendorJson));
  });
});

// ---------------------------------------------------------------------------
// Customer stacks
// ---------------------------------------------------------------------------

describe('customer stacks', () => {
  const prefixedRole = (json: SynthesizedStack, roleName: string) => resourceWhere(json, 'aws_iam_role', 'name', roleName);

  test('customer-a (trustPrincipal role): the trust names the connector and vend roles, with its one external ID', () => {
    const role = prefixedRole(customerJson['customer-a'], customerA.roleName).attrs;
    expect(parsePolicy(role.assume_role_policy)).toEqual(crossAccountTrustPolicy({ vendorPrincipalArns: [connectorRoleArn, vendRoleArn], externalIds: [customerA.externalIds.current] }));
  });

  test('customer-b (trustPrincipal account): the trust names the vendor account root, with the current and previous external IDs', () => {
    const role = prefixedRole(customerJson['customer-b'], customerB.roleName).attrs;
    const trust = parsePolicy(role.assume_role_policy);
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0].Principal).toEqual({ AWS: accountRootArn(vendorAccount) });
    expect(trust.Statement[0].Action).toBe('sts:AssumeRole');
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': [customerB.externalIds.current, customerB.externalIds.previous] } });
  });

  test('no trust policy accepts another customer\'s or an impostor tenant\'s external ID', () => {
    const mallory = config.tenants.find((t) => t.id === 'mallory')!;
    const trustA = JSON.stringify(parsePolicy(prefixedRole(customerJson['customer-a'], customerA.roleName).attrs.assume_role_policy));
    expect(trustA).not.toContain(mallory.externalId);
    expect(trustA).not.toContain(customerB.externalIds.current);
  });

  test.each([['customer-a'], ['customer-b']])('%s: the prefixed role may only lambda:InvokeFunction its listed functions', (name) => {
    const customer = config.customers.find((c) => c.name === name)!;
    const json = customerJson[name];
    const { id } = prefixedRole(json, customer.roleName);
    const { inline, attachments } = policiesOfRole(json, id);
    expect(attachments).toEqual([]);
    expect(inline).toHaveLength(1);
    const statements = parsePolicy(inline[0].policy).Statement;
    expect(statements.flatMap((s) => asList(s.Action))).toEqual(['lambda:InvokeFunction']);
    expect(statements.flatMap((s) => asList(s.Resource))).toEqual(customer.functions.map((f) => functionArn(config.region, customer.accountId, f)));
  });

  test.each([['customer-a'], ['customer-b']])('%s: the prefixed role may NOT invoke the private function', (name) => {
    const customer = config.customers.find((c) => c.name === name)!;
    const json = customerJson[name];
    const { id } = prefixedRole(json, customer.roleName);
    const resources = policiesOfRole(json, id).inline.flatMap((p) => parsePolicy(p.policy).Statement).flatMap((s) => asList(s.Resource));
    expect(resources).not.toContain(functionArn(config.region, customer.accountId, customer.privateFunction));
    expect(resources.some((r) => r.includes('*'))).toBe(false);
    // ... and the private function is deployed, so the e2e suite can prove it is refused.
    expect(() => resourceWhere(json, 'aws_lambda_function', 'function_name', customer.privateFunction)).not.toThrow();
  });

  test('the honest tenants\' function ARNs are exactly what their customer\'s role may invoke', () => {
    for (const tenant of config.tenants.filter((t) => t.id !== 'mallory')) {
      const customer = config.customers.find((c) => tenant.roleArn === roleArn(c.accountId, c.roleName))!;
      const { id } = prefixedRole(customerJson[customer.name], customer.roleName);
      const resources = policiesOfRole(customerJson[customer.name], id).inline.flatMap((p) => parsePolicy(p.policy).Statement).flatMap((s) => asList(s.Resource));
      for (const fn of tenant.functions) expect(resources).toContain(fn);
    }
  });

  test.each([['customer-a'], ['customer-b']])('%s: each function runs nodejs22.x with its own execution role (Lambda trust + own logs only)', (name) => {
    const customer = config.customers.find((c) => c.name === name)!;
    const json = customerJson[name];
    for (const functionName of [...customer.functions, customer.privateFunction]) {
      const fn = resourceWhere(json, 'aws_lambda_function', 'function_name', functionName).attrs;
      expect(fn).toMatchObject({ runtime: 'nodejs22.x', handler: 'index.handler' });
      const role = resourceWhere(json, 'aws_iam_role', 'name', `${functionName}-exec`);
      expect(fn.role).toBe(ref('aws_iam_role', role.id, 'arn'));
      expect(parsePolicy(role.attrs.assume_role_policy)).toEqual(lambdaServiceTrustPolicy(customer.accountId));
      const actions = policiesOfRole(json, role.id).inline.flatMap((p) => parsePolicy(p.policy).Statement).flatMap((s) => asList(s.Action));
      expect(actions.sort()).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']);
    }
  });

  test('outputs the role, the function ARNs as a map, the private function, the account and the external ID', () => {
    const json = customerJson['customer-a'];
    const role = prefixedRole(json, customerA.roleName).id;
    const echo = resourceWhere(json, 'aws_lambda_function', 'function_name', 'sidecar-echo').id;
    const priv = resourceWhere(json, 'aws_lambda_function', 'function_name', 'sidecar-private').id;
    expect(json.output).toEqual({
      account_id: { value: customerA.accountId },
      role_arn: { value: ref('aws_iam_role', role, 'arn') },
      role_name: { value: ref('aws_iam_role', role, 'name') },
      function_arns: { value: { 'sidecar-echo': ref('aws_lambda_function', echo, 'arn') } },
      private_function_arn: { value: ref('aws_lambda_function', priv, 'arn') },
      external_id: { value: customerA.externalIds.current, sensitive: true },
    });
  });

  test('the external_id output is sensitive in every customer stack', () => {
    for (const json of Object.values(customerJson)) expect(json.output?.external_id?.sensitive).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Provider and backend per target
// ---------------------------------------------------------------------------

describe('provider and state per target', () => {
  test.each([['vendor'], ['customer-a'], ['customer-b']])('local: %s points iam, sts and lambda at the local cloud with its own account\'s keys', (stack) => {
    const json = stack === 'vendor' ? vendorJson : customerJson[stack];
    const account = config.accounts[stack] as { accessKeyId: string; secretAccessKey: string };
    expect(json.provider?.aws).toEqual([{
      region: 'us-east-1',
      access_key: account.accessKeyId,
      secret_key: account.secretAccessKey,
      endpoints: [{ iam: 'http://127.0.0.1:4510', sts: 'http://127.0.0.1:4510', lambda: 'http://127.0.0.1:4510' }],
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: 'true',
      skip_region_validation: true,
      max_retries: 1,
    }]);
  });

  test('local: LOCALCLOUD_PORT moves every endpoint, still on 127.0.0.1', () => {
    const { vendor } = synthApp({ config, env: { LOCALCLOUD_PORT: '4777' } });
    expect(synthJson(vendor).provider?.aws?.[0].endpoints).toEqual([{ iam: 'http://127.0.0.1:4777', sts: 'http://127.0.0.1:4777', lambda: 'http://127.0.0.1:4777' }]);
  });

  test('local: a LOCALCLOUD_PORT that is not a port is refused', () => {
    expect(() => synthApp({ config, env: { LOCALCLOUD_PORT: '45x0' } })).toThrow(/LOCALCLOUD_PORT must be a TCP port number 1-65535 \(got "45x0"\)/);
    expect(() => synthApp({ config, env: { LOCALCLOUD_PORT: '70000' } })).toThrow(StackConfigError);
  });

  test('local: state lives beside the local cloud, one file per stack', () => {
    expect(vendorJson.terraform?.backend?.local?.path).toBe(join(PROJECT_ROOT, '.localcloud', 'tfstate', 'vendor.tfstate'));
    expect(customerJson['customer-a'].terraform?.backend?.local?.path).toBe(join(PROJECT_ROOT, '.localcloud', 'tfstate', 'customer-a.tfstate'));
  });

  test('SIDECAR_TFSTATE_DIR moves the state files', () => {
    const { customers } = synthApp({ config, env: { SIDECAR_TFSTATE_DIR: '/tmp/sidecar-state' } });
    expect(synthJson(customers[1]).terraform?.backend?.local?.path).toBe('/tmp/sidecar-state/customer-b.tfstate');
  });

  describe('aws target', () => {
    const aws = awsConfig();
    const deployed = synthApp({ config: aws, target: 'aws' });

    test('each stack uses its account\'s profile and may deploy only into that account', () => {
      expect(synthJson(deployed.vendor).provider?.aws).toEqual([{ region: 'eu-west-1', profile: 'sidecar-vendor', allowed_account_ids: ['809167139867'] }]);
      expect(synthJson(deployed.customers[0]).provider?.aws).toEqual([{ region: 'eu-west-1', profile: 'sidecar-customer-a', allowed_account_ids: ['444455556666'] }]);
    });

    test('no endpoints, keys or skip flags reach a real-account provider', () => {
      const provider = synthJson(deployed.vendor).provider?.aws?.[0] ?? {};
      for (const key of ['endpoints', 'access_key', 'secret_key', 'skip_requesting_account_id', 'skip_credentials_validation', 'max_retries']) expect(provider).not.toHaveProperty(key);
    });

    test('an account given by assumeRoleArn gets assume_role with a named session', () => {
      const cfg = awsConfig((raw) => { raw.accounts['customer-a'] = { accountId: '444455556666', assumeRoleArn: 'arn:aws:iam::444455556666:role/deployer' }; });
      const { customers } = synthApp({ config: cfg, target: 'aws' });
      expect(synthJson(customers[0]).provider?.aws).toEqual([{
        region: 'eu-west-1',
        assume_role: [{ role_arn: 'arn:aws:iam::444455556666:role/deployer', session_name: 'sidecar-deploy-customer-a' }],
        allowed_account_ids: ['444455556666'],
      }]);
    });

    test('state is terraform.<stack>.tfstate in the project root', () => {
      expect(synthJson(deployed.vendor).terraform?.backend?.local?.path).toBe(join(PROJECT_ROOT, 'terraform.vendor.tfstate'));
    });

    test('dynamic onboarding from aws.example.json reaches the prefixed roles in any account', () => {
      const json = synthJson(deployed.vendor);
      const policies = Object.values(resourcesOf(json, 'aws_iam_role_policy')).filter((p) => p.name === 'assume-sidecar-connector-roles');
      expect(policies).toHaveLength(2);
      for (const p of policies) expect(parsePolicy(p.policy).Statement[0].Resource).toBe('arn:aws:iam::*:role/tibco_sidecar_connector*');
    });
  });
});

// ---------------------------------------------------------------------------
// Guards: each refusal of the constructs
// ---------------------------------------------------------------------------

describe('guards', () => {
  const app = () => Testing.app();

  test('a customer stack for a name not in config is refused, listing the configured ones', () => {
    expect(() => new CustomerStack(app(), { config, target: 'local', customerName: 'customer-z', env: {} }))
      .toThrow('stack "customer-z": no customer named "customer-z" in config.customers (configured: customer-a, customer-b)');
  });

  test('a customer role name without the prefix is refused even when the loader was bypassed', () => {
    const bad = unvalidated(config, (c) => { c.customers[0].roleName = 'admin'; });
    expect(() => new CustomerStack(app(), { config: bad, target: 'local', customerName: 'customer-a', env: {} }))
      .toThrow('roleName "admin" must start with the agreed prefix "tibco_sidecar_connector"');
  });

  test('a private function that is also a sidecar function is refused', () => {
    const bad = unvalidated(config, (c) => { c.customers[0].privateFunction = c.customers[0].functions[0]; });
    expect(() => new CustomerStack(app(), { config: bad, target: 'local', customerName: 'customer-a', env: {} }))
      .toThrow('privateFunction "sidecar-echo" is also in functions');
  });

  test('a customer with no sidecar functions is refused', () => {
    const bad = unvalidated(config, (c) => { c.customers[0].functions = []; });
    expect(() => new CustomerStack(app(), { config: bad, target: 'local', customerName: 'customer-a', env: {} })).toThrow('functions must list at least one function');
  });

  test('a function whose execution role would carry the connector\'s prefix is refused', () => {
    const cfg = localConfig((raw) => { raw.customers[0].functions = ['tibco_sidecar_connector_fn']; raw.tenants[0].functions = ['arn:aws:lambda:us-east-1:444455556666:function:tibco_sidecar_connector_fn']; raw.tenants[2].functions = raw.tenants[0].functions; });
    expect(() => new CustomerStack(app(), { config: cfg, target: 'local', customerName: 'customer-a', env: {} }))
      .toThrow('would get the execution role "tibco_sidecar_connector_fn-exec", which starts with the connector\'s prefix');
  });

  test('a function name too long for its execution role name is refused', () => {
    const longName = 'f'.repeat(62);
    const cfg = localConfig((raw) => { raw.customers[0].functions = [longName]; raw.tenants[0].functions = [`arn:aws:lambda:us-east-1:444455556666:function:${longName}`]; raw.tenants[2].functions = raw.tenants[0].functions; });
    expect(() => new CustomerStack(app(), { config: cfg, target: 'local', customerName: 'customer-a', env: {} }))
      .toThrow(`roleName "${longName}-exec" is 67 characters; IAM allows at most 64`);
  });

  test('configured onboarding with no customers is refused (the connector could assume nothing)', () => {
    const bad = unvalidated(config, (c) => { c.customers = []; });
    expect(() => new VendorStack(app(), { config: bad, target: 'local', env: {} })).toThrow('vendor.onboarding is "configured" but no customers are configured');
  });

  test('dynamic onboarding with no customers is accepted', () => {
    const ok = unvalidated(config, (c) => { c.customers = []; c.vendor.onboarding = 'dynamic'; });
    expect(() => new VendorStack(app(), { config: ok, target: 'local', env: {} })).not.toThrow();
  });

  test('a stack without an accounts entry is refused', () => {
    const bad = unvalidated(config, (c) => { delete c.accounts.vendor; });
    expect(() => new VendorStack(app(), { config: bad, target: 'local', env: {} })).toThrow('config.accounts has no entry "vendor"');
  });

  test('the local target refuses an account without local keys', () => {
    const bad = unvalidated(config, (c) => { c.accounts['customer-b'] = { accountId: customerB.accountId, profile: 'b' }; });
    expect(() => new CustomerStack(app(), { config: bad, target: 'local', customerName: 'customer-b', env: {} })).toThrow('accounts.customer-b: the local target needs the local cloud root keys (accessKeyId, secretAccessKey)');
  });

  test('the aws target refuses an account given by keys', () => {
    expect(() => new VendorStack(app(), { config, target: 'aws', env: {} })).toThrow('accounts.vendor: the aws target takes a profile or assumeRoleArn, never keys in a file');
  });

  describe('LambdaBundle', () => {
    let dir: string;
    beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sidecar-bundle-guards-')); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const stack = () => new TerraformStack(app(), 'test');

    test('a missing entry file is refused', () => {
      expect(() => new LambdaBundle(stack(), 'b', { entry: 'lambda/nope/handler.ts', bundleRoot: dir })).toThrow('entry lambda/nope/handler.ts does not exist');
    });

    test('an entry that does not export handler is refused', () => {
      const entry = join(dir, 'no-handler.ts');
      writeFileSync(entry, 'export const main = async () => 1;\n');
      expect(() => new LambdaBundle(stack(), 'b', { entry, bundleRoot: dir })).toThrow(/must export "handler" \(Lambda calls index\.handler\); it exports: main/);
    });

    test('an entry that does not compile is refused with esbuild\'s message', () => {
      const entry = join(dir, 'broken.ts');
      writeFileSync(entry, 'export const handler = async () => { import "missing-module-xyz"; };\n');
      expect(() => new LambdaBundle(stack(), 'b', { entry, bundleRoot: dir })).toThrow(/esbuild could not bundle .*broken\.ts:1: /);
    });

    test('an entry importing a module that does not exist is refused', () => {
      const entry = join(dir, 'bad-import.ts');
      writeFileSync(entry, 'import { x } from "./not-there";\nexport const handler = async () => x;\n');
      expect(() => new LambdaBundle(stack(), 'b', { entry, bundleRoot: dir })).toThrow(/esbuild could not bundle .*Could not resolve "\.\/not-there"/);
    });

    test('an extra file name with a path is refused', () => {
      expect(() => new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { '../x.json': '{}' } })).toThrow('extra file name "../x.json" must be a plain file name');
    });

    test('an extra file that would replace index.js is refused', () => {
      expect(() => new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { 'index.js': '' } })).toThrow('and not index.js');
    });

    test('the build folder is content-addressed: same input, same folder; other input, other folder', () => {
      const a = new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { 'x.json': '1' } });
      const b = new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { 'x.json': '1' } });
      const c = new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { 'x.json': '2' } });
      expect(b.directory).toBe(a.directory);
      expect(c.directory).not.toBe(a.directory);
      expect(existsSync(join(a.directory, 'index.js'))).toBe(true);
    });
  });

  describe('SidecarFunction', () => {
    const bundleIn = (s: TerraformStack) => new LambdaBundle(s, 'bundle', { entry: 'lambda/sample/handler.ts' });
    const make = (overrides: Record<string, unknown>) => {
      const s = new TerraformStack(app(), 'test');
      return new SidecarFunction(s, 'fn', { functionName: 'fn', roleName: 'fn-exec', accountId: vendorAccount, region: 'us-east-1', bundle: bundleIn(s), ...overrides });
    };

    test('a function name outside Lambda\'s rule is refused', () => {
      expect(() => make({ functionName: 'has space' })).toThrow('functionName "has space" must be 1-64 characters');
    });

    test('a role name with a character IAM refuses is refused', () => {
      expect(() => make({ roleName: 'role/with/slash' })).toThrow('roleName "role/with/slash" may contain only letters, digits and _+=,.@-');
    });

    test('a timeout above 900 seconds is refused', () => {
      expect(() => make({ timeoutSeconds: 901 })).toThrow('timeoutSeconds must be a whole number 1-900 (got 901)');
    });

    test('memory below 128 MB is refused', () => {
      expect(() => make({ memorySize: 64 })).toThrow('memorySize must be a whole number of MB 128-10240 (got 64)');
    });

    test('an inline policy that would replace the logs policy is refused', () => {
      expect(() => make({ inlinePolicies: { 'write-own-logs': lambdaServiceTrustPolicy(vendorAccount) } })).toThrow('"write-own-logs" is reserved');
    });

    test('an inline policy name IAM refuses is refused', () => {
      expect(() => make({ inlinePolicies: { 'bad name': lambdaServiceTrustPolicy(vendorAccount) } })).toThrow('inline policy name "bad name" must be 1-128 characters');
    });
  });
});

