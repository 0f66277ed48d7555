// ---------------------------------------------------------------------------
// The local cloud's Lambda concurrency accounting (localcloud/lambda/concurrency.ts), without
// processes or a server. Cases:
//   a function without reservation runs up to the account limit, then ConcurrentInvocationLimitExceeded
//   reserved concurrency caps one function (ReservedFunctionConcurrentInvocationLimitExceeded); 0 admits nothing
//   a reservation is guaranteed: unreserved functions share only what is left
//   versions of one function share its reservation; accounts and Regions are counted apart
//   a released lease frees its place once (a second release does nothing)
//   the unreserved minimum of PutFunctionConcurrency: 100, or the whole limit below 100
// ---------------------------------------------------------------------------
import {
  ConcurrencyLedger, minimumUnreservedConcurrency, reservationFits, unreservedMinimumMessage,
  type AdmissionRequest, type ConcurrencyLease,
} from '../../../localcloud/lambda/concurrency';

const SCOPE = '111111111111:us-east-1';
const fnArn = (name: string, scope = SCOPE) => {
  const [account, region] = scope.split(':');
  return `arn:aws:lambda:${region}:${account}:function:${name}`;
};

function request(name: string, extra: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return { scope: SCOPE, functionArn: fnArn(name), reservedInScope: 0, ...extra };
}

/** Admit and return the lease; fails the test when throttled. */
function admit(ledger: ConcurrencyLedger, req: AdmissionRequest): ConcurrencyLease {
  const result = ledger.tryAdmit(req);
  if (!result.admitted) throw new Error(`throttled: ${result.reason}`);
  return result.lease;
}

function reasonOf(ledger: ConcurrencyLedger, req: AdmissionRequest): string | undefined {
  const result = ledger.tryAdmit(req);
  return result.admitted ? undefined : result.reason;
}

describe('account concurrency', () => {
  test('functions without reservation share the account limit, then are throttled with ConcurrentInvocationLimitExceeded', () => {
    const ledger = new ConcurrencyLedger(3);
    admit(ledger, request('a'));
    admit(ledger, request('a'));
    admit(ledger, request('b'));
    expect(reasonOf(ledger, request('c'))).toBe('ConcurrentInvocationLimitExceeded');
    expect(ledger.inFlightIn(SCOPE)).toBe(3);
  });

  test('a released lease frees its place, once', () => {
    const ledger = new ConcurrencyLedger(1);
    const lease = admit(ledger, request('a'));
    expect(reasonOf(ledger, request('b'))).toBe('ConcurrentInvocationLimitExceeded');
    lease.release();
    lease.release();
    const next = admit(ledger, request('b'));
    expect(reasonOf(ledger, request('c'))).toBe('ConcurrentInvocationLimitExceeded');
    next.release();
    expect(ledger.inFlightIn(SCOPE)).toBe(0);
  });

  test('accounts and Regions are counted apart', () => {
    const ledger = new ConcurrencyLedger(1);
    admit(ledger, request('a'));
    const otherAccount = '222222222222:us-east-1';
    const otherRegion = '111111111111:eu-west-1';
    expect(reasonOf(ledger, { scope: otherAccount, functionArn: fnArn('a', otherAccount), reservedInScope: 0 })).toBeUndefined();
    expect(reasonOf(ledger, { scope: otherRegion, functionArn: fnArn('a', otherRegion), reservedInScope: 0 })).toBeUndefined();
  });

  test('a limit that is not a positive whole number is refused', () => {
    expect(() => new ConcurrencyLedger(0)).toThrow('positive whole number');
    expect(() => new ConcurrencyLedger(1.5)).toThrow('positive whole number');
  });
});

describe('reserved concurrency', () => {
  test('caps its function: the next one is throttled with ReservedFunctionConcurrentInvocationLimitExceeded', () => {
    const ledger = new ConcurrencyLedger(200);
    const reserved = request('r', { reserved: 2, reservedInScope: 2 });
    admit(ledger, reserved);
    const second = admit(ledger, reserved);
    expect(reasonOf(ledger, reserved)).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    second.release();
    expect(reasonOf(ledger, reserved)).toBeUndefined();
  });

  test('0 admits nothing', () => {
    const ledger = new ConcurrencyLedger(200);
    expect(reasonOf(ledger, request('r', { reserved: 0 }))).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(ledger.inFlightOf(fnArn('r'))).toBe(0);
  });

  test('is guaranteed: unreserved functions share only the limit minus every reservation', () => {
    const ledger = new ConcurrencyLedger(4);
    // 'r' reserves 1 of 4: the others share 3.
    for (let i = 0; i < 3; i++) admit(ledger, request(`u${i}`, { reservedInScope: 1 }));
    expect(reasonOf(ledger, request('u9', { reservedInScope: 1 }))).toBe('ConcurrentInvocationLimitExceeded');
    expect(reasonOf(ledger, request('r', { reserved: 1, reservedInScope: 1 }))).toBeUndefined();
  });

  test('versions of one function share its reservation (counted by the unqualified ARN)', () => {
    const ledger = new ConcurrencyLedger(200);
    admit(ledger, request('r', { reserved: 1, reservedInScope: 1 }));
    expect(ledger.inFlightOf(fnArn('r'))).toBe(1);
    expect(reasonOf(ledger, request('r', { reserved: 1, reservedInScope: 1 }))).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
  });

  test('a lease taken before a reservation changed is released from where it was counted', () => {
    const ledger = new ConcurrencyLedger(2);
    const unreserved = admit(ledger, request('f'));
    // f now reserves 1 (1 left for the others); its earlier invocation ends.
    unreserved.release();
    admit(ledger, request('f', { reserved: 1, reservedInScope: 1 }));
    expect(reasonOf(ledger, request('g', { reservedInScope: 1 }))).toBeUndefined();
  });
});

describe('the unreserved minimum (PutFunctionConcurrency)', () => {
  test('is 100, or the whole limit when it is lower', () => {
    expect(minimumUnreservedConcurrency(1000)).toBe(100);
    expect(minimumUnreservedConcurrency(200)).toBe(100);
    expect(minimumUnreservedConcurrency(50)).toBe(50);
  });

  test('a reservation fits while the others and it leave the minimum unreserved', () => {
    expect(reservationFits(1000, 0, 900)).toBe(true);
    expect(reservationFits(1000, 0, 901)).toBe(false);
    expect(reservationFits(1000, 800, 100)).toBe(true);
    expect(reservationFits(1000, 800, 101)).toBe(false);
    expect(reservationFits(3, 0, 0)).toBe(true);
    expect(reservationFits(3, 0, 1)).toBe(false);
  });

  test('the refusal says the minimum in AWS words', () => {
    expect(unreservedMinimumMessage(50)).toBe("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [50].");
  });
});
