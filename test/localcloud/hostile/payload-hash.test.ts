// ---------------------------------------------------------------------------
// The payload hash and the order of authentication, against the running local cloud:
//   X-Amz-Content-SHA256: UNSIGNED-PAYLOAD (S3's alone) is refused by IAM, STS and Lambda, through
//     the real SDK v3 clients and the AWS CLI; the same call hashing its body is accepted;
//     a body swapped under an UNSIGNED-PAYLOAD signature is refused
//   a request without a signature, or with an unknown key, is refused from its headers at once,
//     without waiting for a body that never arrives; a known key's request waits for its body
//   IAM, STS and Lambda's small operations bound bodies at 1 MB, Invoke at 8 MB; CreateFunction and
//     UpdateFunctionCode (a zip) stay at the cloud's 70 MB
// ---------------------------------------------------------------------------
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BuildMiddleware } from '@smithy/types';
import { startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { clientEnv } from '../../support/external-clients';
import { FORM, LAMBDA_PATH, RawHttp, expectLambdaError, expectQueryError } from '../../support/raw-http';

const run = promisify(execFile);
const BODY_TIMEOUT_MS = 3000;
const IDENTITY = 'Action=GetCallerIdentity&Version=2011-06-15';
let cloud: TestCloud;
let root: Credentials;
let http: RawHttp;

beforeAll(async () => {
  cloud = await startTestCloud({ env: { LOCALCLOUD_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS) } });
  root = cloud.credentialsFor('customer-a');
  http = new RawHttp(cloud.port, root);
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});

/** A client whose requests declare UNSIGNED-PAYLOAD before they are signed (the signer then signs that, not the body's hash). */
function unsigned<C extends { middlewareStack: { add: (...a: never[]) => void } }>(client: C): C {
  const stack = client.middlewareStack as unknown as { add(m: BuildMiddleware<object, object>, o: { step: 'build'; name: string }): void };
  stack.add((next) => async (args) => {
    (args.request as HttpRequest).headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    return next(args);
  }, { step: 'build', name: 'unsignedPayload' });
  return client;
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

describe('UNSIGNED-PAYLOAD', () => {
  test('STS refuses it with SignatureDoesNotMatch; the same call hashing its body is accepted', async () => {
    expect(await errorOf(unsigned(new STSClient(cloud.clientConfig(root))).send(new GetCallerIdentityCommand({})))).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    await expect(new STSClient(cloud.clientConfig(root)).send(new GetCallerIdentityCommand({}))).resolves.toHaveProperty('Account');
  }, 60_000);

  test('IAM refuses it with SignatureDoesNotMatch; the same call hashing its body is accepted', async () => {
    expect(await errorOf(unsigned(new IAMClient(cloud.clientConfig(root))).send(new GetUserCommand({})))).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    await expect(new IAMClient(cloud.clientConfig(root)).send(new GetUserCommand({}))).resolves.toHaveProperty('User');
  }, 60_000);

  test('Lambda refuses it with InvalidSignatureException; the same call hashing its body is accepted', async () => {
    expect(await errorOf(unsigned(new LambdaClient(cloud.clientConfig(root))).send(new ListFunctionsCommand({})))).toEqual({ name: 'InvalidSignatureException', status: 403 });
    await expect(new LambdaClient(cloud.clientConfig(root)).send(new ListFunctionsCommand({}))).resolves.toHaveProperty('Functions');
  }, 60_000);

  test('a body swapped under an UNSIGNED-PAYLOAD signature is refused; the signed body with its hash is accepted', async () => {
    const sign = async (payloadHash: string) => {
      const request = new HttpRequest({
        method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: cloud.port, path: '/',
        headers: { host: `127.0.0.1:${cloud.port}`, 'content-type': FORM, 'x-amz-content-sha256': payloadHash }, body: IDENTITY,
      });
      const signed = await new SignatureV4({ credentials: root, region: 'us-east-1', service: 'sts', sha256: Sha256 }).sign(request);
      return Object.entries(signed.headers as Record<string, string>);
    };
    const swapped = 'Action=GetCallerIdentity&Version=2011-06-15&Swapped=1';
    expectQueryError(await http.send({ headers: await sign('UNSIGNED-PAYLOAD'), body: swapped }), 403, 'SignatureDoesNotMatch');
    const hash = createHash('sha256').update(IDENTITY).digest('hex');
    const ok = await http.send({ headers: await sign(hash), body: IDENTITY });
    expect(ok.status).toBe(200);
  }, 60_000);

  test('the AWS CLI is accepted (it signs the body\'s hash)', async () => {
    const env = clientEnv(root);
    const { stdout } = await run('aws', ['sts', 'get-caller-identity', '--endpoint-url', cloud.url, '--region', 'us-east-1', '--output', 'json'], { env });
    expect(JSON.parse(stdout).Account).toBe(cloud.accounts['customer-a'].accountId);
  }, 60_000);
});

describe('authentication before the body', () => {
  /** Headers declaring a body of `declared` bytes, and only its first bytes sent. */
  const stalled = (headers: [string, string][], declared: number, path = '/') =>
    http.send({ method: 'POST', path, headers: headers.map(([k, v]) => [k, k === 'content-length' ? String(declared) : v] as [string, string]), writeBody: (r) => r.write('Action='), timeoutMs: BODY_TIMEOUT_MS * 5 });

  test('an unsigned request is refused at once, without waiting for its body', async () => {
    const started = Date.now();
    const res = await stalled([['host', `127.0.0.1:${cloud.port}`], ['content-type', FORM], ['content-length', '0']], 10 * 1024 * 1024);
    expectQueryError(res, 403, 'MissingAuthenticationToken');
    expect(Date.now() - started).toBeLessThan(BODY_TIMEOUT_MS);
    expect(res.headers.connection).toBe('close');
  }, 60_000);

  test('an unknown access key is refused at once, without waiting for its body', async () => {
    const headers = await http.signedHeaders({ service: 'sts', body: IDENTITY, contentType: FORM, credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' } });
    const started = Date.now();
    expectQueryError(await stalled(headers, 1000), 403, 'InvalidClientTokenId');
    expect(Date.now() - started).toBeLessThan(BODY_TIMEOUT_MS);
  }, 60_000);

  test('a known key\'s request waits for its body (the neighbour): 408 when it never comes', async () => {
    const headers = await http.signedHeaders({ service: 'sts', body: IDENTITY, contentType: FORM });
    expectQueryError(await stalled(headers, 1000), 408, 'RequestTimeout');
  }, 60_000);
});

describe('body bounds per service', () => {
  test('IAM and STS refuse a body declared over 1 MB with 413', async () => {
    for (const service of ['iam', 'sts'] as const) {
      const headers = await http.signedHeaders({ service, body: IDENTITY, contentType: FORM });
      const res = await http.send({ headers: headers.map(([k, v]) => [k, k === 'content-length' ? String(1024 * 1024 + 1) : v] as [string, string]), body: IDENTITY });
      expectQueryError(res, 413, 'RequestEntityTooLarge');
    }
  }, 60_000);

  test('Lambda operations without code refuse a body declared over 1 MB (AddPermission); CreateFunction\'s neighbour waits for it', async () => {
    const path = `${LAMBDA_PATH}/some-fn/policy`;
    const headers = await http.signedHeaders({ service: 'lambda', method: 'POST', path, body: '{}', contentType: 'application/json' });
    const res = await http.send({ method: 'POST', path, headers: headers.map(([k, v]) => [k, k === 'content-length' ? String(1024 * 1024 + 1) : v] as [string, string]), body: '{}' });
    expectLambdaError(res, 413, 'RequestEntityTooLargeException');
  }, 60_000);

  test('Invoke refuses a body declared over 8 MB; its own 6 MB payload check stays reachable below that', async () => {
    const path = `${LAMBDA_PATH}/some-fn/invocations`;
    const headers = await http.signedHeaders({ service: 'lambda', method: 'POST', path, body: '{}', contentType: 'application/json' });
    const res = await http.send({ method: 'POST', path, headers: headers.map(([k, v]) => [k, k === 'content-length' ? String(8 * 1024 * 1024 + 1) : v] as [string, string]), body: '{}' });
    expectLambdaError(res, 413, 'RequestEntityTooLargeException');
  }, 60_000);

  test('Lambda keeps a larger bound for CreateFunction: a 2 MB declared body is waited for, not refused (408 when it stalls)', async () => {
    const headers = await http.signedHeaders({ service: 'lambda', method: 'POST', path: LAMBDA_PATH, body: '{}', contentType: 'application/json' });
    const res = await http.send({
      method: 'POST', path: LAMBDA_PATH, headers: headers.map(([k, v]) => [k, k === 'content-length' ? String(2 * 1024 * 1024) : v] as [string, string]),
      writeBody: (r) => r.write('{'), timeoutMs: BODY_TIMEOUT_MS * 5,
    });
    expectLambdaError(res, 408, 'RequestTimeoutException');
  }, 60_000);
});
