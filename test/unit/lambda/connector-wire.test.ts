/**
 * The connector through the real SDK, with no mocks: a stub of STS (query XML) and Lambda
 * (REST-JSON) listens on 127.0.0.1 in this process, and AWS_ENDPOINT_URL points every client at
 * it, as the local cloud does. Proves what mocks cannot: the connector's STS client honours
 * AWS_ENDPOINT_URL, Invoke is signed with the assumed session (each tenant's with its own, through
 * the one Lambda client of the region),
 * AWS's wire errors arrive under the names the mapping expects, and retries are bounded.
 * Cases:
 *  - one AssumeRole for 20 concurrent first calls, and Invoke signed with the assumed key
 *  - concurrent calls of two tenants in one region: each Invoke signed with its own tenant's key
 *  - the region's client used outside a tenant call refuses to sign: nothing reaches Lambda
 *  - STS AccessDenied (XML) -> AssumeRoleRefused; Throttling -> Throttled after 3 attempts
 *  - Lambda 403 AccessDeniedException -> InvokeRefused; X-Amz-Function-Error -> FunctionError
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { RegionalLambdaClients, ScopedClientCache } from '../../../lambda/connector/scoped-clients';
import { ECHO_A, MASTER_CREDENTIALS, PREFIX, REGION, lambdaContext, quietLogger, testTenants } from '../../support/lambda-fixtures';

// ---------------------------------------------------------------------------
// The stub: answers as STS and Lambda do on the wire; `mode` picks the answer.
// ---------------------------------------------------------------------------

interface Seen { service: 'sts' | 'lambda'; accessKeyId: string | undefined; clientContext: string | undefined; path: string | undefined }

const ASSUMED_KEY = 'ASIAWIRESTUBASSUMED1';
/** The key STS issues for a session: acme's is ASSUMED_KEY, any other tenant's names it. */
function keyFor(body: string): string {
  const tenant = /SourceIdentity=([^&]+)/.exec(body)?.[1] ?? 'unknown';
  return tenant === 'acme' ? ASSUMED_KEY : `ASIAWIRESTUB${tenant.toUpperCase()}`;
}
let mode: { sts: 'ok' | 'AccessDenied' | 'Throttling'; lambda: 'ok' | 'AccessDeniedException' | 'functionError' } = { sts: 'ok', lambda: 'ok' };
let seen: Seen[] = [];
let server: Server;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

function stsError(res: ServerResponse, status: number, code: string): void {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${code} (stub)</Message></Error><RequestId>stub-sts</RequestId></ErrorResponse>`);
}

function answerSts(res: ServerResponse, body: string): void {
  if (mode.sts === 'AccessDenied') return stsError(res, 403, 'AccessDenied');
  if (mode.sts === 'Throttling') return stsError(res, 400, 'Throttling');
  const expiration = new Date(Date.now() + 3600_000).toISOString();
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${keyFor(body)}</AccessKeyId><SecretAccessKey>stub-secret</SecretAccessKey><SessionToken>stub-token</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::444455556666:assumed-role/${PREFIX}/s</Arn><AssumedRoleId>AROASTUB:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>stub-sts</RequestId></ResponseMetadata></AssumeRoleResponse>`);
}

function answerLambda(res: ServerResponse, body: string): void {
  if (mode.lambda === 'AccessDeniedException') {
    res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException' });
    res.end(JSON.stringify({ Type: 'User', message: 'not authorized (stub)' }));
    return;
  }
  if (mode.lambda === 'functionError') {
    res.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' });
    res.end(JSON.stringify({ errorType: 'Error', errorMessage: 'stub failure' }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' });
  res.end(JSON.stringify({ echoed: JSON.parse(body) }));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    const accessKeyId = /Credential=([^/]+)/.exec(req.headers.authorization ?? '')?.[1];
    const isSts = body.includes('Action=AssumeRole');
    seen.push({ service: isSts ? 'sts' : 'lambda', accessKeyId, clientContext: req.headers['x-amz-client-context'] as string | undefined, path: req.url });
    if (isSts) answerSts(res, body);
    else answerLambda(res, body);
  });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  mode = { sts: 'ok', lambda: 'ok' };
  seen = [];
});

function connector() {
  const clients = new ScopedClientCache({ stsRegion: REGION, durationSeconds: 900, maxEntries: 10, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS });
  return createConnectorHandler({ registry: testTenants(), rolePrefix: PREFIX, clients, logger: quietLogger() });
}

// ---------------------------------------------------------------------------
describe('through the real SDK', () => {
  test('20 concurrent first calls make one AssumeRole, at the endpoint AWS_ENDPOINT_URL names', async () => {
    const handler = connector();

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => handler({ tenant: 'acme', payload: { i } }, lambdaContext())));

    expect(results.every((r) => r.ok)).toBe(true);
    expect(seen.filter((s) => s.service === 'sts')).toHaveLength(1);
    expect(seen.filter((s) => s.service === 'lambda')).toHaveLength(20);
  });

  test('AssumeRole is signed with the execution role\'s key, Invoke with the assumed session\'s', async () => {
    await connector()({ tenant: 'acme' }, lambdaContext());

    expect(seen.map((s) => [s.service, s.accessKeyId])).toEqual([['sts', (await MASTER_CREDENTIALS()).accessKeyId], ['lambda', ASSUMED_KEY]]);
  });

  test('concurrent calls of two tenants in one region are each signed with their own tenant\'s session', async () => {
    // Prepare: acme and mallory call the same function (one region, one Lambda client); their
    // sessions have different keys.
    const handler = connector();
    await handler({ tenant: 'acme' }, lambdaContext());
    await handler({ tenant: 'mallory' }, lambdaContext());
    seen = [];

    // Act: 20 calls interleaved, all in flight at once.
    const tenants = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'acme' : 'mallory'));
    const results = await Promise.all(tenants.map((tenant, i) => handler({ tenant, payload: { i } }, lambdaContext())));

    // Assess: every Invoke carries the key of its own tenant (the client context names the tenant).
    expect(results.every((r) => r.ok)).toBe(true);
    const invokes = seen.filter((s) => s.service === 'lambda');
    expect(invokes).toHaveLength(20);
    for (const call of invokes) {
      const tenant = JSON.parse(Buffer.from(call.clientContext ?? '', 'base64').toString('utf8')).custom.sidecarTenant as string;
      expect(call.accessKeyId).toBe(tenant === 'acme' ? ASSUMED_KEY : 'ASIAWIRESTUBMALLORY');
    }
    expect(seen.filter((s) => s.service === 'sts')).toHaveLength(0);
  });

  test('the region\'s Lambda client, used outside a tenant call, refuses to sign and sends nothing', async () => {
    const client = new RegionalLambdaClients().get(REGION);

    const sent = client.send(new InvokeCommand({ FunctionName: ECHO_A }));

    await expect(sent).rejects.toThrow('outside a tenant call: refusing to sign');
    expect(seen).toEqual([]);
  });

  test('the answer carries the function\'s payload and the client context reaches Lambda', async () => {
    const result = await connector()({ tenant: 'acme', payload: { order: 7 } }, lambdaContext());

    expect(result).toMatchObject({ ok: true, functionArn: ECHO_A, executedVersion: '$LATEST', payload: { echoed: { order: 7 } } });
    const clientContext = seen.find((s) => s.service === 'lambda')?.clientContext ?? '';
    expect(JSON.parse(Buffer.from(clientContext, 'base64').toString('utf8'))).toEqual({ custom: { sidecarTenant: 'acme', sidecar: 'connector' } });
  });
});

describe('wire errors', () => {
  test('STS AccessDenied (query XML) becomes AssumeRoleRefused, tried once', async () => {
    mode.sts = 'AccessDenied';

    const result = await connector()({ tenant: 'mallory' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
    expect(seen.map((s) => s.service)).toEqual(['sts']);
  });

  test('STS Throttling becomes Throttled after exactly three attempts', async () => {
    mode.sts = 'Throttling';

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'Throttled' } });
    expect(seen.filter((s) => s.service === 'sts')).toHaveLength(3);
  });

  test('Lambda 403 AccessDeniedException becomes InvokeRefused', async () => {
    mode.lambda = 'AccessDeniedException';

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'InvokeRefused' } });
  });

  test('X-Amz-Function-Error becomes FunctionError with the function\'s own report', async () => {
    mode.lambda = 'functionError';

    const result = await connector()({ tenant: 'acme' }, lambdaContext());

    expect(result).toMatchObject({ ok: false, error: { code: 'FunctionError', functionError: { errorType: 'Error', errorMessage: 'stub failure' } } });
  });
});
