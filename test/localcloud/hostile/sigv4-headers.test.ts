// ---------------------------------------------------------------------------
// SigV4 headers under attack, as raw HTTP to the local cloud: each header missing, garbage
// Authorization, another algorithm, a date in the future or the past, a credential scope for a
// service or region that does not exist, duplicated and forged headers; beside the unmodified
// signed request, which is accepted. Each refusal is AWS's error (XML for STS, JSON for Lambda)
// with its 4xx, the server answers its health check after every test, and nothing is written
// outside its state folder.
// ---------------------------------------------------------------------------
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describeFileSystemAfterHostileInput, hostileCloud } from '../../support/hostile-cloud';
import { FORM, LAMBDA_PATH, expectLambdaError, expectQueryError, queryError, type RawResponse } from '../../support/raw-http';

const h = hostileCloud('hostile SigV4 headers');

describe('bad or missing SigV4 headers', () => {
  const IDENTITY = 'Action=GetCallerIdentity&Version=2011-06-15';

  async function withHeaders(edit: (headers: [string, string][]) => [string, string][], service: 'sts' | 'lambda' = 'sts'): Promise<RawResponse> {
    const lambda = service === 'lambda';
    const headers = await h.http.signedHeaders(lambda ? { service, method: 'GET', path: LAMBDA_PATH } : { service, body: IDENTITY, contentType: FORM });
    return h.http.send(lambda ? { method: 'GET', path: LAMBDA_PATH, headers: edit(headers) } : { headers: edit(headers), body: IDENTITY });
  }
  const without = (name: string) => (headers: [string, string][]) => headers.filter(([k]) => k.toLowerCase() !== name);
  const replacing = (name: string, value: string) => (headers: [string, string][]) => headers.map(([k, v]) => [k, k.toLowerCase() === name ? value : v] as [string, string]);

  test('the unmodified signed request is accepted (the control for every refusal below)', async () => {
    const res = await withHeaders((h) => h);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<GetCallerIdentityResult>');
  });

  test('without Authorization: MissingAuthenticationToken (STS) and MissingAuthenticationTokenException (Lambda)', async () => {
    expectQueryError(await withHeaders(without('authorization')), 403, 'MissingAuthenticationToken');
    expectLambdaError(await withHeaders(without('authorization'), 'lambda'), 403, 'MissingAuthenticationTokenException');
  });

  test('without X-Amz-Date: IncompleteSignature', async () => {
    expectQueryError(await withHeaders(without('x-amz-date')), 403, 'IncompleteSignature');
  });

  test('without the signed Host header: SignatureDoesNotMatch', async () => {
    // Node's client adds no Host when told not to; HTTP/1.1 servers still parse the request.
    expectQueryError(await withHeaders(without('host')), 403, 'SignatureDoesNotMatch');
  });

  test('without X-Amz-Content-Sha256 the signature no longer matches', async () => {
    expectQueryError(await withHeaders(without('x-amz-content-sha256')), 403, 'SignatureDoesNotMatch');
  });

  test('with a Content-Type other than the one signed: SignatureDoesNotMatch', async () => {
    expectQueryError(await withHeaders(replacing('content-type', 'text/plain')), 403, 'SignatureDoesNotMatch');
  });

  test.each([
    ['garbage', 'garbage'],
    ['empty', ''],
    ['only the algorithm', 'AWS4-HMAC-SHA256'],
    ['no Signature', 'AWS4-HMAC-SHA256 Credential=AKIALOCALCUSTA000001/20240101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date'],
    ['a short Signature', 'AWS4-HMAC-SHA256 Credential=AKIALOCALCUSTA000001/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=abc'],
    ['a 10 KB Authorization', `AWS4-HMAC-SHA256 Credential=${'A'.repeat(10_000)}`],
    ['SigV4a (ECDSA)', 'AWS4-ECDSA-P256-SHA256 Credential=AKIALOCALCUSTA000001/20240101/sts/aws4_request, SignedHeaders=host, Signature=3045'],
    ['another HMAC algorithm', `AWS4-HMAC-SHA512 Credential=AKIALOCALCUSTA000001/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`],
    ['SigV2-style', 'AWS AKIALOCALCUSTA000001:c2lnbmF0dXJl'],
  ])('an Authorization header that is %s is refused with IncompleteSignature', async (_label, value) => {
    expectQueryError(await withHeaders(replacing('authorization', value)), 403, 'IncompleteSignature');
  });

  test('a signature made for a date far in the future is refused as not yet current', async () => {
    const future = new Date(Date.now() + 365 * 24 * 3600 * 1000);
    const headers = await h.http.signedHeaders({ service: 'sts', body: IDENTITY, contentType: FORM, date: future });
    const error = expectQueryError(await h.http.send({ headers, body: IDENTITY }), 403, 'SignatureDoesNotMatch');
    expect(error.message).toContain('Signature not yet current');
  });

  test('a signature from 2001 is refused as expired', async () => {
    const headers = await h.http.signedHeaders({ service: 'sts', body: IDENTITY, contentType: FORM, date: new Date('2001-01-01T00:00:00Z') });
    const error = expectQueryError(await h.http.send({ headers, body: IDENTITY }), 403, 'SignatureDoesNotMatch');
    expect(error.message).toContain('Signature expired');
  });

  test('a credential scope for a service the local cloud does not serve is refused with a 4xx in that service\'s protocol', async () => {
    const headers = await h.http.signedHeaders({ service: 'sns', body: IDENTITY, contentType: FORM });
    const res = await h.http.send({ headers, body: IDENTITY });
    expect(res.status).toBe(400);
    expect(queryError(res).code).toBe('NotImplementedByLocalCloud');
  });

  test.each([
    ['an unknown region', 'xx-nowhere-9', 'sts'],
    ['a region with ARN separators', 'us-east-1:999999999999:function:x', 'sts'],
    ['a region with markup', 'us-east-1<script>', 'sts'],
    ['a well-formed region name AWS does not have', 'us-nowhere-1', 'sts'],
  ])('a credential scope with %s is refused with SignatureDoesNotMatch', async (_label, region) => {
    const headers = await h.http.signedHeaders({ service: 'sts', body: IDENTITY, contentType: FORM, region });
    const error = expectQueryError(await h.http.send({ headers, body: IDENTITY }), 403, 'SignatureDoesNotMatch');
    expect(error.message).toContain('Credential should be scoped to a valid region');
  });

  test('a Lambda call signed for a region with ARN separators is refused before any function is created under it', async () => {
    const body = JSON.stringify({ FunctionName: 'region-smuggle', Runtime: 'nodejs20.x', Role: h.roleArn, Handler: 'index.handler', Code: { ZipFile: h.zipBase64 } });
    const headers = await h.http.signedHeaders({ service: 'lambda', method: 'POST', path: LAMBDA_PATH, body, contentType: 'application/json', region: 'us-east-1:111122223333:function:victim' });
    expectLambdaError(await h.http.send({ method: 'POST', path: LAMBDA_PATH, headers, body }), 403, 'InvalidSignatureException');
    const lookup = await new LambdaClient(h.cloud.clientConfig(h.root)).send(new GetFunctionConfigurationCommand({ FunctionName: 'region-smuggle' })).then(() => 'found', (e: Error) => e.name);
    expect(lookup).toBe('ResourceNotFoundException');
  });

  test('a second Authorization header is not honoured: Node keeps the first, the forged one is ignored', async () => {
    const res = await withHeaders((h) => [...h, ['Authorization', 'AWS4-HMAC-SHA256 Credential=AKIALOCALVENDOR00001/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64)]]);
    // The genuine signature still decides who the caller is: customer-a, never the vendor.
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<Account>${h.cloud.accounts['customer-a'].accountId}</Account>`);
  });

  test('a forged Authorization sent first, before the genuine one, is refused', async () => {
    const forged: [string, string] = ['Authorization', `AWS4-HMAC-SHA256 Credential=AKIALOCALVENDOR00001/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`];
    const res = await withHeaders((h) => [forged, ...h]);
    expect(res.status).toBe(403);
    expect(queryError(res).code).toMatch(/^(SignatureDoesNotMatch|IncompleteSignature)$/);
  });

  test('a duplicated X-Amz-Date header changes the signed value and is refused', async () => {
    const res = await withHeaders((h) => [...h, ['X-Amz-Date', '20240101T000000Z']]);
    expect(res.status).toBe(403);
    expect(queryError(res).code).toMatch(/^(SignatureDoesNotMatch|IncompleteSignature)$/);
  });

  test('a duplicated X-Amz-Security-Token on root keys is refused with InvalidClientTokenId', async () => {
    const res = await withHeaders((h) => [...h, ['X-Amz-Security-Token', 'LCSTforged'], ['X-Amz-Security-Token', 'LCSTforged2']]);
    expectQueryError(res, 403, 'InvalidClientTokenId');
  });
});

describeFileSystemAfterHostileInput(h);
