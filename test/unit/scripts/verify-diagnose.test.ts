// The connection check's decision: each verdict from the facts that provoke it, and the nearest
// neighbouring facts that must NOT give it.
import { decide, type ConnectorAnswer, type RoleInspection, type TenantFacts } from '../../../scripts/verify/diagnose';

const facts: TenantFacts = {
  tenantId: 'acme',
  roleArn: 'arn:aws:iam::444455556666:role/tibco_sidecar_connector',
  externalId: 'sc-right-id',
  functionArn: 'arn:aws:lambda:us-east-1:444455556666:function:sidecar-echo',
  vendorPrincipals: ['arn:aws:iam::809167139867:role/sidecar-connector-exec', 'arn:aws:iam::809167139867:root', '809167139867'],
};
const refused: ConnectorAnswer = { ok: false, error: { code: 'AssumeRoleRefused', message: 'STS refused' } };
const trusting = (principal: string, externalIds: string[]): RoleInspection => ({
  readable: true, exists: true,
  trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalIds } } }] },
});

describe('decide', () => {
  test('all good when the connector assumed the role and the DryRun invoke was allowed', () => {
    expect(decide(facts, { ok: true, functionArn: facts.functionArn }, { readable: false }).verdict).toBe('ok');
  });

  test('role missing when STS refused and the role does not exist', () => {
    expect(decide(facts, refused, { readable: true, exists: false }).verdict).toBe('role-missing');
  });

  test('trust does not name the vendor when no statement names a vendor principal', () => {
    expect(decide(facts, refused, trusting('arn:aws:iam::444455556666:root', ['sc-right-id'])).verdict).toBe('trust-not-vendor');
  });

  test('trust naming the vendor account root counts as naming the vendor', () => {
    expect(decide(facts, refused, trusting('arn:aws:iam::809167139867:root', ['sc-other'])).verdict).toBe('external-id-mismatch');
  });

  test('external ID mismatch when the trust names the vendor with another external ID', () => {
    const d = decide(facts, refused, trusting(facts.vendorPrincipals[0], ['sc-other-id']));
    expect(d.verdict).toBe('external-id-mismatch');
    expect(d.fix).toMatch(/externalIds\.current/);
  });

  test('a trust that accepts the tenant\'s ID among two (rotation) is not a mismatch', () => {
    expect(decide(facts, refused, trusting(facts.vendorPrincipals[0], ['sc-old', 'sc-right-id'])).verdict).toBe('assume-refused');
  });

  test('a Deny statement naming the vendor does not count as letting it in', () => {
    const role: RoleInspection = { readable: true, exists: true, trustPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: facts.vendorPrincipals[0] }, Action: 'sts:AssumeRole' }] } };
    expect(decide(facts, refused, role).verdict).toBe('trust-not-vendor');
  });

  test('without access to the customer account the refusal is reported, not guessed', () => {
    const d = decide(facts, refused, { readable: false });
    expect(d.verdict).toBe('assume-refused');
    expect(d.fix).toMatch(/444455556666/);
  });

  test('role may not invoke the function when the DryRun invoke was refused', () => {
    expect(decide(facts, { ok: false, error: { code: 'InvokeRefused', message: '' } }, { readable: false }).verdict).toBe('invoke-not-allowed');
  });

  test('function missing when the DryRun invoke found no function', () => {
    expect(decide(facts, { ok: false, error: { code: 'FunctionNotFound', message: '' } }, { readable: false }).verdict).toBe('function-missing');
  });

  test('unknown tenant when the deployed registry lacks it', () => {
    expect(decide(facts, { ok: false, error: { code: 'UnknownTenant', message: '' } }, { readable: false }).verdict).toBe('unknown-tenant');
  });

  test('any other failure says the connector itself did not get through', () => {
    expect(decide(facts, { ok: false, error: { code: 'ResourceNotFoundException', message: 'no connector' } }, { readable: false }).verdict).toBe('connector-unreachable');
  });
});
