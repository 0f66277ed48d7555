// ---------------------------------------------------------------------------
// What one request's service sees of the local cloud (contracts.ts ServiceContext): the clock,
// the state, authorization by the IAM evaluator, Lambda's way into STS, test faults and the log.
// Authorization and Lambda's role checks read IAM as it has propagated (wiring.ts), never the live
// state IAM's own API changes.
// `track` collects what the request's log line and fault targeting need on the way.
// ---------------------------------------------------------------------------
import type { ServiceContext } from '../contracts';
import type { FaultSubject } from '../core/faults';
import { authorizeRequest } from '../iam/authorize';
import type { Cloud } from '../wiring';

/** What the pipeline learns about a request as it goes. */
export interface RequestTrack {
  /** The operation, once a service names it (through applyFaults). */
  operation?: string;
  /** The signer's ARN, once authenticated. */
  principal?: string;
  /** The targeting facts of test faults (only with test controls on). */
  faultSubject?: FaultSubject;
}

export interface ContextDeps {
  readonly cloud: Cloud;
  readonly testControls: boolean;
  /** The server's URL: known once it listens. */
  endpointUrl(): string;
}

export function serviceContext(deps: ContextDeps, track: RequestTrack): ServiceContext {
  const { cloud } = deps;
  return {
    now: cloud.now,
    get endpointUrl() { return deps.endpointUrl(); },
    stateDir: cloud.stateDir,
    state: cloud.state,
    authorize: (request) => authorizeRequest(cloud.propagatedIam(), cloud.now(), request),
    assumeRoleAsService: (roleArn, servicePrincipal, source, sessionName) => cloud.issuer.assumeRoleAsService(roleArn, servicePrincipal, source, sessionName),
    roleExists: (roleArn) => cloud.propagatedIam().roleByArn(roleArn) !== undefined,
    applyFaults: async (service, operation) => {
      track.operation = operation;
      cloud.faults.record(service, operation);
      if (deps.testControls) await cloud.faults.apply(service, operation, track.faultSubject);
    },
    log: (event, fields) => cloud.log.event(event, fields),
  };
}
