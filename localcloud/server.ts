// ---------------------------------------------------------------------------
// The local cloud's HTTP core: one server on 127.0.0.1 for IAM, STS and Lambda. Each request is
// read (bounded), SigV4-verified, routed by its credential scope's service, and answered in that
// service's protocol. Test controls live under /_localcloud/control/ and are off by default.
// ---------------------------------------------------------------------------
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { AwsError, type Service, type ServiceContext, type ServiceName, type ServiceRequest, type ServiceResponse } from './contracts';
import { AccountDirectory } from './core/accounts';
import { createAuthenticator } from './pipeline/authenticate';
import { authorizeRequest } from './iam/authorize';
import { BODY_TIMEOUT_MS, BodyTimeoutError, BodyTooLargeError, MAX_BODY_BYTES, readBody } from './core/body';
import { Clock } from './core/clock';
import { handleControl } from './pipeline/control';
import { errorResponse, jsonErrorResponse, toAwsError } from './core/errors';
import { FaultInjector, faultSubjectOf, type FaultSubject } from './core/faults';
import { requestId as newRequestId } from './core/ids';
import { QueryParams } from './core/query';
import { RequestLog } from './core/request-log';
import { parseAuthorization, sigv4Error } from './core/sigv4';
import { FileStateStore } from './core/state';
import { createIamService } from './iam/service';
import { IamStore } from './iam/store';
import { lambdaService } from './lambda/service';
import { RoleSessionIssuer } from './sts/assume-role';
import { SessionStore } from './sts/sessions';
import { createStsService } from './sts/service';

export const PROJECT_ROOT = resolve(__dirname, '..');
export const DEFAULT_PORT = 4510;
export const DEFAULT_STATE_DIR = join(PROJECT_ROOT, '.localcloud', 'state');
const LOOPBACK = '127.0.0.1';

export interface LocalCloudOptions {
  /** @default LOCALCLOUD_PORT, else 4510; 0 picks a free port. */
  readonly port?: number;
  /** Only loopback: the local cloud never listens on another interface. @default '127.0.0.1' */
  readonly host?: '127.0.0.1';
  /** @default <project>/.localcloud/state */
  readonly stateDir?: string;
  /** Config file with the accounts. @default SIDECAR_CONFIG_FILE, else config/local.json */
  readonly configFile?: string;
  /** Serve /_localcloud/control/. @default LOCALCLOUD_TEST_CONTROLS === '1' */
  readonly testControls?: boolean;
  /** @default 70 MB */
  readonly maxBodyBytes?: number;
  /** Time a request body may take to arrive in full. @default LOCALCLOUD_BODY_TIMEOUT_MS, else 60 s */
  readonly bodyTimeoutMs?: number;
}

export interface LocalCloud {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Thrown when the port is taken (another local cloud, or another program). */
export class PortInUseError extends Error {
  readonly code = 'PortInUse';
  constructor(readonly port: number) {
    super(`Port ${port} on ${LOOPBACK} is already in use. Stop whatever holds it (npm run local:down, if it is a local cloud), or pick another port with LOCALCLOUD_PORT.`);
    this.name = 'PortInUseError';
  }
}

/** Thrown for options the local cloud refuses (a non-loopback host, a bad port). */
export class LocalCloudOptionsError extends Error {
  readonly code = 'LocalCloudOptions';
  constructor(message: string) {
    super(message);
    this.name = 'LocalCloudOptionsError';
  }
}

export function bodyTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCALCLOUD_BODY_TIMEOUT_MS;
  if (raw === undefined || raw === '') return BODY_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1) throw new LocalCloudOptionsError(`LOCALCLOUD_BODY_TIMEOUT_MS must be a positive whole number of milliseconds (got "${raw}")`);
  return ms;
}

export function portFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCALCLOUD_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LocalCloudOptionsError(`LOCALCLOUD_PORT must be a TCP port number 0-65535 (got "${raw}")`);
  return port;
}

const SERVICES: readonly ServiceName[] = ['iam', 'sts', 'lambda'];

/** The service a request without a usable credential scope was meant for: decides the error's shape. */
function serviceFromPath(path: string): ServiceName {
  if (path.startsWith('/iam')) return 'iam';
  if (/^\/(lambda|20\d\d-\d\d-\d\d)\b/.test(path)) return 'lambda';
  return 'sts';
}

/** `POST /iam` with endpoint http://127.0.0.1:P/iam: the prefix names the service, not a resource. */
function stripServicePrefix(path: string, service: ServiceName): string {
  const prefix = `/${service}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}

function send(res: ServerResponse, response: ServiceResponse): void {
  const body = response.body ?? '';
  res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const host = options.host ?? LOOPBACK;
  if (host !== LOOPBACK) throw new LocalCloudOptionsError(`The local cloud listens only on ${LOOPBACK} (got host "${host}").`);
  const port = options.port ?? portFromEnv();
  const testControls = options.testControls ?? process.env.LOCALCLOUD_TEST_CONTROLS === '1';
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? bodyTimeoutFromEnv();
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);

  const accounts = AccountDirectory.fromConfig(options.configFile);
  const state = new FileStateStore(stateDir);
  const clock = new Clock();
  const now = () => clock.now();
  const iam = new IamStore(state);
  const sessions = new SessionStore(state, now);
  const issuer = new RoleSessionIssuer(iam, sessions, now);
  const authenticator = createAuthenticator({ accounts, iam, sessions, now });
  const faults = new FaultInjector();
  const log = new RequestLog();
  const services: Record<ServiceName, Service> = { iam: createIamService(iam), sts: createStsService(issuer), lambda: lambdaService };
  let endpointUrl = '';

  /** The context one request's service sees; `operation` is what Lambda names through applyFaults. */
  function contextFor(track: { operation?: string; faultSubject?: FaultSubject }): ServiceContext {
    return {
      now,
      get endpointUrl() { return endpointUrl; },
      stateDir,
      state,
      authorize: (request) => authorizeRequest(iam, now(), request),
      assumeRoleAsService: (roleArn, servicePrincipal, source, sessionName) => issuer.assumeRoleAsService(roleArn, servicePrincipal, source, sessionName),
      roleExists: (roleArn) => iam.roleByArn(roleArn) !== undefined,
      applyFaults: async (service, operation) => {
        track.operation = operation;
        faults.record(service, operation);
        if (testControls) await faults.apply(service, operation, track.faultSubject);
      },
      log: (event, fields) => log.event(event, fields),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    let service: ServiceName = serviceFromPath(url.pathname);
    const track: { operation?: string; principal?: string; faultSubject?: FaultSubject } = {};
    let response: ServiceResponse;

    try {
      // -- the local cloud's own endpoints ------------------------------------------
      if (url.pathname === '/_localcloud/health' && method === 'GET') {
        req.resume();
        send(res, { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'ok', pid: process.pid, testControls }) });
        return;
      }
      if (url.pathname.startsWith('/_localcloud/')) {
        let answer: ServiceResponse | undefined;
        try {
          const body = await readBody(req, 1024 * 1024, bodyTimeoutMs);
          const name = url.pathname.slice('/_localcloud/control/'.length);
          answer = testControls && url.pathname.startsWith('/_localcloud/control/') ? handleControl({ clock, faults, issuer }, method, name, body) : undefined;
        } catch (e) {
          answer = jsonErrorResponse(e instanceof BodyTooLargeError ? new AwsError('RequestEntityTooLargeException', e.message, 413)
            : e instanceof BodyTimeoutError ? new AwsError('RequestTimeoutException', e.message, 408) : toAwsError(e), requestId);
          if (e instanceof BodyTimeoutError) res.shouldKeepAlive = false;
        }
        send(res, answer ?? jsonErrorResponse(new AwsError('NotFound', testControls
          ? `No local cloud control answers ${method} ${url.pathname}.`
          : 'Test controls are off: start the local cloud with LOCALCLOUD_TEST_CONTROLS=1 to use /_localcloud/control/.', 404), requestId));
        return;
      }

      // -- authenticate ---------------------------------------------------------------
      const auth = parseAuthorization(req.headers);
      if (auth && (SERVICES as readonly string[]).includes(auth.service)) service = auth.service as ServiceName;
      const body = await readBody(req, maxBodyBytes, bodyTimeoutMs);
      if (!auth) throw sigv4Error(service, 'missing');
      if (!(SERVICES as readonly string[]).includes(auth.service)) {
        throw new AwsError('UnknownService', `The local cloud serves ${SERVICES.join(', ')}; this request is signed for "${auth.service}".`);
      }
      const principal = await authenticator.authenticate({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body }, auth, service);
      track.principal = principal.arn;

      // -- route ------------------------------------------------------------------------
      const request: ServiceRequest = {
        requestId, service, region: auth.region, method, path: stripServicePrefix(url.pathname, service),
        query: url.searchParams, headers: req.headers, body, principal,
      };
      const ctx = contextFor(track);
      const params = service !== 'lambda' ? QueryParams.from(body, url.searchParams) : undefined;
      if (testControls) track.faultSubject = faultSubjectOf({ service, path: request.path, principalArn: principal.arn, params });
      if (params) await ctx.applyFaults(service, params.action ?? 'unknown');
      response = await services[service].handle(request, ctx);
    } catch (e) {
      if (e instanceof BodyTooLargeError) {
        response = errorResponse(service, new AwsError(service === 'lambda' ? 'RequestEntityTooLargeException' : 'RequestEntityTooLarge', e.message, 413), requestId);
        // Close rather than drain: the rest of a declared 70 MB body is not worth reading, and the
        // connection must not carry it into the next request.
        res.shouldKeepAlive = false;
      } else if (e instanceof BodyTimeoutError) {
        // The rest of the body may still trickle in: answer, then close rather than read it.
        response = errorResponse(service, new AwsError(service === 'lambda' ? 'RequestTimeoutException' : 'RequestTimeout', e.message, 408), requestId);
        res.shouldKeepAlive = false;
      } else {
        if (!(e instanceof AwsError)) log.error('unhandled', e);
        response = errorResponse(service, toAwsError(e), requestId);
      }
    }
    // Logged before the answer leaves, so a client that reads the log after its call finds the line.
    const headers = response.headers ?? {};
    log.request({
      requestId, awsService: service, operation: track.operation ?? 'unknown', principal: track.principal, method, path: url.pathname,
      status: response.status, ...(headers['x-amzn-errortype'] ? { errorCode: headers['x-amzn-errortype'] } : response.status >= 400 ? { errorCode: /<Code>([^<]+)<\/Code>/.exec(String(response.body))?.[1] } : {}),
      durationMs: Number(process.hrtime.bigint() - started) / 1e6,
    });
    send(res, response);
  }

  // A request without Host reaches the handler, so it is refused in AWS's shape (its signature
  // cannot match) instead of by Node's bare 400.
  const server: Server = createServer({ requireHostHeader: false }, (req, res) => {
    handle(req, res).catch((e) => {
      log.error('response failed', e);
      if (!res.headersSent) send(res, jsonErrorResponse(toAwsError(e), 'none'));
    });
  });
  server.requestTimeout = 15 * 60 * 1000; // Lambda invocations may run up to 15 minutes
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(port) : e));
    server.listen(port, host, () => resolvePromise());
  });
  const actualPort = (server.address() as AddressInfo).port;
  endpointUrl = `http://${LOOPBACK}:${actualPort}`;
  log.event('started', { url: endpointUrl, stateDir, testControls });

  let closing: Promise<void> | undefined;
  return {
    url: endpointUrl,
    port: actualPort,
    close() {
      closing ??= (async () => {
        for (const s of Object.values(services)) await s.shutdown?.();
        await new Promise<void>((resolvePromise) => {
          server.close(() => resolvePromise());
          server.closeAllConnections();
        });
        log.event('stopped', { url: endpointUrl });
      })();
      return closing;
    },
  };
}
