// ---------------------------------------------------------------------------
// Policies as data (rules/policies.ts): each builder's exact document, Sids on every statement,
// no `*` action anywhere, the external-ID and SourceIdentity conditions on every trust statement,
// no role ARN as a trust principal (the shape that survives the vendor re-creating its roles),
// sts:SetSourceIdentity beside sts:AssumeRole on both sides, the refusals (empty external IDs,
// tenants or resources, tenant IDs STS refuses as SourceIdentity, roles the condition could never
// match), and the session-policy size limit on both sides of 2,048 characters.
// ---------------------------------------------------------------------------
import {
  PolicyInputError, SESSION_POLICY_MAX_CHARS, assumePrefixedRolesPolicy, crossAccountTrustPolicy,
  functionLogsPolicy, invokeFunctionsPolicy, lambdaServiceTrustPolicy, registryReadPolicy, scopedInvokeSessionPolicy,
  type CrossAccountTrustProps, type PolicyDocument,
} from '../../../rules/policies';
import { serializeSessionPolicy } from '../../../lambda/shared/assume-role-input';
import { SessionPolicyTooLargeError } from '../../../lambda/shared/errors';
import { functionArn } from '../../../rules/naming';

const VENDOR = '809167139867';
const CUSTOMER_A = '444455556666';
const CUSTOMER_B = '111122223333';
const CONNECTOR_ROLE = `arn:aws:iam::${VENDOR}:role/sidecar-connector-exec`;
const VEND_ROLE = `arn:aws:iam::${VENDOR}:role/sidecar-vend-exec`;
const ECHO = functionArn('us-east-1', CUSTOMER_A, 'sidecar-echo');
const ORDERS = functionArn('us-east-1', CUSTOMER_A, 'sidecar-orders');

/** One of each builder, for the rules that hold for all of them. */
function everyBuilderOutput(): Record<string, PolicyDocument> {
  return {
    crossAccountTrust: crossAccountTrustPolicy({ vendorAccountId: VENDOR, vendorRoleArns: [CONNECTOR_ROLE, VEND_ROLE], externalIds: ['current-id', 'previous-id'], tenantIds: ['acme'] }),
    crossAccountTrustAccount: crossAccountTrustPolicy({ vendorAccountId: VENDOR, externalIds: ['current-id'], tenantIds: ['acme', 'acme-eu'] }),
    lambdaServiceTrust: lambdaServiceTrustPolicy(VENDOR),
    assumeDynamic: assumePrefixedRolesPolicy({ rolePrefix: 'tibco_sidecar_connector', accountIds: '*' }),
    assumeConfigured: assumePrefixedRolesPolicy({ rolePrefix: 'tibco_sidecar_connector', accountIds: [CUSTOMER_A, CUSTOMER_B] }),
    functionLogs: functionLogsPolicy('us-east-1', VENDOR, 'sidecar-connector'),
    invokeFunctions: invokeFunctionsPolicy([ECHO, ORDERS]),
    session: scopedInvokeSessionPolicy([ECHO]),
  };
}

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// ---------------------------------------------------------------------------
// Rules for every policy
// ---------------------------------------------------------------------------

describe('every policy builder', () => {
  test.each(Object.entries(everyBuilderOutput()))('%s: every statement has a unique, non-empty Sid', (_name, doc) => {
    const sids = doc.Statement.map((s) => s.Sid);
    expect(sids.every((sid) => /^[A-Za-z0-9]+$/.test(sid))).toBe(true);
    expect(new Set(sids).size).toBe(sids.length);
  });

  test.each(Object.entries(everyBuilderOutput()))('%s: no action contains a wildcard', (_name, doc) => {
    const actions = doc.Statement.flatMap((s) => asList(s.Action));
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) expect(action).not.toContain('*');
  });

  test.each(Object.entries(everyBuilderOutput()))('%s: version 2012-10-17 and Allow only', (_name, doc) => {
    expect(doc.Version).toBe('2012-10-17');
    expect(doc.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });
});

// ---------------------------------------------------------------------------
// Trust policies
// ---------------------------------------------------------------------------

describe('crossAccountTrustPolicy', () => {
  const ROOT = `arn:aws:iam::${VENDOR}:root`;
  const roleMode = (edit: Partial<CrossAccountTrustProps> = {}): CrossAccountTrustProps => ({
    vendorAccountId: VENDOR, vendorRoleArns: [CONNECTOR_ROLE, VEND_ROLE], externalIds: ['ext-1'], tenantIds: ['acme'], ...edit,
  });

  test('role mode: the vendor account as principal, the execution roles by ARN, the external ID and the tenant: the exact document', () => {
    expect(crossAccountTrustPolicy(roleMode())).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'TrustSidecarVendorWithExternalIdForItsTenants',
        Effect: 'Allow',
        Principal: { AWS: ROOT },
        Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        Condition: {
          StringEquals: { 'sts:ExternalId': 'ext-1', 'sts:SourceIdentity': 'acme' },
          ArnEquals: { 'aws:PrincipalArn': [CONNECTOR_ROLE, VEND_ROLE] },
        },
      }],
    });
  });

  test('no role ARN is ever a Principal (IAM would store it as a unique ID that dies with the role)', () => {
    const principals = crossAccountTrustPolicy(roleMode()).Statement.flatMap((s) => asList((s.Principal as { AWS?: string | string[] }).AWS));
    expect(principals).toEqual([ROOT]);
    expect(principals.some((p) => p.includes(':role/'))).toBe(false);
  });

  test('account mode (the nearest neighbour): the same statement without the aws:PrincipalArn condition', () => {
    const doc = crossAccountTrustPolicy({ vendorAccountId: VENDOR, externalIds: ['ext-1'], tenantIds: ['acme'] });
    expect(doc.Statement).toEqual([expect.objectContaining({
      Principal: { AWS: ROOT },
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      Condition: { StringEquals: { 'sts:ExternalId': 'ext-1', 'sts:SourceIdentity': 'acme' } },
    })]);
  });

  test('a rotation and two tenants: both external IDs and both tenant IDs in the one StringEquals', () => {
    const doc = crossAccountTrustPolicy(roleMode({ externalIds: ['new-id', 'old-id'], tenantIds: ['globex', 'globex-eu'] }));
    expect(doc.Statement[0].Condition?.StringEquals).toEqual({ 'sts:ExternalId': ['new-id', 'old-id'], 'sts:SourceIdentity': ['globex', 'globex-eu'] });
  });

  test('every statement of the trust requires the external ID and the source identity', () => {
    for (const doc of [crossAccountTrustPolicy(roleMode()), crossAccountTrustPolicy({ vendorAccountId: VENDOR, externalIds: ['ext-1'], tenantIds: ['acme'] })]) {
      for (const statement of doc.Statement) {
        expect(statement.Condition?.StringEquals?.['sts:ExternalId']).toBeDefined();
        expect(statement.Condition?.StringEquals?.['sts:SourceIdentity']).toBeDefined();
      }
    }
  });

  test.each<[string, Partial<CrossAccountTrustProps>, string]>([
    ['an empty external-ID list', { externalIds: [] }, 'externalIds must not be empty'],
    ['a repeated external ID', { externalIds: ['same', 'same'] }, 'externalIds must not repeat'],
    ['an empty tenant list', { tenantIds: [] }, 'tenantIds must not be empty'],
    ['a repeated tenant ID', { tenantIds: ['acme', 'acme'] }, 'tenantIds must not repeat'],
    ['a tenant ID STS would refuse as SourceIdentity (one character)', { tenantIds: ['a'] }, 'tenantIds: "a": tenant ID must be 2-64 characters'],
    ['a tenant ID STS would refuse as SourceIdentity (a colon)', { tenantIds: ['aws:acme'] }, 'tenantIds: "aws:acme": tenant ID must be 2-64 characters'],
    ['a tenant ID of 65 characters', { tenantIds: ['t'.repeat(65)] }, 'tenant ID must be 2-64 characters'],
    ['an empty role list in role mode', { vendorRoleArns: [] }, 'vendorRoleArns must not be empty'],
    ['a role of another account (the condition would never match)', { vendorRoleArns: ['arn:aws:iam::111122223333:role/sidecar-connector-exec'] }, 'is not a role of the vendor account 809167139867'],
    ['a wildcard role ARN', { vendorRoleArns: [`arn:aws:iam::${VENDOR}:role/*`] }, 'has a wildcard'],
    ['something that is not a role ARN', { vendorRoleArns: [ROOT] }, 'is not a role of the vendor account'],
    ['a repeated role', { vendorRoleArns: [CONNECTOR_ROLE, CONNECTOR_ROLE] }, 'vendorRoleArns must not repeat'],
    ['a vendor account that is not 12 digits', { vendorAccountId: '80916713986' }, 'vendorAccountId must be a 12-digit account ID'],
  ])('%s is refused', (_what, edit, message) => {
    expect(() => crossAccountTrustPolicy(roleMode(edit))).toThrow(PolicyInputError);
    expect(() => crossAccountTrustPolicy(roleMode(edit))).toThrow(message);
  });

  test('the nearest allowed tenant IDs: two characters, and 64', () => {
    expect(() => crossAccountTrustPolicy(roleMode({ tenantIds: ['ab', 't'.repeat(64)] }))).not.toThrow();
  });

  test('the caller\'s arrays are copied, not kept', () => {
    const externalIds = ['ext-1'];
    const tenantIds = ['acme'];
    const doc = crossAccountTrustPolicy(roleMode({ externalIds, tenantIds }));
    externalIds.push('added-later');
    tenantIds.push('added-later');
    expect(doc.Statement[0].Condition?.StringEquals).toEqual({ 'sts:ExternalId': 'ext-1', 'sts:SourceIdentity': 'acme' });
  });
});

describe('lambdaServiceTrustPolicy', () => {
  test('trusts the Lambda service only for functions of its own account', () => {
    expect(lambdaServiceTrustPolicy(CUSTOMER_A)).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'TrustLambdaServiceOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': CUSTOMER_A } },
      }],
    });
  });
});

// ---------------------------------------------------------------------------
// Connector and vend execution-role permissions
// ---------------------------------------------------------------------------

describe('assumePrefixedRolesPolicy', () => {
  test('dynamic onboarding: the prefixed roles in any account, the vendor\'s guide pattern, with the source identity set on them', () => {
    expect(assumePrefixedRolesPolicy({ rolePrefix: 'tibco_sidecar_connector', accountIds: '*' })).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'AssumeSidecarConnectorRoles', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: 'arn:aws:iam::*:role/tibco_sidecar_connector*' }],
    });
  });

  test('configured onboarding: the prefixed roles in exactly the listed accounts', () => {
    const doc = assumePrefixedRolesPolicy({ rolePrefix: 'tibco_sidecar_connector', accountIds: [CUSTOMER_A, CUSTOMER_B] });
    expect(doc.Statement).toEqual([{
      Sid: 'AssumeSidecarConnectorRoles',
      Effect: 'Allow',
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      Resource: [`arn:aws:iam::${CUSTOMER_A}:role/tibco_sidecar_connector*`, `arn:aws:iam::${CUSTOMER_B}:role/tibco_sidecar_connector*`],
    }]);
  });

  test('configured onboarding with no accounts is refused', () => {
    expect(() => assumePrefixedRolesPolicy({ rolePrefix: 'tibco_sidecar_connector', accountIds: [] })).toThrow('accountIds must not be empty');
  });

  test('an empty role prefix (which would mean every role) is refused', () => {
    expect(() => assumePrefixedRolesPolicy({ rolePrefix: '', accountIds: '*' })).toThrow('rolePrefix must not be empty');
  });
});

describe('functionLogsPolicy', () => {
  test('only its own log group and its streams', () => {
    expect(functionLogsPolicy('us-east-1', VENDOR, 'sidecar-connector')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'CreateOwnLogGroup', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: `arn:aws:logs:us-east-1:${VENDOR}:log-group:/aws/lambda/sidecar-connector:*` },
        { Sid: 'WriteOwnLogStreams', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: `arn:aws:logs:us-east-1:${VENDOR}:log-group:/aws/lambda/sidecar-connector:log-stream:*` },
      ],
    });
  });
});

// ---------------------------------------------------------------------------
// Invoke policy and session policy
// ---------------------------------------------------------------------------

describe('invokeFunctionsPolicy', () => {
  test('lambda:InvokeFunction on exactly the listed functions', () => {
    expect(invokeFunctionsPolicy([ECHO, ORDERS])).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'InvokeSidecarFunctions', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: [ECHO, ORDERS] }],
    });
  });

  test('an empty function list is refused', () => {
    expect(() => invokeFunctionsPolicy([])).toThrow('functionArns must not be empty');
  });
});

describe('scopedInvokeSessionPolicy', () => {
  test('lambda:InvokeFunction on the one target function', () => {
    expect(scopedInvokeSessionPolicy([ECHO])).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'InvokeOnlyTheTargetFunction', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: ECHO }],
    });
  });

  test('an empty function list is refused', () => {
    expect(() => scopedInvokeSessionPolicy([])).toThrow('functionArns must not be empty');
  });
});

describe('serializeSessionPolicy', () => {
  /** A session policy whose JSON is exactly `length` characters, built from valid function ARNs. */
  function sessionPolicyOfLength(length: number): PolicyDocument {
    const arnFor = (nameLength: number, i: number) => functionArn('us-east-1', CUSTOMER_A, `f${i}`.padEnd(nameLength, 'x'));
    for (let count = 2; count < 100; count++) {
      const shortest = JSON.stringify(scopedInvokeSessionPolicy(Array.from({ length: count }, (_, i) => arnFor(String(i).length + 1, i)))).length;
      const longest = JSON.stringify(scopedInvokeSessionPolicy(Array.from({ length: count }, (_, i) => arnFor(64, i)))).length;
      if (length < shortest || length > longest) continue;
      let extra = length - shortest; // characters to add, spread over the names
      const arns = Array.from({ length: count }, (_, i) => {
        const base = String(i).length + 1;
        const add = Math.min(extra, 64 - base);
        extra -= add;
        return arnFor(base + add, i);
      });
      return scopedInvokeSessionPolicy(arns);
    }
    throw new Error(`cannot build a session policy of ${length} characters`);
  }

  test('a policy of exactly 2,048 characters is sent as its JSON', () => {
    const policy = sessionPolicyOfLength(SESSION_POLICY_MAX_CHARS);
    const json = serializeSessionPolicy(policy);
    expect(json).toHaveLength(2048);
    expect(JSON.parse(json)).toEqual(policy);
  });

  test('a policy of 2,049 characters is refused before it reaches STS', () => {
    const policy = sessionPolicyOfLength(SESSION_POLICY_MAX_CHARS + 1);
    expect(() => serializeSessionPolicy(policy)).toThrow(SessionPolicyTooLargeError);
    expect(() => serializeSessionPolicy(policy)).toThrow('Session policy is 2049 characters; STS allows at most 2048');
  });

  test('the size error carries a stable code', () => {
    expect(new SessionPolicyTooLargeError(3000)).toMatchObject({ code: 'SessionPolicyTooLarge', name: 'SessionPolicyTooLargeError', length: 3000 });
  });
});

// ---------------------------------------------------------------------------
describe('registryReadPolicy', () => {
  const TABLE = `arn:aws:dynamodb:us-east-1:${VENDOR}:table/sidecar-tenants`;

  test('GetItem on the table only, on the items of the kinds named (dynamodb:LeadingKeys)', () => {
    expect(registryReadPolicy({ tableArn: TABLE, itemKinds: ['tenant'] })).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'ReadTenantRegistryItems', Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': 'tenant#*' } },
      }],
    });
    expect(registryReadPolicy({ tableArn: TABLE, itemKinds: ['tenant', 'vend-caller'] }).Statement[0].Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['tenant#*', 'vend-caller#*'] } });
  });

  test('never grants the external-ID reservations, a Scan, a Query or a write', () => {
    const statement = registryReadPolicy({ tableArn: TABLE, itemKinds: ['tenant', 'vend-caller'] }).Statement[0];
    expect(JSON.stringify(statement.Condition)).not.toContain('external-id');
    expect(statement.Action).toBe('dynamodb:GetItem');
  });

  test('a wildcard or non-table ARN is refused', () => {
    expect(() => registryReadPolicy({ tableArn: `arn:aws:dynamodb:us-east-1:${VENDOR}:table/*`, itemKinds: ['tenant'] })).toThrow(PolicyInputError);
    expect(() => registryReadPolicy({ tableArn: `arn:aws:dynamodb:us-east-1:${VENDOR}:table/sidecar-tenants/index/x`, itemKinds: ['tenant'] })).toThrow(/DynamoDB table ARN without wildcards/);
  });

  test('no item kind, or one twice, is refused', () => {
    expect(() => registryReadPolicy({ tableArn: TABLE, itemKinds: [] })).toThrow('itemKinds must not be empty');
    expect(() => registryReadPolicy({ tableArn: TABLE, itemKinds: ['tenant', 'tenant'] })).toThrow('itemKinds must not repeat');
  });
});
