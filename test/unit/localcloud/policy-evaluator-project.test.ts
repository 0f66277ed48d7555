// ---------------------------------------------------------------------------
// The project's own policies (rules/policies.ts), through the local cloud's grammar and
// evaluator: every document the stacks and Lambdas send must be accepted as IAM/STS would, and
// must allow exactly the calls the design promises and refuse the confused-deputy attempts.
// ---------------------------------------------------------------------------
import {
  assumePrefixedRolesPolicy,
  crossAccountTrustPolicy,
  invokeFunctionsPolicy,
  lambdaServiceTrustPolicy,
  scopedInvokeSessionPolicy,
} from '../../../rules/policies';
import { serializeSessionPolicy } from '../../../lambda/shared/assume-role-input';
import { DEFAULT_ROLE_PREFIX, functionArn, roleArn } from '../../../rules/naming';
import { evaluate, validatePolicyDocument, type EvaluationInput, type EvaluationPrincipal } from '../../../localcloud/iam/policy-evaluator';

const VENDOR = '777788889999';
const CUSTOMER_A = '111122223333';
const CUSTOMER_B = '444455556666';
const REGION = 'us-east-1';
const EXTERNAL_A = 'a1b2c3d4-tenant-a-external';
const EXTERNAL_B = 'e5f6a7b8-tenant-b-external';
const TENANT_A = 'tenant-a';
const TENANT_B = 'tenant-b';

const connectorRole = roleArn(VENDOR, 'sidecar-connector');
const roleA = roleArn(CUSTOMER_A, DEFAULT_ROLE_PREFIX);
const roleB = roleArn(CUSTOMER_B, DEFAULT_ROLE_PREFIX);
const adminA = roleArn(CUSTOMER_A, 'admin');
const sampleA = functionArn(REGION, CUSTOMER_A, 'sidecar-sample');
const forbiddenA = functionArn(REGION, CUSTOMER_A, 'sidecar-forbidden');

// Every document goes through the grammar first, exactly as IAM and STS receive it (JSON text).
const connectorIdentity = validatePolicyDocument(JSON.stringify(assumePrefixedRolesPolicy({ rolePrefix: DEFAULT_ROLE_PREFIX, accountIds: [CUSTOMER_A, CUSTOMER_B] })), 'identity');
const trustA = validatePolicyDocument(JSON.stringify(crossAccountTrustPolicy({ vendorAccountId: VENDOR, vendorRoleArns: [connectorRole], externalIds: [EXTERNAL_A], tenantIds: [TENANT_A] })), 'trust');
const trustB = validatePolicyDocument(JSON.stringify(crossAccountTrustPolicy({ vendorAccountId: VENDOR, vendorRoleArns: [connectorRole], externalIds: [EXTERNAL_B], tenantIds: [TENANT_B] })), 'trust');
/** Customer A's trust in `account` mode: any principal of the vendor account its own policies allow. */
const trustAAccountMode = validatePolicyDocument(JSON.stringify(crossAccountTrustPolicy({ vendorAccountId: VENDOR, externalIds: [EXTERNAL_A], tenantIds: [TENANT_A] })), 'trust');
const roleAPermissions = validatePolicyDocument(JSON.stringify(invokeFunctionsPolicy([sampleA, forbiddenA])), 'identity');
const scopedToSample = validatePolicyDocument(serializeSessionPolicy(scopedInvokeSessionPolicy([sampleA])), 'session');
const execTrustA = validatePolicyDocument(JSON.stringify(lambdaServiceTrustPolicy(CUSTOMER_A)), 'trust');

const connectorSession: EvaluationPrincipal = { kind: 'assumed-role', accountId: VENDOR, arn: `arn:aws:sts::${VENDOR}:assumed-role/sidecar-connector/run-1`, roleArn: connectorRole };
const customerSession: EvaluationPrincipal = { kind: 'assumed-role', accountId: CUSTOMER_A, arn: `arn:aws:sts::${CUSTOMER_A}:assumed-role/${DEFAULT_ROLE_PREFIX}/tenant-a`, roleArn: roleA };
const lambdaService: EvaluationPrincipal = { kind: 'service', accountId: '', arn: 'lambda.amazonaws.com', servicePrincipal: 'lambda.amazonaws.com' };

/** The connector's AssumeRole as STS evaluates it: aws:PrincipalArn is the role's ARN (the local
 *  cloud's authorize.ts adds it to every request; the evaluator alone takes it from the context). */
const assumeByConnector = (target: string, trust: EvaluationInput['resourcePolicy'], externalId?: string, sourceIdentity: string | null = TENANT_A, action = 'sts:AssumeRole'): EvaluationInput => ({
  principal: connectorSession,
  action,
  resource: target,
  resourceAccountId: target.split(':')[4],
  identityPolicies: [connectorIdentity],
  resourcePolicy: trust,
  resourcePolicyKind: 'trust',
  // null: no SourceIdentity in the request, so no sts:SourceIdentity key in its context.
  context: { 'sts:ExternalId': externalId, ...(sourceIdentity !== null ? { 'sts:SourceIdentity': sourceIdentity } : {}), 'aws:PrincipalArn': connectorRole },
});
const invokeAsCustomerRole = (fn: string, sessionPolicies?: EvaluationInput['sessionPolicies']): EvaluationInput => ({
  principal: customerSession,
  action: 'lambda:InvokeFunction',
  resource: fn,
  resourceAccountId: CUSTOMER_A,
  identityPolicies: [roleAPermissions],
  sessionPolicies,
});

describe("the project's policies under the local cloud's evaluator", () => {
  test("the connector assumes tenant A's role with tenant A's external ID", () => {
    expect(evaluate(assumeByConnector(roleA, trustA, EXTERNAL_A)).decision).toBe('Allow');
  });

  test("the connector may also set tenant A as the source identity on tenant A's role (sts:SetSourceIdentity, both sides)", () => {
    expect(evaluate(assumeByConnector(roleA, trustA, EXTERNAL_A, TENANT_A, 'sts:SetSourceIdentity')).decision).toBe('Allow');
  });

  test("the connector is refused tenant A's role with A's external ID but tenant B as the source identity", () => {
    expect(evaluate(assumeByConnector(roleA, trustA, EXTERNAL_A, TENANT_B))).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
    expect(evaluate(assumeByConnector(roleA, trustA, EXTERNAL_A, TENANT_B, 'sts:SetSourceIdentity'))).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
  });

  test("the connector is refused tenant A's role with A's external ID but no source identity", () => {
    expect(evaluate(assumeByConnector(roleA, trustA, EXTERNAL_A, null))).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
  });

  test('a vendor role without sts:SetSourceIdentity in its own policy cannot set the source identity (the caller-side half)', () => {
    const assumeOnly = validatePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleA }] }), 'identity');
    const input = { ...assumeByConnector(roleA, trustA, EXTERNAL_A, TENANT_A, 'sts:SetSourceIdentity'), identityPolicies: [assumeOnly] };
    expect(evaluate(input)).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'identity' });
  });

  test('another principal of the vendor account, allowed sts:AssumeRole on anything, is refused by the aws:PrincipalArn condition', () => {
    const operatorArn = `arn:aws:iam::${VENDOR}:user/operator`;
    const operator: EvaluationPrincipal = { kind: 'user', accountId: VENDOR, arn: operatorArn };
    const assumeAny = validatePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: '*' }] }), 'identity');
    const input: EvaluationInput = { ...assumeByConnector(roleA, trustA, EXTERNAL_A), principal: operator, identityPolicies: [assumeAny], context: { 'sts:ExternalId': EXTERNAL_A, 'sts:SourceIdentity': TENANT_A, 'aws:PrincipalArn': operatorArn } };
    expect(evaluate(input)).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
    // The nearest neighbour: the account-mode trust lets that same operator in (the vendor's own policies decide).
    expect(evaluate({ ...input, resourcePolicy: trustAAccountMode }).decision).toBe('Allow');
  });

  test("the connector is refused tenant A's role with tenant B's external ID (the confused deputy)", () => {
    const decision = evaluate(assumeByConnector(roleA, trustA, EXTERNAL_B));
    expect(decision).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
  });

  test("the connector is refused tenant B's role with tenant A's external ID", () => {
    expect(evaluate(assumeByConnector(roleB, trustB, EXTERNAL_A))).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
  });

  test('the connector is refused without an external ID', () => {
    expect(evaluate(assumeByConnector(roleA, trustA, undefined))).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
  });

  test('the connector is refused a role outside the agreed prefix, even one that trusts it', () => {
    expect(evaluate(assumeByConnector(adminA, trustA, EXTERNAL_A))).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'identity' });
  });

  test('a principal of customer B is refused even with the right external ID', () => {
    const intruder: EvaluationPrincipal = { kind: 'assumed-role', accountId: CUSTOMER_B, arn: `arn:aws:sts::${CUSTOMER_B}:assumed-role/${DEFAULT_ROLE_PREFIX}/x`, roleArn: roleB };
    const decision = evaluate({ ...assumeByConnector(roleA, trustA, EXTERNAL_A), principal: intruder, identityPolicies: [validatePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }), 'identity')] });
    expect(decision).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
  });

  test("the customer role's session invokes a function its permissions list", () => {
    expect(evaluate(invokeAsCustomerRole(forbiddenA)).decision).toBe('Allow');
  });

  test('a session scoped down to the sample function invokes it', () => {
    expect(evaluate(invokeAsCustomerRole(sampleA, [scopedToSample])).decision).toBe('Allow');
  });

  test('a session scoped down to the sample function cannot invoke another function the role may invoke', () => {
    expect(evaluate(invokeAsCustomerRole(forbiddenA, [scopedToSample]))).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'session' });
  });

  test("the Lambda service assumes an execution role for a function of the role's account", () => {
    const input: EvaluationInput = { principal: lambdaService, action: 'sts:AssumeRole', resource: roleArn(CUSTOMER_A, 'exec'), resourceAccountId: CUSTOMER_A, identityPolicies: [], resourcePolicy: execTrustA, resourcePolicyKind: 'trust', context: { 'aws:SourceAccount': CUSTOMER_A } };
    expect(evaluate(input).decision).toBe('Allow');
  });

  test("the Lambda service is refused the execution role for a function of another account", () => {
    const input: EvaluationInput = { principal: lambdaService, action: 'sts:AssumeRole', resource: roleArn(CUSTOMER_A, 'exec'), resourceAccountId: CUSTOMER_A, identityPolicies: [], resourcePolicy: execTrustA, resourcePolicyKind: 'trust', context: { 'aws:SourceAccount': CUSTOMER_B } };
    expect(evaluate(input)).toMatchObject({ decision: 'ImplicitDeny', deniedBy: 'resource' });
  });
});
