// ---------------------------------------------------------------------------
// Policy grammar: what IAM refuses, and with which MalformedPolicyDocument message. Each refusal
// has an accepted neighbour that differs only in the element under test.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// ---------------------------------------------------------------------------
import { AwsError } from '../../../localcloud/contracts';
import { principalArnsOf, validatePolicyDocument, type PolicyKind } from '../../../localcloud/iam/policy-evaluator';

const ROLE = 'arn:aws:iam::777788889999:role/sidecar-connector';
const USER = 'arn:aws:iam::777788889999:user/ops';

type Statement = Record<string, unknown>;
const docOf = (...statements: Statement[]) => ({ Version: '2012-10-17', Statement: statements });
const identityStatement: Statement = { Sid: 'Invoke', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:us-east-1:111122223333:function:orders' };
const trustStatement: Statement = { Sid: 'Trust', Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } };
const resourceStatement: Statement = { Sid: 'FromS3', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: 'arn:aws:lambda:us-east-1:111122223333:function:orders' };
const identity = (extra: Statement = {}, drop: string[] = []) => JSON.stringify(docOf(without({ ...identityStatement, ...extra }, drop)));
const trust = (extra: Statement = {}, drop: string[] = []) => JSON.stringify(docOf(without({ ...trustStatement, ...extra }, drop)));
const resource = (extra: Statement = {}, drop: string[] = []) => JSON.stringify(docOf(without({ ...resourceStatement, ...extra }, drop)));
function without(statement: Statement, drop: string[]): Statement {
  const copy = { ...statement };
  for (const key of drop) delete copy[key];
  return copy;
}
const withCondition = (condition: unknown) => identity({ Condition: condition });

const SYNTAX = 'Syntax errors in policy.';
const LEGACY = 'The policy failed legacy parsing';

function refusal(json: string, kind: PolicyKind): AwsError {
  try {
    validatePolicyDocument(json, kind);
  } catch (error) {
    return error as AwsError;
  }
  throw new Error('expected validatePolicyDocument to refuse the document');
}

// ---------------------------------------------------------------------------
// Refusals: one per rule
// ---------------------------------------------------------------------------
const refused: { name: string; kind: PolicyKind; json: string; message: string }[] = [
  { name: 'text that is not JSON, as an identity policy', kind: 'identity', json: '{"Version": "2012-10-17",', message: SYNTAX },
  { name: 'text that is not JSON, as a trust policy (CreateRole wording)', kind: 'trust', json: '{"Statement": [}', message: 'This policy contains invalid Json' },
  { name: 'a JSON array instead of a document', kind: 'identity', json: '[]', message: SYNTAX },
  { name: 'a JSON string instead of a document', kind: 'session', json: '"policy"', message: SYNTAX },
  { name: 'an unknown top-level element', kind: 'identity', json: JSON.stringify({ ...docOf(identityStatement), Extra: 'x' }), message: SYNTAX },
  { name: 'a top-level Condition (it belongs in a statement)', kind: 'identity', json: JSON.stringify({ ...docOf(identityStatement), Condition: {} }), message: SYNTAX },
  { name: 'a missing Statement', kind: 'identity', json: JSON.stringify({ Version: '2012-10-17' }), message: SYNTAX },
  { name: 'an empty Statement list', kind: 'identity', json: JSON.stringify({ Version: '2012-10-17', Statement: [] }), message: SYNTAX },
  { name: 'a statement that is not an object', kind: 'identity', json: JSON.stringify({ Version: '2012-10-17', Statement: ['allow all'] }), message: SYNTAX },
  { name: 'a Version IAM does not know', kind: 'identity', json: JSON.stringify({ ...docOf(identityStatement), Version: '2013-10-17' }), message: SYNTAX },
  { name: 'an Id that is not a string', kind: 'identity', json: JSON.stringify({ ...docOf(identityStatement), Id: ['x'] }), message: SYNTAX },
  { name: 'an unknown statement element', kind: 'identity', json: identity({ Extra: 'value' }), message: SYNTAX },
  { name: 'a Sid that is not a string', kind: 'identity', json: identity({ Sid: [] }), message: SYNTAX },
  { name: 'a Sid with a hyphen in an identity policy', kind: 'identity', json: identity({ Sid: 'Invoke-Orders' }), message: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*' },
  { name: 'a Sid with a space in a trust policy', kind: 'trust', json: JSON.stringify(docOf({ ...trustStatement, Sid: 'Trust vendor' })), message: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*' },
  { name: 'two statements with the same Sid', kind: 'identity', json: JSON.stringify(docOf(identityStatement, identityStatement)), message: 'Statement IDs (SID) in a single policy must be unique.' },
  { name: 'a missing Effect', kind: 'identity', json: identity({}, ['Effect']), message: SYNTAX },
  { name: 'an Effect that is neither Allow nor Deny', kind: 'identity', json: identity({ Effect: 'Permit' }), message: SYNTAX },
  { name: 'a mis-cased Effect', kind: 'identity', json: identity({ Effect: 'allow' }), message: LEGACY },
  { name: 'a missing Action and NotAction', kind: 'identity', json: identity({}, ['Action']), message: 'Policy statement must contain actions.' },
  { name: 'an empty Action list', kind: 'identity', json: identity({ Action: [] }), message: 'Policy statement must contain actions.' },
  { name: 'both Action and NotAction', kind: 'identity', json: identity({ NotAction: 'iam:*' }), message: SYNTAX },
  { name: 'an Action that is an object', kind: 'identity', json: identity({ Action: {} }), message: SYNTAX },
  { name: 'an action without a service prefix', kind: 'identity', json: identity({ Action: 'InvokeFunction' }), message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.' },
  { name: 'an empty action name', kind: 'identity', json: identity({ NotAction: '' }, ['Action']), message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.' },
  { name: 'an action with two colons', kind: 'identity', json: identity({ Action: 'lambda:Invoke:Function' }), message: 'Actions/Condition can contain only one colon.' },
  { name: 'an action whose service prefix has a space', kind: 'identity', json: identity({ Action: 'lam bda:InvokeFunction' }), message: 'Vendor lam bda is not valid' },
  { name: 'a Principal in an identity policy', kind: 'identity', json: identity({ Principal: { AWS: ROLE } }), message: 'Policy document should not specify a principal.' },
  { name: 'a Principal in a session policy', kind: 'session', json: identity({ Principal: '*' }), message: 'Policy document should not specify a principal.' },
  { name: 'a NotPrincipal in an identity policy', kind: 'identity', json: identity({ NotPrincipal: { AWS: ROLE } }), message: 'Policy document should not specify a principal.' },
  { name: 'a trust statement without a Principal', kind: 'trust', json: trust({}, ['Principal']), message: 'Missing required field Principal' },
  { name: 'a resource-policy statement without a Principal', kind: 'resource', json: resource({}, ['Principal']), message: 'Missing required field Principal' },
  { name: 'both Principal and NotPrincipal', kind: 'resource', json: resource({ NotPrincipal: { AWS: ROLE } }), message: SYNTAX },
  { name: 'an unknown principal type', kind: 'trust', json: trust({ Principal: { Account: '111122223333' } }), message: SYNTAX },
  { name: 'an empty Principal object', kind: 'trust', json: trust({ Principal: {} }), message: SYNTAX },
  { name: 'an AWS principal that is neither an account nor an ARN', kind: 'trust', json: trust({ Principal: { AWS: 'sidecar-connector' } }), message: 'Invalid principal in policy: "AWS":"sidecar-connector"' },
  { name: 'an AWS principal ARN of a kind IAM cannot resolve', kind: 'trust', json: trust({ Principal: { AWS: 'arn:aws:lambda:us-east-1:111122223333:function:f' } }), message: 'Invalid principal in policy: "AWS":"arn:aws:lambda:us-east-1:111122223333:function:f"' },
  { name: 'a service principal that is not a service endpoint name', kind: 'trust', json: trust({ Principal: { Service: 'lambda' } }), message: 'Invalid principal in policy: "SERVICE":"lambda"' },
  { name: 'a Resource in a trust policy', kind: 'trust', json: trust({ Resource: '*' }), message: 'Has prohibited field Resource' },
  { name: 'a NotResource in a trust policy', kind: 'trust', json: trust({ NotResource: '*' }), message: 'Has prohibited field NotResource' },
  { name: 'an action other than the STS AssumeRole family in a trust policy', kind: 'trust', json: trust({ Action: ['sts:AssumeRole', 'lambda:InvokeFunction'] }), message: 'AssumeRole policy may only specify STS AssumeRole actions.' },
  { name: 'a NotAction in a trust policy', kind: 'trust', json: trust({ NotAction: 'sts:AssumeRole' }, ['Action']), message: 'AssumeRole policy may only specify STS AssumeRole actions.' },
  { name: 'a missing Resource in an identity policy', kind: 'identity', json: identity({}, ['Resource']), message: 'Policy statement must contain resources.' },
  { name: 'a missing Resource in a session policy', kind: 'session', json: identity({}, ['Resource']), message: 'Policy statement must contain resources.' },
  { name: 'a missing Resource in a resource-based policy', kind: 'resource', json: resource({}, ['Resource']), message: 'Policy statement must contain resources.' },
  { name: 'an empty Resource list', kind: 'identity', json: identity({ Resource: [] }), message: 'Policy statement must contain resources.' },
  { name: 'both Resource and NotResource', kind: 'identity', json: identity({ NotResource: '*' }), message: SYNTAX },
  { name: 'a Resource that is not an ARN', kind: 'identity', json: identity({ Resource: 'orders' }), message: 'Resource orders must be in ARN format or "*".' },
  { name: 'a Resource list holding a non-string', kind: 'identity', json: identity({ Resource: ['*', {}] }), message: SYNTAX },
  { name: 'a Condition that is a list', kind: 'identity', json: withCondition([{ StringEquals: { 'aws:username': 'ops' } }]), message: SYNTAX },
  { name: 'an unknown condition operator', kind: 'identity', json: withCondition({ StringEqualz: { 'aws:username': 'ops' } }), message: SYNTAX },
  { name: 'an unknown set qualifier', kind: 'identity', json: withCondition({ 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'team' } }), message: SYNTAX },
  { name: 'a doubled qualifier separator', kind: 'identity', json: withCondition({ 'ForAnyValue::StringEquals': { 'aws:TagKeys': 'team' } }), message: SYNTAX },
  { name: 'Null with IfExists', kind: 'identity', json: withCondition({ NullIfExists: { 'aws:TokenIssueTime': 'true' } }), message: SYNTAX },
  { name: 'an operator whose body is not an object', kind: 'identity', json: withCondition({ StringEquals: 'ops' }), message: SYNTAX },
  { name: 'a condition value that is an object', kind: 'identity', json: withCondition({ StringEquals: { 'aws:username': { name: 'ops' } } }), message: SYNTAX },
  { name: 'a date condition value that is not a date', kind: 'identity', json: withCondition({ DateGreaterThan: { 'aws:CurrentTime': 'tomorrow' } }), message: LEGACY },
  { name: 'a numeric condition value that is not a number', kind: 'identity', json: withCondition({ NumericLessThan: { 'aws:MultiFactorAuthAge': 'an hour' } }), message: LEGACY },
];

describe('validatePolicyDocument refuses', () => {
  test.each(refused)('$name ($kind)', ({ json, kind, message }) => {
    const error = refusal(json, kind);
    expect(error).toBeInstanceOf(AwsError);
    expect(error.code).toBe('MalformedPolicyDocument');
    expect(error.status).toBe(400);
    expect(error.message).toBe(message);
  });
});

// ---------------------------------------------------------------------------
// Acceptances: the nearest valid neighbour of each refusal
// ---------------------------------------------------------------------------
const accepted: { name: string; kind: PolicyKind; json: string }[] = [
  { name: 'an identity policy with Version 2012-10-17', kind: 'identity', json: identity() },
  { name: 'the older Version 2008-10-17', kind: 'identity', json: JSON.stringify({ ...docOf(identityStatement), Version: '2008-10-17' }) },
  { name: 'a document without Version', kind: 'session', json: JSON.stringify({ Statement: [identityStatement] }) },
  { name: 'a single Statement object instead of a list', kind: 'identity', json: JSON.stringify({ Version: '2012-10-17', Statement: identityStatement }) },
  { name: 'an Id string', kind: 'identity', json: JSON.stringify({ ...docOf(identityStatement), Id: 'sidecar' }) },
  { name: 'a Sid of letters and digits', kind: 'identity', json: identity({ Sid: 'InvokeOrders2' }) },
  { name: 'two statements with different Sids', kind: 'identity', json: JSON.stringify(docOf(identityStatement, { ...identityStatement, Sid: 'Other' })) },
  { name: 'statements without Sids', kind: 'identity', json: JSON.stringify(docOf(without(identityStatement, ['Sid']), without(identityStatement, ['Sid']))) },
  { name: 'a Deny statement', kind: 'identity', json: identity({ Effect: 'Deny' }) },
  { name: 'NotAction instead of Action', kind: 'identity', json: identity({ NotAction: 'iam:*' }, ['Action']) },
  { name: 'Action "*" and wildcard actions', kind: 'identity', json: identity({ Action: ['*', 'lambda:Get*', 's3:?etObject'] }) },
  { name: 'NotResource instead of Resource', kind: 'identity', json: identity({ NotResource: 'arn:aws:lambda:*:*:function:x' }, ['Resource']) },
  { name: 'Resource "*"', kind: 'session', json: identity({ Resource: '*' }) },
  { name: 'a trust policy naming a role with an external-ID condition', kind: 'trust', json: trust() },
  { name: 'a trust policy naming an account ID, a root ARN and a user ARN', kind: 'trust', json: trust({ Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:root', USER] } }) },
  { name: 'a trust policy naming a service', kind: 'trust', json: trust({ Principal: { Service: ['lambda.amazonaws.com'] } }) },
  { name: 'a trust policy with Principal "*"', kind: 'trust', json: trust({ Principal: '*' }) },
  { name: 'a trust policy allowing sts:TagSession and sts:* wildcards', kind: 'trust', json: trust({ Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:*'] }) },
  { name: 'a resource policy naming a service', kind: 'resource', json: resource() },
  { name: 'a resource policy with NotPrincipal', kind: 'resource', json: resource({ NotPrincipal: { AWS: ROLE } }, ['Principal']) },
  { name: 'a resource policy naming an assumed-role session', kind: 'resource', json: resource({ Principal: { AWS: 'arn:aws:sts::111122223333:assumed-role/app/s1' } }) },
  { name: 'every operator family, with IfExists and set qualifiers', kind: 'identity', json: withCondition({
      StringEquals: { 'aws:username': 'ops' }, StringNotEqualsIgnoreCase: { 'aws:username': 'X' }, StringLikeIfExists: { 'aws:username': 'o*' },
      ArnLike: { 'aws:SourceArn': 'arn:aws:*' }, ArnNotEquals: { 'aws:SourceArn': ROLE },
      NumericLessThanEquals: { 'aws:MultiFactorAuthAge': 3600 }, DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, DateLessThan: { 'aws:EpochTime': '1893456000' },
      Bool: { 'aws:SecureTransport': true }, Null: { 'aws:TokenIssueTime': 'false' },
      'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] }, 'ForAllValues:StringLikeIfExists': { 'aws:TagKeys': 'a*' },
    }) },
  { name: 'an empty Condition object', kind: 'identity', json: withCondition({}) },
];

describe('validatePolicyDocument accepts', () => {
  test.each(accepted)('$name ($kind)', ({ json, kind }) => {
    expect(validatePolicyDocument(json, kind)).toEqual(JSON.parse(json));
  });
});

// ---------------------------------------------------------------------------
// principalArnsOf: the ARNs the caller must check exist
// ---------------------------------------------------------------------------
describe('principalArnsOf', () => {
  test('lists the role and user ARNs a trust policy names, once each, in order', () => {
    const doc = validatePolicyDocument(JSON.stringify(docOf(
      { ...trustStatement, Sid: 'A', Principal: { AWS: [ROLE, USER] } },
      { ...trustStatement, Sid: 'B', Principal: { AWS: ROLE } },
    )), 'trust');
    expect(principalArnsOf(doc)).toEqual([ROLE, USER]);
  });

  test('leaves out accounts, roots, sessions, services and "*", which IAM does not resolve to an entity', () => {
    const doc = validatePolicyDocument(JSON.stringify(docOf(
      { ...trustStatement, Sid: 'A', Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:root', '*'], Service: 'lambda.amazonaws.com' } },
      { ...trustStatement, Sid: 'B', Principal: '*' },
    )), 'trust');
    expect(principalArnsOf(doc)).toEqual([]);
  });

  test('includes ARNs named under NotPrincipal', () => {
    const doc = validatePolicyDocument(resource({ NotPrincipal: { AWS: USER } }, ['Principal']), 'resource');
    expect(principalArnsOf(doc)).toEqual([USER]);
  });

  test('reads a role ARN with a path', () => {
    const pathRole = 'arn:aws:iam::777788889999:role/service-role/connector';
    const doc = validatePolicyDocument(trust({ Principal: { AWS: pathRole } }), 'trust');
    expect(principalArnsOf(doc)).toEqual([pathRole]);
  });
});
