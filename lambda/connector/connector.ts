// ---------------------------------------------------------------------------
// The connector: look the tenant up, assume its role scoped down to one function, invoke that
// function, answer with its payload. Every refusal before AWS happens in `resolveTarget`;
// every AWS failure becomes a typed error; the handler answers failures instead of throwing.
// ---------------------------------------------------------------------------
import { InvokeCommand, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import type { TenantRegistry, TenantRegistryEntry } from '../../rules/tenant-registry';
import { awsErrorCode, describeAwsCause, invokeFailure, stsFailure } from '../shared/aws-errors';
import { budgetSignal, throwIfSpent, withinBudget, type RemainingTime } from '../shared/budget';
import {
  AssumeRoleRefusedError, FunctionError, InternalError, PayloadTooLargeError, TimedOutError, asTypedError, failureResponse, type FailureResponse,
} from '../shared/errors';
import type { Logger } from '../shared/logger';
import { INVOKE_PAYLOAD_MAX_BYTES } from '../shared/payload';
import { assertRoleInPrefix, allowedFunctionArn, findTenant } from '../shared/tenants';
import { parseConnectorRequest, type ConnectorRequest } from './input';
import type { ResolvedCredentials, ScopedClient, ScopedClientCache } from './scoped-clients';
import { refreshReason, type RefreshReason } from './session-refresh';

export interface ConnectorDeps {
  readonly registry: TenantRegistry;
  /** The agreed role-name prefix (SIDECAR_ROLE_PREFIX, or the registry's). */
  readonly rolePrefix: string;
  readonly clients: ScopedClientCache;
  readonly logger: Logger;
}

export interface ConnectorTimings {
  readonly totalMs: number;
  readonly assumeRoleMs: number;
  readonly invokeMs: number;
  /** true when this call used credentials already held (no AssumeRole ran or was awaited). */
  readonly credentialsCached: boolean;
  /** true when AWS refused the held session and the call assumed the role again and retried once. */
  readonly sessionRefreshed: boolean;
}

export interface ConnectorSuccess {
  readonly ok: true;
  readonly tenant: string;
  readonly functionArn: string;
  readonly statusCode: number;
  readonly executedVersion: string | null;
  /** The function's answer, parsed from JSON (the raw text if it is not JSON); null for a DryRun. */
  readonly payload: unknown;
  /** true when the function was not run: only the permission and its existence were checked. */
  readonly dryRun: boolean;
  readonly timings: ConnectorTimings;
}

/** What the connector stamps on the invocation, so the customer's function sees who called
 *  (as `context.clientContext.custom`). Lambda caps ClientContext at 3,583 bytes of base64. */
export function connectorClientContext(tenant: string): string {
  return Buffer.from(JSON.stringify({ custom: { sidecarTenant: tenant, sidecar: 'connector' } }), 'utf8').toString('base64');
}

/** Room kept for the connector's own fields around the function's payload in its answer. */
const ANSWER_ENVELOPE_BYTES = 4096;
const FUNCTION_ERROR_MESSAGE_MAX_CHARS = 1024;

// ---------------------------------------------------------------------------
// Registry checks (no AWS call)
// ---------------------------------------------------------------------------

export interface ConnectorTarget {
  readonly tenant: TenantRegistryEntry;
  readonly functionArn: string;
}

export function resolveTarget(request: ConnectorRequest, deps: Pick<ConnectorDeps, 'registry' | 'rolePrefix'>): ConnectorTarget {
  const tenant = findTenant(deps.registry, request.tenant);
  assertRoleInPrefix(tenant, deps.rolePrefix);
  const functionArn = request.function === undefined ? tenant.functionArns[0] : allowedFunctionArn(tenant, request.function, 'function');
  return { tenant, functionArn };
}

// ---------------------------------------------------------------------------
// Assume and invoke
// ---------------------------------------------------------------------------

/** `seen` learns the target as soon as it is known, so a failure can still be logged with it. */
export async function connect(request: ConnectorRequest, deps: ConnectorDeps, signal?: AbortSignal, seen: { functionArn?: string } = {}): Promise<ConnectorSuccess> {
  const started = performance.now();
  const { tenant, functionArn } = resolveTarget(request, deps);
  seen.functionArn = functionArn;
  throwIfSpent(signal, () => new TimedOutError(`The connector's time budget was spent before calling AWS for tenant "${tenant.tenantId}": raise the connector's timeout`));

  let client = deps.clients.acquire(tenant, functionArn, { fresh: request.dryRun });
  let credentials = await assume(client, tenant, signal);
  let assumeRoleMs = credentials.ms;
  let invokeStarted = performance.now();
  let output: InvokeCommandOutput;
  let sessionRefreshed = false;
  try {
    output = await invoke(client, request, functionArn, tenant.tenantId, signal);
  } catch (e) {
    const reason = refreshReason(e, { cached: credentials.cached, refusedWhenFresh: client.sessionRefusedWhenFresh });
    if (!reason) {
      if (awsErrorCode(e) === 'AccessDeniedException') client.markSessionRefusedWhenFresh();
      throw invokeFailure(e, { tenant: tenant.tenantId, functionArn });
    }
    // One new session and one retry (session-refresh.ts says why it is safe).
    deps.clients.forget(client);
    client = deps.clients.acquire(tenant, functionArn, { fresh: request.dryRun });
    sessionRefreshed = true;
    credentials = await assume(client, tenant, signal, reason);
    assumeRoleMs += credentials.ms;
    invokeStarted = performance.now();
    try {
      output = await invoke(client, request, functionArn, tenant.tenantId, signal);
    } catch (retryError) {
      if (awsErrorCode(retryError) === 'AccessDeniedException') client.markSessionRefusedWhenFresh();
      if (awsErrorCode(retryError) === 'ExpiredTokenException') {
        deps.clients.forget(client);
        throw new InternalError(`Lambda refused a session for tenant "${tenant.tenantId}" as expired right after STS issued it: check the clocks of the connector and of AWS`, { cause: retryError });
      }
      throw invokeFailure(retryError, { tenant: tenant.tenantId, functionArn });
    }
  }
  const invokeMs = performance.now() - invokeStarted;

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
    timings: { totalMs: performance.now() - started, assumeRoleMs, invokeMs, credentialsCached: credentials.cached && !sessionRefreshed, sessionRefreshed },
  };
}

/** The tenant's session (cached or new), within the budget; STS's failures as typed errors. A
 *  refusal while refreshing says what the refresh was for, so the operator sees the whole story. */
async function assume(client: ScopedClient, tenant: TenantRegistryEntry, signal: AbortSignal | undefined, refreshing?: RefreshReason): Promise<ResolvedCredentials> {
  try {
    return await withinBudget(client.resolveCredentials(), signal, () => new TimedOutError(`AssumeRole for tenant "${tenant.tenantId}" did not finish within the connector's time budget`));
  } catch (e) {
    const error = stsFailure(e, { tenant: tenant.tenantId, roleArn: tenant.roleArn });
    if (refreshing && error instanceof AssumeRoleRefusedError) {
      throw new AssumeRoleRefusedError(tenant.tenantId, tenant.roleArn, {
        cause: e,
        context: refreshing === 'expired-session' ? 'the held session expired, and a new one was refused' : 'Lambda refused the held session, and a new one was refused (a trust change revokes new sessions at once, held ones only when they expire)',
      });
    }
    throw error;
  }
}

function invoke(client: ScopedClient, request: ConnectorRequest, functionArn: string, tenantId: string, signal: AbortSignal | undefined): Promise<InvokeCommandOutput> {
  const command = new InvokeCommand({
    FunctionName: functionArn,
    InvocationType: request.dryRun ? 'DryRun' : 'RequestResponse',
    Payload: request.dryRun ? undefined : Buffer.from(request.payloadJson, 'utf8'),
    ClientContext: connectorClientContext(tenantId),
  });
  return withinBudget(client.lambda.send(command, { abortSignal: signal }), signal, () => new TimedOutError(`Invoke of ${functionArn} did not finish within the connector's time budget`));
}

/**
 * The function's own failure (X-Amz-Function-Error). Lambda reports its limits the same way:
 * `Sandbox.Timedout` (older runtimes: only "Task timed out after" in the message) when the
 * function hit its timeout, `Function.ResponseSizeTooLarge` when its answer is over 6 MB.
 */
export function functionFailure(functionArn: string, payloadText: string): Error {
  const parsed = parseJsonOrText(payloadText);
  const report = typeof parsed === 'object' && parsed !== null ? parsed as { errorType?: unknown; errorMessage?: unknown } : {};
  const errorType = typeof report.errorType === 'string' ? report.errorType : 'Unhandled';
  const errorMessage = (typeof report.errorMessage === 'string' ? report.errorMessage : payloadText).slice(0, FUNCTION_ERROR_MESSAGE_MAX_CHARS);
  if (errorType === 'Sandbox.Timedout' || /Task timed out after/.test(errorMessage)) {
    return new TimedOutError(`Function ${functionArn} hit its own timeout: raise its timeout or make it answer sooner`);
  }
  if (errorType === 'Function.ResponseSizeTooLarge') {
    return new PayloadTooLargeError(`The response of ${functionArn} is over Lambda's 6 MB response limit: have the function return less`);
  }
  return new FunctionError(functionArn, errorType, errorMessage);
}

function parseJsonOrText(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------
// The handler: validate, connect within the time budget, log one line, answer.
// ---------------------------------------------------------------------------

export type ConnectorResponse = ConnectorSuccess | FailureResponse;

export function createConnectorHandler(deps: ConnectorDeps): (event: unknown, context?: Partial<Context> & RemainingTime) => Promise<ConnectorResponse> {
  return async (event, context) => {
    const started = performance.now();
    if (context?.awsRequestId) deps.logger.addContext(context as Context);
    let tenant: string | undefined;
    const seen: { functionArn?: string } = {};
    try {
      const request = parseConnectorRequest(event);
      tenant = request.tenant;
      const result = await connect(request, deps, budgetSignal(context), seen);
      deps.logger.info('connector request', { tenant, functionArn: result.functionArn, outcome: 'OK', timings: result.timings, cacheEntries: deps.clients.stats().entries });
      return result;
    } catch (e) {
      const error = asTypedError(e);
      const fields = {
        tenant, functionArn: seen.functionArn, outcome: error.code, errorMessage: error.message, totalMs: performance.now() - started,
        cacheEntries: deps.clients.stats().entries, awsCause: error.cause ? describeAwsCause(error.cause) : undefined,
      };
      if (error.code === 'Internal') deps.logger.error('connector request', { ...fields, cause: error.cause });
      else deps.logger.warn('connector request', fields);
      return failureResponse(error);
    }
  };
}
