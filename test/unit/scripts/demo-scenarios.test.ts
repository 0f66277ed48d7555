// The demo counts a call as refused only when AWS refused it: a bug of ours must never pass for a guard that held.
import { isAwsRefusal } from '../../../scripts/demo/scenarios';

describe('isAwsRefusal', () => {
  test('an AWS 403 answer is a refusal', () => {
    const e = Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    expect(isAwsRefusal(e)).toBe(true);
  });

  test('a TypeError from our own code is not a refusal', () => {
    expect(isAwsRefusal(new TypeError('expiration.getTime is not a function'))).toBe(false);
  });

  test('a refused connection (no HTTP answer) is not a refusal', () => {
    expect(isAwsRefusal(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(false);
  });

  test('a 5xx is a failure of the service, not a refusal', () => {
    expect(isAwsRefusal(Object.assign(new Error('boom'), { $metadata: { httpStatusCode: 500 } }))).toBe(false);
  });
});
