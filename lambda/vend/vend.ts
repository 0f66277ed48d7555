// ---------------------------------------------------------------------------
// Vend: hand out temporary credentials for a tenant's role, scoped down by an inline session
// policy to the intersection of what is asked and what the registry allows (asking for anything
// outside is refused, not silently dropped). No caching: each vend is a fresh session, so that
// two callers never share one and each expiry is the caller's own.
// Bound to its callers: the caller proves who it is (caller.ts) and the registry's vend-caller
// item lists the tenants it may ask for; both are checked before the tenant is even looked up,
// so an unknown caller learns nothing about which tenants exist.
// During a rotation, the connector's fallback (lambda/shared/assume-role-input.ts): the current
// external ID first, the previous one once only after STS refused the current one with
// AccessDenied. No refusal cache here (vend caches nothing): a refused current ID costs one more
// AssumeRole per vend until the customer applies the new kit.
// ---------------------------------------------------------------------------
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { parseFunctionArn } from '../../rules/naming';
import { fallsBackToPreviousId, scopedAssumeRoleInput, type ExternalIdUsed } from '../shared/assume-role-input';
import { awsErrorCode, stsFailure } from '../shared/aws-errors';
import { throwIfSpent, withinBudget } from '../shared/budget';
import { CallerNotAllowedError, InternalError, TimedOutError, ValidationError, type FailureResponse } from '../shared/errors';
import { createRequestHandler, type SidecarHandler } from '../shared/handler';
import type { Logger } from '../shared/logger';
import type { TenantSource, VendCallerSource } from '../shared/registry-reader';
import { allowedFunctionArns, assertRoleInPrefix } from '../shared/tenants';
import { verifyCallerProof, type CallerVerifierDeps } from './caller';
import { parseVendRequest, type VendRequest } from './input';

export interface VendDeps {
  /** Tenants and vend callers, read at run time (lambda/shared/registry-reader.ts). */
  readonly registry: TenantSource & VendCallerSource;
  /** How the caller's proof is checked: this function's ARN, STS's endpoint, the forwarder. */
  readonly callers: CallerVerifierDeps;
  readonly rolePrefix: string;
  readonly sts: STSClient;
  readonly logger: Logger;
  /** When the request names none (ASSUME_ROLE_DURATION_SECONDS). */
  readonly defaultDurationSeconds: number;
}

export interface VendedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO 8601. */
  readonly expiration: string;
}

export interface VendSuccess {
  readonly ok: true;
  readonly tenant: string;
  readonly functionArns: string[];
  /** Where the functions live: the region to call Lambda in with these credentials. */
  readonly region: string;
  /** Who asked (the verified principal ARN), for the caller's own records. */
  readonly caller: string;
  readonly credentials: VendedCredentials;
  /** Which of the tenant's external IDs got them ('previous': the rotation fallback); never the ID. */
  readonly externalIdUsed: ExternalIdUsed;
}

export async function vend(request: VendRequest, deps: VendDeps, signal?: AbortSignal, seen: { caller?: string } = {}): Promise<VendSuccess> {
  // ---- who is calling, and may it ask for this tenant ----------------------
  const caller = await verifyCallerProof(request.callerProof, deps.callers, signal);
  seen.caller = caller;
  const grant = await deps.registry.vendCaller(caller, signal);
  if (!grant || !grant.tenantIds.includes(request.tenant)) throw new CallerNotAllowedError(caller, request.tenant, grant !== undefined);

  // ---- the tenant and its functions --------------------------------------
  const tenant = await deps.registry.tenant(request.tenant, signal);
  assertRoleInPrefix(tenant, deps.rolePrefix);
  const functionArns = allowedFunctionArns(tenant, request.functions, 'functions');
  const regions = [...new Set(functionArns.map((arn) => parseFunctionArn(arn)?.region))];
  if (regions.length !== 1 || regions[0] === undefined) {
    throw new ValidationError('functions', `the functions are in several regions (${regions.join(', ')}): vend one region at a time`);
  }
  const durationSeconds = request.durationSeconds ?? deps.defaultDurationSeconds;
  const inputWith = (externalId: ExternalIdUsed) => scopedAssumeRoleInput(tenant, functionArns, { purpose: 'vend', durationSeconds, externalId });
  const input = inputWith('current');
  throwIfSpent(signal, () => new TimedOutError(`The vend Lambda's time budget was spent before calling STS for tenant "${tenant.tenantId}": raise its timeout`));

  const assume = (attempt: typeof input) => withinBudget(deps.sts.send(new AssumeRoleCommand(attempt), { abortSignal: signal }), signal, () => new TimedOutError(`AssumeRole for tenant "${tenant.tenantId}" did not finish within the vend Lambda's time budget`));
  let response;
  let externalIdUsed: ExternalIdUsed = 'current';
  try {
    response = await assume(input);
  } catch (e) {
    if (!fallsBackToPreviousId(tenant, 'current', awsErrorCode(e))) throw stsFailure(e, { tenant: tenant.tenantId, roleArn: tenant.roleArn });
    try {
      response = await assume(inputWith('previous'));
      externalIdUsed = 'previous';
    } catch (again) {
      throw stsFailure(again, { tenant: tenant.tenantId, roleArn: tenant.roleArn });
    }
  }

  const c = response.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !(c.Expiration instanceof Date)) {
    throw new InternalError(`STS answered AssumeRole for tenant "${tenant.tenantId}" without complete credentials`);
  }
  return {
    ok: true,
    tenant: tenant.tenantId,
    functionArns,
    region: regions[0],
    caller,
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration.toISOString() },
    externalIdUsed,
  };
}

export type VendResponse = VendSuccess | FailureResponse;

/** The vend Lambda's handler (lambda/shared/handler.ts): validate, vend, log one line, answer. */
export function createVendHandler(deps: VendDeps): SidecarHandler<VendSuccess> {
  return createRequestHandler<VendRequest, VendSuccess, { caller: string }>({
    logMessage: 'vend request',
    logger: deps.logger,
    parse: parseVendRequest,
    run: (request, signal, seen) => vend(request, deps, signal, seen),
    logFields: {
      // Never the credentials (nor the proof, which carries a signature): only who got what, and until when.
      target: (result) => ({ caller: result.caller, functionArns: result.functionArns }),
      failedTarget: (seen) => ({ caller: seen.caller }),
      detail: (result, totalMs) => ({ expiresAt: result.credentials.expiration, externalIdUsed: result.externalIdUsed, totalMs }),
    },
  });
}
