// ---------------------------------------------------------------------------
// The local cloud's policy evaluator against AWS's documented evaluation logic. One table row per
// behaviour; each row names the AWS page it follows (`source`). Every allow row has a deny row
// next to it that differs in exactly the thing under test.
// ---------------------------------------------------------------------------
import { accessDeniedMessage, evaluate, type Decision, type EvaluationInput, type EvaluationPrincipal, type PolicyType } from '../../../localcloud/iam/policy-evaluator';
import type { PolicyDocumentJson } from '../../../localcloud/contracts';

// ---------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------
const DOCS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/';
const EVAL = `${DOCS}reference_policies_evaluation-logic.html`;
const SINGLE = `${DOCS}reference_policies_evaluation-logic_policy-eval-basics.html`;
const CROSS = `${DOCS}reference_policies_evaluation-logic-cross-account.html`;
const SESSION = `${DOCS}access_policies.html#policies_session`;
const PRINCIPAL = `${DOCS}reference_policies_elements_principal.html`;
const ROOT = `${DOCS}id_root-user.html`;
const TRUST = `${DOCS}id_roles_common-scenarios_aws-accounts.html`;
const EXTERNAL_ID = `${DOCS}confused-deputy.html`;
const ASSUME_ROLE = 'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html';
const SERVICE = 'https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html';
const EXEC_ROLE = 'https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html';
const ACTION = `${DOCS}reference_policies_elements_action.html`;
const NOT_ACTION = `${DOCS}reference_policies_elements_notaction.html`;
const RESOURCE = `${DOCS}reference_policies_elements_resource.html`;
const NOT_RESOURCE = `${DOCS}reference_policies_elements_notresource.html`;
const OPS = `${DOCS}reference_policies_elements_condition_operators.html`;
const MULTI = `${DOCS}reference_policies_condition-single-vs-multi-valued-context-keys.html`;
const CONDITION = `${DOCS}reference_policies_elements_condition.html`;
const LOGIC = `${DOCS}reference_policies_condition-logic-multiple-context-keys-or-values.html`;

// ---------------------------------------------------------------------------
// World: two customer accounts and a vendor account
// ---------------------------------------------------------------------------
const A = '111122223333';
const B = '444455556666';
const VENDOR = '777788889999';
const FN_A = `arn:aws:lambda:us-east-1:${A}:function:orders`;
const FN_A_OTHER = `arn:aws:lambda:us-east-1:${A}:function:payroll`;
const FN_B = `arn:aws:lambda:us-east-1:${B}:function:orders`;
const INVOKE = 'lambda:InvokeFunction';

const user = (account: string, name: string): EvaluationPrincipal => ({ kind: 'user', accountId: account, arn: `arn:aws:iam::${account}:user/${name}` });
const session = (account: string, role: string, name: string): EvaluationPrincipal => ({
  kind: 'assumed-role',
  accountId: account,
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
  roleArn: `arn:aws:iam::${account}:role/${role}`,
});
const root = (account: string): EvaluationPrincipal => ({ kind: 'root', accountId: account, arn: `arn:aws:iam::${account}:root` });
const service = (name: string): EvaluationPrincipal => ({ kind: 'service', accountId: '', arn: name, servicePrincipal: name });

const ALICE = user(A, 'alice');
const BOB = user(A, 'bob');
const APP = session(A, 'app', 's1');
const APP_ROLE = `arn:aws:iam::${A}:role/app`;
const OTHER_SESSION = session(A, 'app', 's2');
const B_APP = session(B, 'app', 's1');
const CONNECTOR = session(VENDOR, 'sidecar-connector', 'tenant-a');
const CONNECTOR_ROLE = `arn:aws:iam::${VENDOR}:role/sidecar-connector`;
const VEND = session(VENDOR, 'sidecar-vend', 'tenant-a');
const CUSTOMER_ROLE = `arn:aws:iam::${A}:role/tibco_sidecar_connector`;
const OUTSIDE_PREFIX_ROLE = `arn:aws:iam::${A}:role/admin`;

type Statement = Record<string, unknown>;
const doc = (...statements: Statement[]): PolicyDocumentJson => ({ Version: '2012-10-17', Statement: statements });
const allowS = (action: string | string[], resource: string | string[], extra: Statement = {}): Statement => ({ Effect: 'Allow', Action: action, Resource: resource, ...extra });
const denyS = (action: string | string[], resource: string | string[], extra: Statement = {}): Statement => ({ Effect: 'Deny', Action: action, Resource: resource, ...extra });
const allowInvoke = doc(allowS(INVOKE, FN_A));
const allowInvokeB = doc(allowS(INVOKE, FN_B));
/** A function policy statement naming `principal` (AWS: string or list, or "*"). */
const fnPolicy = (principal: unknown, effect: 'Allow' | 'Deny' = 'Allow', resource = FN_A, extra: Statement = {}): PolicyDocumentJson =>
  doc({ Sid: `${effect}Named`, Effect: effect, Principal: principal, Action: INVOKE, Resource: resource, ...extra });
const trustPolicy = (principal: unknown, extra: Statement = {}): PolicyDocumentJson => doc({ Sid: 'Trust', Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });
const EXTERNAL = 'c0ffee00-tenant-a-4b1d';
const PREVIOUS_EXTERNAL = 'deadbeef-tenant-a-rotated';
const vendorTrust = trustPolicy({ AWS: CONNECTOR_ROLE }, { Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL } } });
const rotatingTrust = trustPolicy({ AWS: CONNECTOR_ROLE }, { Condition: { StringEquals: { 'sts:ExternalId': [EXTERNAL, PREVIOUS_EXTERNAL] } } });
const connectorIdentity = doc(allowS('sts:AssumeRole', 'arn:aws:iam::*:role/tibco_sidecar_connector*'));

interface Row {
  readonly name: string;
  readonly source: string;
  readonly input: EvaluationInput;
  readonly expected: Decision['decision'];
  /** For denials: the policy type AWS would blame. */
  readonly deniedBy?: PolicyType;
}

const req = (principal: EvaluationPrincipal, parts: Partial<EvaluationInput> = {}): EvaluationInput => ({
  principal,
  action: INVOKE,
  resource: FN_A,
  resourceAccountId: A,
  identityPolicies: [],
  ...parts,
});
const assume = (principal: EvaluationPrincipal, roleArn: string, parts: Partial<EvaluationInput> = {}): EvaluationInput => ({
  principal,
  action: 'sts:AssumeRole',
  resource: roleArn,
  resourceAccountId: roleArn.split(':')[4],
  identityPolicies: [],
  resourcePolicyKind: 'trust',
  ...parts,
});

// ---------------------------------------------------------------------------
// Explicit deny, implicit deny, same account
// ---------------------------------------------------------------------------
const coreRows: Row[] = [
  { name: 'an identity policy allowing the action on the resource allows', source: SINGLE, input: req(ALICE, { identityPolicies: [allowInvoke] }), expected: 'Allow' },
  { name: 'a principal with no policies is implicitly denied', source: EVAL, input: req(ALICE), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'an allow for another action is an implicit deny', source: EVAL, input: req(ALICE, { identityPolicies: [doc(allowS('lambda:GetFunction', FN_A))] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'an allow for another resource is an implicit deny', source: EVAL, input: req(ALICE, { identityPolicies: [doc(allowS(INVOKE, FN_A_OTHER))] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'an explicit deny in one identity policy beats an allow in another', source: EVAL, input: req(ALICE, { identityPolicies: [allowInvoke, doc(denyS('lambda:*', '*'))] }), expected: 'ExplicitDeny', deniedBy: 'identity' },
  { name: 'an explicit deny in the same statement list beats an allow', source: EVAL, input: req(ALICE, { identityPolicies: [doc(allowS('*', '*'), denyS(INVOKE, FN_A))] }), expected: 'ExplicitDeny', deniedBy: 'identity' },
  { name: 'a deny for another resource does not block the allow', source: EVAL, input: req(ALICE, { identityPolicies: [allowInvoke, doc(denyS(INVOKE, FN_A_OTHER))] }), expected: 'Allow' },
  { name: 'same account: a resource policy naming the user allows without any identity policy', source: SINGLE, input: req(ALICE, { resourcePolicy: fnPolicy({ AWS: ALICE.arn }) }), expected: 'Allow' },
  { name: 'same account: a resource policy naming another user does not allow', source: SINGLE, input: req(ALICE, { resourcePolicy: fnPolicy({ AWS: BOB.arn }) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'an explicit deny in the resource policy naming the caller beats an identity allow', source: EVAL, input: req(ALICE, { identityPolicies: [allowInvoke], resourcePolicy: fnPolicy({ AWS: ALICE.arn }, 'Deny') }), expected: 'ExplicitDeny', deniedBy: 'resource' },
  { name: 'a resource-policy deny naming someone else does not apply to the caller', source: EVAL, input: req(ALICE, { identityPolicies: [allowInvoke], resourcePolicy: fnPolicy({ AWS: BOB.arn }, 'Deny') }), expected: 'Allow' },
  { name: 'a resource-policy deny for "*" applies to everyone', source: PRINCIPAL, input: req(ALICE, { identityPolicies: [allowInvoke], resourcePolicy: fnPolicy('*', 'Deny') }), expected: 'ExplicitDeny', deniedBy: 'resource' },
  { name: 'same account: a resource policy naming the account root only delegates to identity policies', source: PRINCIPAL, input: req(ALICE, { resourcePolicy: fnPolicy({ AWS: `arn:aws:iam::${A}:root` }) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'same account: a resource policy naming the account ID only delegates to identity policies', source: PRINCIPAL, input: req(ALICE, { resourcePolicy: fnPolicy({ AWS: A }) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'same account: account-root resource policy plus an identity allow allows', source: PRINCIPAL, input: req(ALICE, { identityPolicies: [allowInvoke], resourcePolicy: fnPolicy({ AWS: `arn:aws:iam::${A}:root` }) }), expected: 'Allow' },
  { name: 'same account: Principal "*" allows without an identity policy', source: PRINCIPAL, input: req(ALICE, { resourcePolicy: fnPolicy('*') }), expected: 'Allow' },
  { name: 'same account: Principal {"AWS":"*"} allows without an identity policy', source: PRINCIPAL, input: req(ALICE, { resourcePolicy: fnPolicy({ AWS: '*' }) }), expected: 'Allow' },
  { name: 'a principal list matches any one of its entries', source: PRINCIPAL, input: req(ALICE, { resourcePolicy: fnPolicy({ AWS: [BOB.arn, ALICE.arn] }) }), expected: 'Allow' },
  { name: 'NotPrincipal allows everyone it does not name', source: `${DOCS}reference_policies_elements_notprincipal.html`, input: req(ALICE, { resourcePolicy: doc({ Effect: 'Allow', NotPrincipal: { AWS: BOB.arn }, Action: INVOKE, Resource: FN_A }) }), expected: 'Allow' },
  { name: 'NotPrincipal does not allow the principal it names', source: `${DOCS}reference_policies_elements_notprincipal.html`, input: req(BOB, { resourcePolicy: doc({ Effect: 'Allow', NotPrincipal: { AWS: BOB.arn }, Action: INVOKE, Resource: FN_A }) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
];

// ---------------------------------------------------------------------------
// Session policies
// ---------------------------------------------------------------------------
const sessionRows: Row[] = [
  { name: 'a role allowed by its identity policy and by its session policy is allowed', source: SESSION, input: req(APP, { identityPolicies: [allowInvoke], sessionPolicies: [allowInvoke] }), expected: 'Allow' },
  { name: 'allowed by the role but not by the session policy is denied', source: SESSION, input: req(APP, { identityPolicies: [allowInvoke], sessionPolicies: [doc(allowS(INVOKE, FN_A_OTHER))] }), expected: 'ImplicitDeny', deniedBy: 'session' },
  { name: 'allowed by the session policy but not by the role is denied', source: SESSION, input: req(APP, { identityPolicies: [doc(allowS(INVOKE, FN_A_OTHER))], sessionPolicies: [allowInvoke] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'an explicit deny in a session policy beats the role allow', source: SESSION, input: req(APP, { identityPolicies: [allowInvoke], sessionPolicies: [doc(allowS('*', '*'), denyS(INVOKE, FN_A))] }), expected: 'ExplicitDeny', deniedBy: 'session' },
  { name: 'a session without session policies (empty list) is limited by nothing', source: ASSUME_ROLE, input: req(APP, { identityPolicies: [allowInvoke], sessionPolicies: [] }), expected: 'Allow' },
  { name: 'several session policies: an allow in any one of them is enough', source: ASSUME_ROLE, input: req(APP, { identityPolicies: [allowInvoke], sessionPolicies: [doc(allowS('lambda:GetFunction', '*')), allowInvoke] }), expected: 'Allow' },
  { name: 'a resource policy naming the role ARN allows a session without a session policy', source: SESSION, input: req(APP, { resourcePolicy: fnPolicy({ AWS: APP_ROLE }) }), expected: 'Allow' },
  { name: 'a resource policy naming the role ARN is still limited by the session policy', source: SESSION, input: req(APP, { sessionPolicies: [doc(allowS(INVOKE, FN_A_OTHER))], resourcePolicy: fnPolicy({ AWS: APP_ROLE }) }), expected: 'ImplicitDeny', deniedBy: 'session' },
  { name: 'a resource policy naming the role ARN allows when the session policy allows too', source: SESSION, input: req(APP, { sessionPolicies: [allowInvoke], resourcePolicy: fnPolicy({ AWS: APP_ROLE }) }), expected: 'Allow' },
  { name: 'a resource policy naming the exact session ARN is not limited by the session policy', source: SESSION, input: req(APP, { sessionPolicies: [doc(allowS(INVOKE, FN_A_OTHER))], resourcePolicy: fnPolicy({ AWS: APP.arn }) }), expected: 'Allow' },
  { name: "a resource policy naming another session of the same role does not allow this one", source: SESSION, input: req(APP, { resourcePolicy: fnPolicy({ AWS: OTHER_SESSION.arn }) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'Principal "*" is still limited by the session policy', source: SESSION, input: req(APP, { sessionPolicies: [doc(allowS(INVOKE, FN_A_OTHER))], resourcePolicy: fnPolicy('*') }), expected: 'ImplicitDeny', deniedBy: 'session' },
];

// ---------------------------------------------------------------------------
// Cross account
// ---------------------------------------------------------------------------
const crossRows: Row[] = [
  { name: 'cross account: identity allow plus a resource policy naming the account allows', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, identityPolicies: [allowInvokeB], resourcePolicy: fnPolicy({ AWS: A }, 'Allow', FN_B) }), expected: 'Allow' },
  { name: 'cross account: the identity side alone is refused', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, identityPolicies: [allowInvokeB] }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'cross account: the resource side alone is refused', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, resourcePolicy: fnPolicy({ AWS: A }, 'Allow', FN_B) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'cross account: a resource policy naming the root ARN of the caller account counts', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, identityPolicies: [allowInvokeB], resourcePolicy: fnPolicy({ AWS: `arn:aws:iam::${A}:root` }, 'Allow', FN_B) }), expected: 'Allow' },
  { name: 'cross account: a resource policy naming the role ARN counts', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, identityPolicies: [allowInvokeB], resourcePolicy: fnPolicy({ AWS: APP_ROLE }, 'Allow', FN_B) }), expected: 'Allow' },
  { name: 'cross account: naming the exact session ARN still needs the identity side', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, resourcePolicy: fnPolicy({ AWS: APP.arn }, 'Allow', FN_B) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'cross account: a resource policy naming a third account does not count', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, identityPolicies: [allowInvokeB], resourcePolicy: fnPolicy({ AWS: VENDOR }, 'Allow', FN_B) }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'cross account: the session policy limits the identity side', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, identityPolicies: [allowInvokeB], sessionPolicies: [allowInvoke], resourcePolicy: fnPolicy({ AWS: A }, 'Allow', FN_B) }), expected: 'ImplicitDeny', deniedBy: 'session' },
  { name: 'cross account: an explicit deny in the resource policy wins over both allows', source: CROSS, input: req(APP, { resource: FN_B, resourceAccountId: B, identityPolicies: [allowInvokeB], resourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: A }, Action: INVOKE, Resource: FN_B }, { Effect: 'Deny', Principal: { AWS: APP_ROLE }, Action: INVOKE, Resource: FN_B }) }), expected: 'ExplicitDeny', deniedBy: 'resource' },
  { name: "cross account: another account's root is allowed when the resource policy names its account", source: CROSS, input: req(root(A), { resource: FN_B, resourceAccountId: B, resourcePolicy: fnPolicy({ AWS: A }, 'Allow', FN_B) }), expected: 'Allow' },
  { name: "cross account: another account's root is refused without a resource policy", source: CROSS, input: req(root(A), { resource: FN_B, resourceAccountId: B }), expected: 'ImplicitDeny', deniedBy: 'resource' },
];

// ---------------------------------------------------------------------------
// Root user and service principals
// ---------------------------------------------------------------------------
const rootAndServiceRows: Row[] = [
  { name: "the root user of the resource's account is allowed without any policy", source: ROOT, input: req(root(A)), expected: 'Allow' },
  { name: "the root user of the resource's account is refused by an explicit resource-policy deny", source: ROOT, input: req(root(A), { resourcePolicy: fnPolicy('*', 'Deny') }), expected: 'ExplicitDeny', deniedBy: 'resource' },
  { name: 'identity policies handed in for the root user are ignored (none can be attached to root)', source: ROOT, input: req(root(A), { identityPolicies: [doc(denyS('*', '*'))] }), expected: 'Allow' },
  { name: 'identity policies handed in for a service principal are ignored', source: SERVICE, input: req(service('s3.amazonaws.com'), { identityPolicies: [doc(denyS('*', '*'))], resourcePolicy: fnPolicy({ Service: 's3.amazonaws.com' }) }), expected: 'Allow' },
  { name: 'a service principal named by the function policy is allowed', source: SERVICE, input: req(service('s3.amazonaws.com'), { resourcePolicy: fnPolicy({ Service: 's3.amazonaws.com' }) }), expected: 'Allow' },
  { name: 'a service principal not named by the function policy is refused', source: SERVICE, input: req(service('sns.amazonaws.com'), { resourcePolicy: fnPolicy({ Service: 's3.amazonaws.com' }) }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'identity policies never allow a service principal', source: SERVICE, input: req(service('s3.amazonaws.com'), { identityPolicies: [doc(allowS('*', '*'))] }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'a service grant with the right aws:SourceAccount allows', source: SERVICE, input: req(service('s3.amazonaws.com'), { resourcePolicy: fnPolicy({ Service: 's3.amazonaws.com' }, 'Allow', FN_A, { Condition: { StringEquals: { 'AWS:SourceAccount': A } } }), context: { 'aws:SourceAccount': A } }), expected: 'Allow' },
  { name: 'a service grant with the wrong aws:SourceAccount is refused', source: SERVICE, input: req(service('s3.amazonaws.com'), { resourcePolicy: fnPolicy({ Service: 's3.amazonaws.com' }, 'Allow', FN_A, { Condition: { StringEquals: { 'AWS:SourceAccount': A } } }), context: { 'aws:SourceAccount': B } }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: "a service principal's grant to AWS principals does not cover it", source: PRINCIPAL, input: req(service('s3.amazonaws.com'), { resourcePolicy: fnPolicy({ AWS: A }) }), expected: 'ImplicitDeny', deniedBy: 'resource' },
];

// ---------------------------------------------------------------------------
// Trust policies (sts:AssumeRole)
// ---------------------------------------------------------------------------
const trustRows: Row[] = [
  { name: 'trust: same account, a trust naming the caller role allows without an identity policy', source: TRUST, input: assume(APP, CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: APP_ROLE }) }), expected: 'Allow' },
  { name: 'trust: same account, a trust naming the caller user allows without an identity policy', source: TRUST, input: assume(ALICE, CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: ALICE.arn }) }), expected: 'Allow' },
  { name: 'trust: same account, a trust naming the account root needs an identity allow', source: TRUST, input: assume(ALICE, CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: `arn:aws:iam::${A}:root` }) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'trust: same account, account-root trust plus an identity allow allows', source: TRUST, input: assume(ALICE, CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: A }), identityPolicies: [doc(allowS('sts:AssumeRole', CUSTOMER_ROLE))] }), expected: 'Allow' },
  { name: 'trust: same account, an identity allow without a trust naming the caller is refused', source: TRUST, input: assume(ALICE, CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: BOB.arn }), identityPolicies: [doc(allowS('sts:AssumeRole', '*'))] }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'trust: a role without a trust policy cannot be assumed even with an identity allow', source: TRUST, input: assume(ALICE, CUSTOMER_ROLE, { identityPolicies: [doc(allowS('sts:AssumeRole', '*'))] }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'trust: a trust naming one role does not admit sessions of another role', source: TRUST, input: assume(session(A, 'other', 'x'), CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: APP_ROLE }) }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'trust: the Lambda service assumes an execution role that trusts lambda.amazonaws.com', source: EXEC_ROLE, input: assume(service('lambda.amazonaws.com'), `arn:aws:iam::${A}:role/exec`, { resourcePolicy: trustPolicy({ Service: 'lambda.amazonaws.com' }) }), expected: 'Allow' },
  { name: 'trust: another service cannot assume a role that trusts only lambda.amazonaws.com', source: EXEC_ROLE, input: assume(service('ec2.amazonaws.com'), `arn:aws:iam::${A}:role/exec`, { resourcePolicy: trustPolicy({ Service: 'lambda.amazonaws.com' }) }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'trust: the root user cannot assume a role, even one trusting its account', source: ASSUME_ROLE, input: assume(root(A), CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: A }) }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'trust: an explicit deny in the trust policy wins over an allow naming the caller', source: EVAL, input: assume(APP, CUSTOMER_ROLE, { resourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: APP_ROLE }, Action: 'sts:AssumeRole' }, { Effect: 'Deny', Principal: '*', Action: 'sts:*' }) }), expected: 'ExplicitDeny', deniedBy: 'resource' },
  { name: 'trust: a same-account session policy limits a trust that names the role ARN', source: SESSION, input: assume(APP, CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: APP_ROLE }), sessionPolicies: [allowInvoke] }), expected: 'ImplicitDeny', deniedBy: 'session' },
];

// ---------------------------------------------------------------------------
// The confused-deputy guard: vendor connector -> customer role with sts:ExternalId
// ---------------------------------------------------------------------------
const externalIdRows: Row[] = [
  { name: 'external ID: the vendor connector with the right external ID is allowed', source: EXTERNAL_ID, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: vendorTrust, context: { 'sts:ExternalId': EXTERNAL } }), expected: 'Allow' },
  { name: 'external ID: a wrong external ID is refused by the trust policy', source: EXTERNAL_ID, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: vendorTrust, context: { 'sts:ExternalId': 'tenant-b-external-id' } }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'external ID: a missing external ID is refused by the trust policy', source: EXTERNAL_ID, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: vendorTrust, context: {} }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'external ID: a differently cased external ID is refused (StringEquals is case-sensitive)', source: OPS, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: vendorTrust, context: { 'sts:ExternalId': EXTERNAL.toUpperCase() } }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'external ID: the first of two accepted IDs is allowed', source: LOGIC, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: rotatingTrust, context: { 'sts:ExternalId': EXTERNAL } }), expected: 'Allow' },
  { name: 'external ID: the second of two accepted IDs is allowed', source: LOGIC, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: rotatingTrust, context: { 'sts:ExternalId': PREVIOUS_EXTERNAL } }), expected: 'Allow' },
  { name: 'external ID: an ID in neither of the two accepted is refused', source: LOGIC, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: rotatingTrust, context: { 'sts:ExternalId': 'someone-else' } }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'external ID: another vendor principal with the right external ID is refused', source: EXTERNAL_ID, input: assume(VEND, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: vendorTrust, context: { 'sts:ExternalId': EXTERNAL } }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: "external ID: a principal of another customer's account with the right external ID is refused", source: EXTERNAL_ID, input: assume(B_APP, CUSTOMER_ROLE, { identityPolicies: [doc(allowS('sts:AssumeRole', '*'))], resourcePolicy: vendorTrust, context: { 'sts:ExternalId': EXTERNAL } }), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'external ID: the connector cannot assume a role outside the agreed prefix', source: CROSS, input: assume(CONNECTOR, OUTSIDE_PREFIX_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: vendorTrust, context: { 'sts:ExternalId': EXTERNAL } }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'external ID: a trust naming the vendor account root admits the connector with the right ID', source: TRUST, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: trustPolicy({ AWS: `arn:aws:iam::${VENDOR}:root` }, { Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL } } }), context: { 'sts:ExternalId': EXTERNAL } }), expected: 'Allow' },
  { name: 'external ID: a vendor-root trust still needs the vendor principal to be allowed by its own identity policy', source: CROSS, input: assume(VEND, CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: `arn:aws:iam::${VENDOR}:root` }, { Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL } } }), context: { 'sts:ExternalId': EXTERNAL } }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: "external ID: the connector's own session policy can forbid the assume", source: SESSION, input: assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], sessionPolicies: [allowInvoke], resourcePolicy: vendorTrust, context: { 'sts:ExternalId': EXTERNAL } }), expected: 'ImplicitDeny', deniedBy: 'session' },
];

// ---------------------------------------------------------------------------
// Action, NotAction, Resource, NotResource, wildcards
// ---------------------------------------------------------------------------
const elementRows: Row[] = [
  { name: 'a trailing * in the action matches', source: ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('lambda:Invoke*', FN_A))] }), expected: 'Allow' },
  { name: 'a wildcard action for other operations does not match', source: ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('lambda:Get*', FN_A))] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'actions match case-insensitively', source: ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('LAMBDA:invokefunction', FN_A))] }), expected: 'Allow' },
  { name: '? in an action matches exactly one character', source: ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('lambda:InvokeFunctio?', FN_A))] }), expected: 'Allow' },
  { name: '? in an action does not match zero characters', source: ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('lambda:InvokeFunction?', FN_A))] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'Action "*" matches every action', source: ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('*', FN_A))] }), expected: 'Allow' },
  { name: 'an action list matches any of its entries', source: ACTION, input: req(ALICE, { identityPolicies: [doc(allowS(['lambda:GetFunction', INVOKE], FN_A))] }), expected: 'Allow' },
  { name: 'a service prefix must match: s3:* does not cover lambda', source: ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('s3:*', '*'))] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'resources match case-sensitively', source: RESOURCE, input: req(ALICE, { identityPolicies: [doc(allowS(INVOKE, `arn:aws:lambda:us-east-1:${A}:function:Orders`))] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'wildcards in resource ARN segments match', source: RESOURCE, input: req(ALICE, { identityPolicies: [doc(allowS(INVOKE, `arn:aws:lambda:*:${A}:function:ord*`))] }), expected: 'Allow' },
  { name: 'a resource wildcard for another name prefix does not match', source: RESOURCE, input: req(ALICE, { identityPolicies: [doc(allowS(INVOKE, `arn:aws:lambda:*:${A}:function:pay*`))] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: '? in a resource matches one character', source: RESOURCE, input: req(ALICE, { identityPolicies: [doc(allowS(INVOKE, `arn:aws:lambda:us-east-1:${A}:function:order?`))] }), expected: 'Allow' },
  { name: 'a resource in another account does not match the account-scoped pattern', source: RESOURCE, input: req(ALICE, { identityPolicies: [doc(allowS(INVOKE, `arn:aws:lambda:*:${B}:function:*`))] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'NotAction allows every action it does not list', source: NOT_ACTION, input: req(ALICE, { identityPolicies: [doc({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })] }), expected: 'Allow' },
  { name: 'NotAction does not allow an action it lists', source: NOT_ACTION, input: req(ALICE, { identityPolicies: [doc({ Effect: 'Allow', NotAction: 'lambda:*', Resource: '*' })] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'Deny with NotAction denies every action it does not list', source: NOT_ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('*', '*'), { Effect: 'Deny', NotAction: 'lambda:Get*', Resource: '*' })] }), expected: 'ExplicitDeny', deniedBy: 'identity' },
  { name: 'Deny with NotAction leaves the listed actions alone', source: NOT_ACTION, input: req(ALICE, { identityPolicies: [doc(allowS('*', '*'), { Effect: 'Deny', NotAction: 'lambda:Invoke*', Resource: '*' })] }), expected: 'Allow' },
  { name: 'NotResource allows every resource it does not list', source: NOT_RESOURCE, input: req(ALICE, { identityPolicies: [doc({ Effect: 'Allow', Action: INVOKE, NotResource: FN_A_OTHER })] }), expected: 'Allow' },
  { name: 'NotResource does not allow a resource it lists', source: NOT_RESOURCE, input: req(ALICE, { identityPolicies: [doc({ Effect: 'Allow', Action: INVOKE, NotResource: [FN_A_OTHER, FN_A] })] }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'Deny with NotResource denies everything outside the listed resources', source: NOT_RESOURCE, input: req(ALICE, { identityPolicies: [doc(allowS('*', '*'), { Effect: 'Deny', Action: '*', NotResource: FN_A_OTHER })] }), expected: 'ExplicitDeny', deniedBy: 'identity' },
  { name: 'a single Statement object (not an array) is read too', source: `${DOCS}reference_policies_elements_statement.html`, input: req(ALICE, { identityPolicies: [{ Version: '2012-10-17', Statement: allowS(INVOKE, FN_A) }] }), expected: 'Allow' },
];

// ---------------------------------------------------------------------------
// Conditions: every operator family, with a passing and a failing row
// ---------------------------------------------------------------------------
const withCondition = (condition: Record<string, unknown>, context: EvaluationInput['context'], effect: 'Allow' | 'Deny' = 'Allow'): EvaluationInput =>
  effect === 'Allow'
    ? req(ALICE, { identityPolicies: [doc(allowS(INVOKE, FN_A, { Condition: condition }))], context })
    : req(ALICE, { identityPolicies: [doc(allowS(INVOKE, FN_A), denyS(INVOKE, FN_A, { Condition: condition }))], context });
const cond = (name: string, source: string, condition: Record<string, unknown>, context: EvaluationInput['context'], holds: boolean): Row => ({
  name: `condition: ${name}`,
  source,
  input: withCondition(condition, context),
  expected: holds ? 'Allow' : 'ImplicitDeny',
  ...(holds ? {} : { deniedBy: 'identity' as const }),
});
const denyCond = (name: string, source: string, condition: Record<string, unknown>, context: EvaluationInput['context'], denies: boolean): Row => ({
  name: `deny condition: ${name}`,
  source,
  input: withCondition(condition, context, 'Deny'),
  expected: denies ? 'ExplicitDeny' : 'Allow',
  ...(denies ? { deniedBy: 'identity' as const } : {}),
});
const TAG = 'aws:PrincipalTag/team';
const NOW = '2026-03-01T12:00:00Z';

const conditionRows: Row[] = [
  // String
  cond('StringEquals matches the exact value', OPS, { StringEquals: { [TAG]: 'orders' } }, { [TAG]: 'orders' }, true),
  cond('StringEquals refuses a different value', OPS, { StringEquals: { [TAG]: 'orders' } }, { [TAG]: 'payroll' }, false),
  cond('StringEquals refuses a missing key', OPS, { StringEquals: { [TAG]: 'orders' } }, {}, false),
  cond('StringNotEquals holds for a different value', OPS, { StringNotEquals: { [TAG]: 'payroll' } }, { [TAG]: 'orders' }, true),
  cond('StringNotEquals fails for the listed value', OPS, { StringNotEquals: { [TAG]: 'payroll' } }, { [TAG]: 'payroll' }, false),
  cond('StringNotEquals holds when the key is missing', OPS, { StringNotEquals: { [TAG]: 'payroll' } }, {}, true),
  cond('StringNotEquals with two values fails when either is present (NOR)', LOGIC, { StringNotEquals: { [TAG]: ['payroll', 'orders'] } }, { [TAG]: 'orders' }, false),
  cond('StringEqualsIgnoreCase matches regardless of case', OPS, { StringEqualsIgnoreCase: { [TAG]: 'ORDERS' } }, { [TAG]: 'orders' }, true),
  cond('StringEqualsIgnoreCase refuses a different value', OPS, { StringEqualsIgnoreCase: { [TAG]: 'ORDERS' } }, { [TAG]: 'order' }, false),
  cond('StringNotEqualsIgnoreCase fails for the value in another case', OPS, { StringNotEqualsIgnoreCase: { [TAG]: 'ORDERS' } }, { [TAG]: 'orders' }, false),
  cond('StringNotEqualsIgnoreCase holds for a different value', OPS, { StringNotEqualsIgnoreCase: { [TAG]: 'ORDERS' } }, { [TAG]: 'payroll' }, true),
  cond('StringLike matches * and ?', OPS, { StringLike: { [TAG]: 'ord?r*' } }, { [TAG]: 'orders-eu' }, true),
  cond('StringLike refuses a value outside the pattern', OPS, { StringLike: { [TAG]: 'ord?r*' } }, { [TAG]: 'payroll' }, false),
  cond('StringLike is case-sensitive', OPS, { StringLike: { [TAG]: 'ord*' } }, { [TAG]: 'ORDERS' }, false),
  cond('StringNotLike fails for a matching value', OPS, { StringNotLike: { [TAG]: 'ord*' } }, { [TAG]: 'orders' }, false),
  cond('StringNotLike holds when the key is missing', OPS, { StringNotLike: { [TAG]: 'ord*' } }, {}, true),
  cond('condition key names are case-insensitive', CONDITION, { StringEquals: { 'AWS:PRINCIPALTAG/TEAM': 'orders' } }, { 'aws:principaltag/team': 'orders' }, true),
  cond('condition values are case-sensitive', CONDITION, { StringEquals: { [TAG]: 'Orders' } }, { [TAG]: 'orders' }, false),
  // ARN
  cond('ArnEquals matches the same ARN', OPS, { ArnEquals: { 'aws:SourceArn': FN_A } }, { 'aws:SourceArn': FN_A }, true),
  cond('ArnEquals refuses a different ARN', OPS, { ArnEquals: { 'aws:SourceArn': FN_A } }, { 'aws:SourceArn': FN_A_OTHER }, false),
  cond('ArnLike matches wildcards per ARN part', OPS, { ArnLike: { 'aws:SourceArn': `arn:aws:lambda:*:${A}:function:*` } }, { 'aws:SourceArn': FN_A }, true),
  cond('ArnLike refuses another account', OPS, { ArnLike: { 'aws:SourceArn': `arn:aws:lambda:*:${A}:function:*` } }, { 'aws:SourceArn': FN_B }, false),
  cond('ArnLike refuses a value that is not an ARN', OPS, { ArnLike: { 'aws:SourceArn': '*' } }, { 'aws:SourceArn': 'not-an-arn' }, false),
  cond('ArnNotEquals holds for a different ARN', OPS, { ArnNotEquals: { 'aws:SourceArn': FN_A } }, { 'aws:SourceArn': FN_B }, true),
  cond('ArnNotEquals fails for the same ARN', OPS, { ArnNotEquals: { 'aws:SourceArn': FN_A } }, { 'aws:SourceArn': FN_A }, false),
  cond('ArnNotLike fails for a matching ARN', OPS, { ArnNotLike: { 'aws:SourceArn': `arn:aws:lambda:*:${A}:*` } }, { 'aws:SourceArn': FN_A }, false),
  cond('ArnNotLike holds when the key is missing', OPS, { ArnNotLike: { 'aws:SourceArn': `arn:aws:lambda:*:${A}:*` } }, {}, true),
  // Bool and Null
  cond('Bool matches a true context value', OPS, { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true }, true),
  cond('Bool refuses a false context value', OPS, { Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': false }, false),
  cond('Bool refuses a missing key', OPS, { Bool: { 'aws:SecureTransport': 'true' } }, {}, false),
  cond('Null "true" holds when the key is missing', OPS, { Null: { 'aws:TokenIssueTime': 'true' } }, {}, true),
  cond('Null "true" fails when the key is present', OPS, { Null: { 'aws:TokenIssueTime': 'true' } }, { 'aws:TokenIssueTime': NOW }, false),
  cond('Null "false" holds when the key is present', OPS, { Null: { 'aws:TokenIssueTime': 'false' } }, { 'aws:TokenIssueTime': NOW }, true),
  cond('Null "false" fails when the key is missing', OPS, { Null: { 'aws:TokenIssueTime': 'false' } }, {}, false),
  // Numeric
  cond('NumericEquals matches an equal number', OPS, { NumericEquals: { 'aws:MultiFactorAuthAge': '300' } }, { 'aws:MultiFactorAuthAge': 300 }, true),
  cond('NumericEquals refuses a different number', OPS, { NumericEquals: { 'aws:MultiFactorAuthAge': '300' } }, { 'aws:MultiFactorAuthAge': 301 }, false),
  cond('NumericNotEquals holds for a different number', OPS, { NumericNotEquals: { 'aws:MultiFactorAuthAge': '300' } }, { 'aws:MultiFactorAuthAge': '301' }, true),
  cond('NumericNotEquals fails for an equal number', OPS, { NumericNotEquals: { 'aws:MultiFactorAuthAge': '300' } }, { 'aws:MultiFactorAuthAge': '300' }, false),
  cond('NumericLessThan holds below the bound', OPS, { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': 3599 }, true),
  cond('NumericLessThan fails at the bound', OPS, { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': 3600 }, false),
  cond('NumericLessThanEquals holds at the bound', OPS, { NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': 3600 }, true),
  cond('NumericLessThanEquals fails above the bound', OPS, { NumericLessThanEquals: { 'aws:MultiFactorAuthAge': '3600' } }, { 'aws:MultiFactorAuthAge': 3601 }, false),
  cond('NumericGreaterThan holds above the bound', OPS, { NumericGreaterThan: { 's3:max-keys': '10' } }, { 's3:max-keys': 11 }, true),
  cond('NumericGreaterThan fails at the bound', OPS, { NumericGreaterThan: { 's3:max-keys': '10' } }, { 's3:max-keys': 10 }, false),
  cond('NumericGreaterThanEquals holds at the bound', OPS, { NumericGreaterThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': 10 }, true),
  cond('NumericGreaterThanEquals fails below the bound', OPS, { NumericGreaterThanEquals: { 's3:max-keys': '10' } }, { 's3:max-keys': 9 }, false),
  cond('a numeric operator refuses a context value that is not a number', OPS, { NumericLessThan: { 's3:max-keys': '10' } }, { 's3:max-keys': 'ten' }, false),
  // Date
  cond('DateEquals matches the same instant written as epoch seconds', OPS, { DateEquals: { 'aws:CurrentTime': NOW } }, { 'aws:CurrentTime': String(Date.parse(NOW) / 1000) }, true),
  cond('DateEquals refuses another instant', OPS, { DateEquals: { 'aws:CurrentTime': NOW } }, { 'aws:CurrentTime': '2026-03-01T12:00:01Z' }, false),
  cond('DateNotEquals holds for another instant', OPS, { DateNotEquals: { 'aws:CurrentTime': NOW } }, { 'aws:CurrentTime': '2026-03-02T00:00:00Z' }, true),
  cond('DateNotEquals fails for the same instant', OPS, { DateNotEquals: { 'aws:CurrentTime': NOW } }, { 'aws:CurrentTime': NOW }, false),
  cond('DateLessThan holds before the date', OPS, { DateLessThan: { 'aws:CurrentTime': '2026-12-31T23:59:59Z' } }, { 'aws:CurrentTime': NOW }, true),
  cond('DateLessThan fails after the date', OPS, { DateLessThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, { 'aws:CurrentTime': NOW }, false),
  cond('DateLessThanEquals holds at the date', OPS, { DateLessThanEquals: { 'aws:CurrentTime': NOW } }, { 'aws:CurrentTime': NOW }, true),
  cond('DateLessThanEquals fails after the date', OPS, { DateLessThanEquals: { 'aws:CurrentTime': '2026-03-01' } }, { 'aws:CurrentTime': NOW }, false),
  cond('DateGreaterThan holds after the date', OPS, { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01' } }, { 'aws:CurrentTime': NOW }, true),
  cond('DateGreaterThan fails at the date', OPS, { DateGreaterThan: { 'aws:CurrentTime': NOW } }, { 'aws:CurrentTime': NOW }, false),
  cond('DateGreaterThanEquals holds at the date', OPS, { DateGreaterThanEquals: { 'aws:CurrentTime': NOW } }, { 'aws:CurrentTime': NOW }, true),
  cond('DateGreaterThanEquals fails before the date', OPS, { DateGreaterThanEquals: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, { 'aws:CurrentTime': NOW }, false),
  // IfExists
  cond('StringEqualsIfExists holds when the key is missing', `${OPS}#Conditions_IfExists`, { StringEqualsIfExists: { [TAG]: 'orders' } }, {}, true),
  cond('StringEqualsIfExists checks the value when the key is present', `${OPS}#Conditions_IfExists`, { StringEqualsIfExists: { [TAG]: 'orders' } }, { [TAG]: 'payroll' }, false),
  cond('NumericLessThanIfExists holds when the key is missing', `${OPS}#Conditions_IfExists`, { NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '60' } }, {}, true),
  cond('ArnLikeIfExists checks a present ARN', `${OPS}#Conditions_IfExists`, { ArnLikeIfExists: { 'aws:SourceArn': `arn:aws:lambda:*:${B}:*` } }, { 'aws:SourceArn': FN_A }, false),
  denyCond('BoolIfExists in a Deny denies when the key is missing', `${OPS}#Conditions_IfExists`, { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, {}, true),
  denyCond('BoolIfExists in a Deny does not deny when the key says true', `${OPS}#Conditions_IfExists`, { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } }, { 'aws:MultiFactorAuthPresent': true }, false),
  // Set qualifiers
  cond('ForAnyValue holds when one request value matches', MULTI, { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'cost'] } }, { 'aws:TagKeys': ['env', 'team'] }, true),
  cond('ForAnyValue fails when no request value matches', MULTI, { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'cost'] } }, { 'aws:TagKeys': ['env', 'owner'] }, false),
  cond('ForAnyValue fails when the key is missing', MULTI, { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, {}, false),
  cond('ForAnyValue fails for an empty list of request values', MULTI, { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team'] } }, { 'aws:TagKeys': [] }, false),
  cond('ForAllValues holds when every request value is listed', MULTI, { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost', 'env'] } }, { 'aws:TagKeys': ['env', 'team'] }, true),
  cond('ForAllValues fails when one request value is not listed', MULTI, { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost'] } }, { 'aws:TagKeys': ['team', 'owner'] }, false),
  cond('ForAllValues holds when the key is missing', MULTI, { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, {}, true),
  cond('ForAllValues holds for an empty list of request values', MULTI, { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, { 'aws:TagKeys': [] }, true),
  cond('ForAllValues:StringLike matches every value against the patterns', MULTI, { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team*', 'env'] } }, { 'aws:TagKeys': ['team-a', 'env'] }, true),
  cond('ForAllValues:StringNotEquals fails when one request value is a listed one', MULTI, { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } }, { 'aws:TagKeys': ['team', 'secret'] }, false),
  cond('ForAnyValue:StringNotEquals holds when one request value is not listed', MULTI, { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['secret'] } }, { 'aws:TagKeys': ['team', 'secret'] }, true),
  denyCond('a Deny with ForAnyValue denies a request carrying a forbidden tag key', `${DOCS}reference_policies_condition_examples-multi-valued-context-keys.html`, { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['secret'] } }, { 'aws:TagKeys': ['team', 'secret'] }, true),
  denyCond('a Deny with ForAnyValue does not deny a request without the forbidden key', `${DOCS}reference_policies_condition_examples-multi-valued-context-keys.html`, { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['secret'] } }, { 'aws:TagKeys': ['team'] }, false),
  // Combining keys, operators and values
  cond('two keys in one operator must both hold (AND): both hold', LOGIC, { StringEquals: { [TAG]: 'orders', 'aws:PrincipalTag/env': 'prod' } }, { [TAG]: 'orders', 'aws:PrincipalTag/env': 'prod' }, true),
  cond('two keys in one operator must both hold (AND): one fails', LOGIC, { StringEquals: { [TAG]: 'orders', 'aws:PrincipalTag/env': 'prod' } }, { [TAG]: 'orders', 'aws:PrincipalTag/env': 'dev' }, false),
  cond('two operators must both hold (AND): one fails', LOGIC, { StringEquals: { [TAG]: 'orders' }, Bool: { 'aws:SecureTransport': 'true' } }, { [TAG]: 'orders', 'aws:SecureTransport': false }, false),
  cond('two operators must both hold (AND): both hold', LOGIC, { StringEquals: { [TAG]: 'orders' }, Bool: { 'aws:SecureTransport': 'true' } }, { [TAG]: 'orders', 'aws:SecureTransport': true }, true),
  cond('several values for one key: any one matches (OR)', LOGIC, { StringEquals: { [TAG]: ['payroll', 'orders'] } }, { [TAG]: 'orders' }, true),
  cond('several values for one key: none matches', LOGIC, { StringEquals: { [TAG]: ['payroll', 'hr'] } }, { [TAG]: 'orders' }, false),
];

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------
const rows: Row[] = [...coreRows, ...sessionRows, ...crossRows, ...rootAndServiceRows, ...trustRows, ...externalIdRows, ...elementRows, ...conditionRows];

describe('evaluate: AWS policy evaluation logic', () => {
  test('the table covers well over 80 documented behaviours, each citing its AWS page', () => {
    expect(rows.length).toBeGreaterThan(150);
    for (const row of rows) expect(row.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  test.each(rows)('$name', ({ input, expected, deniedBy }) => {
    const decision = evaluate(input);
    expect(decision.decision).toBe(expected);
    if (expected === 'Allow') expect(decision.deniedBy).toBeUndefined();
    else expect(decision.deniedBy).toBe(deniedBy);
    expect(decision.reason.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------
// What a decision tells the caller
// ---------------------------------------------------------------------------
describe('evaluate: decision details', () => {
  test('an allow names the statements that allowed, with their Sids', () => {
    const decision = evaluate(req(ALICE, { identityPolicies: [doc(allowS(INVOKE, FN_A, { Sid: 'InvokeOrders' }))] }));
    expect(decision.matched).toEqual([{ policy: 'identity', sid: 'InvokeOrders', effect: 'Allow' }]);
  });

  test('an explicit deny names the denying statement', () => {
    const decision = evaluate(req(ALICE, { identityPolicies: [allowInvoke], resourcePolicy: fnPolicy({ AWS: ALICE.arn }, 'Deny') }));
    expect(decision.matched).toEqual([{ policy: 'resource', sid: 'DenyNamed', effect: 'Deny' }]);
    expect(decision.reason).toBe('explicit deny in a resource-based policy');
  });

  test('a cross-account allow lists both the identity and the resource statements', () => {
    const decision = evaluate(req(APP, { resource: FN_B, resourceAccountId: B, identityPolicies: [doc(allowS(INVOKE, FN_B, { Sid: 'Mine' }))], resourcePolicy: fnPolicy({ AWS: A }, 'Allow', FN_B) }));
    expect(decision.matched).toEqual([
      { policy: 'identity', sid: 'Mine', effect: 'Allow' },
      { policy: 'resource', sid: 'AllowNamed', effect: 'Allow' },
    ]);
  });

  test("the root user's allow says it comes from being the resource account's root", () => {
    const decision = evaluate(req(root(A)));
    expect(decision.reason).toBe("root user of the resource's account");
  });

  test('a session-policy refusal says so in the reason', () => {
    const decision = evaluate(req(APP, { identityPolicies: [allowInvoke], sessionPolicies: [doc(allowS(INVOKE, FN_A_OTHER))] }));
    expect(decision.reason).toBe('session policy does not allow');
  });

  test('a refused external ID reads as the trust policy not allowing', () => {
    const decision = evaluate(assume(CONNECTOR, CUSTOMER_ROLE, { identityPolicies: [connectorIdentity], resourcePolicy: vendorTrust, context: { 'sts:ExternalId': 'wrong' } }));
    expect(decision.reason).toMatch(/^no trust policy allows/);
  });
});

// ---------------------------------------------------------------------------
// AWS's AccessDenied message
// ---------------------------------------------------------------------------
describe('accessDeniedMessage', () => {
  const role = `arn:aws:iam::${B}:role/X`;
  const caller = `arn:aws:sts::${A}:assumed-role/R/S`;

  test('an implicit deny by the resource side names the resource-based policy', () => {
    const decision = evaluate(assume(session(A, 'R', 'S'), role, { identityPolicies: [doc(allowS('sts:AssumeRole', '*'))], resourcePolicy: trustPolicy({ AWS: VENDOR }) }));
    expect(accessDeniedMessage(caller, 'sts:AssumeRole', role, decision)).toBe(
      `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role} because no resource-based policy allows the sts:AssumeRole action`,
    );
  });

  test('an implicit deny by the identity side names the identity-based policy', () => {
    const decision = evaluate(assume(session(A, 'R', 'S'), role, { resourcePolicy: trustPolicy({ AWS: A }) }));
    expect(accessDeniedMessage(caller, 'sts:AssumeRole', role, decision)).toBe(
      `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role} because no identity-based policy allows the sts:AssumeRole action`,
    );
  });

  test('a session-policy refusal names the session policy', () => {
    const decision = evaluate(req(APP, { identityPolicies: [allowInvoke], sessionPolicies: [doc(allowS(INVOKE, FN_A_OTHER))] }));
    expect(accessDeniedMessage(APP.arn, INVOKE, FN_A, decision)).toBe(
      `User: ${APP.arn} is not authorized to perform: ${INVOKE} on resource: ${FN_A} because no session policy allows the ${INVOKE} action`,
    );
  });

  test('an explicit deny in an identity policy uses "with an explicit deny in an identity-based policy"', () => {
    const decision = evaluate(req(ALICE, { identityPolicies: [doc(denyS('*', '*'))] }));
    expect(accessDeniedMessage(ALICE.arn, INVOKE, FN_A, decision)).toBe(
      `User: ${ALICE.arn} is not authorized to perform: ${INVOKE} on resource: ${FN_A} with an explicit deny in an identity-based policy`,
    );
  });

  test('an explicit deny in a resource policy uses "with an explicit deny in a resource-based policy"', () => {
    const decision = evaluate(req(ALICE, { identityPolicies: [allowInvoke], resourcePolicy: fnPolicy('*', 'Deny') }));
    expect(accessDeniedMessage(ALICE.arn, INVOKE, FN_A, decision)).toMatch(/ with an explicit deny in a resource-based policy$/);
  });

  test('the root user assuming a role gets STS\'s fixed message', () => {
    const decision = evaluate(assume(root(A), CUSTOMER_ROLE, { resourcePolicy: trustPolicy({ AWS: A }) }));
    expect(accessDeniedMessage(`arn:aws:iam::${A}:root`, 'sts:AssumeRole', CUSTOMER_ROLE, decision)).toBe('Roles may not be assumed by root accounts.');
  });
});
