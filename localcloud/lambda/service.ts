// ---------------------------------------------------------------------------
// The local cloud's Lambda service (REST-JSON). The core hands it SigV4-verified requests;
// it routes them, applies test faults, and answers in Lambda's wire format. Functions run for
// real in warm child-process sandboxes (sandbox-pool.ts): one pool per service instance, so two
// local clouds in one process never share a sandbox, and `shutdown()` stops this one's.
// Every call the service does not know answers a non-retryable 4xx, never a 5xx.
// ---------------------------------------------------------------------------
import type { Service, ServiceContext, ServiceRequest, ServiceResponse } from '../contracts';
import { renderLambdaError, unknownOperation } from './errors';
import { matchRoute } from './routes';
import { SandboxPool } from './sandbox-pool';
import type { SandboxHost } from './sandbox-spec';
import { FunctionStore } from './store';

export interface LambdaService extends Service {
  /** Kill every sandbox of this instance: the server calls it when it stops. */
  shutdown(): Promise<void>;
}

export interface LambdaServiceDeps {
  /** The local cloud's clock: decides when sandboxes idle out or their credentials run short. */
  readonly now: () => Date;
  /** How sandboxes start: chosen once when the cloud starts (isolation/select.ts). */
  readonly host: SandboxHost;
  /** The account concurrency limit, and the bound on sandboxes alive across the cloud. */
  readonly accountConcurrency: number;
}

export function createLambdaService(deps: LambdaServiceDeps): LambdaService {
  const pool = new SandboxPool({ now: () => deps.now().getTime() }, { accountConcurrency: deps.accountConcurrency });
  return {
    async handle(req: ServiceRequest, ctx: ServiceContext): Promise<ServiceResponse> {
      try {
        const matched = matchRoute(req.method, req.path);
        if (!matched) throw unknownOperation(req.method, req.path);
        await ctx.applyFaults('lambda', matched.route.operation);
        return await matched.route.handler({ req, ctx, store: new FunctionStore(ctx.state), pool, host: deps.host, params: matched.params });
      } catch (e) {
        if (!(e instanceof Error && 'code' in e)) ctx.log('lambda.internal-error', { path: req.path, error: e instanceof Error ? e.stack : String(e) });
        return renderLambdaError(e, req.requestId);
      }
    },

    async shutdown(): Promise<void> {
      pool.shutdown();
    },
  };
}
