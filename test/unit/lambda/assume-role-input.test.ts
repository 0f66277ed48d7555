// ---------------------------------------------------------------------------
// The AssumeRole parameters both Lambdas send (lambda/shared/assume-role-input.ts): the exact
// input for the connector and for vend (the tenant ID as SourceIdentity in both), and the two
// guards that refuse before any AWS call with a typed failure the handlers answer: the
// session-policy size, and a tenant ID that STS would refuse as a SourceIdentity.
// ---------------------------------------------------------------------------
import { scopedAssumeRoleInput } from '../../../lambda/shared/assume-role-input';
import { SessionPolicyTooLargeError, TenantIdInvalidError, failureResponse, isTypedError } from '../../../lambda/shared/errors';
import { functionArn } from '../../../rules/naming';
import { scopedInvokeSessionPolicy } from '../../../rules/policies';
import { ACCOUNT_A, ECHO_A, EXTERNAL_ID_ACME, OTHER_A, REGION, ROLE_A, testRegistry } from '../../support/lambda-fixtures';

const acme = testRegistry().tenants.acme;

describe('scopedAssumeRoleInput', () => {
  test('the connector\'s input names the tenant\'s role, its external ID and a connector session, scoped to one function', () => {
    // Act
    const input = scopedAssumeRoleInput(acme, [ECHO_A], { purpose: 'connector', durationSeconds: 900 });

    // Assess
    expect(input).toEqual({
      RoleArn: ROLE_A,
      ExternalId: EXTERNAL_ID_ACME,
      RoleSessionName: 'sidecar-connector-acme',
      SourceIdentity: 'acme',
      DurationSeconds: 900,
      Policy: JSON.stringify(scopedInvokeSessionPolicy([ECHO_A])),
    });
  });

  test('vend\'s input names a vend session and is scoped to every function asked for', () => {
    const input = scopedAssumeRoleInput(acme, [ECHO_A, OTHER_A], { purpose: 'vend', durationSeconds: 3600 });

    expect(input).toEqual({
      RoleArn: ROLE_A,
      ExternalId: EXTERNAL_ID_ACME,
      RoleSessionName: 'sidecar-vend-acme',
      SourceIdentity: 'acme',
      DurationSeconds: 3600,
      Policy: JSON.stringify(scopedInvokeSessionPolicy([ECHO_A, OTHER_A])),
    });
  });

  test('a session policy longer than STS accepts is refused before any call, as a typed failure', () => {
    // Prepare: 40 functions with 64-character names make a policy well over 2,048 characters.
    const many = Array.from({ length: 40 }, (_, i) => functionArn(REGION, ACCOUNT_A, `f${i}`.padEnd(64, 'x')));

    // Act
    let thrown: unknown;
    try {
      scopedAssumeRoleInput(acme, many, { purpose: 'vend', durationSeconds: 900 });
    } catch (e) {
      thrown = e;
    }

    // Assess
    expect(thrown).toBeInstanceOf(SessionPolicyTooLargeError);
    expect(isTypedError(thrown)).toBe(true);
    expect(failureResponse(thrown as SessionPolicyTooLargeError)).toEqual({
      ok: false,
      error: { code: 'SessionPolicyTooLarge', message: expect.stringContaining('STS allows at most 2048. Ask for fewer functions per call.') },
    });
  });

  test('each tenant\'s own ID is its SourceIdentity, never another\'s (the customer\'s trust requires its own tenants)', () => {
    const registry = testRegistry();
    for (const tenant of Object.values(registry.tenants)) {
      expect(scopedAssumeRoleInput(tenant, [tenant.functionArns[0]], { purpose: 'connector', durationSeconds: 900 }).SourceIdentity).toBe(tenant.tenantId);
    }
  });

  test.each([
    ['one character', 'a'],
    ['a colon (the reserved aws: prefix)', 'aws:acme'],
    ['a space', 'ac me'],
    ['65 characters', 't'.repeat(65)],
  ])('a tenant ID STS would refuse as SourceIdentity (%s) is refused before any call, as a typed failure', (_what, tenantId) => {
    let thrown: unknown;
    try {
      scopedAssumeRoleInput({ ...acme, tenantId }, [ECHO_A], { purpose: 'connector', durationSeconds: 900 });
    } catch (e) {
      thrown = e;
    }

    expect(thrown).toBeInstanceOf(TenantIdInvalidError);
    expect(isTypedError(thrown)).toBe(true);
    expect(failureResponse(thrown as TenantIdInvalidError)).toEqual({
      ok: false,
      error: { code: 'InvalidTenantId', message: expect.stringContaining('cannot be sent to STS as the SourceIdentity: tenant ID must be 2-64 characters') },
    });
  });

  test('the nearest accepted tenant IDs: two characters, and 64 of every allowed kind', () => {
    for (const tenantId of ['ab', `A.b_c-9${'x'.repeat(57)}`]) {
      expect(scopedAssumeRoleInput({ ...acme, tenantId }, [ECHO_A], { purpose: 'vend', durationSeconds: 900 }).SourceIdentity).toBe(tenantId);
    }
  });
});
