// ---------------------------------------------------------------------------
// The pure rules behind AssumeRole's SourceIdentity, Tags and TransitiveTagKeys, and STS's wording of
// refusals, without a server:
//  - input rules (lengths, alphabets, aws: prefix, duplicates, transitive keys among the tags);
//  - source identity: set, carried on through a chain, same value again, a different one refused;
//  - session tags: inherited transitive tags, no override of them (whatever the case), the trust's
//    request keys, the role's tags as aws:ResourceTag;
//  - packed size and PackedPolicyTooLarge;
//  - aws:PrincipalTag: role tags overridden by session tags; aws:SourceIdentity in the global keys;
//  - the bare refusal for the role's side, the policy-type context for the caller's own side.
// ---------------------------------------------------------------------------
import type { Principal } from '../../../localcloud/contracts';
import { globalContext, principalTagContext } from '../../../localcloud/iam/authorize';
import type { RoleRecord } from '../../../localcloud/iam/store';
import { bareDenial, stsAccessDenied } from '../../../localcloud/sts/access-denied';
import { checkPackedSize, inheritedTags, packedPolicySize, requestTagContext, resolveSessionTags, roleTagContext } from '../../../localcloud/sts/session-tags';
import { resolveSourceIdentity } from '../../../localcloud/sts/source-identity';
import { checkSessionTags, checkSourceIdentity, checkTransitiveTagKeys } from '../../../localcloud/sts/validation';

const USER: Principal = { kind: 'user', accountId: '777788889999', arn: 'arn:aws:iam::777788889999:user/connector', userId: 'AIDAEXAMPLE', accessKeyId: 'AKIAEXAMPLE' };
const session = (extra: Partial<Principal> = {}): Principal => ({
  kind: 'assumed-role', accountId: '777788889999', arn: 'arn:aws:sts::777788889999:assumed-role/hop/s', userId: 'AROAEXAMPLE:s',
  accessKeyId: 'ASIAEXAMPLE', roleArn: 'arn:aws:iam::777788889999:role/hop', ...extra,
});
const ROLE = 'arn:aws:iam::111122223333:role/tibco_sidecar_connector';

const codeOf = (fn: () => void): { code: string; message: string } | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, message: err.message };
  }
};

// -- input rules ----------------------------------------------------------------------------------

describe('SourceIdentity input rules', () => {
  test.each([['ab'], ['a'.repeat(64)], ['Tenant_1+=,.@-']])('accepts %s', (value) => {
    expect(codeOf(() => checkSourceIdentity(value))).toBeUndefined();
  });
  test.each([['a'], ['a'.repeat(65)], ['aws:tenant'], ['tenant a'], ['tenant/a']])('refuses %s with ValidationError', (value) => {
    expect(codeOf(() => checkSourceIdentity(value))?.code).toBe('ValidationError');
  });
});

describe('Tags input rules', () => {
  test('accepts 50 tags, a 128-character key, a 256-character value and an empty value', () => {
    expect(codeOf(() => checkSessionTags(Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: '' }))))).toBeUndefined();
    expect(codeOf(() => checkSessionTags([{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }]))).toBeUndefined();
  });
  test.each([
    ['51 tags', Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })), 'ValidationError'],
    ['an empty key', [{ Key: '', Value: 'v' }], 'ValidationError'],
    ['a key of 129 characters', [{ Key: 'k'.repeat(129), Value: 'v' }], 'ValidationError'],
    ['a value of 257 characters', [{ Key: 'k', Value: 'v'.repeat(257) }], 'ValidationError'],
    ['a key with a comma', [{ Key: 'a,b', Value: 'v' }], 'ValidationError'],
    ['a key beginning with aws:', [{ Key: 'aws:x', Value: 'v' }], 'InvalidParameterValue'],
    ['a key beginning with AWS:', [{ Key: 'AWS:x', Value: 'v' }], 'InvalidParameterValue'],
    ['a value beginning with aws:', [{ Key: 'k', Value: 'aws:x' }], 'InvalidParameterValue'],
    ['keys differing only in case', [{ Key: 'Team', Value: 'a' }, { Key: 'team', Value: 'b' }], 'InvalidParameterValue'],
  ])('refuses %s with %s', (_case, tags, code) => {
    expect(codeOf(() => checkSessionTags(tags))?.code).toBe(code);
  });
  test('transitive keys must be among the tags, without regard to case', () => {
    const tags = [{ Key: 'Tenant', Value: 'a' }];
    expect(codeOf(() => checkTransitiveTagKeys(['tenant'], tags))).toBeUndefined();
    expect(codeOf(() => checkTransitiveTagKeys(['team'], tags))).toEqual({ code: 'InvalidParameterValue', message: 'The specified transitive tag key must be included in the requested tags.' });
  });
});

// -- source identity -------------------------------------------------------------------------------

describe('source identity through a chain', () => {
  test('a user sets one, or none', () => {
    expect(resolveSourceIdentity(USER, 'tenant-a')).toEqual({ kind: 'set', value: 'tenant-a' });
    expect(resolveSourceIdentity(USER, undefined)).toEqual({ kind: 'none' });
  });
  test('a session with one carries it on, whether or not it is passed again', () => {
    expect(resolveSourceIdentity(session({ sourceIdentity: 'tenant-a' }), undefined)).toEqual({ kind: 'set', value: 'tenant-a' });
    expect(resolveSourceIdentity(session({ sourceIdentity: 'tenant-a' }), 'tenant-a')).toEqual({ kind: 'set', value: 'tenant-a' });
  });
  test('a session with one may not change it', () => {
    expect(resolveSourceIdentity(session({ sourceIdentity: 'tenant-a' }), 'tenant-b')).toEqual({ kind: 'conflict', value: 'tenant-b' });
  });
  test('a session without one may set one', () => {
    expect(resolveSourceIdentity(session(), 'tenant-b')).toEqual({ kind: 'set', value: 'tenant-b' });
  });
});

// -- session tags ----------------------------------------------------------------------------------

describe('session tags through a chain', () => {
  const caller = session({ sessionTags: [{ Key: 'Tenant', Value: 'a' }, { Key: 'team', Value: 't' }], transitiveTagKeys: ['tenant'] });

  test('only the transitive tags are inherited (keys compared without regard to case)', () => {
    expect(inheritedTags(caller)).toEqual([{ Key: 'Tenant', Value: 'a' }]);
    expect(inheritedTags(USER)).toEqual([]);
  });

  test('the new session has the passed tags and the inherited ones; all transitive keys carry on', () => {
    expect(resolveSessionTags(caller, [{ Key: 'cost', Value: '1' }], ['cost'])).toEqual({
      tags: [{ Key: 'cost', Value: '1' }, { Key: 'Tenant', Value: 'a' }], transitiveTagKeys: ['cost', 'Tenant'], tagging: true,
    });
  });

  test('inherited tags alone make the call a tagging one (sts:TagSession)', () => {
    expect(resolveSessionTags(caller, [], []).tagging).toBe(true);
    expect(resolveSessionTags(session(), [], []).tagging).toBe(false);
  });

  test.each([['Tenant'], ['TENANT']])('passing the inherited key %s again is refused', (key) => {
    expect(codeOf(() => resolveSessionTags(caller, [{ Key: key, Value: 'b' }], []))).toEqual({
      code: 'InvalidParameterValue', message: "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    });
  });

  test('passing a non-transitive key of the caller again is allowed (it was not inherited)', () => {
    expect(codeOf(() => resolveSessionTags(caller, [{ Key: 'team', Value: 'u' }], []))).toBeUndefined();
  });

  test('the trust sees aws:RequestTag/<key>, aws:TagKeys and sts:TransitiveTagKeys for passed tags only', () => {
    expect(requestTagContext([{ Key: 'tenant', Value: 'a' }, { Key: 'team', Value: '' }], ['tenant'])).toEqual({
      'aws:RequestTag/tenant': 'a', 'aws:RequestTag/team': '', 'aws:TagKeys': ['tenant', 'team'], 'sts:TransitiveTagKeys': ['tenant'],
    });
    expect(requestTagContext([], [])).toEqual({});
  });

  test("the trust sees the role's tags as aws:ResourceTag/<key>", () => {
    expect(roleTagContext([{ Key: 'owner', Value: 'customer-a' }])).toEqual({ 'aws:ResourceTag/owner': 'customer-a' });
  });
});

describe('packed size', () => {
  test('is reported for a policy or tags, as a percentage of 2,048 characters, at least 1', () => {
    expect(packedPolicySize(undefined, [])).toBeUndefined();
    expect(packedPolicySize('x'.repeat(1024), [])).toBe(50);
    expect(packedPolicySize(undefined, [{ Key: 'k', Value: 'v' }])).toBe(1);
    expect(packedPolicySize('x'.repeat(1024), [{ Key: 'k'.repeat(100), Value: 'v'.repeat(100) }])).toBe(60);
  });
  test('over 100% is PackedPolicyTooLarge, in words for tags or for the policy', () => {
    expect(codeOf(() => checkPackedSize(100, []))).toBeUndefined();
    expect(codeOf(() => checkPackedSize(113, [{ Key: 'k', Value: 'v' }]))).toEqual({ code: 'PackedPolicyTooLarge', message: 'Packed size of session tags consumes 113% of allotted space.' });
    expect(codeOf(() => checkPackedSize(101, []))).toEqual({ code: 'PackedPolicyTooLarge', message: 'Packed policy consumes 101% of allotted space, please use smaller policy.' });
  });
});

// -- the session's requests -------------------------------------------------------------------------

describe("keys of the session's requests", () => {
  const role = { tags: [{ Key: 'team', Value: 'role-team' }, { Key: 'owner', Value: 'customer-a' }] } as unknown as RoleRecord;

  test('aws:PrincipalTag: the role tags, each overridden by a session tag of the same key in any case', () => {
    expect(principalTagContext(session({ sessionTags: [{ Key: 'TEAM', Value: 'session-team' }] }), role)).toEqual({
      'aws:PrincipalTag/TEAM': 'session-team', 'aws:PrincipalTag/owner': 'customer-a',
    });
    expect(principalTagContext(session(), role)).toEqual({ 'aws:PrincipalTag/team': 'role-team', 'aws:PrincipalTag/owner': 'customer-a' });
  });

  test('aws:SourceIdentity is present only for a session that has one', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    expect(globalContext(session({ sourceIdentity: 'tenant-a' }), now)['aws:SourceIdentity']).toBe('tenant-a');
    expect('aws:SourceIdentity' in globalContext(session(), now)).toBe(false);
    expect('aws:SourceIdentity' in globalContext(USER, now)).toBe(false);
  });
});

// -- wording of refusals ----------------------------------------------------------------------------

describe('STS refusal wording', () => {
  test("the role's side (implicit or explicit) is the bare sentence", () => {
    expect(stsAccessDenied(USER.arn, 'sts:AssumeRole', ROLE, { decision: 'ImplicitDeny', reason: 'r', deniedBy: 'resource' })).toEqual(
      expect.objectContaining({ code: 'AccessDenied', status: 403, message: bareDenial(USER.arn, 'sts:AssumeRole', ROLE) }),
    );
    expect(stsAccessDenied(USER.arn, 'sts:TagSession', ROLE, { decision: 'ExplicitDeny', reason: 'r', deniedBy: 'resource' }).message).toBe(
      `User: ${USER.arn} is not authorized to perform: sts:TagSession on resource: ${ROLE}`,
    );
  });

  test("the caller's own side keeps the policy type", () => {
    expect(stsAccessDenied(USER.arn, 'sts:SetSourceIdentity', ROLE, { decision: 'ImplicitDeny', reason: 'r', deniedBy: 'identity' }).message).toBe(
      `User: ${USER.arn} is not authorized to perform: sts:SetSourceIdentity on resource: ${ROLE} because no identity-based policy allows the sts:SetSourceIdentity action`,
    );
  });
});
