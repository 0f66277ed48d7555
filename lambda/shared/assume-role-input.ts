// ---------------------------------------------------------------------------
// The AssumeRole parameters of both Lambdas, built in one place: the tenant's role and external
// ID, a RoleSessionName that names the tenant, the tenant ID as SourceIdentity (the customer's
// CloudTrail shows which tenant the vendor acted for, and the customer's trust requires it to be
// one of that customer's tenants), and the inline session policy that scopes the session down to
// the given functions. Both send them with an AssumeRoleCommand (the connector from its session
// cache, lambda/connector/scoped-clients.ts); what reaches STS is the same.
// ---------------------------------------------------------------------------
import type { AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { roleSessionName, tenantIdProblem } from '../../rules/naming';
import { SESSION_POLICY_MAX_CHARS, scopedInvokeSessionPolicy, type PolicyDocument } from '../../rules/policies';
import type { TenantRegistryEntry } from '../../rules/tenant-registry';
import { InternalError, SessionPolicyTooLargeError, TenantIdInvalidError } from './errors';

/** Every parameter here is set; the SDK's own input type has them all optional. */
export type ScopedAssumeRoleInput = Required<Pick<AssumeRoleCommandInput, 'RoleArn' | 'ExternalId' | 'RoleSessionName' | 'SourceIdentity' | 'DurationSeconds' | 'Policy'>>;

/** Which of the tenant's external IDs an AssumeRole sends (the ID itself is never logged or answered). */
export type ExternalIdUsed = 'current' | 'previous';

export interface ScopedAssumeRoleOptions {
  /** Who assumes: it names the session in the customer's CloudTrail. */
  readonly purpose: 'connector' | 'vend';
  /** DurationSeconds: at most 3600, because a Lambda's role credentials chain. */
  readonly durationSeconds: number;
  /** 'previous': the rotation fallback (see `fallsBackToPreviousId`). @default 'current' */
  readonly externalId?: ExternalIdUsed;
}

/**
 * AssumeRole parameters for `tenant`, scoped down to `functionArns`. Throws, before any AWS call,
 * TenantIdInvalidError when the tenant ID is not a valid SourceIdentity and
 * SessionPolicyTooLargeError when STS would refuse the policy's size.
 * SourceIdentity: https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export function scopedAssumeRoleInput(tenant: TenantRegistryEntry, functionArns: readonly string[], options: ScopedAssumeRoleOptions): ScopedAssumeRoleInput {
  const problem = tenantIdProblem(tenant.tenantId);
  if (problem) throw new TenantIdInvalidError(tenant.tenantId, problem);
  const externalId = externalIdOf(tenant, options.externalId ?? 'current');
  return {
    RoleArn: tenant.roleArn,
    ExternalId: externalId,
    RoleSessionName: roleSessionName(tenant.tenantId, options.purpose),
    SourceIdentity: tenant.tenantId,
    DurationSeconds: options.durationSeconds,
    Policy: serializeSessionPolicy(scopedInvokeSessionPolicy(functionArns)),
  };
}

/** The ID `which` names; asking for the previous one outside a rotation is a bug, not a fallback. */
export function externalIdOf(tenant: TenantRegistryEntry, which: ExternalIdUsed): string {
  if (which === 'current') return tenant.externalId;
  if (tenant.previousExternalId === undefined) throw new InternalError(`Tenant "${tenant.tenantId}" has no previous external ID to fall back to`);
  return tenant.previousExternalId;
}

/**
 * The one rotation fallback of both assume paths: after STS refused the CURRENT external ID with
 * AccessDenied (the customer's trust does not accept it yet: `npm run rotate` ran, the new kit is
 * not applied), and only when the tenant has a previous ID, the same AssumeRole (same role, same
 * SourceIdentity, same session policy) is sent once more with the previous ID. Never after any
 * other error (throttling, 5xx, a timeout say nothing about the trust), never twice. The
 * confused-deputy guard is unchanged: both IDs are the tenant's own, sent for the tenant's own
 * role, so a tenant naming another customer's role is refused with either.
 */
export function fallsBackToPreviousId(tenant: TenantRegistryEntry, tried: ExternalIdUsed, refusalCode: string | undefined): boolean {
  return tried === 'current' && refusalCode === 'AccessDenied' && tenant.previousExternalId !== undefined;
}

/** JSON for STS's `Policy` parameter, refused before sending if STS would refuse it. */
export function serializeSessionPolicy(policy: PolicyDocument): string {
  const json = JSON.stringify(policy);
  if (json.length > SESSION_POLICY_MAX_CHARS) throw new SessionPolicyTooLargeError(json.length);
  return json;
}
