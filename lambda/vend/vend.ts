// ---------------------------------------------------------------------------
// Vend: hand out temporary credentials for a tenant's role, scoped down by an inline session
// policy to the intersection of what is asked and what the registry allows (asking for anything
// outside is refused, not silently dropped). No caching: each vend is a fresh session, so that
// two callers never share one and each expiry is the caller's own.
// ---------------------------------------------------------------------------
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { parseFunctionArn } from '../../rules/naming';
import type { TenantRegistry } from '../../rules/tenant-registry';
import { scopedAssumeRoleInput } from '../shared/assume-role-input';
import { stsFailure } from '../shared/aws-errors';
import { throwIfSpent, withinBudget } from '../shared/budget';
import { InternalError, TimedOutError, ValidationError, type FailureResponse } from '../shared/errors';
import { createRequestHandler, type SidecarHandler } from '../shared/handler';
import type { Logger } from '../shared/logger';
import { allowedFunctionArns, assertRoleInPrefix, findTenant } from '../shared/tenants';
import { parseVendRequest, type VendRequest } from './input';

export interface VendDeps {
  readonly registry: TenantRegistry;
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
  readonly credentials: VendedCredentials;
}

export async function vend(request: VendRequest, deps: VendDeps, signal?: AbortSignal): Promise<VendSuccess> {
  const tenant = findTenant(deps.registry, request.tenant);
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
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration.toISOString() },
  };
}

export type VendResponse = VendSuccess | FailureResponse;

/** The vend Lambda's handler (lambda/shared/handler.ts): validate, vend, log one line, answer. */
export function createVendHandler(deps: VendDeps): SidecarHandler<VendSuccess> {
  return createRequestHandler({
    logMessage: 'vend request',
    logger: deps.logger,
    parse: parseVendRequest,
    run: (request, signal) => vend(request, deps, signal),
    logFields: {
      // Never the credentials: only who got what, and until when.
      target: (result) => ({ functionArns: result.functionArns }),
      detail: (result, totalMs) => ({ expiresAt: result.credentials.expiration, totalMs }),
    },
  });
}
