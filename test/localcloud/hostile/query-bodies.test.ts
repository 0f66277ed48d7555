// ---------------------------------------------------------------------------
// The local cloud's query protocol (IAM, STS) under hostile bodies, sent as raw HTTP with a real
// SigV4 signature so that they reach the parser: garbage, broken percent-encoding, repeated keys,
// huge parameter counts, bytes that are not UTF-8, no Action, a NUL in a session name; and
// fast-check: random signed bytes, random parameters after a real Action. Each answer is the
// query protocol's XML ErrorResponse with the right 4xx (never a 5xx), the server answers its
// health check after every test, and nothing is written outside its state folder.
// ---------------------------------------------------------------------------
import fc from 'fast-check';
import { describeFileSystemAfterHostileInput, hostileCloud } from '../../support/hostile-cloud';
import { FORM, expectQueryError, queryError } from '../../support/raw-http';

const h = hostileCloud('hostile query bodies');

describe('query bodies for IAM and STS', () => {
  test('a body of random garbage without an Action is refused with MissingAction', async () => {
    expectQueryError(await h.http.signedQuery('iam', '%%%&&&===\u0000garbage;;<xml>'), 400, 'MissingAction');
  });

  test('an empty STS body is refused with MissingAction', async () => {
    expectQueryError(await h.http.signedQuery('sts', ''), 400, 'MissingAction');
  });

  test('invalid percent-encoding in an Action is refused as an unknown action, not a crash', async () => {
    const error = expectQueryError(await h.http.signedQuery('iam', 'Action=List%ZZRoles%&Version=2010-05-08'), 400, 'InvalidAction');
    expect(error.message).toContain('is not valid for this web service');
  });

  test('invalid percent-encoding in a parameter value reaches validation as literal text', async () => {
    const res = await h.http.signedQuery('iam', 'Action=CreateRole&Version=2010-05-08&RoleName=bad%E0%A4%A&AssumeRolePolicyDocument=%7B');
    expectQueryError(res, 400, 'ValidationError');
  });

  test('a repeated Action key takes its last value, like AWS: an unknown last value is InvalidAction', async () => {
    expectQueryError(await h.http.signedQuery('sts', 'Action=GetCallerIdentity&Version=2011-06-15&Action=DeleteEverything'), 400, 'InvalidAction');
  });

  test('a repeated RoleName key cannot smuggle a second role into one call', async () => {
    const res = await h.http.signedQuery('iam', 'Action=GetRole&Version=2010-05-08&RoleName=hardening-exec&RoleName=does-not-exist');
    expectQueryError(res, 404, 'NoSuchEntity');
  });

  // Both stay under the 1 MB bound of IAM and STS bodies, so they reach the parser.
  test('60,000 parameters in one body are answered with a 4xx in reasonable time', async () => {
    const params = Array.from({ length: 60_000 }, (_, i) => `P${i}=${i}`).join('&');
    const started = Date.now();
    const res = await h.http.signedQuery('iam', `${params}&Action=ListRoleTags&Version=2010-05-08`);
    expectQueryError(res, 400, 'ValidationError');
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test('a body declared over 1 MB is refused with 413 before it is parsed; its neighbour at the bound is read', async () => {
    const body = 'Action=ListRoleTags&Version=2010-05-08&RoleName=hardening-exec';
    const headers = await h.http.signedHeaders({ service: 'iam', body, contentType: FORM });
    const declared = (n: number) => headers.map(([k, v]) => [k, k === 'content-length' ? String(n) : v] as [string, string]);
    expectQueryError(await h.http.send({ headers: declared(1024 * 1024 + 1), body }), 413, 'RequestEntityTooLarge');
    // At exactly 1 MB the body is awaited (and, never arriving in full, times out rather than being refused for size).
    expectQueryError(await h.http.send({ headers: declared(1024 * 1024), writeBody: (r) => r.write(body), timeoutMs: 30_000 }), 408, 'RequestTimeout');
  });

  test('a list parameter with 12,000 members is refused, not expanded without bound', async () => {
    const members = Array.from({ length: 12_000 }, (_, i) => `Tags.member.${i + 1}.Key=k${i}&Tags.member.${i + 1}.Value=v`).join('&');
    const res = await h.http.signedQuery('iam', `Action=TagRole&Version=2010-05-08&RoleName=hardening-exec&${members}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(queryError(res).code).toMatch(/^(LimitExceeded|ValidationError)$/);
  });

  test('bytes that are not UTF-8 in a parameter value are refused by validation', async () => {
    const body = Buffer.concat([Buffer.from('Action=CreateRole&Version=2010-05-08&AssumeRolePolicyDocument=%7B%7D&RoleName='), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80])]);
    expectQueryError(await h.http.signedQuery('iam', body), 400, 'ValidationError');
  });

  test('bytes that are not UTF-8 in place of an Action are refused with MissingAction', async () => {
    expectQueryError(await h.http.signedQuery('sts', Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80])), 400, 'MissingAction');
  });

  test('an AssumeRole with a NUL byte and a newline in its session name is refused with ValidationError', async () => {
    const res = await h.http.signedQuery('sts', `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(h.roleArn)}&RoleSessionName=a%00b%0Ac`);
    expectQueryError(res, 400, 'ValidationError');
  });

  test('property: random bytes as a signed IAM or STS body never get a 5xx, and always an XML error', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('iam' as const, 'sts' as const), fc.uint8Array({ maxLength: 512 }), async (service, bytes) => {
      const res = await h.http.signedQuery(service, Buffer.from(bytes));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(queryError(res).code).toMatch(/^(MissingAction|InvalidAction)$/);
    }), { numRuns: 60 });
  });

  test('property: random parameters after a real Action never get a 5xx', async () => {
    const name = fc.stringMatching(/^[A-Za-z.]{1,20}$/);
    const value = fc.string({ unit: 'binary', maxLength: 40 });
    const action = fc.constantFrom('CreateRole', 'PutRolePolicy', 'CreateUser', 'TagRole', 'GetRole', 'DeleteRole', 'CreatePolicy', 'AttachRolePolicy');
    await fc.assert(fc.asyncProperty(action, fc.array(fc.tuple(name, value), { maxLength: 8 }), async (act, pairs) => {
      const form = new URLSearchParams([['Action', act], ['Version', '2010-05-08'], ...pairs]);
      const res = await h.http.signedQuery('iam', form.toString());
      // Some random forms are valid requests (a 200); none may be our failure.
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) queryError(res);
    }), { numRuns: 60 });
  });
});

describeFileSystemAfterHostileInput(h);
