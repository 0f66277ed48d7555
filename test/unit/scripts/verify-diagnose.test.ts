// The connection check's decision for a tenant (scripts/verify/diagnose.ts): each verdict from the
// facts that provoke it, and the nearest neighbouring facts that must NOT give it. The confused
// deputy is decided from the config before anything else, and its advice never touches the trust.
import { decide, type ConnectorAnswer, type FunctionAnswer, type RoleInspection, type TenantFacts } from '../../../scripts/verify/diagnose';
import { crossAccountTrustPolicy } from '../../../rules/policies';
import { tenantOwnership, type OwnerCustomer } from '../../../rules/tenant-ownership';

const VENDOR = '809167139867';
const CONNECTOR = `arn:aws:iam::${VENDOR}:role/sidecar-connector-exec`;
const VEND = `arn:aws:iam::${VENDOR}:role/sidecar-vend-exec`;
const ROLE_A = 'arn:aws:iam::444455556666:role/tibco_sidecar_connector';
const ECHO = 'arn:aws:lambda:us-east-1:444455556666:function:sidecar-echo';
const OTHER = 'arn:aws:lambda:us-east-1:444455556666:function:sidecar-other';
const A: OwnerCustomer = { name: 'customer-a', accountId: '444455556666', roleName: 'tibco_sidecar_connector', externalIds: { current: 'sc-right-id' } };

function factsFor(tenant: { id: string; externalId: string; roleArn?: string }, functionArns = [ECHO]): TenantFacts {
  const roleArn = tenant.roleArn ?? ROLE_A;
  return {
    tenantId: tenant.id, roleArn, externalId: tenant.externalId, functionArns, vendorAccountId: VENDOR, connectorRoleArn: CONNECTOR,
    ownership: tenantOwnership({ id: tenant.id, roleArn, externalId: tenant.externalId }, [A]),
    deployCommand: (stack) => `npm run cdktf -- deploy ${stack}`,
  };
}
const facts = factsFor({ id: 'acme', externalId: 'sc-right-id' });
const mallory = factsFor({ id: 'mallory', externalId: 'sc-mallory-id' });

const refused: ConnectorAnswer = { ok: false, error: { code: 'AssumeRoleRefused', message: 'STS refused' } };
const each = (f: TenantFacts, answer: ConnectorAnswer): FunctionAnswer[] => f.functionArns.map((functionArn) => ({ functionArn, answer: answer.ok ? { ...answer, functionArn } : answer }));
const withTrust = (trustPolicy: unknown): RoleInspection => ({ readable: true, exists: true, trustPolicy });
/** The trust the customer stack deploys, with edits. */
const projectTrust = (edit: { externalIds?: string[]; tenantIds?: string[]; roles?: string[] } = {}) => crossAccountTrustPolicy({
  vendorAccountId: VENDOR, vendorRoleArns: edit.roles ?? [CONNECTOR, VEND], externalIds: edit.externalIds ?? ['sc-right-id'], tenantIds: edit.tenantIds ?? ['acme'],
});

describe('decide: a tenant', () => {
  test('all good when the connector assumed the role and every DryRun invoke was allowed', () => {
    const d = decide(facts, each(facts, { ok: true, functionArn: ECHO }), { readable: false });
    expect(d).toMatchObject({ subject: 'acme', kind: 'tenant', verdict: 'ok' });
    expect(d.summary).toContain('"acme" as SourceIdentity');
  });

  test('during a rotation, working on the previous external ID is ok but says so, and says not to --finish yet', () => {
    const d = decide(facts, each(facts, { ok: true, functionArn: ECHO, timings: { externalIdUsed: 'previous' } }), { readable: false });
    expect(d.verdict).toBe('ok');
    expect(d.summary).toMatch(/on the PREVIOUS external ID/);
    expect(d.fix).toMatch(/apply the new kit/);
    expect(d.fix).toMatch(/do not run `npm run rotate -- --tenant acme --finish`/);
  });

  test('on the current external ID (the nearest neighbour): nothing to change', () => {
    const d = decide(facts, each(facts, { ok: true, functionArn: ECHO, timings: { externalIdUsed: 'current' } }), { readable: false });
    expect(d).toMatchObject({ verdict: 'ok', fix: 'Nothing to change.' });
    expect(d.summary).toMatch(/current external ID/);
  });

  test('every function is checked: the second one failing fails the tenant, and both are listed', () => {
    const two = factsFor({ id: 'acme', externalId: 'sc-right-id' }, [ECHO, OTHER]);
    const d = decide(two, [{ functionArn: ECHO, answer: { ok: true, functionArn: ECHO } }, { functionArn: OTHER, answer: { ok: false, error: { code: 'FunctionNotAllowed', message: '' } } }], { readable: false });
    expect(d.verdict).toBe('registry-out-of-date');
    expect(d.summary).toContain(OTHER);
    expect(d.details).toEqual([expect.objectContaining({ subject: ECHO, verdict: 'ok' }), expect.objectContaining({ subject: OTHER, verdict: 'registry-out-of-date' })]);
  });

  test('role missing when STS refused and the role does not exist', () => {
    expect(decide(facts, each(facts, refused), { readable: true, exists: false }).verdict).toBe('role-missing');
  });

  test('the trust the stack deploys, as the refusal\'s context: the refusal is on the vendor\'s side', () => {
    const d = decide(facts, each(facts, refused), withTrust(projectTrust()));
    expect(d.verdict).toBe('vendor-cannot-assume');
    expect(d.fix).toMatch(/sts:SetSourceIdentity/);
  });

  test('a trust whose principal turned into a bare unique ID: orphaned, with redeploying the customer stack as the fix', () => {
    const old = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'AROAZ7EXAMPLEOLDROLE1' }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Condition: { StringEquals: { 'sts:ExternalId': 'sc-right-id', 'sts:SourceIdentity': 'acme' } } }] };
    const d = decide(facts, each(facts, refused), withTrust(old));
    expect(d.verdict).toBe('trust-principal-orphaned');
    expect(d.summary).toContain('AROAZ7EXAMPLEOLDROLE1');
    expect(d.summary).toMatch(/deleted and re-created/);
    expect(d.fix).toMatch(/Customer customer-a: redeploy your stack from the config \(npm run cdktf -- deploy customer-a\)/);
  });

  test('the nearest neighbour: the same trust naming the vendor role by ARN is not orphaned', () => {
    const current = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: CONNECTOR }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Condition: { StringEquals: { 'sts:ExternalId': 'sc-right-id', 'sts:SourceIdentity': 'acme' } } }] };
    expect(decide(facts, each(facts, refused), withTrust(current)).verdict).toBe('vendor-cannot-assume');
  });

  test('trust does not name the vendor when no statement lets the connector\'s role in', () => {
    const own = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'sc-right-id' } } }] };
    expect(decide(facts, each(facts, refused), withTrust(own)).verdict).toBe('trust-not-vendor');
  });

  test('the vendor account with an aws:PrincipalArn condition naming only vend does not let the connector in', () => {
    expect(decide(facts, each(facts, refused), withTrust(projectTrust({ roles: [VEND] }))).verdict).toBe('trust-not-vendor');
  });

  test('a Deny statement naming the vendor does not count as letting it in', () => {
    const role = withTrust({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: CONNECTOR }, Action: 'sts:AssumeRole' }] });
    expect(decide(facts, each(facts, refused), role).verdict).toBe('trust-not-vendor');
  });

  test('external ID mismatch when the deployed trust does not accept the ID the config pairs with the tenant: redeploy from the config', () => {
    const d = decide(facts, each(facts, refused), withTrust(projectTrust({ externalIds: ['sc-other-id'] })));
    expect(d.verdict).toBe('external-id-mismatch');
    expect(d.fix).toMatch(/redeploy your stack from the config/);
    expect(d.fix).not.toMatch(/set externalIds\.current to/);
    expect(`${d.summary} ${d.fix}`).not.toContain('sc-right-id'); // a secret: never printed
  });

  test('a trust that accepts the tenant\'s ID among two (rotation) is not a mismatch', () => {
    expect(decide(facts, each(facts, refused), withTrust(projectTrust({ externalIds: ['sc-old', 'sc-right-id'] }))).verdict).toBe('vendor-cannot-assume');
  });

  test('source identity refused when the trust accepts other tenants only', () => {
    const d = decide(facts, each(facts, refused), withTrust(projectTrust({ tenantIds: ['globex'] })));
    expect(d.verdict).toBe('source-identity-refused');
    expect(d.summary).toContain('not "acme"');
  });

  test('source identity refused when the trust does not allow sts:SetSourceIdentity', () => {
    const trust = projectTrust();
    const assumeOnly = { ...trust, Statement: trust.Statement.map((s) => ({ ...s, Action: 'sts:AssumeRole' })) };
    const d = decide(facts, each(facts, refused), withTrust(assumeOnly));
    expect(d.verdict).toBe('source-identity-refused');
    expect(d.summary).toMatch(/does not allow sts:SetSourceIdentity/);
  });

  test('without access to the customer account the refusal is reported, not guessed, and points at the customer mode', () => {
    const d = decide(facts, each(facts, refused), { readable: false, reason: 'no credentials' });
    expect(d.verdict).toBe('assume-refused');
    expect(d.fix).toMatch(/npm run verify -- --customer customer-a/);
    expect(d.fix).toMatch(/444455556666/);
  });

  test.each<[string, string]>([
    ['InvokeRefused', 'invoke-not-allowed'],
    ['FunctionNotFound', 'function-missing'],
    ['UnknownTenant', 'unknown-tenant'],
    ['FunctionNotAllowed', 'registry-out-of-date'],
    ['ResourceNotFoundException', 'connector-unreachable'],
  ])('the connector answering %s gives %s', (code, verdict) => {
    expect(decide(facts, each(facts, { ok: false, error: { code, message: '' } }), { readable: false }).verdict).toBe(verdict);
  });
});

describe('decide: the confused deputy (a tenant pointing at a role it does not own)', () => {
  test('customer A\'s role with an external ID A never had: refuse the tenant, whatever STS said', () => {
    const d = decide(mallory, each(mallory, refused), withTrust(projectTrust()));
    expect(d.verdict).toBe('confused-deputy');
    expect(d.summary).toMatch(/points at a role it does not own/);
    expect(d.summary).toMatch(/customer-a/);
    expect(d.summary).toMatch(/guard is holding/);
    expect(d.fix).toMatch(/^Vendor: refuse this tenant/);
    expect(d.fix).toMatch(/Do NOT ask customer-a to change its trust/);
  });

  test('its advice never tells anyone to change a trust or an external ID to fit the tenant', () => {
    const d = decide(mallory, each(mallory, refused), { readable: false });
    expect(d.fix).not.toMatch(/set externalIds|add .* to (your|the) trust|redeploy your stack/i);
  });

  test('a role in customer A\'s account other than its configured one, with a foreign external ID: the same verdict', () => {
    const elsewhere = factsFor({ id: 'eve', externalId: 'sc-eve', roleArn: 'arn:aws:iam::444455556666:role/tibco_sidecar_connector-eve' });
    expect(decide(elsewhere, each(elsewhere, refused), { readable: false })).toMatchObject({ verdict: 'confused-deputy', summary: expect.stringMatching(/a role in customer customer-a's account/) });
  });

  test('if the connector got in, the guard is not holding: said loudly, the tenant refused, the customer\'s trust restored from its own config', () => {
    const d = decide(mallory, each(mallory, { ok: true, functionArn: ECHO }), { readable: false });
    expect(d.verdict).toBe('confused-deputy-accepted');
    expect(d.summary).toMatch(/NOT holding/);
    expect(d.fix).toMatch(/refuse this tenant now/);
    expect(d.fix).toMatch(/from your own config/);
  });

  test('the nearest neighbour: the honest tenant on the same role is not a confused deputy', () => {
    expect(decide(facts, each(facts, refused), withTrust(projectTrust())).verdict).not.toMatch(/confused-deputy/);
  });

  test('a role in an account the config does not know is not called a confused deputy (the config cannot tell)', () => {
    const unknown = factsFor({ id: 'initech', externalId: 'sc-i', roleArn: 'arn:aws:iam::999988887777:role/tibco_sidecar_connector' });
    expect(decide(unknown, each(unknown, refused), { readable: false }).verdict).toBe('assume-refused');
  });
});
