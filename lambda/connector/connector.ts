// ---------------------------------------------------------------------------
// The connector's handler (lambda/shared/handler.ts): validate the request, connect within the
// time budget, log one line with the target, outcome and timings, answer. The entry point
// (handler.ts) builds it once per sandbox with the deps it wires at load.
// ---------------------------------------------------------------------------
import { createRequestHandler, type SidecarHandler } from '../shared/handler';
import { connect } from './connect';
import { parseConnectorRequest, type ConnectorRequest } from './input';
import type { ConnectorDeps, ConnectorSuccess } from './types';

export function createConnectorHandler(deps: ConnectorDeps): SidecarHandler<ConnectorSuccess> {
  return createRequestHandler<ConnectorRequest, ConnectorSuccess, { functionArn: string }>({
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
}
