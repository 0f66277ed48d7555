// ---------------------------------------------------------------------------
// One request, start to end: the local cloud's own endpoints first; then authenticate (parse the
// signature, read the bounded body, verify), route to the service the credential scope names,
// which authorizes each operation through its context (the IAM evaluator); then respond in that
// service's protocol and log one line. Every failure is answered in AWS's shape.
// ---------------------------------------------------------------------------
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ServiceName, type ServiceRequest, type ServiceResponse } from '../contracts';
import { readBody } from '../core/body';
import { jsonErrorResponse, toAwsError } from '../core/errors';
import { faultSubjectOf } from '../core/faults';
import { requestId as newRequestId } from '../core/ids';
import { QueryParams } from '../core/query';
import { checkScope, parseAuthorization, sigv4Error } from '../core/sigv4';
import { notImplementedResponse } from '../core/unimplemented-service';
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
  /** Whether the body was read: a request refused before it is answered on a closing connection. */
  bodyRead?: boolean;
}

/**
 * The largest body per service and operation. IAM's largest parameter, a managed policy document,
 * is 131,072 characters (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html),
 * a few times that once form-encoded; STS's are smaller still: 1 MB bounds both, and Lambda's
 * operations that carry no code or payload. CreateFunction and UpdateFunctionCode keep the cloud's
 * bound (a 50 MB zip, base64 in JSON), Invoke room for its 6 MB payload so that Invoke answers its
 * own RequestTooLargeException: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const SMALL_MAX_BODY_BYTES = 1024 * 1024;
export const INVOKE_MAX_BODY_BYTES = 8 * 1024 * 1024;

function bodyLimit(service: ServiceName, method: string, path: string, maxBodyBytes: number): number {
  if (service === 'lambda') {
    const p = stripServicePrefix(path, service);
    if ((method === 'POST' && /^\/2015-03-31\/functions\/?$/.test(p)) || (method === 'PUT' && /^\/2015-03-31\/functions\/[^/]+\/code\/?$/.test(p))) return maxBodyBytes;
    if (method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations\/?$/.test(p)) return Math.min(maxBodyBytes, INVOKE_MAX_BODY_BYTES);
  }
  return Math.min(maxBodyBytes, SMALL_MAX_BODY_BYTES);
}

/** The `request` listener of the HTTP server. */
export function createRequestPipeline(deps: PipelineDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { cloud } = deps;

  // -- authenticate, then route ---------------------------------------------------------
  // Who the request claims to be is settled from its headers before its body is read, so an
  // unsigned or unknown caller cannot make the cloud read (and hold) a body; the signature, which
  // covers the body's hash, is verified once the body is in.
  async function serve(req: IncomingMessage, received: Received, track: RequestTrack): Promise<ServiceResponse> {
    const { url, method } = received;
    const auth = parseAuthorization(req.headers);
    if (auth && isServiceName(auth.service)) received.service = auth.service;
    if (!auth) throw sigv4Error(received.service, 'missing');
    if (!isServiceName(auth.service)) return notImplementedResponse(auth.service, req.headers, SERVICES, received.requestId);
    const service = auth.service;
    const claimed = cloud.authenticator.identify(req.headers, auth, service);
    checkScope(auth, service);
    const body = await readBody(req, bodyLimit(service, method, url.pathname, deps.maxBodyBytes), deps.bodyTimeoutMs);
    received.bodyRead = true;
    const principal = await claimed.verify({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body });
    track.principal = principal.arn;

    const request: ServiceRequest = {
      requestId: received.requestId, service, region: auth.region, method, path: stripServicePrefix(url.pathname, service),
      query: url.searchParams, headers: req.headers, body, principal,
    };
    const ctx = serviceContext(deps, track);
    const params = service === 'iam' || service === 'sts' ? QueryParams.from(body, url.searchParams) : undefined;
    if (deps.testControls) track.faultSubject = faultSubjectOf({ service, path: request.path, principalArn: principal.arn, params });
    if (params) await ctx.applyFaults(service, params.action ?? 'unknown');
    return cloud.services[service].handle(request, ctx);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const received: Received = { requestId: newRequestId(), url, method: req.method ?? 'GET', service: serviceFromPath(url.pathname, req.headers['x-amz-target']) };
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
    if (!received.bodyRead) {
      // Answered before its body was read: drain what comes without keeping it, and close.
      req.resume();
      res.shouldKeepAlive = false;
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
