// ---------------------------------------------------------------------------
// Synth assertions on the customer stacks of config/local.json: trust policies (the vendor account
// as principal, the execution roles by aws:PrincipalArn in role mode, sts:ExternalId with current +
// previous, the customer's tenants as sts:SourceIdentity), the prefixed role that may only invoke its listed
// functions and never the private one, each function with its own execution role, the outputs;
// and the construct's guards.
// ---------------------------------------------------------------------------
import { Testing } from 'cdktf';
import { CustomerStack } from '../../../modules/customer-stack';
import { accountRootArn, functionArn, roleArn } from '../../../rules/naming';
import { crossAccountTrustPolicy, lambdaServiceTrustPolicy } from '../../../rules/policies';
import {
  asList, localConfig, localStacks, parsePolicy, policiesOfRole, ref, resourceWhere, synthJson, unvalidated, type SynthesizedStack,
} from '../../support/synth';

const { config, vendorAccount, customerA, customerB, customerJson } = localStacks();
const connectorRoleArn = roleArn(vendorAccount, config.vendor.connectorRoleName);
const vendRoleArn = roleArn(vendorAccount, config.vendor.vendRoleName);

// ---------------------------------------------------------------------------
// Customer stacks
// ---------------------------------------------------------------------------

describe('customer stacks', () => {
  const prefixedRole = (json: SynthesizedStack, roleName: string) => resourceWhere(json, 'aws_iam_role', 'name', roleName);

  test('customer-a (trustPrincipal role): the vendor account as principal, the connector and vend roles by aws:PrincipalArn, its one external ID, its tenant', () => {
    const role = prefixedRole(customerJson['customer-a'], customerA.roleName).attrs;
    expect(parsePolicy(role.assume_role_policy)).toEqual(crossAccountTrustPolicy({
      vendorAccountId: vendorAccount, vendorRoleArns: [connectorRoleArn, vendRoleArn], externalIds: [customerA.externalIds.current], tenantIds: ['acme'],
    }));
    // Never a role ARN as principal: IAM would keep it as the role's unique ID, lost when the vendor re-creates the role.
    expect(parsePolicy(role.assume_role_policy).Statement[0].Principal).toEqual({ AWS: accountRootArn(vendorAccount) });
  });

  test('customer-b (trustPrincipal account): the vendor account, no role condition, the current and previous external IDs, its tenant', () => {
    const role = prefixedRole(customerJson['customer-b'], customerB.roleName).attrs;
    const trust = parsePolicy(role.assume_role_policy);
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0].Principal).toEqual({ AWS: accountRootArn(vendorAccount) });
    expect(trust.Statement[0].Action).toEqual(['sts:AssumeRole', 'sts:SetSourceIdentity']);
    expect(trust.Statement[0].Condition).toEqual({ StringEquals: { 'sts:ExternalId': [customerB.externalIds.current, customerB.externalIds.previous], 'sts:SourceIdentity': 'globex' } });
  });

  test('the impostor tenant (customer A\'s role, its own external ID) is not among the source identities customer A accepts', () => {
    const trustA = parsePolicy(prefixedRole(customerJson['customer-a'], customerA.roleName).attrs.assume_role_policy);
    expect(asList(trustA.Statement[0].Condition?.StringEquals?.['sts:SourceIdentity'] as string | string[])).toEqual(['acme']);
    expect(JSON.stringify(trustA)).not.toContain('mallory');
  });

  test('tenantIds written in the customer entry are what its trust accepts', () => {
    const cfg = localConfig((raw) => { raw.customers[1].tenantIds = ['globex']; raw.tenants.push({ ...raw.tenants[1], id: 'globex-old', externalId: raw.customers[1].externalIds.previous }); raw.customers[1].tenantIds.push('globex-old'); });
    const json = synthJson(new CustomerStack(Testing.app(), { config: cfg, target: 'local', customerName: 'customer-b', env: {} }));
    const trust = parsePolicy(resourceWhere(json, 'aws_iam_role', 'name', customerB.roleName).attrs.assume_role_policy);
    expect(trust.Statement[0].Condition?.StringEquals?.['sts:SourceIdentity']).toEqual(['globex', 'globex-old']);
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
// Guards: each refusal of the construct
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

  test('a customer whose trust would accept no tenant as SourceIdentity is refused even when the loader was bypassed', () => {
    const bad = unvalidated(config, (c) => { c.customers[0].tenantIds = []; });
    expect(() => new CustomerStack(app(), { config: bad, target: 'local', customerName: 'customer-a', env: {} }))
      .toThrow('stack "customer-a": no tenant ID for the trust\'s SourceIdentity condition');
  });

  test('a function name too long for its execution role name is refused', () => {
    const longName = 'f'.repeat(62);
    const cfg = localConfig((raw) => { raw.customers[0].functions = [longName]; raw.tenants[0].functions = [`arn:aws:lambda:us-east-1:444455556666:function:${longName}`]; raw.tenants[2].functions = raw.tenants[0].functions; });
    expect(() => new CustomerStack(app(), { config: cfg, target: 'local', customerName: 'customer-a', env: {} }))
      .toThrow(`roleName "${longName}-exec" is 67 characters; IAM allows at most 64`);
  });

});
