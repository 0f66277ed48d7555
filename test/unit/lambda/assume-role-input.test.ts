// ---------------------------------------------------------------------------
// The AssumeRole parameters both Lambdas send (lambda/shared/assume-role-input.ts): the exact
// input for the connector and for vend, and the session-policy size guard, which refuses
// before any AWS call with a typed failure the handlers answer.
// ---------------------------------------------------------------------------
import { scopedAssumeRoleInput } from '../../../lambda/shared/assume-role-input';
import { SessionPolicyTooLargeError, failureResponse, isTypedError } from '../../../lambda/shared/errors';
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
});
