// ---------------------------------------------------------------------------
// Naming rules (modules/naming.ts): ARNs built here parse back to their parts, malformed ARNs
// do not parse, and a RoleSessionName is valid for STS whatever the tenant ID.
// ---------------------------------------------------------------------------
import fc from 'fast-check';
import {
  ROLE_SESSION_NAME_PATTERN, accountRootArn, functionArn, hasRolePrefix, logGroupArns, parseFunctionArn, parseRoleArn,
  SOURCE_IDENTITY_PATTERN, prefixedRoleArnPattern, roleArn, roleSessionName, tenantIdProblem,
} from '../../../rules/naming';

describe('role ARNs', () => {
  test('roleArn builds the IAM role ARN and parseRoleArn reads it back', () => {
    const arn = roleArn('444455556666', 'tibco_sidecar_connector-orders');
    expect(arn).toBe('arn:aws:iam::444455556666:role/tibco_sidecar_connector-orders');
    expect(parseRoleArn(arn)).toEqual({ partition: 'aws', accountId: '444455556666', roleName: 'tibco_sidecar_connector-orders' });
  });

  test('a role ARN with a path parses to the role name without the path', () => {
    expect(parseRoleArn('arn:aws:iam::444455556666:role/team/tibco_sidecar_connector')?.roleName).toBe('tibco_sidecar_connector');
  });

  test.each([
    ['an 11-digit account', 'arn:aws:iam::44445555666:role/tibco_sidecar_connector'],
    ['a user instead of a role', 'arn:aws:iam::444455556666:user/tibco_sidecar_connector'],
    ['an STS assumed-role ARN', 'arn:aws:sts::444455556666:assumed-role/tibco_sidecar_connector/s'],
    ['a wildcard', 'arn:aws:iam::*:role/tibco_sidecar_connector*'],
    ['a role name over 64 characters', `arn:aws:iam::444455556666:role/${'x'.repeat(65)}`],
  ])('%s does not parse as a role ARN', (_what, arn) => {
    expect(parseRoleArn(arn)).toBeUndefined();
  });

  test('accountRootArn names the account root', () => {
    expect(accountRootArn('809167139867')).toBe('arn:aws:iam::809167139867:root');
    expect(parseRoleArn(accountRootArn('809167139867'))).toBeUndefined();
  });

  test('prefixedRoleArnPattern: one account, or any account for dynamic onboarding', () => {
    expect(prefixedRoleArnPattern('444455556666', 'tibco_sidecar_connector')).toBe('arn:aws:iam::444455556666:role/tibco_sidecar_connector*');
    expect(prefixedRoleArnPattern('*', 'tibco_sidecar_connector')).toBe('arn:aws:iam::*:role/tibco_sidecar_connector*');
  });

  test('hasRolePrefix accepts the prefix itself and longer names, refuses others', () => {
    expect(hasRolePrefix('tibco_sidecar_connector', 'tibco_sidecar_connector')).toBe(true);
    expect(hasRolePrefix('tibco_sidecar_connector-orders', 'tibco_sidecar_connector')).toBe(true);
    expect(hasRolePrefix('tibco_sidecar_connecto', 'tibco_sidecar_connector')).toBe(false);
    expect(hasRolePrefix('x-tibco_sidecar_connector', 'tibco_sidecar_connector')).toBe(false);
  });
});

describe('function ARNs', () => {
  test('functionArn builds the ARN and parseFunctionArn reads region, account and name back', () => {
    const arn = functionArn('eu-west-1', '444455556666', 'sidecar-echo');
    expect(arn).toBe('arn:aws:lambda:eu-west-1:444455556666:function:sidecar-echo');
    expect(parseFunctionArn(arn)).toEqual({ partition: 'aws', region: 'eu-west-1', accountId: '444455556666', functionName: 'sidecar-echo' });
  });

  test.each([
    ['a qualified ARN (version)', 'arn:aws:lambda:us-east-1:444455556666:function:sidecar-echo:1'],
    ['a wildcard name', 'arn:aws:lambda:us-east-1:444455556666:function:*'],
    ['no region', 'arn:aws:lambda::444455556666:function:sidecar-echo'],
  ])('%s does not parse as a function ARN', (_what, arn) => {
    expect(parseFunctionArn(arn)).toBeUndefined();
  });

  test('logGroupArns: the function\'s own log group and its streams', () => {
    expect(logGroupArns('us-east-1', '809167139867', 'sidecar-connector')).toEqual({
      group: 'arn:aws:logs:us-east-1:809167139867:log-group:/aws/lambda/sidecar-connector:*',
      streams: 'arn:aws:logs:us-east-1:809167139867:log-group:/aws/lambda/sidecar-connector:log-stream:*',
    });
  });
});

describe('roleSessionName', () => {
  test('names the tenant and the purpose', () => {
    expect(roleSessionName('acme')).toBe('sidecar-connector-acme');
    expect(roleSessionName('acme', 'vend')).toBe('sidecar-vend-acme');
  });

  test('is valid for STS (2-64 of [\\w+=,.@-]) for any tenant ID', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('connector' as const, 'vend' as const), (tenant, purpose) => {
      expect(roleSessionName(tenant, purpose)).toMatch(ROLE_SESSION_NAME_PATTERN);
    }), { numRuns: 500 });
  });

  test('replaces characters STS refuses instead of sending them', () => {
    expect(roleSessionName('a b/c:d')).toBe('sidecar-connector-a-b-c-d');
  });

  test('cuts a long tenant ID to 64 characters', () => {
    expect(roleSessionName('t'.repeat(100))).toHaveLength(64);
  });
});

describe('tenant IDs are valid SourceIdentity values', () => {
  test('every tenant ID the rule accepts is a SourceIdentity STS accepts (property)', () => {
    fc.assert(fc.property(fc.string({ minLength: 0, maxLength: 80 }), (id) => {
      if (tenantIdProblem(id) === undefined) expect(SOURCE_IDENTITY_PATTERN.test(id)).toBe(true);
    }));
  });

  test.each([['ab'], ['acme'], ['a.b_c-9'], ['t'.repeat(64)]])('"%s" is accepted', (id) => {
    expect(tenantIdProblem(id)).toBeUndefined();
  });

  test.each([['a'], ['t'.repeat(65)], ['aws:acme'], ['ac me'], ['acmé'], ['']])('"%s" is refused, saying why in terms of SourceIdentity', (id) => {
    expect(tenantIdProblem(id)).toMatch(/tenant ID must be 2-64 characters .*SourceIdentity/);
  });
});
