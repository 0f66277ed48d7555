// ---------------------------------------------------------------------------
// IAM users with access keys and user policies, so tests can act as principals other than an
// account's root. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users.html
// ---------------------------------------------------------------------------
import { AwsError } from '../contracts';
import { secretAccessKey, uniqueId } from '../core/ids';
import { members } from '../core/query';
import {
  alreadyExists, deleteConflict, iamDate, limitExceeded, noSuchEntity, deletePermissionsBoundary, putPermissionsBoundary, requireBoundaryPolicy,
  requireUser, userShape, type IamCall, type IamOperation,
} from './call';
import {
  attachPolicy, deleteInlinePolicy, detachPolicy, getInlinePolicy, listAttachedPolicies, listInlinePolicies, putInlinePolicy, type HolderKind,
} from './identity-policies';
import { paginate } from './pagination';
import { nameKey, nameRecord, type UserRecord } from './store';
import { USER_INLINE_MAX, checkName, checkPath, checkTags } from './validation';

const userArnOf = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:user${path}${name}`;

/** Access keys per user: 2. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
const ACCESS_KEYS_PER_USER = 2;
const MANAGED_POLICIES_PER_USER = 10;
const USER_POLICIES: HolderKind = { noun: 'user', inlineMaxBytes: USER_INLINE_MAX, attachedMax: MANAGED_POLICIES_PER_USER, attachedQuotaName: 'PoliciesPerUser' };

/**
 * The user named by UserName; when it is omitted, the calling user, as IAM does for GetUser,
 * CreateAccessKey and ListAccessKeys. Authorized for the calling action.
 */
function userFor(call: IamCall, implicitSelf = false): UserRecord {
  let name = call.params.optional('UserName');
  if (name === undefined && implicitSelf) {
    if (call.principal.kind !== 'user') throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
    name = call.principal.arn.slice(call.principal.arn.lastIndexOf('/') + 1);
  }
  if (name === undefined) name = call.params.required('UserName');
  checkName('userName', name);
  const existing = call.iam.user(call.accountId, name);
  call.authorize(existing ? existing.arn : userArnOf(call.accountId, '/', name));
  return requireUser(call, name);
}

export const userOperations: Record<string, IamOperation> = {
  CreateUser(call) {
    const name = call.params.required('UserName');
    checkName('userName', name);
    const path = call.params.optional('Path') ?? '/';
    checkPath(path);
    const arn = userArnOf(call.accountId, path, name);
    call.authorize(arn);
    const tags = call.params.tags();
    checkTags(tags);
    if (call.iam.user(call.accountId, name)) throw alreadyExists(`User with name ${name} already exists.`);
    const boundary = call.params.optional('PermissionsBoundary');
    if (boundary !== undefined) requireBoundaryPolicy(call, boundary);
    const user: UserRecord = {
      userName: name, userId: uniqueId('AIDA'), path, arn, createDate: iamDate(call.now()), ...(boundary ? { permissionsBoundary: boundary } : {}),
      tags, inlinePolicies: nameRecord(), attachedPolicyArns: [],
    };
    call.iam.account(call.accountId).users[nameKey(name)] = user;
    call.iam.save();
    return { User: userShape(user) };
  },

  GetUser(call) {
    if (call.params.optional('UserName') === undefined && call.principal.kind === 'root') {
      // GetUser without a name, signed by root keys, describes the root user.
      return { User: { UserId: call.accountId, Arn: call.principal.arn, CreateDate: iamDate(new Date(0)) } };
    }
    return { User: userShape(userFor(call, true)) };
  },

  /** https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html */
  ListUsers(call) {
    call.authorize('*');
    const prefix = call.params.optional('PathPrefix') ?? '/';
    checkPath(prefix, 'pathPrefix');
    const users = call.iam.usersOf(call.accountId).filter((u) => u.path.startsWith(prefix));
    const { page, fields } = paginate(call, users, (u) => nameKey(u.userName));
    return { Users: members(page.map(userShape)), ...fields };
  },

  DeleteUser(call) {
    const user = userFor(call);
    if (call.iam.accessKeysOf(call.accountId, user.userName).length > 0) throw deleteConflict('Cannot delete entity, must delete access keys first.');
    if (Object.keys(user.inlinePolicies).length > 0) throw deleteConflict('Cannot delete entity, must delete policies first.');
    if (user.attachedPolicyArns.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
    delete call.iam.account(call.accountId).users[nameKey(user.userName)];
    call.iam.save();
    return undefined;
  },

  // -- access keys -------------------------------------------------------------

  CreateAccessKey(call) {
    const user = userFor(call, true);
    if (call.iam.accessKeysOf(call.accountId, user.userName).length >= ACCESS_KEYS_PER_USER) {
      throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
    }
    const key = { accessKeyId: uniqueId('AKIA'), secretAccessKey: secretAccessKey(), accountId: call.accountId, userName: user.userName, status: 'Active' as const, createDate: iamDate(call.now()) };
    call.iam.putAccessKey(key);
    call.iam.save();
    return { AccessKey: { UserName: key.userName, AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: key.secretAccessKey, CreateDate: key.createDate } };
  },

  DeleteAccessKey(call) {
    const user = userFor(call, true);
    const id = call.params.required('AccessKeyId');
    const key = call.iam.accessKey(id);
    if (!key || key.accountId !== call.accountId || nameKey(key.userName) !== nameKey(user.userName)) throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
    call.iam.deleteAccessKey(id);
    call.iam.save();
    return undefined;
  },

  UpdateAccessKey(call) {
    const user = userFor(call, true);
    const id = call.params.required('AccessKeyId');
    const status = call.params.required('Status');
    if (status !== 'Active' && status !== 'Inactive') throw new AwsError('ValidationError', `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    const key = call.iam.accessKey(id);
    if (!key || key.accountId !== call.accountId || nameKey(key.userName) !== nameKey(user.userName)) throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
    key.status = status;
    call.iam.save();
    return undefined;
  },

  ListAccessKeys(call) {
    const user = userFor(call, true);
    const { page, fields } = paginate(call, call.iam.accessKeysOf(call.accountId, user.userName), (k) => k.accessKeyId);
    const keys = page.map((k) => ({ UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createDate }));
    return { AccessKeyMetadata: members(keys), ...fields };
  },

  // -- inline policies and managed attachments (shared with roles) --------------

  PutUserPolicy(call) {
    const user = userFor(call);
    putInlinePolicy(call, user, user.userName, USER_POLICIES);
    return undefined;
  },

  GetUserPolicy(call) {
    const user = userFor(call);
    return { UserName: user.userName, ...getInlinePolicy(call, user, USER_POLICIES) };
  },

  DeleteUserPolicy(call) {
    deleteInlinePolicy(call, userFor(call), USER_POLICIES);
    return undefined;
  },

  ListUserPolicies(call) {
    return listInlinePolicies(call, userFor(call));
  },

  AttachUserPolicy(call) {
    attachPolicy(call, userFor(call), USER_POLICIES);
    return undefined;
  },

  DetachUserPolicy(call) {
    detachPolicy(call, userFor(call));
    return undefined;
  },

  ListAttachedUserPolicies(call) {
    return listAttachedPolicies(call, userFor(call));
  },

  // -- permissions boundary ------------------------------------------------------
  // https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPermissionsBoundary.html

  PutUserPermissionsBoundary(call) {
    return putPermissionsBoundary(call, userFor(call));
  },

  DeleteUserPermissionsBoundary(call) {
    return deletePermissionsBoundary(call, userFor(call));
  },
};
