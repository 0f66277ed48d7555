// ---------------------------------------------------------------------------
// The local cloud's own endpoints under /_localcloud/, answered before any authentication:
// `GET /_localcloud/health` always, `/_localcloud/control/<name>` only with test controls on
// (control.ts). Anything else under the prefix answers 404 in the REST-JSON error shape.
// ---------------------------------------------------------------------------
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, type ServiceResponse } from '../contracts';
import { BodyTimeoutError, BodyTooLargeError, readBody } from '../core/body';
import { jsonErrorResponse, toAwsError } from '../core/errors';
import type { Cloud } from '../wiring';
import { handleControl } from './control';

export const LOCAL_PREFIX = '/_localcloud/';
const CONTROL_PREFIX = '/_localcloud/control/';
/** Control requests are small JSON documents. */
const CONTROL_BODY_LIMIT = 1024 * 1024;

export interface LocalEndpointDeps {
  readonly cloud: Cloud;
  readonly testControls: boolean;
  readonly bodyTimeoutMs: number;
}

function json(status: number, body: unknown): ServiceResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The answer to a request under /_localcloud/. */
export async function answerLocalEndpoint(deps: LocalEndpointDeps, req: IncomingMessage, res: ServerResponse, path: string, method: string, requestId: string): Promise<ServiceResponse> {
  if (path === '/_localcloud/health' && method === 'GET') {
    req.resume();
    return json(200, { status: 'ok', pid: process.pid, testControls: deps.testControls });
  }
  let answer: ServiceResponse | undefined;
  try {
    const body = await readBody(req, CONTROL_BODY_LIMIT, deps.bodyTimeoutMs);
    const name = path.slice(CONTROL_PREFIX.length);
    answer = deps.testControls && path.startsWith(CONTROL_PREFIX) ? handleControl(deps.cloud, method, name, body) : undefined;
  } catch (e) {
    answer = jsonErrorResponse(e instanceof BodyTooLargeError ? new AwsError('RequestEntityTooLargeException', e.message, 413)
      : e instanceof BodyTimeoutError ? new AwsError('RequestTimeoutException', e.message, 408) : toAwsError(e), requestId);
    if (e instanceof BodyTimeoutError) res.shouldKeepAlive = false;
  }
  return answer ?? jsonErrorResponse(new AwsError('NotFound', deps.testControls
    ? `No local cloud control answers ${method} ${path}.`
    : 'Test controls are off: start the local cloud with LOCALCLOUD_TEST_CONTROLS=1 to use /_localcloud/control/.', 404), requestId);
}
