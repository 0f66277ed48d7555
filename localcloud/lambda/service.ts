// ---------------------------------------------------------------------------
// The local cloud's Lambda service (REST-JSON). The core hands it SigV4-verified requests;
// it routes them, applies test faults, and answers in Lambda's wire format. Functions run for
// real in warm child-process sandboxes (sandbox-pool.ts) that `shutdown()` stops.
// Every call the service does not know answers a non-retryable 4xx, never a 5xx.
// ---------------------------------------------------------------------------
import type { Service, ServiceContext, ServiceRequest, ServiceResponse } from '../contracts';
import { renderLambdaError, unknownOperation } from './errors';
import { matchRoute } from './routes';
import { SandboxPool } from './sandbox-pool';
import { FunctionStore } from './store';

export interface LambdaService extends Service {
  /** Kill every sandbox: the server calls it when it stops. */
  shutdown(): Promise<void>;
}

/** One pool for the process; it reads the local cloud's clock through the latest context. */
let clockSource: ServiceContext | undefined;
const pool = new SandboxPool({ now: () => (clockSource ? clockSource.now().getTime() : Date.now()) });

export const lambdaService: LambdaService = {
  async handle(req: ServiceRequest, ctx: ServiceContext): Promise<ServiceResponse> {
    clockSource = ctx;
    try {
      const matched = matchRoute(req.method, req.path);
      if (!matched) throw unknownOperation(req.method, req.path);
      await ctx.applyFaults('lambda', matched.route.operation);
      return await matched.route.handler({ req, ctx, store: new FunctionStore(ctx.state), pool, params: matched.params });
    } catch (e) {
      if (!(e instanceof Error && 'code' in e)) ctx.log('lambda.internal-error', { path: req.path, error: e instanceof Error ? e.stack : String(e) });
      return renderLambdaError(e, req.requestId);
    }
  },

  async shutdown(): Promise<void> {
    pool.shutdown();
  },
};
