// ---------------------------------------------------------------------------
// The IAM store's propagated view (localcloud/iam/store.ts over iam/propagation.ts), on a clock the
// test moves by hand. AWS: IAM is eventually consistent; IAM's own API sees a change at once, the
// other services only after a while.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
// Cases:
//   - delay 0: the propagated view is the live store itself (no copy, no version kept);
//   - a new role is invisible until the delay has passed, then visible; the live store sees it at once;
//   - a deleted role stays visible until the delay has passed;
//   - a change made in place (a new inline policy) reaches the view only after the delay: the
//     versions are copies, not the live records;
//   - versions older than the one visible are pruned, so what is kept stays bounded;
//   - after a restart, everything persisted is visible at once;
//   - a clock set back: a version stamped "in the future" propagates a delay from the new now;
//   - names such as __proto__ survive the copy as ordinary keys.
// ---------------------------------------------------------------------------
import { jsonStore } from '../../support/json-state-store';
import { PropagationLog } from '../../../localcloud/iam/propagation';
import { IamStore, nameKey, nameRecord, type RoleRecord } from '../../../localcloud/iam/store';

const ACCOUNT = '111122223333';
const DELAY_MS = 1500;


/** A clock the test sets: ms since the epoch. */
function manualClock(startMs = Date.parse('2025-01-01T00:00:00Z')) {
  let ms = startMs;
  return { now: () => new Date(ms), advance: (by: number) => { ms += by; }, set: (to: number) => { ms = to; }, get ms() { return ms; } };
}

const role = (roleName: string, roleId = 'AROAAAAAAAAAAAAAAAAAA'): RoleRecord => ({
  roleName, roleId, path: '/', arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, createDate: '2025-01-01T00:00:00Z',
  assumeRolePolicyDocument: '{}', maxSessionDuration: 3600, tags: [], inlinePolicies: nameRecord<string>(), attachedPolicyArns: [],
});

function createRole(iam: IamStore, name: string): void {
  iam.account(ACCOUNT).roles[nameKey(name)] = role(name);
  iam.save();
}

function deleteRole(iam: IamStore, name: string): void {
  delete iam.account(ACCOUNT).roles[nameKey(name)];
  iam.save();
}

describe('GIVEN no propagation delay', () => {
  test('WHEN a role is created THEN the propagated view is the live store itself and sees it at once', () => {
    const iam = new IamStore(jsonStore());

    createRole(iam, 'app');

    expect(iam.propagated()).toBe(iam);
    expect(iam.propagated().role(ACCOUNT, 'app')?.roleName).toBe('app');
  });
});

describe('GIVEN a propagation delay of 1500 ms', () => {
  let clock: ReturnType<typeof manualClock>;
  let iam: IamStore;
  beforeEach(() => {
    clock = manualClock();
    iam = new IamStore(jsonStore(), { delayMs: DELAY_MS, now: clock.now });
  });

  test('WHEN a role is created THEN IAM sees it at once and the others only once 1500 ms have passed', () => {
    createRole(iam, 'app');

    expect(iam.role(ACCOUNT, 'app')).toBeDefined();
    expect(iam.propagated().role(ACCOUNT, 'app')).toBeUndefined();
    clock.advance(DELAY_MS - 1);
    expect(iam.propagated().role(ACCOUNT, 'app')).toBeUndefined();
    clock.advance(1);
    expect(iam.propagated().role(ACCOUNT, 'app')?.roleName).toBe('app');
  });

  test('WHEN a role is deleted THEN the others still see it until 1500 ms have passed', () => {
    createRole(iam, 'app');
    clock.advance(DELAY_MS);

    deleteRole(iam, 'app');

    expect(iam.role(ACCOUNT, 'app')).toBeUndefined();
    expect(iam.propagated().roleByArn(`arn:aws:iam::${ACCOUNT}:role/app`)?.roleName).toBe('app');
    clock.advance(DELAY_MS);
    expect(iam.propagated().roleByArn(`arn:aws:iam::${ACCOUNT}:role/app`)).toBeUndefined();
  });

  test('WHEN an inline policy is added in place THEN the visible version keeps the old record until the delay has passed', () => {
    createRole(iam, 'app');
    clock.advance(DELAY_MS);
    const seenBefore = iam.propagated().role(ACCOUNT, 'app')!;

    iam.role(ACCOUNT, 'app')!.inlinePolicies.allow = '{"Version":"2012-10-17","Statement":[]}';
    iam.save();

    expect(Object.keys(seenBefore.inlinePolicies)).toEqual([]);
    expect(Object.keys(iam.propagated().role(ACCOUNT, 'app')!.inlinePolicies)).toEqual([]);
    clock.advance(DELAY_MS);
    expect(Object.keys(iam.propagated().role(ACCOUNT, 'app')!.inlinePolicies)).toEqual(['allow']);
  });

  test('WHEN many changes are made over time THEN only the versions of the last 1500 ms and the one visible are kept', () => {
    const log = new PropagationLog<number>(DELAY_MS, 0);
    for (let i = 1; i <= 100; i++) {
      clock.advance(100);
      log.record(clock.ms, i);
    }

    // 15 writes in the last 1500 ms (one exactly 1500 ms old, which is the visible one) and none older.
    expect(log.visibleAt(clock.ms)).toBe(85);
    expect(log.size).toBe(16);
    clock.advance(DELAY_MS);
    expect(log.visibleAt(clock.ms)).toBe(100);
    expect(log.size).toBe(1);
  });

  test('WHEN the cloud restarts on the same state THEN everything persisted is visible at once', () => {
    const state = jsonStore();
    const before = new IamStore(state, { delayMs: DELAY_MS, now: clock.now });
    createRole(before, 'app');
    expect(before.propagated().role(ACCOUNT, 'app')).toBeUndefined();

    const after = new IamStore(jsonStore(state.text()), { delayMs: DELAY_MS, now: clock.now });

    expect(after.propagated().role(ACCOUNT, 'app')?.roleName).toBe('app');
  });

  test('WHEN the clock is set back after a change THEN the change propagates 1500 ms from the new time', () => {
    clock.advance(3_600_000);
    createRole(iam, 'app');

    clock.advance(-3_600_000);
    expect(iam.propagated().role(ACCOUNT, 'app')).toBeUndefined();
    clock.advance(DELAY_MS);
    expect(iam.propagated().role(ACCOUNT, 'app')?.roleName).toBe('app');
  });

  test('WHEN a role and an inline policy are named __proto__ THEN the propagated copy keeps them as ordinary keys', () => {
    const odd = role('__proto__');
    odd.inlinePolicies.__proto__ = '{"deny":true}';
    iam.account(ACCOUNT).roles[nameKey('__proto__')] = odd;
    iam.save();
    clock.advance(DELAY_MS);

    const seen = iam.propagated();

    expect(seen.role(ACCOUNT, '__proto__')?.roleName).toBe('__proto__');
    expect(Object.keys(seen.role(ACCOUNT, '__proto__')!.inlinePolicies)).toEqual(['__proto__']);
    expect(seen.role(ACCOUNT, 'constructor')).toBeUndefined();
  });
});
