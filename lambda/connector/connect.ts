// ---------------------------------------------------------------------------
// Connect: resolve the target, assume the tenant's role scoped down to that one function, invoke
// it, answer with its payload. Every AWS failure becomes a typed error. The one retry the
// connector makes (a new session when Lambda refuses the held one) lives in
// `invokeWithOneRefresh`, all of it: when to retry, what to forget, how each attempt's failures
// are mapped.
// ---------------------------------------------------------------------------
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { ExternalIdUsed } from '../shared/assume-role-input';
import { awsErrorCode, invokeFailure, stsFailure } from '../shared/aws-errors';
import { callBudget, throwIfSpent, withinBudget, type CallBudget } from '../shared/budget';
import { AssumeRoleRefusedError, InternalError, PayloadTooLargeError, TimedOutError } from '../shared/errors';
import { INVOKE_PAYLOAD_MAX_BYTES } from '../shared/payload';
import { functionFailure, parseJsonOrText } from './function-error';
import type { ConnectorRequest } from './input';
import type { ResolvedCredentials, ScopedSession } from './scoped-clients';
import { refreshReason, type RefreshReason } from './session-refresh';
import { resolveTarget } from './target';
import type { ConnectorDeps, ConnectorSuccess, ConnectorTarget } from './types';

/** Room kept for the connector's own fields around the function's payload in its answer. */
const ANSWER_ENVELOPE_BYTES = 4096;

/** What the connector stamps on the invocation, so the customer's function sees who called
 *  (as `context.clientContext.custom`). Lambda caps ClientContext at 3,583 bytes of base64. */
export function connectorClientContext(tenant: string): string {
  return Buffer.from(JSON.stringify({ custom: { sidecarTenant: tenant, sidecar: 'connector' } }), 'utf8').toString('base64');
}

/** `seen` learns the target as soon as it is known, so a failure can still be logged with it. */
export async function connect(request: ConnectorRequest, deps: ConnectorDeps, invocationSignal?: AbortSignal, seen: { functionArn?: string } = {}): Promise<ConnectorSuccess> {
  const started = performance.now();
  const target = await resolveTarget(request, deps, invocationSignal);
  const { tenant, functionArn } = target;
  seen.functionArn = functionArn;
  throwIfSpent(invocationSignal, () => new TimedOutError(`The connector's time budget was spent before calling AWS for tenant "${tenant.tenantId}": raise the connector's timeout`));
  const budget = callBudget(invocationSignal, deps.tenantTimeBudgetMs);

  const { output, assumeRoleMs, invokeMs, credentialsCached, sessionRefreshed, externalIdUsed } = await invokeWithOneRefresh(target, request, deps, budget);

  const payloadBytes = output.Payload ?? new Uint8Array();
  const text = Buffer.from(payloadBytes).toString('utf8');
  if (output.FunctionError) throw functionFailure(functionArn, text);
  if (payloadBytes.byteLength > INVOKE_PAYLOAD_MAX_BYTES - ANSWER_ENVELOPE_BYTES) {
    throw new PayloadTooLargeError(`The response of ${functionArn} is ${payloadBytes.byteLength} bytes: with the connector's own fields it would exceed Lambda's 6 MB response limit; have the function return less`);
  }

  return {
    ok: true,
    tenant: tenant.tenantId,
    functionArn,
    statusCode: output.StatusCode ?? 200,
    executedVersion: output.ExecutedVersion ?? null,
    payload: parseJsonOrText(text),
    dryRun: request.dryRun,
    timings: { totalMs: performance.now() - started, assumeRoleMs, invokeMs, credentialsCached, sessionRefreshed, externalIdUsed },
  };
}

// ---------------------------------------------------------------------------
// Assume and invoke, with at most one refresh
// ---------------------------------------------------------------------------

interface InvokeOutcome {
  readonly output: InvokeCommandOutput;
  /** AssumeRole time of both attempts together. */
  readonly assumeRoleMs: number;
  /** Invoke time of the attempt that succeeded. */
  readonly invokeMs: number;
  readonly credentialsCached: boolean;
  readonly sessionRefreshed: boolean;
  /** Which external ID got the credentials of the attempt that succeeded. */
  readonly externalIdUsed: ExternalIdUsed;
}

/** What an AssumeRole refusal during a refresh adds, so the operator sees the whole story. */
const REFUSED_WHILE_REFRESHING: Readonly<Record<RefreshReason, string>> = {
  'expired-session': 'the held session expired, and a new one was refused',
  'refused-cached-session': 'Lambda refused the held session, and a new one was refused (a trust change revokes new sessions at once, held ones only when they expire)',
};

/**
 * Take the tenant's session (cached or new) and invoke. When Lambda refuses the held session
 * for a reason a new one can cure (session-refresh.ts says which, and why retrying is safe),
 * forget that session, assume the role again and invoke once more: two attempts at most.
 */
async function invokeWithOneRefresh(target: ConnectorTarget, request: ConnectorRequest, deps: ConnectorDeps, budget: CallBudget): Promise<InvokeOutcome> {
  const { tenant, functionArn } = target;
  const { signal } = budget;
  let session = deps.clients.acquire(tenant, functionArn, { fresh: request.dryRun });
  /** Set when the first attempt's session was refused: this is then the second and last attempt. */
  let refreshing: RefreshReason | undefined;
  let assumeRoleMs = 0;

  for (;;) {
    // ---- the session: STS's failures as typed errors --------------------------------------
    let credentials: ResolvedCredentials;
    try {
      credentials = await withinBudget(session.resolveCredentials(), signal, () => timedOut(budget, `AssumeRole for tenant "${tenant.tenantId}"`, deps));
    } catch (e) {
      const error = signal?.aborted && !(e instanceof TimedOutError) ? timedOut(budget, `AssumeRole for tenant "${tenant.tenantId}"`, deps, e) : stsFailure(e, { tenant: tenant.tenantId, roleArn: tenant.roleArn });
      if (refreshing && error instanceof AssumeRoleRefusedError) {
        throw new AssumeRoleRefusedError(tenant.tenantId, tenant.roleArn, { cause: e, context: REFUSED_WHILE_REFRESHING[refreshing] });
      }
      throw error;
    }
    assumeRoleMs += credentials.ms;

    // ---- the invoke: success, one refresh, or Lambda's failure as a typed error -----------
    const invokeStarted = performance.now();
    try {
      const output = await invoke(session, credentials, request, functionArn, tenant.tenantId, budget, deps);
      deps.metrics?.invokeLatency(performance.now() - invokeStarted);
      return {
        output, assumeRoleMs, invokeMs: performance.now() - invokeStarted,
        credentialsCached: credentials.cached && refreshing === undefined, sessionRefreshed: refreshing !== undefined,
        externalIdUsed: credentials.externalIdUsed,
      };
    } catch (e) {
      const reason = refreshing === undefined ? refreshReason(e, { cached: credentials.cached, refusedWhenFresh: session.sessionRefusedWhenFresh }) : undefined;
      if (reason) {
        deps.clients.forget(session);
        session = deps.clients.acquire(tenant, functionArn, { fresh: request.dryRun, retry: true });
        refreshing = reason;
        continue;
      }
      const code = awsErrorCode(e);
      // Refused with a session that was fresh: later calls with it answer InvokeRefused at once.
      if (code === 'AccessDeniedException') session.markSessionRefusedWhenFresh();
      if (refreshing && code === 'ExpiredTokenException') {
        deps.clients.forget(session);
        throw new InternalError(`Lambda refused a session for tenant "${tenant.tenantId}" as expired right after STS issued it: check the clocks of the connector and of AWS`, { cause: e });
      }
      if (signal?.aborted && !(e instanceof TimedOutError)) throw timedOut(budget, `Invoke of ${functionArn}`, deps, e);
      throw invokeFailure(e, { tenant: tenant.tenantId, functionArn });
    }
  }
}

/** The TimedOut of a spent budget, saying which one: the tenant's own limit or the invocation's. */
function timedOut(budget: CallBudget, what: string, deps: ConnectorDeps, cause?: unknown): TimedOutError {
  return budget.spentBy() === 'tenant'
    ? new TimedOutError(`${what} did not finish within the per-tenant time budget of ${deps.tenantTimeBudgetMs} ms (SIDECAR_TENANT_TIME_BUDGET_MS): the tenant's STS or function is slow; the call was ended before the connector's own timeout`, { cause })
    : new TimedOutError(`${what} did not finish within the connector's time budget`, { cause });
}

function invoke(session: ScopedSession, credentials: ResolvedCredentials, request: ConnectorRequest, functionArn: string, tenantId: string, budget: CallBudget, deps: ConnectorDeps): Promise<InvokeCommandOutput> {
  const { signal } = budget;
  const command = new InvokeCommand({
    FunctionName: functionArn,
    InvocationType: request.dryRun ? 'DryRun' : 'RequestResponse',
    Payload: request.dryRun ? undefined : Buffer.from(request.payloadJson, 'utf8'),
    ClientContext: connectorClientContext(tenantId),
  });
  return withinBudget(session.send(command, credentials.credentials, signal), signal, () => timedOut(budget, `Invoke of ${functionArn}`, deps));
}
