// ---------------------------------------------------------------------------
// The IAM store keys roles, users, policies and inline policies by name in prototype-less records
// (IAM API Reference: names match [\w+=,.@-]+, so `__proto__` and `constructor` are names), and a
// state file with such keys reads back with them.
// ---------------------------------------------------------------------------
import { jsonStore } from '../../support/json-state-store';
import { IamStore, nameKey, nameRecord } from '../../../localcloud/iam/store';


const role = (roleName: string) => ({
  roleName, roleId: 'AROAAAAAAAAAAAAAAAAAA', path: '/', arn: `arn:aws:iam::111122223333:role/${roleName}`, createDate: '2020-01-01T00:00:00Z',
  assumeRolePolicyDocument: '{}', maxSessionDuration: 3600, tags: [], inlinePolicies: nameRecord<string>(), attachedPolicyArns: [],
});

test('a fresh account has no role named constructor, toString or __proto__', () => {
  const iam = new IamStore(jsonStore());
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(iam.role('111122223333', name)).toBeUndefined();
});

test('roles and inline policies with prototype names are stored, and survive a write and a read', () => {
  const state = jsonStore();
  const iam = new IamStore(state);
  const acct = iam.account('111122223333');
  const ctor = role('constructor');
  ctor.inlinePolicies.__proto__ = '{"deny":true}';
  acct.roles[nameKey('constructor')] = ctor;
  acct.roles[nameKey('__proto__')] = role('__proto__');
  iam.save();
  expect(state.text()).toContain('"__proto__"');

  const again = new IamStore(jsonStore(state.text()));
  expect(again.role('111122223333', 'constructor')?.roleName).toBe('constructor');
  expect(again.role('111122223333', '__proto__')?.roleName).toBe('__proto__');
  expect(Object.keys(again.role('111122223333', 'constructor')!.inlinePolicies)).toEqual(['__proto__']);
  expect(Object.getPrototypeOf(again.role('111122223333', 'constructor')!.inlinePolicies)).toBeNull();
  expect(again.rolesOf('111122223333').map((r) => r.roleName).sort()).toEqual(['__proto__', 'constructor']);
});
