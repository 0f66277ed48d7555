/**
 * The customer kit's CloudFormation template, checked by a CloudFormation linter (the npm
 * `cfn-lint`, which resolves Refs, Fn::Sub, Fn::If and Conditions against the template's own
 * parameters and checks each resource's properties against a bundled resource spec):
 *  - with a customer's values as parameters (one function, two; with and without a previous
 *    external ID), the linter finds nothing wrong, but one property its spec does not know;
 *  - the nearest failures it must catch: a Ref to a parameter that does not exist, a property
 *    misspelt, an output naming a resource that does not exist.
 * The one exception: `Description` on AWS::IAM::Role, a property CloudFormation documents
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html)
 * that cfn-lint 1.9.7's bundled spec predates. It is allowed by exact message, nothing wider.
 */
import { validateJsonObject } from 'cfn-lint';
import { cloudFormationTemplate } from '../../../scripts/kit/cloudformation';

const PREFIX = 'tibco_sidecar_connector';
const OUTDATED_SPEC = new Set(['Description is not a valid property of AWS::IAM::Role']);

const parameters = (edit: Record<string, unknown> = {}) => ({
  ExternalId: 'sc-0123456789abcdef0123', PreviousExternalId: '', VendorAccountId: '111122223333',
  VendorPrincipalArns: ['arn:aws:iam::111122223333:role/sidecar-connector-role', 'arn:aws:iam::111122223333:role/sidecar-vend-role'],
  TenantIds: ['acme'], FunctionArns: ['arn:aws:lambda:us-east-1:444455556666:function:orders'], RoleName: `${PREFIX}-acme`, ...edit,
});

/** Every critical finding and warning, as "message @ where", less the known spec gap. */
function findings(template: unknown, params: Record<string, unknown>): string[] {
  const result = validateJsonObject(template, { parameters: params });
  return [...result.errors.crit, ...result.errors.warn]
    .filter((e) => !OUTDATED_SPEC.has(e.message))
    .map((e) => `${e.message} @ ${e.resource}`);
}

describe('the generated template', () => {
  test.each([
    ['one function, no rotation', {}],
    ['two functions and two tenants', { FunctionArns: ['arn:aws:lambda:us-east-1:444455556666:function:orders', 'arn:aws:lambda:eu-west-1:444455556666:function:billing'], TenantIds: ['acme', 'acme-eu'] }],
    ['during a rotation (a previous external ID)', { PreviousExternalId: 'sc-fedcba9876543210fedc' }],
  ])('lints clean: %s', (_case, edit) => {
    expect(findings(cloudFormationTemplate({ rolePrefix: PREFIX }), parameters(edit))).toEqual([]);
  });

  test('the only finding allowed is the spec gap, and it is there (so the allowance is not hiding a change)', () => {
    const result = validateJsonObject(cloudFormationTemplate({ rolePrefix: PREFIX }), { parameters: parameters() });
    expect(result.errors.crit.map((e) => e.message)).toEqual([...OUTDATED_SPEC]);
  });
});

describe('the linter catches what it must (the nearest broken templates)', () => {
  const broken = (edit: (t: any) => void) => {
    // A JSON copy: structuredClone's objects come from another realm, which the linter's `instanceof Object` refuses.
    const t = JSON.parse(JSON.stringify(cloudFormationTemplate({ rolePrefix: PREFIX })));
    edit(t);
    return findings(t, parameters());
  };
  const roleOf = (t: any) => Object.values(t.Resources).find((r: any) => r.Type === 'AWS::IAM::Role') as any;

  test('a Ref to a parameter that does not exist', () => {
    expect(broken((t) => { roleOf(t).Properties.RoleName = { Ref: 'NoSuchParameter' }; }).join('\n')).toMatch(/NoSuchParameter/);
  });

  test('a misspelt property of the role', () => {
    expect(broken((t) => { roleOf(t).Properties.AssumeRolePolicyDocumnet = roleOf(t).Properties.AssumeRolePolicyDocument; delete roleOf(t).Properties.AssumeRolePolicyDocument; }).join('\n'))
      .toMatch(/AssumeRolePolicyDocumnet is not a valid property/);
  });

  test('an output naming a resource that does not exist', () => {
    expect(broken((t) => { (Object.values(t.Outputs)[0] as any).Value = { 'Fn::GetAtt': ['NoSuchRole', 'Arn'] }; }).join('\n')).toMatch(/NoSuchRole/);
  });
});
