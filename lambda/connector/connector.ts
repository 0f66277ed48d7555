// ---------------------------------------------------------------------------
// The connector's handler (lambda/shared/handler.ts): validate the request, connect within the
// time budget, log one line with the target, outcome and timings, answer. The entry point
// (handler.ts) builds it once per sandbox with the deps it wires at load. After each request its
// metrics (lambda/shared/metrics.ts) are written as one EMF line, the tenant as metadata.
// ---------------------------------------------------------------------------
import { tenantIdProblem } from '../../rules/naming';
import { createRequestHandler, type SidecarHandler } from '../shared/handler';
import { connect } from './connect';
import { parseConnectorRequest, type ConnectorRequest } from './input';
import type { ConnectorDeps, ConnectorSuccess } from './types';

export function createConnectorHandler(deps: ConnectorDeps): SidecarHandler<ConnectorSuccess> {
  const handle = createRequestHandler<ConnectorRequest, ConnectorSuccess, { functionArn: string }>({
    logMessage: 'connector request',
    logger: deps.logger,
    parse: parseConnectorRequest,
    run: (request, signal, seen) => connect(request, deps, signal, seen),
    logFields: {
      target: (result) => ({ functionArn: result.functionArn }),
      detail: (result) => ({ timings: result.timings }),
      failedTarget: (seen) => ({ functionArn: seen.functionArn }),
      state: () => ({ cacheEntries: deps.clients.stats().entries }),
    },
  });
  const metrics = deps.metrics;
  if (!metrics) return handle;
  return async (event, context) => {
    const answer = await handle(event, context);
    if (!answer.ok) metrics.refusal(answer.error.code);
    metrics.publish({ tenant: answer.ok ? answer.tenant : claimedTenant(event) });
    return answer;
  };
}

/** The tenant a refused event named, if it is a well-formed tenant ID (never arbitrary input in the metadata). */
function claimedTenant(event: unknown): string | undefined {
  const tenant = (event as { tenant?: unknown } | null)?.tenant;
  return typeof tenant === 'string' && tenantIdProblem(tenant) === undefined ? tenant : undefined;
}
