// ---------------------------------------------------------------------------
// The typed errors of the connector and vend Lambdas. Each has a stable `code` that callers
// match on, a message a person can act on, and keeps the `cause` for the logs. Messages never
// carry credentials, external IDs or raw AWS messages; the handler turns these into
// `{ ok: false, error: { code, message } }` instead of throwing.
// ---------------------------------------------------------------------------
import { SESSION_POLICY_MAX_CHARS } from '../../rules/policies';

export type ErrorCode =
  | 'InvalidRequest'
  | 'UnknownTenant'
  | 'WrongShard'
  | 'FunctionNotAllowed'
  | 'RoleNotAllowed'
  | 'AssumeRoleRefused'
  | 'InvokeRefused'
  | 'FunctionNotFound'
  | 'FunctionError'
  | 'Throttled'
  | 'DryRunRateLimited'
  | 'Unavailable'
  | 'TimedOut'
  | 'PayloadTooLarge'
  | 'SessionPolicyTooLarge'
  | 'InvalidTenantId'
  | 'RegistryUnavailable'
  | 'CallerProofRefused'
  | 'CallerNotAllowed'
  | 'Internal';

/** Base of every error the Lambdas answer with instead of throwing. */
export abstract class SidecarError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// ---------------------------------------------------------------------------
// Refused before any AWS call
// ---------------------------------------------------------------------------

/** Thrown when the request breaks its schema (unknown field, wrong type, out of bounds). */
export class ValidationError extends SidecarError {
  readonly code = 'InvalidRequest';
  constructor(readonly field: string, rule: string, options?: { cause?: unknown }) {
    super(`Invalid request: ${field}: ${rule}`, options);
    this.name = 'ValidationError';
  }
}

/** Thrown by a connector shard for a tenant that another shard serves (rules/shards.ts), before
 *  any registry or AWS call: the caller routed it wrongly, so the message names the right function. */
export class WrongShardError extends SidecarError {
  readonly code = 'WrongShard';
  constructor(readonly tenant: string, readonly shardIndex: number, readonly tenantShard: number, readonly functionName: string) {
    super(`Tenant "${tenant.slice(0, 64)}" is served by connector shard ${tenantShard}, not shard ${shardIndex}: invoke ${functionName} (route with connectorFunctionFor, rules/connector-routing.ts)`);
    this.name = 'WrongShardError';
  }
}

/** Thrown when the tenant has no item in the registry table (`missing`), or its item says it was
 *  offboarded (`offboarded`). Both refuse the request before any AWS call but the registry read. */
export class UnknownTenantError extends SidecarError {
  readonly code = 'UnknownTenant';
  constructor(readonly tenant: string, readonly reason: 'missing' | 'offboarded' = 'missing') {
    super(reason === 'offboarded'
      ? `Tenant "${tenant}" was offboarded: the registry keeps its item but refuses every request for it; onboard it again (npm run onboard) if that was a mistake`
      : `Tenant "${tenant}" is not in the registry: onboard it (npm run onboard, or tenants in the config and redeploy the vendor stack)`);
    this.name = 'UnknownTenantError';
  }
}

/** Thrown when the registry table cannot be read (DynamoDB refused, throttled, failed or timed out)
 *  and no cached answer is fresh enough. Nothing was sent to STS; retrying later is safe. */
export class RegistryUnavailableError extends SidecarError {
  readonly code = 'RegistryUnavailable';
  constructor(readonly tableName: string, reason: string, options?: { cause?: unknown }) {
    super(`The tenant registry (DynamoDB table ${tableName}) could not be read: ${reason}`, options);
    this.name = 'RegistryUnavailableError';
  }
}

/** Thrown by vend when the caller's proof of identity (a signed sts:GetCallerIdentity request,
 *  lambda/shared/caller-proof.ts) is malformed, made for another audience, or refused by STS
 *  (expired, forged, unknown key). */
export class CallerProofRefusedError extends SidecarError {
  readonly code = 'CallerProofRefused';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Vend could not verify who is calling: ${reason}. Sign a fresh proof with buildCallerProof (lambda/shared/caller-proof.ts) for this vend function`, options);
    this.name = 'CallerProofRefusedError';
  }
}

/** Thrown by vend when the verified caller is not a vend caller, or may not ask for this tenant. */
export class CallerNotAllowedError extends SidecarError {
  readonly code = 'CallerNotAllowed';
  constructor(readonly callerArn: string, readonly tenant: string, readonly known: boolean) {
    super(known
      ? `Caller ${callerArn} may not ask vend for tenant "${tenant}": add the tenant to its entry in vendor.vendCallers (or its vend-caller item)`
      : `Caller ${callerArn} is not a vend caller, so it may not ask for tenant "${tenant}": add it to vendor.vendCallers with the tenants it needs`);
    this.name = 'CallerNotAllowedError';
  }
}

/** Thrown when a requested function is not in the tenant's allowed list. */
export class FunctionNotAllowedError extends SidecarError {
  readonly code = 'FunctionNotAllowed';
  constructor(readonly tenant: string, readonly functions: readonly string[]) {
    super(`Tenant "${tenant}" may not invoke ${functions.map((f) => `"${f}"`).join(', ')}: only the functions listed for it in the registry`);
    this.name = 'FunctionNotAllowedError';
  }
}

/** Thrown before AssumeRole when the session policy for the requested functions is longer than
 *  STS accepts (lambda/shared/assume-role-input.ts): the caller must ask for fewer functions. */
export class SessionPolicyTooLargeError extends SidecarError {
  readonly code = 'SessionPolicyTooLarge';
  constructor(readonly length: number) {
    super(`Session policy is ${length} characters; STS allows at most ${SESSION_POLICY_MAX_CHARS}. Ask for fewer functions per call.`);
    this.name = 'SessionPolicyTooLargeError';
  }
}

/** Thrown before AssumeRole when a tenant ID cannot be sent as STS's SourceIdentity (2-64
 *  characters of [\w+=,.@-]); the config and the registry refuse such IDs already, so this is a
 *  registry built some other way. */
export class TenantIdInvalidError extends SidecarError {
  readonly code = 'InvalidTenantId';
  constructor(readonly tenant: string, rule: string) {
    super(`Tenant "${tenant.slice(0, 80)}" cannot be sent to STS as the SourceIdentity: ${rule}; rename the tenant in the config (and in each customer's tenantIds) and redeploy`);
    this.name = 'TenantIdInvalidError';
  }
}

/** Thrown when a registry entry names a role outside the agreed prefix: never sent to STS. */
export class RoleNotAllowedError extends SidecarError {
  readonly code = 'RoleNotAllowed';
  constructor(readonly tenant: string, readonly roleArn: string, readonly rolePrefix: string) {
    super(`Tenant "${tenant}" names role ${roleArn}, whose name does not start with the agreed prefix "${rolePrefix}": fix the tenant's role ARN in the config`);
    this.name = 'RoleNotAllowedError';
  }
}

// ---------------------------------------------------------------------------
// Refused or failed at AWS
// ---------------------------------------------------------------------------

/** Thrown when STS answers AccessDenied to AssumeRole: the trust policy or the external ID does
 *  not match. This is the confused-deputy guard at work. */
export class AssumeRoleRefusedError extends SidecarError {
  readonly code = 'AssumeRoleRefused';
  /** `context`: what the connector was doing when refused (e.g. refreshing a session Lambda refused). */
  constructor(readonly tenant: string, readonly roleArn: string, options?: { cause?: unknown; context?: string }) {
    super(`STS refused AssumeRole for tenant "${tenant}" on role ${roleArn}${options?.context ? ` (${options.context})` : ''}: check that the role's trust policy names the vendor, that the tenant's external ID matches it, and that it accepts the tenant as SourceIdentity (npm run verify -- ${tenant})`, { cause: options?.cause });
    this.name = 'AssumeRoleRefusedError';
  }
}

/** Thrown before AssumeRole when a tenant's dry runs (connection tests: verify) come faster than
 *  the connector's rate limit allows (lambda/connector/dry-run-limit.ts): each dry run costs a
 *  fresh AssumeRole, so their number is bounded per tenant. `retryAfterMs`: when one is allowed again. */
export class DryRunRateLimitedError extends SidecarError {
  readonly code = 'DryRunRateLimited';
  constructor(readonly tenant: string, readonly retryAfterMs: number, rule: string) {
    super(`Dry runs for tenant "${tenant}" are limited to ${rule}: retry after ${Math.ceil(retryAfterMs / 1000)} s`);
    this.name = 'DryRunRateLimitedError';
  }
}

/** Thrown when Lambda answers AccessDeniedException to Invoke with the tenant's scoped credentials. */
export class InvokeRefusedError extends SidecarError {
  readonly code = 'InvokeRefused';
  constructor(readonly tenant: string, readonly functionArn: string, options?: { cause?: unknown }) {
    super(`Lambda refused Invoke of ${functionArn} for tenant "${tenant}": check that the tenant's role allows lambda:InvokeFunction on it`, options);
    this.name = 'InvokeRefusedError';
  }
}

/** Thrown when Lambda answers ResourceNotFoundException: the function does not exist (any more). */
export class FunctionNotFoundError extends SidecarError {
  readonly code = 'FunctionNotFound';
  constructor(readonly functionArn: string, options?: { cause?: unknown }) {
    super(`Function ${functionArn} does not exist: check that the customer deployed it in that account and region`, options);
    this.name = 'FunctionNotFoundError';
  }
}

/** Thrown when the invoked function itself failed (X-Amz-Function-Error is set). Carries the
 *  function's own errorType and errorMessage: they belong to the customer's code, not to AWS. */
export class FunctionError extends SidecarError {
  readonly code = 'FunctionError';
  constructor(readonly functionArn: string, readonly errorType: string, readonly errorMessage: string) {
    super(`Function ${functionArn} failed with ${errorType}: ${errorMessage}`);
    this.name = 'FunctionError';
  }
}

/** Thrown when STS or Lambda throttles (Throttling, TooManyRequestsException, Rate exceeded)
 *  after the SDK's bounded retries. */
export class ThrottledError extends SidecarError {
  readonly code = 'Throttled';
  constructor(readonly service: 'STS' | 'Lambda', options?: { cause?: unknown }) {
    super(`${service} throttled the request after retries: slow down and retry later`, options);
    this.name = 'ThrottledError';
  }
}

/** Thrown when STS or Lambda answered a server error (HTTP 5xx: ServiceUnavailable,
 *  InternalFailure, ServiceException) on every one of the SDK's bounded attempts. Not the
 *  caller's fault and not a refusal: retrying later is the right move. */
export class ServiceUnavailableError extends SidecarError {
  readonly code = 'Unavailable';
  constructor(readonly service: 'STS' | 'Lambda', readonly httpStatusCode: number | undefined, options?: { cause?: unknown }) {
    super(`${service} answered a server error${httpStatusCode ? ` (HTTP ${httpStatusCode})` : ''} after retries: retry later`, options);
    this.name = 'ServiceUnavailableError';
  }
}

/** Thrown when the connector's own time budget runs out, or the invoked function hit its own
 *  timeout (Sandbox.Timedout). */
export class TimedOutError extends SidecarError {
  readonly code = 'TimedOut';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TimedOutError';
  }
}

/** Thrown when the request payload or the function's response is over Lambda's 6 MB limit. */
export class PayloadTooLargeError extends SidecarError {
  readonly code = 'PayloadTooLarge';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PayloadTooLargeError';
  }
}

/** Thrown for anything else: a bug, a misconfiguration of the vendor's side, an unexpected AWS
 *  answer. The message says what failed without repeating AWS's words. */
export class InternalError extends SidecarError {
  readonly code = 'Internal';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}

// ---------------------------------------------------------------------------
// The answer a handler gives for a failure
// ---------------------------------------------------------------------------

export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  /** Only for FunctionError: what the customer's function reported. */
  readonly functionError?: { readonly errorType: string; readonly errorMessage: string };
  /** Only for DryRunRateLimited: whole seconds until a dry run is allowed again. */
  readonly retryAfterSeconds?: number;
}

export interface FailureResponse {
  readonly ok: false;
  readonly error: ErrorBody;
}

export type TypedError = SidecarError;

export function isTypedError(error: unknown): error is TypedError {
  return error instanceof SidecarError;
}

/** Any thrown value as a typed error: unexpected ones become Internal, keeping the cause. */
export function asTypedError(error: unknown): TypedError {
  if (isTypedError(error)) return error;
  return new InternalError('Unexpected error in the Lambda: see its logs for the request ID', { cause: error });
}

export function failureResponse(error: TypedError): FailureResponse {
  const body: ErrorBody = error instanceof FunctionError
    ? { code: error.code, message: error.message, functionError: { errorType: error.errorType, errorMessage: error.errorMessage } }
    : error instanceof DryRunRateLimitedError
      ? { code: error.code, message: error.message, retryAfterSeconds: Math.ceil(error.retryAfterMs / 1000) }
      : { code: error.code, message: error.message };
  return { ok: false, error: body };
}
