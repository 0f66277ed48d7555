// ---------------------------------------------------------------------------
// IAM roles: create, read, update, delete, tags, inline policies and managed attachments.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html
// ---------------------------------------------------------------------------
import { uniqueId } from '../core/ids';
import { members } from '../core/query';
import {
  alreadyExists, checkPolicyDocument, deleteConflict, iamDate, limitExceeded, deletePermissionsBoundary, putPermissionsBoundary, requireBoundaryPolicy,
  requireRole, roleShape, storedTrustPolicy, tagsShape, type IamCall, type IamOperation,
} from './call';
import {
  attachPolicy, deleteInlinePolicy, detachPolicy, getInlinePolicy, listAttachedPolicies, listInlinePolicies, putInlinePolicy, type HolderKind,
} from './identity-policies';
import { paginate } from './pagination';
import { nameKey, nameRecord, type RoleRecord } from './store';
import {
  ROLE_INLINE_MAX, TRUST_POLICY_MAX, checkDescription, checkMaxSessionDuration, checkName, checkPath, checkTags, policySize,
} from './validation';

const roleArnOf = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:role${path}${name}`;

/** The role named by RoleName, authorized for the calling action. */
function roleFor(call: IamCall): RoleRecord {
  const name = call.params.required('RoleName');
  checkName('roleName', name);
  const existing = call.iam.role(call.accountId, name);
  call.authorize(existing ? existing.arn : roleArnOf(call.accountId, '/', name));
  return requireRole(call, name);
}

/** Attached managed policies per role: 10 by default. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
const MANAGED_POLICIES_PER_ROLE = 10;
const ROLE_POLICIES: HolderKind = { noun: 'role', inlineMaxBytes: ROLE_INLINE_MAX, attachedMax: MANAGED_POLICIES_PER_ROLE, attachedQuotaName: 'PoliciesPerRole' };

function checkTrustPolicy(call: IamCall, json: string): void {
  checkPolicyDocument(call, 'assumeRolePolicyDocument', json, 'trust');
  if (policySize(json) > TRUST_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_MAX}`);
}

export const roleOperations: Record<string, IamOperation> = {
  CreateRole(call) {
    const p = call.params;
    const name = p.required('RoleName');
    checkName('roleName', name);
    const path = p.optional('Path') ?? '/';
    checkPath(path);
    const arn = roleArnOf(call.accountId, path, name);
    call.authorize(arn);
    const document = p.required('AssumeRolePolicyDocument');
    const maxSessionDuration = p.optionalInt('MaxSessionDuration') ?? 3600;
    checkMaxSessionDuration(maxSessionDuration);
    const description = p.optional('Description');
    if (description !== undefined) checkDescription(description);
    const tags = p.tags();
    checkTags(tags);
    if (call.iam.role(call.accountId, name)) throw alreadyExists(`Role with name ${name} already exists.`);
    checkTrustPolicy(call, document);
    const boundary = p.optional('PermissionsBoundary');
    if (boundary !== undefined) requireBoundaryPolicy(call, boundary);
    const role: RoleRecord = {
      // The trust policy is stored with the roles and users it names as their unique IDs.
      roleName: name, roleId: uniqueId('AROA'), path, arn, createDate: iamDate(call.now()), assumeRolePolicyDocument: storedTrustPolicy(call, document),
      ...(description !== undefined ? { description } : {}), maxSessionDuration, ...(boundary ? { permissionsBoundary: boundary } : {}),
      tags, inlinePolicies: nameRecord(), attachedPolicyArns: [],
    };
    call.iam.account(call.accountId).roles[nameKey(name)] = role;
    call.iam.save();
    return { Role: roleShape(call, role) };
  },

  GetRole(call) {
    return { Role: roleShape(call, roleFor(call)) };
  },

  ListRoles(call) {
    call.authorize('*');
    const prefix = call.params.optional('PathPrefix') ?? '/';
    checkPath(prefix, 'pathPrefix');
    const roles = call.iam.rolesOf(call.accountId).filter((r) => r.path.startsWith(prefix));
    const { page, fields } = paginate(call, roles, (r) => nameKey(r.roleName));
    return { Roles: members(page.map((r) => roleShape(call, r))), ...fields };
  },

  DeleteRole(call) {
    const role = roleFor(call);
    if (Object.keys(role.inlinePolicies).length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
    if (role.attachedPolicyArns.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    delete call.iam.account(call.accountId).roles[nameKey(role.roleName)];
    call.iam.save();
    return undefined;
  },

  UpdateRole(call) {
    const role = roleFor(call);
    const description = call.params.optional('Description');
    const max = call.params.optionalInt('MaxSessionDuration');
    if (description !== undefined) checkDescription(description);
    if (max !== undefined) checkMaxSessionDuration(max);
    if (description !== undefined) role.description = description;
    if (max !== undefined) role.maxSessionDuration = max;
    call.iam.save();
    return {};
  },

  UpdateRoleDescription(call) {
    const role = roleFor(call);
    const description = call.params.required('Description');
    checkDescription(description);
    role.description = description;
    call.iam.save();
    return { Role: roleShape(call, role) };
  },

  UpdateAssumeRolePolicy(call) {
    const role = roleFor(call);
    const document = call.params.required('PolicyDocument');
    checkTrustPolicy(call, document);
    role.assumeRolePolicyDocument = storedTrustPolicy(call, document);
    call.iam.save();
    return undefined;
  },

  TagRole(call) {
    const role = roleFor(call);
    const tags = call.params.tags();
    const merged = new Map(role.tags.map((t) => [t.Key, t]));
    for (const t of tags) merged.set(t.Key, t);
    checkTags([...merged.values()]);
    role.tags = [...merged.values()];
    call.iam.save();
    return undefined;
  },

  UntagRole(call) {
    const role = roleFor(call);
    const keys = new Set(call.params.list('TagKeys'));
    role.tags = role.tags.filter((t) => !keys.has(t.Key));
    call.iam.save();
    return undefined;
  },

  ListRoleTags(call) {
    const { page, fields } = paginate(call, roleFor(call).tags, (t) => t.Key.toLowerCase());
    return { Tags: tagsShape(page), ...fields };
  },

  // -- permissions boundary ------------------------------------------------------
  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePermissionsBoundary.html

  PutRolePermissionsBoundary(call) {
    return putPermissionsBoundary(call, roleFor(call));
  },

  DeleteRolePermissionsBoundary(call) {
    return deletePermissionsBoundary(call, roleFor(call));
  },

  // -- inline policies and managed attachments (shared with users) --------------

  PutRolePolicy(call) {
    const role = roleFor(call);
    putInlinePolicy(call, role, role.roleName, ROLE_POLICIES);
    return undefined;
  },

  GetRolePolicy(call) {
    const role = roleFor(call);
    return { RoleName: role.roleName, ...getInlinePolicy(call, role, ROLE_POLICIES) };
  },

  DeleteRolePolicy(call) {
    deleteInlinePolicy(call, roleFor(call), ROLE_POLICIES);
    return undefined;
  },

  ListRolePolicies(call) {
    return listInlinePolicies(call, roleFor(call));
  },

  AttachRolePolicy(call) {
    attachPolicy(call, roleFor(call), ROLE_POLICIES);
    return undefined;
  },

  DetachRolePolicy(call) {
    detachPolicy(call, roleFor(call));
    return undefined;
  },

  ListAttachedRolePolicies(call) {
    return listAttachedPolicies(call, roleFor(call));
  },

  /** The local cloud has no EC2, so no role is ever in an instance profile. */
  ListInstanceProfilesForRole(call) {
    roleFor(call);
    const { fields } = paginate(call, [], () => '');
    return { InstanceProfiles: '', ...fields };
  },
};
