// ---------------------------------------------------------------------------
// The local cloud's stricter IAM rules as a table, one row per behaviour, each naming the AWS page
// it follows (`source`); every refusal row sits beside its nearest accepted neighbour. Pure: the
// evaluator, the Resource matcher and the grammar, no server. (The running cloud proves the same
// rules through the SDK in test/localcloud/iam-fidelity/.)
// ---------------------------------------------------------------------------
import { resourcePatternMatches } from '../../../localcloud/iam/policy-match';
import { accessDeniedMessage, evaluate, validatePolicyDocument, type Decision, type EvaluationInput, type EvaluationPrincipal, type PolicyType } from '../../../localcloud/iam/policy-evaluator';
import type { PolicyDocumentJson } from '../../../localcloud/contracts';

const DOCS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/';
const BOUNDARIES = `${DOCS}access_policies_boundaries.html`;
const BOUNDARY_EVAL = `${DOCS}access_policies_boundaries.html#access_policies_boundaries-eval-logic`;
const RESOURCE_WILDCARDS = `${DOCS}reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards`;
const PRINCIPAL_ROLES = `${DOCS}reference_policies_elements_principal.html#principal-roles`;
const NOT_PRINCIPAL = `${DOCS}reference_policies_elements_notprincipal.html`;
const DENIED = `${DOCS}troubleshoot_access-denied.html`;

const A = '111122223333';
const B = '444455556666';
const FN = `arn:aws:lambda:us-east-1:${A}:function:orders`;
const ROLE_ARN = `arn:aws:iam::${A}:role/app`;
const ROLE_ID = 'AROAAAAAAAAAAAAAAAAAA';
const OLD_ROLE_ID = 'AROABBBBBBBBBBBBBBBBB';
const USER_ID = 'AIDACCCCCCCCCCCCCCCCC';

const doc = (...Statement: object[]): PolicyDocumentJson => ({ Version: '2012-10-17', Statement });
const allow = (Action: string, Resource: string | string[] = '*') => ({ Effect: 'Allow', Action, Resource });
const deny = (Action: string, Resource: string | string[] = '*') => ({ Effect: 'Deny', Action, Resource });
const INVOKE = 'lambda:InvokeFunction';

const user = (account = A): EvaluationPrincipal => ({ kind: 'user', accountId: account, arn: `arn:aws:iam::${account}:user/alice`, uniqueId: USER_ID });
const session = (roleId = ROLE_ID): EvaluationPrincipal => ({
  kind: 'assumed-role', accountId: A, arn: `arn:aws:sts::${A}:assumed-role/app/s1`, roleArn: ROLE_ARN, uniqueId: roleId,
});
const req = (principal: EvaluationPrincipal, parts: Partial<EvaluationInput> = {}): EvaluationInput => ({
  principal, action: INVOKE, resource: FN, resourceAccountId: A, identityPolicies: [], ...parts,
});
const trust = (principal: EvaluationPrincipal, aws: string | string[], parts: Partial<EvaluationInput> = {}): EvaluationInput => ({
  principal, action: 'sts:AssumeRole', resource: `arn:aws:iam::${A}:role/target`, resourceAccountId: A, identityPolicies: [], resourcePolicyKind: 'trust',
  resourcePolicy: doc({ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' }), ...parts,
});
const fnPolicy = (aws: string) => doc({ Effect: 'Allow', Principal: { AWS: aws }, Action: INVOKE, Resource: FN });

interface Row {
  readonly name: string;
  readonly source: string;
  readonly input: EvaluationInput;
  readonly expected: Decision['decision'];
  readonly deniedBy?: PolicyType;
}

const boundaryRows: Row[] = [
  { name: 'identity allows, boundary allows: allowed', source: BOUNDARIES, input: req(user(), { identityPolicies: [doc(allow(INVOKE))], permissionsBoundary: doc(allow('lambda:*')) }), expected: 'Allow' },
  { name: 'identity allows, boundary does not: refused by the boundary', source: BOUNDARIES, input: req(user(), { identityPolicies: [doc(allow(INVOKE))], permissionsBoundary: doc(allow('logs:*')) }), expected: 'ImplicitDeny', deniedBy: 'boundary' },
  { name: 'boundary allows, identity does not: the boundary grants nothing', source: BOUNDARIES, input: req(user(), { permissionsBoundary: doc(allow('*')) }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'an explicit deny in the boundary wins over identity allows', source: BOUNDARY_EVAL, input: req(user(), { identityPolicies: [doc(allow('*'))], permissionsBoundary: doc(allow('*'), deny(INVOKE)) }), expected: 'ExplicitDeny', deniedBy: 'boundary' },
  { name: 'session: identity ∩ boundary ∩ session policy allows', source: BOUNDARY_EVAL, input: req(session(), { identityPolicies: [doc(allow('*'))], permissionsBoundary: doc(allow(INVOKE)), sessionPolicies: [doc(allow(INVOKE))] }), expected: 'Allow' },
  { name: 'session: the boundary cuts what identity and session policy allow', source: BOUNDARY_EVAL, input: req(session(), { identityPolicies: [doc(allow('*'))], permissionsBoundary: doc(allow('logs:*')), sessionPolicies: [doc(allow(INVOKE))] }), expected: 'ImplicitDeny', deniedBy: 'boundary' },
  { name: "same account: a resource policy naming a user's ARN is not limited by its boundary", source: BOUNDARY_EVAL, input: req(user(), { permissionsBoundary: doc(allow('logs:*')), resourcePolicy: fnPolicy(`arn:aws:iam::${A}:user/alice`) }), expected: 'Allow' },
  { name: 'same account: a resource policy naming the account is limited by the boundary', source: BOUNDARY_EVAL, input: req(user(), { identityPolicies: [doc(allow(INVOKE))], permissionsBoundary: doc(allow('logs:*')), resourcePolicy: fnPolicy(`arn:aws:iam::${A}:root`) }), expected: 'ImplicitDeny', deniedBy: 'boundary' },
  { name: "same account: a resource policy naming the role's ARN is limited by the role's boundary", source: BOUNDARY_EVAL, input: req(session(), { permissionsBoundary: doc(allow('logs:*')), resourcePolicy: fnPolicy(ROLE_ARN) }), expected: 'ImplicitDeny', deniedBy: 'boundary' },
  { name: "same account: a resource policy naming the role's ARN allows within the boundary", source: BOUNDARY_EVAL, input: req(session(), { permissionsBoundary: doc(allow(INVOKE)), resourcePolicy: fnPolicy(ROLE_ARN) }), expected: 'Allow' },
  { name: "same account: a resource policy naming the session's ARN is not limited by the boundary", source: BOUNDARY_EVAL, input: req(session(), { permissionsBoundary: doc(allow('logs:*')), resourcePolicy: fnPolicy(`arn:aws:sts::${A}:assumed-role/app/s1`) }), expected: 'Allow' },
  { name: 'cross account: the boundary caps the identity side', source: `${DOCS}reference_policies_evaluation-logic-cross-account.html`, input: req(user(B), { identityPolicies: [doc(allow(INVOKE))], permissionsBoundary: doc(allow('logs:*')), resourcePolicy: fnPolicy(`arn:aws:iam::${B}:user/alice`) }), expected: 'ImplicitDeny', deniedBy: 'boundary' },
  { name: 'cross account: within the boundary both sides allow', source: `${DOCS}reference_policies_evaluation-logic-cross-account.html`, input: req(user(B), { identityPolicies: [doc(allow(INVOKE))], permissionsBoundary: doc(allow(INVOKE)), resourcePolicy: fnPolicy(`arn:aws:iam::${B}:user/alice`) }), expected: 'Allow' },
  { name: 'the root user has no boundary', source: BOUNDARIES, input: req({ kind: 'root', accountId: A, arn: `arn:aws:iam::${A}:root` }, { permissionsBoundary: doc(allow('logs:*')) }), expected: 'Allow' },
];

const uniqueIdRows: Row[] = [
  { name: 'a trust storing the role by unique ID lets that role in', source: PRINCIPAL_ROLES, input: trust(session(ROLE_ID), ROLE_ID), expected: 'Allow' },
  { name: 'a trust storing the old unique ID refuses a re-created role of the same name', source: PRINCIPAL_ROLES, input: trust(session(ROLE_ID), OLD_ROLE_ID), expected: 'ImplicitDeny', deniedBy: 'resource' },
  { name: 'a trust storing the user by unique ID lets that user in', source: PRINCIPAL_ROLES, input: trust(user(), USER_ID), expected: 'Allow' },
  { name: 'a trust storing another user ID refuses the user', source: PRINCIPAL_ROLES, input: trust(user(), 'AIDADDDDDDDDDDDDDDDDD'), expected: 'ImplicitDeny', deniedBy: 'resource' },
];

const wildcardRows: Row[] = [
  { name: 'Resource: `*` inside a segment matches within it', source: RESOURCE_WILDCARDS, input: req(user(), { identityPolicies: [doc(allow(INVOKE, `arn:aws:lambda:us-east-1:${A}:function:or*rs`))] }), expected: 'Allow' },
  { name: 'Resource: `*` inside a segment does not cross a colon', source: RESOURCE_WILDCARDS, input: req(user(), { identityPolicies: [doc(allow(INVOKE, `arn:aws:lambda:us-east-1:${A}:function:or*rs`))], resource: `${FN.replace('orders', 'or')}:rs` }), expected: 'ImplicitDeny', deniedBy: 'identity' },
  { name: 'Resource Deny: `*` inside a segment does not cross a colon either', source: RESOURCE_WILDCARDS, input: req(user(), { identityPolicies: [doc(allow(INVOKE), deny(INVOKE, `arn:aws:lambda:us-*${A}:function:orders`))] }), expected: 'Allow' },
  { name: 'Resource Deny: `*` ending its segment crosses colons', source: RESOURCE_WILDCARDS, input: req(user(), { identityPolicies: [doc(allow(INVOKE), deny(INVOKE, 'arn:aws:lambda:us-east-1:*:function:orders'))] }), expected: 'ExplicitDeny', deniedBy: 'identity' },
];

const rows = [...boundaryRows, ...uniqueIdRows, ...wildcardRows];

describe('evaluate: the stricter rules', () => {
  test('each row cites an AWS page, and names are unique', () => {
    for (const row of rows) expect(row.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(new Set(rows.map((r) => r.name)).size).toBe(rows.length);
  });

  test.each(rows)('$name', ({ input, expected, deniedBy }) => {
    const decision = evaluate(input);
    expect(decision.decision).toBe(expected);
    if (expected !== 'Allow') expect(decision.deniedBy).toBe(deniedBy);
  });
});

describe('accessDeniedMessage for a permissions boundary', () => {
  test(`names "no permissions boundary" and "an explicit deny in a permissions boundary" (${DENIED})`, () => {
    const implicit = evaluate(boundaryRows[1].input);
    expect(accessDeniedMessage('arn:aws:iam::111122223333:user/alice', INVOKE, FN, implicit)).toBe(
      `User: arn:aws:iam::111122223333:user/alice is not authorized to perform: ${INVOKE} on resource: ${FN} because no permissions boundary allows the ${INVOKE} action`,
    );
    const explicit = evaluate(boundaryRows[3].input);
    expect(accessDeniedMessage('arn:aws:iam::111122223333:user/alice', INVOKE, FN, explicit)).toBe(
      `User: arn:aws:iam::111122223333:user/alice is not authorized to perform: ${INVOKE} on resource: ${FN} with an explicit deny in a permissions boundary`,
    );
  });
});

describe('resourcePatternMatches', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'anything', true],
    [`arn:aws:iam::${A}:role/*`, `arn:aws:iam::${A}:role/a/b`, true],
    [`arn:aws:iam::${A}:role/a*c`, `arn:aws:iam::${A}:role/a/b/c`, true], // `/` is no boundary
    [`arn:aws:lambda:us-east-1:${A}:function:f*`, `arn:aws:lambda:us-east-1:${A}:function:f:prod`, true], // trailing *
    [`arn:aws:lambda:us-east-1:${A}:function:f*d`, `arn:aws:lambda:us-east-1:${A}:function:f:prod`, false],
    [`arn:aws:lambda:us-east-1:${A}:function:f?prod`, `arn:aws:lambda:us-east-1:${A}:function:f:prod`, false],
    [`arn:aws:lambda:us-east-1:${A}:function:f?prod`, `arn:aws:lambda:us-east-1:${A}:function:fxprod`, true],
    [`arn:aws:lambda:*:${A}:function:f`, `arn:aws:lambda:eu-west-1:${A}:function:f`, true],
    [`arn:aws:lambda:us-*-1:${A}:function:f`, `arn:aws:lambda:us-east-1:${A}:function:f`, true],
    [`arn:aws:lam*:us-east-1:${A}:function:f`, `arn:aws:lambda:us-east-1:${A}:function:f`, false], // no wildcard in the service
    [`arn:aws:lambda:us-east-1:${A}:function:F`, `arn:aws:lambda:us-east-1:${A}:function:f`, false], // case-sensitive
    [`arn:aws:s3:::bucket.name/*`, 'arn:aws:s3:::bucketxname/key', false], // `.` is literal
  ];
  test.each(cases)(`%s against %s: %s (${RESOURCE_WILDCARDS})`, (pattern, resource, expected) => {
    expect(resourcePatternMatches(pattern, resource)).toBe(expected);
  });
});

describe('the trust grammar', () => {
  test(`NotPrincipal is refused in a trust policy, kept in a resource policy (${NOT_PRINCIPAL})`, () => {
    const statement = { Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' };
    expect(() => validatePolicyDocument(JSON.stringify(doc(statement)), 'trust')).toThrow('Has prohibited field NotPrincipal');
    expect(() => validatePolicyDocument(JSON.stringify(doc({ ...statement, Resource: '*' })), 'resource')).not.toThrow();
    expect(() => validatePolicyDocument(JSON.stringify(doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' })), 'trust')).not.toThrow();
  });
});
