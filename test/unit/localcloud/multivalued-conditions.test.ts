// ---------------------------------------------------------------------------
// The policy evaluator on the condition keys STS session tags and source identity bring, as data:
// one row per behaviour, each naming the AWS page it follows, each allow beside a refusal that
// differs in the one thing under test.
//  - multivalued keys (aws:TagKeys, sts:TransitiveTagKeys) with ForAnyValue / ForAllValues, missing
//    keys, empty data sets, IfExists, negated operators, and without a set operator;
//  - single-valued keys (aws:RequestTag/<key>, sts:SourceIdentity) with a set operator (AWS's warning:
//    overly permissive);
//  - AWS's own session-tag trust example, and the tenant trust the product will ship, evaluated for
//    sts:AssumeRole, sts:SetSourceIdentity and sts:TagSession.
// ---------------------------------------------------------------------------
import { evaluate, type EvaluationInput, type EvaluationPrincipal } from '../../../localcloud/iam/policy-evaluator';
import type { PolicyDocumentJson } from '../../../localcloud/contracts';

const DOCS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/';
const MULTI = `${DOCS}reference_policies_condition-single-vs-multi-valued-context-keys.html`;
const MULTI_EXAMPLES = `${DOCS}reference_policies_condition_examples-multi-valued-context-keys.html`;
const LOGIC = `${DOCS}reference_policies_condition-logic-multiple-context-keys-or-values.html`;
const OPS = `${DOCS}reference_policies_elements_condition_operators.html`;
const SESSION_TAGS = `${DOCS}id_session-tags.html`;
const SOURCE_IDENTITY = `${DOCS}id_credentials_temp_control-access_monitor.html`;

const VENDOR = '777788889999';
const CUSTOMER = '111122223333';
const CONNECTOR: EvaluationPrincipal = { kind: 'user', accountId: VENDOR, arn: `arn:aws:iam::${VENDOR}:user/connector` };
const ROLE = `arn:aws:iam::${CUSTOMER}:role/tibco_sidecar_connector`;
const ALLOW_STS: PolicyDocumentJson = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'], Resource: '*' }],
};

/** `action` by the vendor's connector on the customer role whose trust is `trust`, with `context`. */
function onTrust(trust: object[], action: string, context: EvaluationInput['context']): EvaluationInput {
  return {
    principal: CONNECTOR, action, resource: ROLE, resourceAccountId: CUSTOMER,
    identityPolicies: [ALLOW_STS], resourcePolicy: { Version: '2012-10-17', Statement: trust }, resourcePolicyKind: 'trust', context,
  };
}

/** A trust naming the connector for `action` under `condition` only. */
const conditionedTrust = (condition: Record<string, unknown>, action = 'sts:TagSession') => [{ Effect: 'Allow', Principal: { AWS: CONNECTOR.arn }, Action: action, Condition: condition }];

interface Row {
  readonly name: string;
  readonly source: string;
  readonly input: EvaluationInput;
  readonly allowed: boolean;
}

const cond = (name: string, source: string, condition: Record<string, unknown>, context: EvaluationInput['context'], allowed: boolean): Row => ({
  name, source, input: onTrust(conditionedTrust(condition), 'sts:TagSession', context), allowed,
});

// ---------------------------------------------------------------------------
// Multivalued keys
// ---------------------------------------------------------------------------
const KEYS = 'aws:TagKeys';
const TRANSITIVE = 'sts:TransitiveTagKeys';

const multivaluedRows: Row[] = [
  // ForAllValues: every request value matches one policy value; nothing to match is true.
  cond('ForAllValues holds when every tag key is listed', MULTI, { 'ForAllValues:StringEquals': { [KEYS]: ['tenant', 'team'] } }, { [KEYS]: ['team', 'tenant'] }, true),
  cond('ForAllValues fails when one tag key is not listed', MULTI, { 'ForAllValues:StringEquals': { [KEYS]: ['tenant', 'team'] } }, { [KEYS]: ['team', 'secret'] }, false),
  cond('ForAllValues holds when the key is missing', MULTI_EXAMPLES, { 'ForAllValues:StringEquals': { [KEYS]: ['tenant'] } }, {}, true),
  cond('ForAllValues holds when the only value is an empty string (an empty data set)', MULTI_EXAMPLES, { 'ForAllValues:StringEquals': { [KEYS]: ['tenant'] } }, { [KEYS]: [''] }, true),
  cond('ForAllValues with Null false refuses a missing key', MULTI_EXAMPLES, { Null: { [KEYS]: 'false' }, 'ForAllValues:StringEquals': { [KEYS]: ['tenant'] } }, {}, false),
  cond('ForAllValues with Null false allows listed keys', MULTI_EXAMPLES, { Null: { [KEYS]: 'false' }, 'ForAllValues:StringEquals': { [KEYS]: ['tenant'] } }, { [KEYS]: ['tenant'] }, true),
  cond('ForAllValues:StringLike matches each value against any pattern', MULTI_EXAMPLES, { 'ForAllValues:StringLike': { [KEYS]: ['key1*', 'key2*'] } }, { [KEYS]: ['key1-a', 'key2-b'] }, true),
  cond('ForAllValues:StringLike fails for a value outside every pattern', MULTI_EXAMPLES, { 'ForAllValues:StringLike': { [KEYS]: ['key1*', 'key2*'] } }, { [KEYS]: ['key1-a', 'key3'] }, false),
  cond('ForAllValues:StringNotLike holds when no value matches the pattern', MULTI_EXAMPLES, { 'ForAllValues:StringNotLike': { [KEYS]: 'key1*' } }, { [KEYS]: ['key2', 'key3'] }, true),
  cond('ForAllValues:StringNotLike fails when one value matches the pattern', MULTI_EXAMPLES, { 'ForAllValues:StringNotLike': { [KEYS]: 'key1*' } }, { [KEYS]: ['key2', 'key1-a'] }, false),
  cond('ForAllValues:StringNotEquals holds when the key is missing', MULTI_EXAMPLES, { 'ForAllValues:StringNotEquals': { [KEYS]: 'secret' } }, {}, true),
  // ForAnyValue: at least one request value matches; nothing to match is false.
  cond('ForAnyValue holds when one tag key is listed', MULTI, { 'ForAnyValue:StringEquals': { [KEYS]: ['tenant'] } }, { [KEYS]: ['team', 'tenant'] }, true),
  cond('ForAnyValue fails when no tag key is listed', MULTI, { 'ForAnyValue:StringEquals': { [KEYS]: ['tenant'] } }, { [KEYS]: ['team', 'cost'] }, false),
  cond('ForAnyValue fails when the key is missing', MULTI, { 'ForAnyValue:StringEquals': { [KEYS]: ['tenant'] } }, {}, false),
  cond('ForAnyValue fails when the only value is an empty string (an empty data set)', MULTI_EXAMPLES, { 'ForAnyValue:StringEquals': { [KEYS]: [''] } }, { [KEYS]: [''] }, false),
  cond('ForAnyValue:StringNotEquals holds when one value is not listed', MULTI_EXAMPLES, { 'ForAnyValue:StringNotEquals': { [KEYS]: 'secret' } }, { [KEYS]: ['secret', 'team'] }, true),
  cond('ForAnyValue:StringNotEquals fails when every value is listed', MULTI_EXAMPLES, { 'ForAnyValue:StringNotEquals': { [KEYS]: 'secret' } }, { [KEYS]: ['secret'] }, false),
  cond('ForAnyValue:StringNotEquals fails when the key is missing', MULTI_EXAMPLES, { 'ForAnyValue:StringNotEquals': { [KEYS]: 'secret' } }, {}, false),
  // IfExists with a set operator: a missing key holds; a present one is tested.
  cond('ForAnyValue:StringEqualsIfExists holds when the key is missing', OPS, { 'ForAnyValue:StringEqualsIfExists': { [KEYS]: 'tenant' } }, {}, true),
  cond('ForAnyValue:StringEqualsIfExists tests a present key', OPS, { 'ForAnyValue:StringEqualsIfExists': { [KEYS]: 'tenant' } }, { [KEYS]: ['team'] }, false),
  // Several values of one key are OR'ed; several keys and operators are AND'ed.
  cond('two keys under one set operator must both hold', LOGIC, { 'ForAllValues:StringEquals': { [KEYS]: ['tenant', 'team'], [TRANSITIVE]: ['tenant'] } }, { [KEYS]: ['tenant', 'team'], [TRANSITIVE]: ['team'] }, false),
  cond('two keys under one set operator: both hold', LOGIC, { 'ForAllValues:StringEquals': { [KEYS]: ['tenant', 'team'], [TRANSITIVE]: ['tenant'] } }, { [KEYS]: ['tenant', 'team'], [TRANSITIVE]: ['tenant'] }, true),
  // Without a set operator (AWS requires one for multivalued keys): a plain operator matches when any
  // value matches, a negated one when none does.
  cond('StringEquals without a set operator holds when one of several values matches', MULTI, { StringEquals: { [KEYS]: 'tenant' } }, { [KEYS]: ['team', 'tenant'] }, true),
  cond('StringEquals without a set operator fails when no value matches', MULTI, { StringEquals: { [KEYS]: 'tenant' } }, { [KEYS]: ['team', 'cost'] }, false),
  cond('StringNotEquals without a set operator fails when one of several values is listed', MULTI, { StringNotEquals: { [KEYS]: 'tenant' } }, { [KEYS]: ['team', 'tenant'] }, false),
  cond('StringNotEquals without a set operator holds when no value is listed', MULTI, { StringNotEquals: { [KEYS]: 'tenant' } }, { [KEYS]: ['team', 'cost'] }, true),
];

// ---------------------------------------------------------------------------
// Single-valued keys of sessions
// ---------------------------------------------------------------------------
const singleValuedRows: Row[] = [
  cond('aws:RequestTag/<key> matches the value passed for that key', SESSION_TAGS, { StringEquals: { 'aws:RequestTag/tenant': 'tenant-a' } }, { 'aws:RequestTag/tenant': 'tenant-a' }, true),
  cond('aws:RequestTag/<key> refuses another value', SESSION_TAGS, { StringEquals: { 'aws:RequestTag/tenant': 'tenant-a' } }, { 'aws:RequestTag/tenant': 'tenant-b' }, false),
  cond('aws:RequestTag/<key> names the tag key without regard to case', SESSION_TAGS, { StringEquals: { 'aws:RequestTag/TENANT': 'tenant-a' } }, { 'aws:RequestTag/tenant': 'tenant-a' }, true),
  cond('aws:RequestTag/<key> with several policy values holds for any of them', LOGIC, { StringEquals: { 'aws:RequestTag/Department': ['Engineering', 'Marketing'] } }, { 'aws:RequestTag/Department': 'Marketing' }, true),
  cond('a missing aws:RequestTag/<key> fails StringEquals', SESSION_TAGS, { StringEquals: { 'aws:RequestTag/tenant': 'tenant-a' } }, {}, false),
  // AWS's warning: a set operator on a single-valued key is overly permissive (a missing tag passes).
  cond('ForAllValues on a single-valued key lets a missing tag through (overly permissive, as AWS warns)', MULTI, { 'ForAllValues:StringEquals': { 'aws:RequestTag/tenant': 'tenant-a' } }, {}, true),
  cond('the plain operator on the same single-valued key refuses a missing tag', MULTI, { StringEquals: { 'aws:RequestTag/tenant': 'tenant-a' } }, {}, false),
  cond('an empty tag value is a value, not a missing key', SESSION_TAGS, { Null: { 'aws:RequestTag/phone': 'false' } }, { 'aws:RequestTag/phone': '' }, true),
];

describe.each([
  ['multivalued context keys', multivaluedRows],
  ['single-valued session keys', singleValuedRows],
])('policy evaluator: %s', (_group, rows) => {
  test.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    expect(row.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(evaluate(row.input).decision).toBe(row.allowed ? 'Allow' : 'ImplicitDeny');
  });
});

// ---------------------------------------------------------------------------
// Whole trusts: AWS's session-tag example, and the product's tenant trust
// ---------------------------------------------------------------------------

/** AWS's "Example role trust policy for session tags", with its user swapped for the connector. */
const AWS_SESSION_TAGS_EXAMPLE = [
  {
    Sid: 'AllowIamUserAssumeRole', Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: CONNECTOR.arn },
    Condition: { StringLike: { 'aws:RequestTag/Project': '*', 'aws:RequestTag/CostCenter': '*', 'aws:RequestTag/Department': '*' }, StringEquals: { 'sts:ExternalId': 'Example987' } },
  },
  {
    Sid: 'AllowPassSessionTagsAndTransitive', Effect: 'Allow', Action: 'sts:TagSession', Principal: { AWS: CONNECTOR.arn },
    Condition: {
      StringLike: { 'aws:RequestTag/Project': '*', 'aws:RequestTag/CostCenter': '*' },
      StringEquals: { 'aws:RequestTag/Department': ['Engineering', 'Marketing'] },
      'ForAllValues:StringEquals': { 'sts:TransitiveTagKeys': ['Project', 'Department'] },
    },
  },
];

const requestTags = (tags: Record<string, string>, transitive: string[] = []): Record<string, string | string[]> => ({
  ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
  [KEYS]: Object.keys(tags),
  ...(transitive.length ? { [TRANSITIVE]: transitive } : {}),
});

describe(`AWS's session-tag trust example (${SESSION_TAGS}#id_session-tags_permissions-required)`, () => {
  const decide = (action: string, context: EvaluationInput['context']) => evaluate(onTrust(AWS_SESSION_TAGS_EXAMPLE, action, context)).decision;
  const all = { Project: 'Automation', CostCenter: '12345', Department: 'Engineering' };

  test('the three tags, the external ID and Project/Department transitive: AssumeRole and TagSession are allowed', () => {
    const context = { ...requestTags(all, ['Project', 'Department']), 'sts:ExternalId': 'Example987' };
    expect([decide('sts:AssumeRole', context), decide('sts:TagSession', context)]).toEqual(['Allow', 'Allow']);
  });

  test('a subset of the transitive keys, or none, is allowed', () => {
    expect(decide('sts:TagSession', requestTags(all, ['Project']))).toBe('Allow');
    expect(decide('sts:TagSession', requestTags(all))).toBe('Allow');
  });

  test('CostCenter as transitive is refused: it is not among the allowed transitive keys', () => {
    expect(decide('sts:TagSession', requestTags(all, ['CostCenter']))).toBe('ImplicitDeny');
  });

  test('Department=Sales is refused by TagSession', () => {
    expect(decide('sts:TagSession', requestTags({ ...all, Department: 'Sales' }))).toBe('ImplicitDeny');
  });

  test('without the CostCenter tag AssumeRole itself is refused', () => {
    const { CostCenter: _dropped, ...rest } = all;
    expect(decide('sts:AssumeRole', { ...requestTags(rest), 'sts:ExternalId': 'Example987' })).toBe('ImplicitDeny');
  });
});

/** The tenant trust the product will ship: one statement, both actions, the external ID and the tenants. */
const TENANT_TRUST = [{
  Sid: 'VendorConnector', Effect: 'Allow', Principal: { AWS: CONNECTOR.arn }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
  Condition: { StringEquals: { 'sts:ExternalId': 'sc-tenant-a', 'sts:SourceIdentity': ['tenant-a', 'tenant-a2'] } },
}];

describe(`the tenant trust: sts:ExternalId and sts:SourceIdentity among the customer's tenants (${SOURCE_IDENTITY})`, () => {
  const decide = (action: string, context: EvaluationInput['context'], trust: object[] = TENANT_TRUST) => evaluate(onTrust(trust, action, context)).decision;

  test.each([
    ['the right external ID and a listed source identity', 'Allow', { 'sts:ExternalId': 'sc-tenant-a', 'sts:SourceIdentity': 'tenant-a2' }],
    ["the right external ID and another tenant's source identity", 'ImplicitDeny', { 'sts:ExternalId': 'sc-tenant-a', 'sts:SourceIdentity': 'tenant-b' }],
    ['the right external ID and no source identity', 'ImplicitDeny', { 'sts:ExternalId': 'sc-tenant-a' }],
    ["another tenant's external ID and a listed source identity", 'ImplicitDeny', { 'sts:ExternalId': 'sc-tenant-b', 'sts:SourceIdentity': 'tenant-a' }],
    ['a source identity listed in another case', 'ImplicitDeny', { 'sts:ExternalId': 'sc-tenant-a', 'sts:SourceIdentity': 'Tenant-A' }],
  ])('%s: sts:AssumeRole and sts:SetSourceIdentity are %s', (_case, expected, context) => {
    expect([decide('sts:AssumeRole', context), decide('sts:SetSourceIdentity', context)]).toEqual([expected, expected]);
  });

  test('a trust without sts:SetSourceIdentity allows sts:AssumeRole but not sts:SetSourceIdentity', () => {
    const plain = [{ Effect: 'Allow', Principal: { AWS: CONNECTOR.arn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'sc-tenant-a' } } }];
    const context = { 'sts:ExternalId': 'sc-tenant-a', 'sts:SourceIdentity': 'tenant-a' };
    expect([decide('sts:AssumeRole', context, plain), decide('sts:SetSourceIdentity', context, plain)]).toEqual(['Allow', 'ImplicitDeny']);
  });

  test('across accounts the caller\'s own policy must allow sts:SetSourceIdentity too', () => {
    const input = { ...onTrust(TENANT_TRUST, 'sts:SetSourceIdentity', { 'sts:ExternalId': 'sc-tenant-a', 'sts:SourceIdentity': 'tenant-a' }) };
    const assumeOnly: PolicyDocumentJson = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] };
    expect(evaluate({ ...input, identityPolicies: [assumeOnly] })).toEqual(expect.objectContaining({ decision: 'ImplicitDeny', deniedBy: 'identity' }));
    expect(evaluate(input).decision).toBe('Allow');
  });
});
