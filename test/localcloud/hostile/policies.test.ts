// ---------------------------------------------------------------------------
// Hostile policy documents sent to the local cloud's IAM (PutRolePolicy) and STS (AssumeRole's
// session policy) as signed raw requests: over the size limit or the inline quota, nested tens of
// thousands of levels deep, a unicode look-alike of Allow, unicode escapes and astral characters,
// a lone surrogate, BOM and NUL; and fast-check: random JSON values as a document. Each is refused
// with IAM's 4xx or stored and read back unchanged (never a 5xx), the server answers its health
// check after every test, and nothing is written outside its state folder.
// ---------------------------------------------------------------------------
import fc from 'fast-check';
import { describeFileSystemAfterHostileInput, hostileCloud } from '../../support/hostile-cloud';
import { expectQueryError, queryError, xml } from '../../support/raw-http';

const h = hostileCloud('hostile policy documents');

describe('hostile policy documents', () => {
  const putRolePolicy = (document: string) => h.http.signedQuery('iam', new URLSearchParams({
    Action: 'PutRolePolicy', Version: '2010-05-08', RoleName: 'hardening-exec', PolicyName: 'hostile', PolicyDocument: document,
  }).toString());
  const assumeWithPolicy = (document: string) => h.http.signedQuery('sts', new URLSearchParams({
    Action: 'AssumeRole', Version: '2011-06-15', RoleArn: h.roleArn, RoleSessionName: 'hostile', Policy: document,
  }).toString());

  test('a policy over 131,072 characters is refused with ValidationError', async () => {
    const statement = JSON.stringify({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(200)}/*` });
    const document = `{"Version":"2012-10-17","Statement":[${Array(700).fill(statement).join(',')}]}`;
    expect(document.length).toBeGreaterThan(131_072);
    expectQueryError(await putRolePolicy(document), 400, 'ValidationError');
  });

  test('a policy within the wire limit but over the inline quota is refused with LimitExceeded', async () => {
    const statement = JSON.stringify({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(200)}/*` });
    const document = `{"Version":"2012-10-17","Statement":[${Array(100).fill(statement).join(',')}]}`;
    expectQueryError(await putRolePolicy(document), 409, 'LimitExceeded');
  });

  test('a policy nested 20,000 levels deep in a Condition is refused with MalformedPolicyDocument', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const document = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":${deep}}}]}`;
    expectQueryError(await putRolePolicy(document), 400, 'MalformedPolicyDocument');
  });

  test('a policy of 60,000 nested arrays is refused with MalformedPolicyDocument', async () => {
    const document = `{"Version":"2012-10-17","Statement":${'['.repeat(60_000)}${']'.repeat(60_000)}}`;
    const res = await putRolePolicy(document);
    expect(res.status).toBeLessThan(500);
    expect(queryError(res).code).toMatch(/^(MalformedPolicyDocument|ValidationError)$/);
  });

  test('a deeply nested session policy in AssumeRole is refused with a 4xx, not a crash', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const res = await assumeWithPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":${deep}}}]}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(queryError(res).code).toMatch(/^(MalformedPolicyDocument|PackedPolicyTooLarge|ValidationError)$/);
  });

  test('a policy with a unicode look-alike of Allow as its Effect is refused with MalformedPolicyDocument', async () => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Аllow', Action: 's3:GetObject', Resource: '*' }] }); // Cyrillic А
    expectQueryError(await putRolePolicy(document), 400, 'MalformedPolicyDocument');
  });

  test('a policy with unicode escapes for its keys is read as the same document', async () => {
    const escaped = '{"Version":"2012-10-17","Statement":[{"\\u0045ffect":"Allow","Action":"s3:GetObject","Resource":"*"}]}';
    expect(JSON.parse(escaped).Statement[0].Effect).toBe('Allow');
    expect((await putRolePolicy(escaped)).status).toBe(200);
  });

  test('a policy with unicode and astral characters in a resource is stored and read back unchanged', async () => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bücket-😀/日本/*' }] });
    const put = await putRolePolicy(document);
    expect(put.status).toBe(200);
    const get = await h.http.signedQuery('iam', new URLSearchParams({ Action: 'GetRolePolicy', Version: '2010-05-08', RoleName: 'hardening-exec', PolicyName: 'hostile' }).toString());
    expect(get.status).toBe(200);
    const parsed = xml.parse(get.body) as { GetRolePolicyResponse: { GetRolePolicyResult: { PolicyDocument: string } } };
    expect(JSON.parse(decodeURIComponent(parsed.GetRolePolicyResponse.GetRolePolicyResult.PolicyDocument))).toEqual(JSON.parse(document));
  });

  test('a policy with a lone surrogate, BOM and NUL is refused with a 4xx, not a crash', async () => {
    const res = await putRolePolicy('\ufeff{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get\ud800Object\u0000","Resource":"*"}]}');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(queryError(res).code).toMatch(/^(MalformedPolicyDocument|ValidationError)$/);
  });

  test('property: random JSON values as a policy document never get a 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (value) => {
      const res = await putRolePolicy(JSON.stringify(value));
      expect(res.status).toBeLessThan(500);
      if (res.status >= 400) queryError(res);
    }), { numRuns: 60 });
  });
});

describeFileSystemAfterHostileInput(h);
