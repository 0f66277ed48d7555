// The customer's own check (scripts/verify/customer-check.ts), decided from what the customer's
// account shows: each verdict with the facts that provoke it, beside its nearest good neighbour.
// The analysis of a trust (scripts/verify/trust-analysis.ts) and the policy reading beneath it.
import { crossAccountTrustPolicy, invokeFunctionsPolicy } from '../../../rules/policies';
import { decideCustomer, type CustomerFacts, type CustomerInspection } from '../../../scripts/verify/customer-check';
import { conditionAccepts, globMatches, parsePolicyDocument } from '../../../scripts/verify/policy-reading';
import { trustFindings, type TrustExpectation } from '../../../scripts/verify/trust-analysis';

const VENDOR = '809167139867';
const CONNECTOR = `arn:aws:iam::${VENDOR}:role/sidecar-connector-exec`;
const VEND = `arn:aws:iam::${VENDOR}:role/sidecar-vend-exec`;
const ECHO = 'arn:aws:lambda:us-east-1:444455556666:function:sidecar-echo';
const expectation: TrustExpectation = { vendorAccountId: VENDOR, mustLetIn: [CONNECTOR, VEND], externalIds: ['sc-current', 'sc-previous'], tenantIds: ['acme'] };
const facts: CustomerFacts = {
  customer: 'customer-a', roleArn: 'arn:aws:iam::444455556666:role/tibco_sidecar_connector', expectation, functionArns: [ECHO], deployCommand: 'npm run cdktf -- deploy customer-a',
};
const goodTrust = crossAccountTrustPolicy({ vendorAccountId: VENDOR, vendorRoleArns: [CONNECTOR, VEND], externalIds: ['sc-current', 'sc-previous'], tenantIds: ['acme'] });
const deployed = (edit: Partial<Extract<CustomerInspection, { roleExists: true }>> = {}): CustomerInspection => ({
  readable: true, roleExists: true, trustPolicy: goodTrust, permissionPolicies: [invokeFunctionsPolicy([ECHO])], functionExists: { [ECHO]: true }, ...edit,
});
/** The one statement of the good trust, edited. */
const trustWith = (edit: (s: Record<string, any>) => Record<string, any>) => ({ ...goodTrust, Statement: goodTrust.Statement.map((s) => edit(structuredClone(s) as Record<string, any>)) });

describe('decideCustomer', () => {
  test('all good for what the customer stack deploys', () => {
    const d = decideCustomer(facts, deployed());
    expect(d).toMatchObject({ subject: 'customer-a', kind: 'customer', verdict: 'ok' });
    expect(d.summary).toContain('acme');
  });

  test('account mode (the vendor account, no role condition) is all good too', () => {
    const account = crossAccountTrustPolicy({ vendorAccountId: VENDOR, externalIds: ['sc-current', 'sc-previous'], tenantIds: ['acme'] });
    expect(decideCustomer(facts, deployed({ trustPolicy: account })).verdict).toBe('ok');
  });

  test('credentials refused: said so, not guessed', () => {
    expect(decideCustomer(facts, { readable: false, reason: 'InvalidClientTokenId: nope' })).toMatchObject({ verdict: 'customer-unreadable', summary: expect.stringContaining('InvalidClientTokenId') });
  });

  test('role missing', () => {
    expect(decideCustomer(facts, { readable: true, roleExists: false }).verdict).toBe('role-missing');
  });

  test('the old shape after the vendor re-created its roles: principals turned into bare unique IDs', () => {
    const orphaned = trustWith((s) => ({ ...s, Principal: { AWS: ['AROAOLDCONNECTOR00001', 'AROAOLDVEND0000000001'] }, Condition: { StringEquals: s.Condition.StringEquals } }));
    const d = decideCustomer(facts, deployed({ trustPolicy: orphaned }));
    expect(d.verdict).toBe('trust-principal-orphaned');
    expect(d.summary).toContain('AROAOLDCONNECTOR00001');
    expect(d.fix).toMatch(/redeploy your stack from your config \(npm run cdktf -- deploy customer-a\)/);
    expect(d.fix).toMatch(/save it again with the vendor's role ARN/);
  });

  test('the nearest neighbour: the old shape while the vendor\'s roles exist (ARNs shown) is not orphaned', () => {
    const oldShape = trustWith((s) => ({ ...s, Principal: { AWS: [CONNECTOR, VEND] }, Condition: { StringEquals: s.Condition.StringEquals } }));
    expect(decideCustomer(facts, deployed({ trustPolicy: oldShape })).verdict).toBe('ok');
  });

  test('trust not naming the vendor', () => {
    expect(decideCustomer(facts, deployed({ trustPolicy: trustWith((s) => ({ ...s, Principal: { AWS: 'arn:aws:iam::444455556666:root' } })) })).verdict).toBe('trust-not-vendor');
  });

  test('a trust without any external ID condition: the guard is off', () => {
    const d = decideCustomer(facts, deployed({ trustPolicy: trustWith((s) => ({ ...s, Condition: { ...s.Condition, StringEquals: { 'sts:SourceIdentity': 'acme' } } })) }));
    expect(d.verdict).toBe('external-id-not-required');
    expect(d.summary).toMatch(/confused-deputy guard is off/);
  });

  test('a trust that accepts only the previous external ID: a mismatch, counted, the IDs never shown', () => {
    const d = decideCustomer(facts, deployed({ trustPolicy: trustWith((s) => ({ ...s, Condition: { ...s.Condition, StringEquals: { ...s.Condition.StringEquals, 'sts:ExternalId': 'sc-previous' } } })) }));
    expect(d.verdict).toBe('external-id-mismatch');
    expect(d.summary).toContain('1 of the 2 external ID(s)');
    expect(d.summary).not.toMatch(/sc-current|sc-previous/);
  });

  test('a trust without sts:SetSourceIdentity refuses the vendor now that it sets the tenant', () => {
    expect(decideCustomer(facts, deployed({ trustPolicy: trustWith((s) => ({ ...s, Action: 'sts:AssumeRole' })) })).verdict).toBe('source-identity-refused');
  });

  test('a trust that accepts another tenant only', () => {
    const d = decideCustomer(facts, deployed({ trustPolicy: trustWith((s) => ({ ...s, Condition: { ...s.Condition, StringEquals: { ...s.Condition.StringEquals, 'sts:SourceIdentity': 'globex' } } })) }));
    expect(d).toMatchObject({ verdict: 'source-identity-refused', summary: expect.stringContaining('"acme"') });
  });

  test('a trust that allows any source identity: the second guard is off', () => {
    const d = decideCustomer(facts, deployed({ trustPolicy: trustWith((s) => ({ ...s, Condition: { ...s.Condition, StringEquals: { 'sts:ExternalId': s.Condition.StringEquals['sts:ExternalId'] } } })) }));
    expect(d.verdict).toBe('source-identity-not-required');
  });

  test('a role that may not invoke a sidecar function', () => {
    const d = decideCustomer(facts, deployed({ permissionPolicies: [] }));
    expect(d).toMatchObject({ verdict: 'invoke-not-allowed', details: [expect.objectContaining({ subject: ECHO })] });
  });

  test('a missing function', () => {
    expect(decideCustomer(facts, deployed({ functionExists: { [ECHO]: false } })).verdict).toBe('function-missing');
  });

  test('several problems: the first is the verdict, every one is listed', () => {
    const d = decideCustomer(facts, deployed({ trustPolicy: trustWith((s) => ({ ...s, Action: 'sts:AssumeRole' })), permissionPolicies: [] }));
    expect(d.verdict).toBe('source-identity-refused');
    expect(d.details?.map((x) => x.verdict)).toEqual(['source-identity-refused', 'source-identity-refused', 'invoke-not-allowed']);
  });
});

describe('trustFindings', () => {
  test('nothing for the project\'s trust, and for each role separately', () => {
    expect(trustFindings(goodTrust, expectation)).toEqual([]);
  });

  test('a condition naming the roles with ArnLike and a wildcard still lets them in', () => {
    const like = trustWith((s) => ({ ...s, Condition: { StringEquals: s.Condition.StringEquals, ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${VENDOR}:role/sidecar-*` } } }));
    expect(trustFindings(like, expectation)).toEqual([]);
  });

  test('an operator this reading does not follow (ArnNotEquals) counts as not letting in: cautious, never reassuring', () => {
    const negated = trustWith((s) => ({ ...s, Condition: { StringEquals: s.Condition.StringEquals, ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::1:role/x' } } }));
    expect(trustFindings(negated, expectation).map((f) => f.code)).toEqual(['trust-not-vendor', 'trust-not-vendor']);
  });
});

describe('policy reading', () => {
  test('StringEquals compares exactly; StringLike and ArnLike take wildcards', () => {
    const statement = { Condition: { StringEquals: { 'sts:ExternalId': 'sc-*' } } };
    expect(conditionAccepts(statement, 'sts:ExternalId', 'sc-anything')).toBe(false);
    expect(conditionAccepts(statement, 'sts:ExternalId', 'sc-*')).toBe(true);
    expect(conditionAccepts({ Condition: { StringLike: { 'sts:ExternalId': 'sc-*' } } }, 'sts:ExternalId', 'sc-anything')).toBe(true);
  });

  test('condition keys compare without case, as IAM does', () => {
    expect(conditionAccepts({ Condition: { StringEquals: { 'STS:EXTERNALID': 'x1' } } }, 'sts:ExternalId', 'x1')).toBe(true);
  });

  test('globMatches: * and ? only', () => {
    expect(globMatches('a*c', 'abbbc')).toBe(true);
    expect(globMatches('a?c', 'abc')).toBe(true);
    expect(globMatches('a.c', 'abc')).toBe(false);
  });

  test('a document as GetRole answers it (URL-encoded) and as JSON', () => {
    const doc = { Version: '2012-10-17', Statement: [] };
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
    expect(parsePolicyDocument(JSON.stringify(doc))).toEqual(doc);
  });
});
