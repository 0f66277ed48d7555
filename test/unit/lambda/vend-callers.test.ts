/**
 * Vend bound to its callers: the caller's proof (a signed sts:GetCallerIdentity request,
 * lambda/shared/caller-proof.ts), what vend checks before sending it to STS (lambda/vend/caller.ts),
 * what STS's answer means, and the caller's grant (its vend-caller item). For each allow path, the
 * nearest deny: another caller, another tenant, another audience, an unsigned audience, another
 * STS host, another action, an expired proof, a forged one.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { GET_CALLER_IDENTITY_BODY, VEND_AUDIENCE_HEADER, buildCallerProof, stsEndpoint } from '../../../lambda/shared/caller-proof';
import { principalArnOf, verifyCallerProof } from '../../../lambda/vend/caller';
import { createVendHandler, type VendDeps } from '../../../lambda/vend/vend';
import {
  ECHO_A, PLATFORM_ROLE, PLATFORM_SESSION, PREFIX, REGION, TEST_STS_ENDPOINT, VEND_ARN, VENDOR_ACCOUNT,
  assumeRoleOutput, fakeSts, lambdaContext, quietLogger, testCallerDeps, testCallerProof, testTenants,
} from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);

function vendHandler(overrides: Partial<VendDeps> = {}) {
  return createVendHandler({ registry: testTenants(), callers: testCallerDeps(), rolePrefix: PREFIX, sts: new STSClient({ region: REGION }), logger: quietLogger(), defaultDurationSeconds: 900, ...overrides });
}

beforeEach(() => {
  sts.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput(15 * 60 * 1000));
});

// ---------------------------------------------------------------------------
describe('the caller\'s proof', () => {
  test('is a GetCallerIdentity request for STS whose signature covers the audience header and the host', async () => {
    const proof = await testCallerProof();

    expect(proof).toMatchObject({ method: 'POST', url: `${TEST_STS_ENDPOINT}/`, body: GET_CALLER_IDENTITY_BODY });
    expect(proof.headers[VEND_AUDIENCE_HEADER]).toBe(VEND_ARN);
    expect(proof.headers.host).toBe(`sts.${REGION}.amazonaws.com`);
    expect(proof.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIATESTCALLER000001\/\d{8}\/us-east-1\/sts\/aws4_request, SignedHeaders=[^,]*\bhost\b[^,]*x-sidecar-vend-audience/);
    expect(proof.headers['x-amz-security-token']).toBe('test-caller-token');
    expect(JSON.stringify(proof)).not.toContain('test-caller-secret-do-not-log');
  });

  test('is signed for the endpoint the SDK would use: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, or the regional one', () => {
    expect(stsEndpoint('eu-west-1', {})).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4510/' })).toBe('http://127.0.0.1:4510');
    expect(stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:4510', AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4600' })).toBe('http://127.0.0.1:4600');
  });

  test('a local endpoint keeps its port in the signed host', async () => {
    const proof = await buildCallerProof({ accessKeyId: 'AKIATEST', secretAccessKey: 's' }, REGION, VEND_ARN, { endpoint: 'http://127.0.0.1:4510' });
    expect(proof.headers.host).toBe('127.0.0.1:4510');
    expect(proof.url).toBe('http://127.0.0.1:4510/');
  });
});

// ---------------------------------------------------------------------------
describe('verifying a proof', () => {
  test('sends it to vend\'s own STS endpoint and answers the role of the caller\'s session', async () => {
    const forward = fakeSts({ arn: PLATFORM_SESSION });

    await expect(verifyCallerProof(await testCallerProof(), testCallerDeps(forward))).resolves.toBe(PLATFORM_ROLE);

    expect(forward.calls).toHaveLength(1);
    expect(forward.calls[0]).toMatchObject({ url: `${TEST_STS_ENDPOINT}/`, method: 'POST', body: GET_CALLER_IDENTITY_BODY });
    expect(forward.calls[0].headers).toMatchObject({ [VEND_AUDIENCE_HEADER]: VEND_ARN, authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 /) });
  });

  test('maps a role session to its role, and leaves users and roots as they are', () => {
    expect(principalArnOf(`arn:aws:sts::${VENDOR_ACCOUNT}:assumed-role/ops/alice@example.com`)).toBe(`arn:aws:iam::${VENDOR_ACCOUNT}:role/ops`);
    expect(principalArnOf(`arn:aws:iam::${VENDOR_ACCOUNT}:user/ci`)).toBe(`arn:aws:iam::${VENDOR_ACCOUNT}:user/ci`);
    expect(principalArnOf(`arn:aws:iam::${VENDOR_ACCOUNT}:root`)).toBe(`arn:aws:iam::${VENDOR_ACCOUNT}:root`);
  });

  test('a proof made for another audience is refused before STS', async () => {
    const forward = fakeSts();
    const proof = await testCallerProof({ audience: 'arn:aws:lambda:us-east-1:809167139867:function:other-vend' });

    await expect(verifyCallerProof(proof, testCallerDeps(forward))).rejects.toMatchObject({ code: 'CallerProofRefused', message: expect.stringContaining('made for arn:aws:lambda:us-east-1:809167139867:function:other-vend, not for this vend function') });
    expect(forward.calls).toHaveLength(0);
  });

  test('an audience header added after signing is refused before STS', async () => {
    const forward = fakeSts();
    const signed = await buildCallerProof({ accessKeyId: 'AKIATEST', secretAccessKey: 's' }, REGION, VEND_ARN, { endpoint: TEST_STS_ENDPOINT });
    const authorization = signed.headers.authorization.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;host;x-amz-date');

    await expect(verifyCallerProof({ ...signed, headers: { ...signed.headers, authorization } }, testCallerDeps(forward))).rejects.toMatchObject({ code: 'CallerProofRefused', message: expect.stringContaining('not among the proof\'s signed headers') });
    expect(forward.calls).toHaveLength(0);
  });

  test('a proof signed for another STS host is refused before anything is sent', async () => {
    const forward = fakeSts();
    const proof = await buildCallerProof({ accessKeyId: 'AKIATEST', secretAccessKey: 's' }, REGION, VEND_ARN, { endpoint: 'https://evil.example.com' });

    await expect(verifyCallerProof(proof, testCallerDeps(forward))).rejects.toMatchObject({ code: 'CallerProofRefused', message: expect.stringContaining('signed for STS at evil.example.com') });
    expect(forward.calls).toHaveLength(0);
  });

  test('any action but GetCallerIdentity is refused before STS', async () => {
    const forward = fakeSts();
    const proof = await testCallerProof();

    await expect(verifyCallerProof({ ...proof, body: 'Action=AssumeRole&Version=2011-06-15&RoleArn=x' }, testCallerDeps(forward))).rejects.toMatchObject({ code: 'CallerProofRefused' });
    expect(forward.calls).toHaveLength(0);
  });

  test('a proof signed more than 15 minutes ago is refused as expired', async () => {
    const forward = fakeSts();
    const proof = await testCallerProof({ signingDate: new Date(Date.now() - 16 * 60 * 1000) });

    await expect(verifyCallerProof(proof, testCallerDeps(forward))).rejects.toMatchObject({ code: 'CallerProofRefused', message: expect.stringContaining('expired') });
    expect(forward.calls).toHaveLength(0);
  });

  test.each(['SignatureDoesNotMatch', 'InvalidClientTokenId', 'ExpiredToken'])('STS refusing the proof (%s: forged, unknown key, ended session) is CallerProofRefused', async (code) => {
    await expect(verifyCallerProof(await testCallerProof(), testCallerDeps(fakeSts({ status: 403, code })))).rejects.toMatchObject({ code: 'CallerProofRefused', message: expect.stringContaining(`STS refused the proof (${code})`) });
  });

  test('STS failing is Unavailable and STS throttling is Throttled: not the caller\'s fault', async () => {
    await expect(verifyCallerProof(await testCallerProof(), testCallerDeps(fakeSts({ status: 503, code: 'ServiceUnavailable' })))).rejects.toMatchObject({ code: 'Unavailable' });
    await expect(verifyCallerProof(await testCallerProof(), testCallerDeps(fakeSts({ status: 400, code: 'Throttling' })))).rejects.toMatchObject({ code: 'Throttled' });
  });
});

// ---------------------------------------------------------------------------
describe('vend and its callers', () => {
  test('a caller granted the tenant gets credentials, and the answer names the caller', async () => {
    const result = await vendHandler()({ tenant: 'acme', functions: [ECHO_A], callerProof: await testCallerProof() }, lambdaContext());

    expect(result).toMatchObject({ ok: true, tenant: 'acme', caller: PLATFORM_ROLE });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  test('a caller that is not a vend caller is CallerNotAllowed, naming it and the tenant, before STS', async () => {
    const stranger = `arn:aws:sts::${VENDOR_ACCOUNT}:assumed-role/intern/laptop`;
    const result = await vendHandler({ callers: testCallerDeps(fakeSts({ arn: stranger })) })({ tenant: 'acme', functions: [ECHO_A], callerProof: await testCallerProof() }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'CallerNotAllowed', message: expect.stringContaining(`Caller arn:aws:iam::${VENDOR_ACCOUNT}:role/intern is not a vend caller, so it may not ask for tenant "acme"`) } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a caller asking for a tenant outside its grant is CallerNotAllowed, even for a tenant that exists', async () => {
    const registry = testTenants({ callers: [{ principalArn: PLATFORM_ROLE, tenantIds: ['globex'] }] });
    const result = await vendHandler({ registry })({ tenant: 'acme', functions: [ECHO_A], callerProof: await testCallerProof() }, lambdaContext());

    expect(result).toEqual({ ok: false, error: { code: 'CallerNotAllowed', message: expect.stringContaining(`Caller ${PLATFORM_ROLE} may not ask vend for tenant "acme"`) } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('an offboarded tenant is refused even for a caller granted it', async () => {
    const result = await vendHandler({ registry: testTenants({ offboarded: ['acme'] }) })({ tenant: 'acme', functions: [ECHO_A], callerProof: await testCallerProof() }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'UnknownTenant', message: expect.stringContaining('offboarded') } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });

  test('a request without a proof is InvalidRequest naming callerProof and how to make one', async () => {
    const result = await vendHandler()({ tenant: 'acme', functions: [ECHO_A] }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'InvalidRequest', message: expect.stringMatching(/callerProof[\s\S]*buildCallerProof/) } });
  });

  test('a proof for another audience is refused through the handler too', async () => {
    const result = await vendHandler()({ tenant: 'acme', functions: [ECHO_A], callerProof: await testCallerProof({ audience: 'arn:aws:lambda:us-east-1:809167139867:function:other' }) }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'CallerProofRefused' } });
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
  });
});
