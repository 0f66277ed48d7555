// ---------------------------------------------------------------------------
// The customer kit (scripts/kit/): the CloudFormation template and the Terraform module are built
// from the stacks' policy builders, never hand-written. Cases:
//   - the template is structurally valid: sections, parameter types and patterns, every Ref /
//     Fn::Sub / Fn::If / Fn::GetAtt resolves, only the prefixed role, its outputs, its size (a
//     CloudFormation linter is not installed here: see the report of issue 12);
//   - its patterns accept what the rules accept and refuse the rest (RoleName outside the prefix);
//   - with parameters substituted, its trust and invoke policies EQUAL crossAccountTrustPolicy /
//     invokeFunctionsPolicy for the same inputs (with and without a previous external ID), and the
//     synthesized customer-a stack's policies;
//   - the Terraform module's locals, evaluated, equal the same builders; its variables and outputs;
//   - the kit: files, the quick-create link (no external ID in it), refusals of a bad input.
// ---------------------------------------------------------------------------
import { CFN, cloudFormationTemplate } from '../../../scripts/kit/cloudformation';
import { TF, terraformModule } from '../../../scripts/kit/terraform-module';
import { buildCustomerKit, EXTERNAL_ID_FILE, KitInputError, quickCreateUrl, README_FILE, TEMPLATE_FILE } from '../../../scripts/kit/customer-kit';
import { KitGenerationError, PLACEHOLDER, substitutePlaceholders } from '../../../scripts/kit/kit-policies';
import { INVOKE_POLICY_NAME } from '../../../modules/customer-stack';
import { DEFAULT_ROLE_PREFIX, functionArn, roleArn } from '../../../rules/naming';
import { crossAccountTrustPolicy, invokeFunctionsPolicy } from '../../../rules/policies';
import { generateExternalId } from '../../../rules/external-id';
import { evaluateCfn, evaluateTf, normalizePolicy } from '../../support/kit-eval';
import { localStacks, parsePolicy, policiesOfRole, resourceWhere } from '../../support/synth';

const VENDOR = '809167139867';
const CUSTOMER = '444455556666';
const PRINCIPALS = [roleArn(VENDOR, 'sidecar-connector-exec'), roleArn(VENDOR, 'sidecar-vend-exec')];
const FUNCTIONS = [functionArn('us-east-1', CUSTOMER, 'sidecar-echo'), functionArn('us-east-1', CUSTOMER, 'sidecar-orders')];
const CURRENT = 'sc-test-kit-current-Q2xVb9LmN4pR8t';
const PREVIOUS = 'sc-test-kit-previous-3Kf8JdQ2wE6r';

const template = cloudFormationTemplate({ rolePrefix: DEFAULT_ROLE_PREFIX }) as any;
const roleProps = () => template.Resources[CFN.role].Properties;

/** The template's parameters as CloudFormation would read them (lists split), over the defaults. */
function cfnParams(values: Record<string, string>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, spec] of Object.entries<any>(template.Parameters)) {
    const raw = values[name] ?? spec.Default;
    if (raw === undefined) throw new Error(`no value for parameter ${name}`);
    out[name] = spec.Type === 'CommaDelimitedList' ? String(raw).split(',') : raw;
  }
  return out;
}

const p = CFN.params;
function cfnPolicies(values: { externalId: string; previous?: string; tenants: string[]; functions: string[] }) {
  const params = cfnParams({
    [p.externalId]: values.externalId, ...(values.previous ? { [p.previousExternalId]: values.previous } : {}),
    [p.vendorAccountId]: VENDOR, [p.vendorPrincipalArns]: PRINCIPALS.join(','), [p.tenantIds]: values.tenants.join(','), [p.functionArns]: values.functions.join(','),
  });
  return {
    trust: evaluateCfn(roleProps().AssumeRolePolicyDocument, params, template.Conditions),
    invoke: evaluateCfn(roleProps().Policies[0].PolicyDocument, params, template.Conditions),
  };
}

// ---------------------------------------------------------------------------
// CloudFormation: structure
// ---------------------------------------------------------------------------

describe('CloudFormation template: structure', () => {
  const SECTIONS = ['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Conditions', 'Resources', 'Outputs'];
  const PARAMETER_KEYS = ['Type', 'Default', 'NoEcho', 'AllowedPattern', 'AllowedValues', 'MinLength', 'MaxLength', 'Description', 'ConstraintDescription'];
  // AWS::IAM::Role's properties: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html
  const ROLE_PROPERTIES = ['AssumeRolePolicyDocument', 'Description', 'ManagedPolicyArns', 'MaxSessionDuration', 'Path', 'PermissionsBoundary', 'Policies', 'RoleName', 'Tags'];

  test('only known sections, the 2010-09-09 format version, and a body under the 51,200-byte TemplateBody limit', () => {
    expect(Object.keys(template).filter((k) => !SECTIONS.includes(k))).toEqual([]);
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(template.Description.length).toBeLessThanOrEqual(1024);
    expect(Buffer.byteLength(JSON.stringify(template))).toBeLessThan(51_200);
  });

  test('the parameters: the external IDs NoEcho, lists as CommaDelimitedList, every key a parameter may have', () => {
    const params = template.Parameters;
    expect(Object.keys(params).sort()).toEqual(Object.values(p).sort());
    for (const [name, spec] of Object.entries<any>(params)) {
      expect([name, Object.keys(spec).filter((k) => !PARAMETER_KEYS.includes(k))]).toEqual([name, []]);
      expect(['String', 'CommaDelimitedList']).toContain(spec.Type);
      if (spec.AllowedPattern) expect(() => new RegExp(spec.AllowedPattern)).not.toThrow();
    }
    expect(params[p.externalId]).toMatchObject({ Type: 'String', NoEcho: true });
    expect(params[p.externalId].Default).toBeUndefined();
    expect(params[p.previousExternalId]).toMatchObject({ Type: 'String', NoEcho: true, Default: '' });
    for (const list of [p.vendorPrincipalArns, p.tenantIds, p.functionArns]) expect(params[list].Type).toBe('CommaDelimitedList');
    expect(params[p.roleName].Default).toBe(DEFAULT_ROLE_PREFIX);
  });

  test('every Ref, Fn::Sub reference, Fn::If condition and Fn::GetAtt resolves to something the template declares', () => {
    const names = new Set([...Object.keys(template.Parameters), ...Object.keys(template.Resources), 'AWS::Partition', 'AWS::AccountId', 'AWS::Region']);
    const problems: string[] = [];
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) return n.forEach(walk);
      if (!n || typeof n !== 'object') return;
      for (const [k, v] of Object.entries(n)) {
        if (k === 'Ref' && !names.has(v as string)) problems.push(`Ref ${String(v)}`);
        if (k === 'Fn::Sub') for (const m of String(v).matchAll(/\$\{([^!][^}]*)\}/g)) if (!names.has(m[1])) problems.push(`Fn::Sub \${${m[1]}}`);
        if (k === 'Fn::If' && !((v as string[])[0] in template.Conditions)) problems.push(`Fn::If ${(v as string[])[0]}`);
        if (k === 'Fn::GetAtt' && !((v as string[])[0] in template.Resources)) problems.push(`Fn::GetAtt ${(v as string[])[0]}`);
        walk(v);
      }
    };
    walk(template);
    expect(problems).toEqual([]);
  });

  test('it creates only the prefixed role (its trust and one inline policy), with known properties, and outputs its ARN', () => {
    expect(Object.keys(template.Resources)).toEqual([CFN.role]);
    const role = template.Resources[CFN.role];
    expect(role.Type).toBe('AWS::IAM::Role');
    expect(Object.keys(role.Properties).filter((k) => !ROLE_PROPERTIES.includes(k))).toEqual([]);
    expect(role.Properties.RoleName).toEqual({ Ref: p.roleName });
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toHaveLength(1);
    expect(role.Properties.Policies[0].PolicyName).toBe(INVOKE_POLICY_NAME);
    expect(template.Outputs[CFN.output].Value).toEqual({ 'Fn::GetAtt': [CFN.role, 'Arn'] });
  });

  test('no placeholder survives anywhere in the template', () => {
    const text = JSON.stringify(template);
    for (const value of Object.values(PLACEHOLDER)) expect(text).not.toContain(value);
    expect(text).not.toContain('kit-placeholder');
  });
});

describe('CloudFormation template: parameter patterns (whole-value match, as CloudFormation applies them)', () => {
  const matches = (name: string, value: string) => new RegExp(`^(?:${template.Parameters[name].AllowedPattern})$`).test(value);

  test('RoleName: the prefix, or the prefix and more, up to 64 characters', () => {
    expect(matches(p.roleName, DEFAULT_ROLE_PREFIX)).toBe(true);
    expect(matches(p.roleName, `${DEFAULT_ROLE_PREFIX}-orders`)).toBe(true);
    expect(matches(p.roleName, `${DEFAULT_ROLE_PREFIX}${'x'.repeat(64 - DEFAULT_ROLE_PREFIX.length)}`)).toBe(true);
  });

  test('RoleName: a name outside the prefix, or too long, is refused', () => {
    expect(matches(p.roleName, 'admin')).toBe(false);
    expect(matches(p.roleName, `x${DEFAULT_ROLE_PREFIX}`)).toBe(false);
    expect(matches(p.roleName, `${DEFAULT_ROLE_PREFIX}${'x'.repeat(65 - DEFAULT_ROLE_PREFIX.length)}`)).toBe(false);
  });

  test('a prefix with regex characters is matched literally', () => {
    const t = cloudFormationTemplate({ rolePrefix: 'sidecar.v1+' }) as any;
    const re = new RegExp(`^(?:${t.Parameters[p.roleName].AllowedPattern})$`);
    expect(re.test('sidecar.v1+orders')).toBe(true);
    expect(re.test('sidecarXv1+orders')).toBe(false);
  });

  test('the other patterns accept what the project generates and refuse the rest', () => {
    expect(matches(p.externalId, generateExternalId())).toBe(true);
    expect(matches(p.externalId, 'has space')).toBe(false);
    expect(matches(p.vendorAccountId, VENDOR)).toBe(true);
    expect(matches(p.vendorAccountId, '1234')).toBe(false);
    expect(PRINCIPALS.every((a) => matches(p.vendorPrincipalArns, a))).toBe(true);
    expect(matches(p.vendorPrincipalArns, `arn:aws:iam::${VENDOR}:role/*`)).toBe(false);
    expect(matches(p.tenantIds, 'acme')).toBe(true);
    expect(matches(p.tenantIds, 'a:b')).toBe(false);
    expect(FUNCTIONS.every((a) => matches(p.functionArns, a))).toBe(true);
    expect(matches(p.functionArns, `${FUNCTIONS[0]}:1`)).toBe(false);
  });
});

// ---------------------------------------------------------------------------
// CloudFormation: the same policies as the stacks
// ---------------------------------------------------------------------------

describe('CloudFormation template: its policies are the builders\' for the same inputs', () => {
  test('one external ID: trust equals crossAccountTrustPolicy, invoke equals invokeFunctionsPolicy', () => {
    const got = cfnPolicies({ externalId: CURRENT, tenants: ['acme'], functions: FUNCTIONS });
    expect(normalizePolicy(got.trust)).toEqual(normalizePolicy(crossAccountTrustPolicy({ vendorAccountId: VENDOR, vendorRoleArns: PRINCIPALS, externalIds: [CURRENT], tenantIds: ['acme'] })));
    expect(normalizePolicy(got.invoke)).toEqual(normalizePolicy(invokeFunctionsPolicy(FUNCTIONS)));
  });

  test('during a rotation (PreviousExternalId set): the trust accepts both IDs, as the builder writes it', () => {
    const got = cfnPolicies({ externalId: CURRENT, previous: PREVIOUS, tenants: ['acme', 'acme-eu'], functions: [FUNCTIONS[0]] });
    expect(normalizePolicy(got.trust)).toEqual(normalizePolicy(crossAccountTrustPolicy({ vendorAccountId: VENDOR, vendorRoleArns: PRINCIPALS, externalIds: [CURRENT, PREVIOUS], tenantIds: ['acme', 'acme-eu'] })));
  });

  test('with customer-a\'s values, the trust and the invoke policy equal the synthesized customer-a stack\'s', () => {
    const { config, customerA, customerJson } = localStacks();
    const json = customerJson['customer-a'];
    const role = resourceWhere(json, 'aws_iam_role', 'name', customerA.roleName);
    const stackInvoke = parsePolicy(policiesOfRole(json, role.id).inline[0].policy);
    const got = cfnPolicies({
      externalId: customerA.externalIds.current, tenants: ['acme'],
      functions: customerA.functions.map((f) => functionArn(config.region, customerA.accountId, f)),
    });
    expect(normalizePolicy(got.trust)).toEqual(normalizePolicy(parsePolicy(role.attrs.assume_role_policy)));
    expect(normalizePolicy(got.invoke)).toEqual(normalizePolicy(stackInvoke));
  });
});

// ---------------------------------------------------------------------------
// Terraform module
// ---------------------------------------------------------------------------

describe('Terraform module', () => {
  const files = terraformModule({ rolePrefix: DEFAULT_ROLE_PREFIX }) as any;
  const main = files['main.tf.json'];
  const v = TF.vars;

  function tfPolicies(vars: Record<string, unknown>) {
    const external_ids = [vars[v.externalId], vars[v.previousExternalId]].filter((x) => x !== '' && x !== undefined); // compact()
    const scope = { var: { [v.previousExternalId]: '', ...vars }, local: { external_ids } };
    return { trust: evaluateTf(main.locals.trust_policy, scope), invoke: evaluateTf(main.locals.invoke_policy, scope) };
  }

  test('versions, variables, main and outputs; external_id sensitive; the role and its one inline policy', () => {
    expect(Object.keys(files).sort()).toEqual(['main.tf.json', 'outputs.tf.json', 'variables.tf.json', 'versions.tf.json']);
    const variables = files['variables.tf.json'].variable;
    expect(Object.keys(variables).sort()).toEqual(Object.values(v).sort());
    expect(variables[v.externalId].sensitive).toBe(true);
    expect(variables[v.externalId].default).toBeUndefined();
    for (const list of [v.vendorPrincipalArns, v.tenantIds, v.functionArns]) expect(variables[list].type).toBe('list(string)');
    expect(Object.keys(main.resource)).toEqual(['aws_iam_role', 'aws_iam_role_policy']);
    expect(main.resource.aws_iam_role[TF.role].assume_role_policy).toBe('${jsonencode(local.trust_policy)}');
    expect(main.resource.aws_iam_role_policy[TF.policy]).toMatchObject({ name: INVOKE_POLICY_NAME, policy: '${jsonencode(local.invoke_policy)}' });
    expect(files['outputs.tf.json'].output[TF.output].value).toBe(`\${aws_iam_role.${TF.role}.arn}`);
    expect(JSON.stringify(files)).not.toContain('kit-placeholder');
  });

  test('role_name is validated against the prefix', () => {
    expect(files['variables.tf.json'].variable[v.roleName].validation[0].condition).toContain(`startswith(var.${v.roleName}, "${DEFAULT_ROLE_PREFIX}")`);
  });

  test('its locals, evaluated, equal the builders for the same inputs (one external ID, and two)', () => {
    const base = { [v.vendorAccountId]: VENDOR, [v.vendorPrincipalArns]: PRINCIPALS, [v.tenantIds]: ['acme'], [v.functionArns]: FUNCTIONS };
    const one = tfPolicies({ ...base, [v.externalId]: CURRENT });
    expect(normalizePolicy(one.trust)).toEqual(normalizePolicy(crossAccountTrustPolicy({ vendorAccountId: VENDOR, vendorRoleArns: PRINCIPALS, externalIds: [CURRENT], tenantIds: ['acme'] })));
    expect(normalizePolicy(one.invoke)).toEqual(normalizePolicy(invokeFunctionsPolicy(FUNCTIONS)));
    const two = tfPolicies({ ...base, [v.externalId]: CURRENT, [v.previousExternalId]: PREVIOUS });
    expect(normalizePolicy(two.trust)).toEqual(normalizePolicy(crossAccountTrustPolicy({ vendorAccountId: VENDOR, vendorRoleArns: PRINCIPALS, externalIds: [CURRENT, PREVIOUS], tenantIds: ['acme'] })));
  });
});

// ---------------------------------------------------------------------------
// Placeholder substitution guard
// ---------------------------------------------------------------------------

describe('placeholder substitution', () => {
  test('a placeholder left after substitution fails the generation (a builder changed shape)', () => {
    expect(() => substitutePlaceholders({ a: PLACEHOLDER.tenantId }, { whole: [], inString: [], template: (t) => t, escapeLiteral: (t) => t }))
      .toThrow(KitGenerationError);
  });

  test('a literal "${" in a policy string is escaped for the target', () => {
    const out = substitutePlaceholders({ a: `x\${y}-${PLACEHOLDER.vendorAccountId}` }, {
      whole: [], inString: [{ placeholder: PLACEHOLDER.vendorAccountId, reference: '${A}' }],
      template: (t) => ({ 'Fn::Sub': t }), escapeLiteral: (t) => t.split('${').join('${!'),
    });
    expect(out).toEqual({ a: { 'Fn::Sub': 'x${!y}-${A}' } });
  });
});

// ---------------------------------------------------------------------------
// The kit
// ---------------------------------------------------------------------------

describe('the kit', () => {
  const input = {
    tenantId: 'acme', externalId: CURRENT, vendorAccountId: VENDOR, vendorPrincipalArns: PRINCIPALS, rolePrefix: DEFAULT_ROLE_PREFIX,
    roleArn: roleArn(CUSTOMER, `${DEFAULT_ROLE_PREFIX}-acme`), functionArns: FUNCTIONS, templateUrl: 'https://example-bucket.s3.amazonaws.com/kit/customer-role.template.json',
  };

  test('has the template, the module, the external-ID file and a README naming the values', () => {
    const kit = buildCustomerKit(input);
    expect(Object.keys(kit.files).sort()).toEqual([README_FILE, TEMPLATE_FILE, EXTERNAL_ID_FILE, 'terraform/main.tf.json', 'terraform/outputs.tf.json', 'terraform/variables.tf.json', 'terraform/versions.tf.json']);
    expect(kit.files[EXTERNAL_ID_FILE]).toBe(`${CURRENT}\n`);
    const readme = kit.files[README_FILE];
    for (const value of [VENDOR, ...PRINCIPALS, 'acme', ...FUNCTIONS, `${DEFAULT_ROLE_PREFIX}-acme`]) expect(readme).toContain(value);
    expect(readme).not.toContain(CURRENT);
    expect(kit).toMatchObject({ customerAccountId: CUSTOMER, roleName: `${DEFAULT_ROLE_PREFIX}-acme`, region: 'us-east-1' });
  });

  test('the quick-create link: region, templateURL, stackName and the non-secret parameters; never the external ID', () => {
    const kit = buildCustomerKit({ ...input, previousExternalId: PREVIOUS });
    const url = new URL(kit.quickCreateUrl!);
    expect(`${url.origin}${url.pathname}`).toBe('https://console.aws.amazon.com/cloudformation/home');
    expect(url.searchParams.get('region')).toBe('us-east-1');
    const [route, query] = url.hash.slice(1).split('?');
    expect(route).toBe('/stacks/quickcreate');
    const q = new URLSearchParams(query);
    expect(q.get('templateURL')).toBe(input.templateUrl);
    expect(q.get('stackName')).toBe('sidecar-connector-acme');
    expect(q.get(`param_${p.vendorPrincipalArns}`)).toBe(PRINCIPALS.join(','));
    expect(q.get(`param_${p.roleName}`)).toBe(`${DEFAULT_ROLE_PREFIX}-acme`);
    expect(q.has(`param_${p.externalId}`)).toBe(false);
    expect(kit.quickCreateUrl).not.toContain(CURRENT);
    expect(kit.quickCreateUrl).not.toContain(PREVIOUS);
    expect(kit.files[EXTERNAL_ID_FILE]).toBe(`${CURRENT}\n${PREVIOUS}\n`);
  });

  test('without a template URL there is no link, and the README says how to create the stack from the file', () => {
    const kit = buildCustomerKit({ ...input, templateUrl: undefined });
    expect(kit.quickCreateUrl).toBeUndefined();
    expect(kit.files[README_FILE]).toContain(`--template-body file://${TEMPLATE_FILE}`);
  });

  test('quickCreateUrl encodes values', () => {
    expect(quickCreateUrl({ region: 'eu-west-1', templateUrl: 'https://b.s3.amazonaws.com/a b.json', stackName: 's', parameters: { X: 'a,b&c' } }))
      .toBe('https://console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/quickcreate?templateURL=https%3A%2F%2Fb.s3.amazonaws.com%2Fa%20b.json&stackName=s&param_X=a%2Cb%26c');
  });

  test('refuses a role outside the prefix, a function in another account, and no function', () => {
    expect(() => buildCustomerKit({ ...input, roleArn: roleArn(CUSTOMER, 'admin') })).toThrow(KitInputError);
    expect(() => buildCustomerKit({ ...input, functionArns: [functionArn('us-east-1', '111122223333', 'x')] })).toThrow(/not in the role's account/);
    expect(() => buildCustomerKit({ ...input, functionArns: [] })).toThrow(/no function/);
  });
});
