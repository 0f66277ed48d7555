// ---------------------------------------------------------------------------
// Shared fixtures of the Lambda unit tests: a registry built the way the vendor stack builds it,
// STS answers, a Lambda context, and a capture of everything written to stdout/stderr (where
// Powertools writes its JSON lines).
// ---------------------------------------------------------------------------
import { LambdaServiceException } from '@aws-sdk/client-lambda';
import { STSServiceException } from '@aws-sdk/client-sts';
import { buildTenantRegistry, type TenantRegistry } from '../../rules/tenant-registry';
import { functionArn, roleArn } from '../../rules/naming';
import { createLogger, type Logger } from '../../lambda/shared/logger';
import { createConnectorHandler } from '../../lambda/connector/connector';
import { ScopedClientCache } from '../../lambda/connector/scoped-clients';
import { buildCallerProof, type CallerProof } from '../../lambda/shared/caller-proof';
import { InMemoryRegistry } from '../../lambda/shared/registry-reader';
import type { CallerVerifierDeps, StsForwarder } from '../../lambda/vend/caller';
import type { VendCaller } from '../../rules/registry-item';

export const REGION = 'us-east-1';
export const ACCOUNT_A = '444455556666';
export const ACCOUNT_B = '111122223333';
export const PREFIX = 'tibco_sidecar_connector';

export const ROLE_A = roleArn(ACCOUNT_A, PREFIX);
export const ROLE_B = roleArn(ACCOUNT_B, `${PREFIX}-orders`);
export const ECHO_A = functionArn(REGION, ACCOUNT_A, 'sidecar-echo');
export const OTHER_A = functionArn(REGION, ACCOUNT_A, 'sidecar-other');
export const PRIVATE_A = functionArn(REGION, ACCOUNT_A, 'sidecar-private');
export const ORDERS_B = functionArn('eu-west-1', ACCOUNT_B, 'sidecar-orders');

export const EXTERNAL_ID_ACME = 'sc-test-acme-Q2xVb9LmN4pR8tW1zY';
export const EXTERNAL_ID_GLOBEX = 'sc-test-globex-3Kf8JdQ2wE6rT9yU';
export const EXTERNAL_ID_MALLORY = 'sc-test-mallory-9Gt5Hy2Uj8Ik4Ol';
export const EXTERNAL_ID_ROGUE = 'sc-test-rogue-Zx5Cv1Bn7Mq0Wq2';

/** acme and globex are honest; mallory names acme's role with its own external ID (the
 *  confused deputy); rogue names a role outside the prefix (only a hand-edited registry could). */
export function testRegistry(): TenantRegistry {
  return buildTenantRegistry({
    rolePrefix: PREFIX,
    tenants: [
      { id: 'acme', roleArn: ROLE_A, externalId: EXTERNAL_ID_ACME, functions: [ECHO_A, OTHER_A] },
      { id: 'globex', roleArn: ROLE_B, externalId: EXTERNAL_ID_GLOBEX, functions: [ORDERS_B] },
      { id: 'mallory', roleArn: ROLE_A, externalId: EXTERNAL_ID_MALLORY, functions: [ECHO_A] },
      { id: 'rogue', roleArn: roleArn(ACCOUNT_A, 'admin'), externalId: EXTERNAL_ID_ROGUE, functions: [ECHO_A] },
    ],
  });
}

/** The test registry as the Lambdas read it (a TenantSource), with the test vend caller. */
export function testTenants(options: { callers?: readonly VendCaller[]; offboarded?: readonly string[] } = {}): InMemoryRegistry {
  return new InMemoryRegistry(testRegistry(), options.callers ?? TEST_VEND_CALLERS, options.offboarded);
}

// ---------------------------------------------------------------------------
// Vend callers and their proofs
// ---------------------------------------------------------------------------

export const VENDOR_ACCOUNT = '809167139867';
export const VEND_ARN = functionArn(REGION, VENDOR_ACCOUNT, 'sidecar-vend');
export const TEST_STS_ENDPOINT = `https://sts.${REGION}.amazonaws.com`;
/** The vendor's platform role, the test's vend caller; it calls through a role session. */
export const PLATFORM_ROLE = roleArn(VENDOR_ACCOUNT, 'sidecar-platform');
export const PLATFORM_SESSION = `arn:aws:sts::${VENDOR_ACCOUNT}:assumed-role/sidecar-platform/ci-run-7`;
export const TEST_VEND_CALLERS: readonly VendCaller[] = [{ principalArn: PLATFORM_ROLE, tenantIds: ['acme', 'globex', 'mallory', 'rogue', 'spread'] }];
const CALLER_CREDENTIALS = { accessKeyId: 'ASIATESTCALLER000001', secretAccessKey: 'test-caller-secret-do-not-log', sessionToken: 'test-caller-token' };

/** A proof signed now (or at `signingDate`) for vend (or `audience`), for the test STS endpoint. */
export function testCallerProof(options: { audience?: string; signingDate?: Date } = {}): Promise<CallerProof> {
  return buildCallerProof(CALLER_CREDENTIALS, REGION, options.audience ?? VEND_ARN, { endpoint: TEST_STS_ENDPOINT, signingDate: options.signingDate });
}

/** A fake STS for GetCallerIdentity: answers the caller's ARN, or an error; records what it got. */
export function fakeSts(answer: { arn: string } | { status: number; code: string } = { arn: PLATFORM_SESSION }): StsForwarder & { calls: Parameters<StsForwarder>[0][] } {
  const calls: Parameters<StsForwarder>[0][] = [];
  const forward = (async (request) => {
    calls.push(request);
    if ('arn' in answer) {
      return { status: 200, body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${answer.arn}</Arn><UserId>AROATEST:ci</UserId><Account>${VENDOR_ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>` };
    }
    return { status: answer.status, body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${answer.code}</Code><Message>no</Message></Error><RequestId>r-2</RequestId></ErrorResponse>` };
  }) as StsForwarder & { calls: Parameters<StsForwarder>[0][] };
  forward.calls = calls;
  return forward;
}

/** A vend handler whose object events get a fresh valid proof when they carry none: for the tests
 *  that are about something else than the caller. */
export function withCallerProof<H extends (event: unknown, context?: never) => Promise<unknown>>(handler: H): H {
  return (async (event: unknown, context?: never) => {
    const plain = event !== null && typeof event === 'object' && !Array.isArray(event) && Object.getPrototypeOf(event) === Object.prototype;
    if (!plain || 'callerProof' in (event as object)) return handler(event, context);
    return handler({ ...(event as object), callerProof: await testCallerProof() }, context);
  }) as H;
}

/** Vend's caller checks against the fake STS. */
export function testCallerDeps(forward: StsForwarder = fakeSts()): CallerVerifierDeps {
  return { audience: VEND_ARN, stsEndpoint: TEST_STS_ENDPOINT, forward };
}

// ---------------------------------------------------------------------------
// AWS answers
// ---------------------------------------------------------------------------

let issued = 0;

/** What STS answers to AssumeRole: fresh, distinct keys expiring `expiresInMs` from now. */
export function assumeRoleOutput(expiresInMs = 60 * 60 * 1000) {
  issued += 1;
  return {
    Credentials: {
      AccessKeyId: `ASIATESTKEY${String(issued).padStart(9, '0')}`,
      SecretAccessKey: `test-secret-access-key-${issued}-do-not-log`,
      SessionToken: `test-session-token-${issued}-do-not-log`,
      Expiration: new Date(Date.now() + expiresInMs),
    },
    AssumedRoleUser: { AssumedRoleId: 'AROATEST:sidecar-connector-acme', Arn: `arn:aws:sts::${ACCOUNT_A}:assumed-role/${PREFIX}/sidecar-connector-acme` },
  };
}

/** What Lambda answers to a successful Invoke. */
export function invokeOutput(body: unknown, extra: { FunctionError?: string } = {}) {
  return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: Buffer.from(JSON.stringify(body)) as unknown as Uint8Array, ...extra } as never;
}

/** An STS error as the SDK throws it for a query-protocol error code. */
export function stsError(code: string, status = 403): STSServiceException {
  return new STSServiceException({ name: code, $fault: 'client', $metadata: { httpStatusCode: status, requestId: 'sts-req-1' }, message: `${code} from STS (role ${ROLE_A})` });
}

/** A Lambda error as the SDK throws it for an `x-amzn-errortype`. */
export function lambdaError(code: string, status = 403): LambdaServiceException {
  return new LambdaServiceException({ name: code, $fault: 'client', $metadata: { httpStatusCode: status, requestId: 'lambda-req-1' }, message: `${code} from Lambda` });
}

/** The execution role's credentials, fixed, so no test reads the machine's. */
export const MASTER_CREDENTIALS = async () => ({ accessKeyId: 'AKIATESTMASTER000001', secretAccessKey: 'test-master-secret-do-not-log' });

// ---------------------------------------------------------------------------
// Lambda context and logs
// ---------------------------------------------------------------------------

export function lambdaContext(remainingMs = 30_000) {
  return {
    awsRequestId: 'req-123',
    functionName: 'sidecar-connector',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:809167139867:function:sidecar-connector',
    memoryLimitInMB: '256',
    functionVersion: '$LATEST',
    getRemainingTimeInMillis: () => remainingMs,
  };
}

/** A logger that writes nothing: for tests that are not about logs. */
export function quietLogger(): Logger {
  const logger = createLogger('sidecar-test', {});
  logger.setLogLevel('SILENT');
  return logger;
}

/** A Powertools logger whose output this test can read, one parsed JSON object per line. */
export function capturedLogs(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string; restore: () => void } {
  const written: string[] = [];
  const capture = (chunk: unknown) => { written.push(String(chunk)); return true; };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  const logger = createLogger('sidecar-test', {});
  const text = () => written.join('');
  return {
    logger,
    text,
    // Only the JSON lines: Node's own warnings (e.g. the SDK's Node-version notice) land here too.
    lines: () => text().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => { out.mockRestore(); err.mockRestore(); },
  };
}

/** A connector over the test registry with a fresh credential cache (900 s sessions, 100 entries). */
export function testConnector(): ReturnType<typeof createConnectorHandler> {
  const clients = new ScopedClientCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 100, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS });
  return createConnectorHandler({ registry: testTenants(), rolePrefix: PREFIX, clients, logger: quietLogger() });
}
