// ---------------------------------------------------------------------------
// One request, start to end: the local cloud's own endpoints first; then authenticate (parse the
// signature, read the bounded body, verify), route to the service the credential scope names,
// which authorizes each operation through its context (the IAM evaluator); then respond in that
// service's protocol and log one line. Every failure is answered in AWS's shape.
// ---------------------------------------------------------------------------
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, type ServiceName, type ServiceRequest, type ServiceResponse } from '../contracts';
import { readBody } from '../core/body';
import { jsonErrorResponse, toAwsError } from '../core/errors';
import { faultSubjectOf } from '../core/faults';
import { requestId as newRequestId } from '../core/ids';
import { QueryParams } from '../core/query';
import { parseAuthorization, sigv4Error } from '../core/sigv4';
import type { Cloud } from '../wiring';
import { serviceContext, type RequestTrack } from './context';
import { LOCAL_PREFIX, answerLocalEndpoint } from './local-endpoints';
import { failureResponse, logLine, send } from './respond';
import { SERVICES, isServiceName, serviceFromPath, stripServicePrefix } from './routing';

export interface PipelineDeps {
  readonly cloud: Cloud;
  readonly testControls: boolean;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  /** The server's URL: known once it listens. */
  endpointUrl(): string;
}

/** What an AWS request carries once received: where it goes, and what the log line needs. */
interface Received {
  readonly requestId: string;
  readonly url: URL;
  readonly method: string;
  service: ServiceName;
}

/** The `request` listener of the HTTP server. */
export function createRequestPipeline(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { cloud } = deps;

  // -- authenticate, then route ---------------------------------------------------------
  async function serve(req: IncomingMessage, received: Received, track: RequestTrack): Promise<ServiceResponse> {
    const { url, method } = received;
    const auth = parseAuthorization(req.headers);
    if (auth && isServiceName(auth.service)) received.service = auth.service;
    const body = await readBody(req, deps.maxBodyBytes, deps.bodyTimeoutMs);
    if (!auth) throw sigv4Error(received.service, 'missing');
    if (!isServiceName(auth.service)) {
      throw new AwsError('UnknownService', `The local cloud serves ${SERVICES.join(', ')}; this request is signed for "${auth.service}".`);
    }
    const service = auth.service;
    const principal = await cloud.authenticator.authenticate({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body }, auth, service);
    track.principal = principal.arn;

    const request: ServiceRequest = {
      requestId: received.requestId, service, region: auth.region, method, path: stripServicePrefix(url.pathname, service),
      query: url.searchParams, headers: req.headers, body, principal,
    };
    const ctx = serviceContext(deps, track);
    const params = service !== 'lambda' ? QueryParams.from(body, url.searchParams) : undefined;
    if (deps.testControls) track.faultSubject = faultSubjectOf({ service, path: request.path, principalArn: principal.arn, params });
    if (params) await ctx.applyFaults(service, params.action ?? 'unknown');
    return cloud.services[service].handle(request, ctx);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const received: Received = { requestId: newRequestId(), url, method: req.method ?? 'GET', service: serviceFromPath(url.pathname) };
    const track: RequestTrack = {};
    let response: ServiceResponse;
    try {
      // -- the local cloud's own endpoints: no signature, no request log line ------------
      if (url.pathname.startsWith(LOCAL_PREFIX)) {
        send(res, await answerLocalEndpoint(deps, req, res, url.pathname, received.method, received.requestId));
        return;
      }
      response = await serve(req, received, track);
    } catch (e) {
      response = failureResponse(e, received.service, received.requestId, res, cloud.log);
    }
    // -- respond: logged before the answer leaves, so a client that reads the log after its call finds the line
    cloud.log.request(logLine({
      requestId: received.requestId, awsService: received.service, operation: track.operation ?? 'unknown', principal: track.principal,
      method: received.method, path: url.pathname,
    }, response, started));
    send(res, response);
  }

  return (req, res) => {
    handle(req, res).catch((e) => {
      cloud.log.error('response failed', e);
      if (!res.headersSent) send(res, jsonErrorResponse(toAwsError(e), 'none'));
    });
  };
}
