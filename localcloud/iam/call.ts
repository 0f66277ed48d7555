// ---------------------------------------------------------------------------
// What every IAM operation gets (its parameters, caller, store and checks) and the shapes IAM
// answers with (Role, User, Policy, PolicyVersion). Documents leave URL-encoded, as IAM sends them.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
// ---------------------------------------------------------------------------
import { AwsError, type Principal } from '../contracts';
import type { QueryParams } from '../core/query';
import { members } from '../core/query';
import { AWS_ACCOUNT, isAwsManagedArn } from './aws-managed-policies';
import { validatePolicyDocument, type PolicyKind } from './policy-evaluator';
import { principalArnsOf } from './policy-evaluator';
import { toShownPrincipals, toStoredPrincipals } from './principal-ids';
import { policyOwner, type IamStore, type ManagedPolicyRecord, type PolicyVersionRecord, type RoleRecord, type UserRecord } from './store';
import { checkDocumentParameter } from './validation';

export interface IamCall {
  readonly params: QueryParams;
  readonly principal: Principal;
  /** IAM acts in the caller's own account. */
  readonly accountId: string;
  readonly iam: IamStore;
  now(): Date;
  /** Throws AccessDenied unless the caller may perform `iam:<action>` on `resource`, a resource of
   *  `resourceAccountId` (default: the caller's own account). */
  authorize(resource: string, resourceAccountId?: string): void;
}

export type IamResult = Record<string, unknown> | undefined;
export type IamOperation = (call: IamCall) => IamResult;

// ---------------------------------------------------------------------------
// Errors IAM answers with: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
// ---------------------------------------------------------------------------

export const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404);
export const alreadyExists = (message: string) => new AwsError('EntityAlreadyExists', message, 409);
export const deleteConflict = (message: string) => new AwsError('DeleteConflict', message, 409);
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, 409);

export function requireRole(call: IamCall, roleName: string): RoleRecord {
  const role = call.iam.role(call.accountId, roleName);
  if (!role) throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
  return role;
}

export function requireUser(call: IamCall, userName: string): UserRecord {
  const user = call.iam.user(call.accountId, userName);
  if (!user) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
  return user;
}

/** The account a managed policy ARN belongs to: `aws` for AWS managed policies. */
export function policyAccountOf(arn: string): string | undefined {
  return isAwsManagedArn(arn) ? AWS_ACCOUNT : policyOwner(arn);
}

/**
 * A managed policy the caller's account can use: its own customer managed policies and AWS's. A
 * customer managed policy of another account does not exist for it.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#customer-managed-policies
 */
export function usablePolicy(call: IamCall, arn: string): ManagedPolicyRecord | undefined {
  const owner = policyAccountOf(arn);
  return owner === call.accountId || owner === AWS_ACCOUNT ? call.iam.policy(arn) : undefined;
}

export function requirePolicy(call: IamCall, arn: string): ManagedPolicyRecord {
  const policy = usablePolicy(call, arn);
  if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

/** A permissions boundary must be a managed policy the account can use; IAM calls it the scope.
 *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePermissionsBoundary.html */
export function requireBoundaryPolicy(call: IamCall, arn: string): ManagedPolicyRecord {
  const policy = usablePolicy(call, arn);
  if (!policy) throw noSuchEntity(`Scope ARN: ${arn} does not exist or is not attachable.`);
  return policy;
}

/** Put{Role,User}PermissionsBoundary on the role or user the call names. */
export function putPermissionsBoundary(call: IamCall, holder: { permissionsBoundary?: string }): undefined {
  const arn = call.params.required('PermissionsBoundary');
  requireBoundaryPolicy(call, arn);
  holder.permissionsBoundary = arn;
  call.iam.save();
  return undefined;
}

/** Delete{Role,User}PermissionsBoundary on the role or user the call names. */
export function deletePermissionsBoundary(call: IamCall, holder: { permissionsBoundary?: string }): undefined {
  delete holder.permissionsBoundary;
  call.iam.save();
  return undefined;
}

// ---------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------

/**
 * Validate a policy document parameter for its use. A trust (or resource) policy naming a user
 * or role that does not exist is refused, as IAM does:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
 */
export function checkPolicyDocument(call: IamCall, field: string, json: string, kind: PolicyKind): void {
  checkDocumentParameter(field, json);
  const doc = validatePolicyDocument(json, kind);
  if (kind === 'trust' || kind === 'resource') {
    for (const arn of principalArnsOf(doc)) {
      if (!call.iam.roleByArn(arn) && !call.iam.userByArn(arn)) {
        throw new AwsError('MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${arn}"`);
      }
    }
  }
}

/** A trust policy as IAM stores it: the roles and users it names, by unique ID. */
export function storedTrustPolicy(call: IamCall, json: string): string {
  return toStoredPrincipals(json, (arn) => call.iam.roleByArn(arn)?.roleId ?? call.iam.userByArn(arn)?.userId);
}

/** A stored trust policy as IAM shows it: ARNs for the principals that still exist, bare IDs for the rest. */
export function shownTrustPolicy(iam: IamStore, stored: string): string {
  return toShownPrincipals(stored, (id) => iam.entityById(id)?.arn);
}

/** IAM returns documents URL-encoded (RFC 3986), so `+` travels as %2B. */
export function encodeDocument(json: string): string {
  return encodeURIComponent(json);
}

// ---------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------

export function tagsShape(tags: readonly { Key: string; Value: string }[]) {
  return members(tags.map((t) => ({ Key: t.Key, Value: t.Value })));
}

export function roleShape(call: IamCall, role: RoleRecord): Record<string, unknown> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodeDocument(shownTrustPolicy(call.iam, role.assumeRolePolicyDocument)),
    ...(role.description !== undefined ? { Description: role.description } : {}),
    MaxSessionDuration: role.maxSessionDuration,
    ...(role.permissionsBoundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.permissionsBoundary } } : {}),
    ...(role.tags.length > 0 ? { Tags: tagsShape(role.tags) } : {}),
  };
}

export function userShape(user: UserRecord): Record<string, unknown> {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: user.createDate,
    ...(user.permissionsBoundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: user.permissionsBoundary } } : {}),
    ...(user.tags.length > 0 ? { Tags: tagsShape(user.tags) } : {}),
  };
}

export function policyShape(call: IamCall, policy: ManagedPolicyRecord): Record<string, unknown> {
  return {
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: call.iam.attachmentCount(policy.arn, call.accountId),
    PermissionsBoundaryUsageCount: call.iam.boundaryUsageCount(policy.arn, call.accountId),
    IsAttachable: true,
    ...(policy.description !== undefined ? { Description: policy.description } : {}),
    CreateDate: policy.createDate,
    UpdateDate: policy.updateDate,
    ...(policy.tags.length > 0 ? { Tags: tagsShape(policy.tags) } : {}),
  };
}

export function policyVersionShape(policy: ManagedPolicyRecord, version: PolicyVersionRecord, withDocument: boolean): Record<string, unknown> {
  return {
    ...(withDocument ? { Document: encodeDocument(version.document) } : {}),
    VersionId: version.versionId,
    IsDefaultVersion: version.versionId === policy.defaultVersionId,
    CreateDate: version.createDate,
  };
}

/** IAM timestamps: ISO 8601 without milliseconds. */
export function iamDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
