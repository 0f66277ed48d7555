// ---------------------------------------------------------------------------
// Vend: hand out temporary credentials for a tenant's role, scoped down by an inline session
// policy to the intersection of what is asked and what the registry allows (asking for anything
// outside is refused, not silently dropped). No caching: each vend is a fresh session, so that
// two callers never share one and each expiry is the caller's own.
// Bound to its callers: the caller proves who it is (caller.ts) and the registry's vend-caller
// item lists the tenants it may ask for; both are checked before the tenant is even looked up,
// so an unknown caller learns nothing about which tenants exist.
// ---------------------------------------------------------------------------
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { parseFunctionArn } from '../../rules/naming';
import { scopedAssumeRoleInput } from '../shared/assume-role-input';
import { stsFailure } from '../shared/aws-errors';
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
  const input = scopedAssumeRoleInput(tenant, functionArns, { purpose: 'vend', durationSeconds: request.durationSeconds ?? deps.defaultDurationSeconds });
  throwIfSpent(signal, () => new TimedOutError(`The vend Lambda's time budget was spent before calling STS for tenant "${tenant.tenantId}": raise its timeout`));

  let response;
  try {
    response = await withinBudget(deps.sts.send(new AssumeRoleCommand(input), { abortSignal: signal }), signal, () => new TimedOutError(`AssumeRole for tenant "${tenant.tenantId}" did not finish within the vend Lambda's time budget`));
  } catch (e) {
    throw stsFailure(e, { tenant: tenant.tenantId, roleArn: tenant.roleArn });
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
      detail: (result, totalMs) => ({ expiresAt: result.credentials.expiration, totalMs }),
    },
  });
}
