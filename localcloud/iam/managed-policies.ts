// ---------------------------------------------------------------------------
// Customer managed policies and their versions (at most 5; the default one cannot be deleted).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
// A customer managed policy belongs to its account: another account can neither read nor change
// it (IAM policies take no resource-based policy, so the cross-account rule refuses), nor attach it.
// AWS managed policies are read and attached from every account and changed by none.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
// ---------------------------------------------------------------------------
import { AwsError } from '../contracts';
import { uniqueId } from '../core/ids';
import { members } from '../core/query';
import { AWS_ACCOUNT, awsManagedPolicies } from './aws-managed-policies';
import {
  alreadyExists, checkPolicyDocument, deleteConflict, iamDate, limitExceeded, noSuchEntity, policyAccountOf, policyShape, policyVersionShape,
  requirePolicy, tagsShape, type IamCall, type IamOperation,
} from './call';
import { paginate } from './pagination';
import { nameKey, type ManagedPolicyRecord, type PolicyVersionRecord } from './store';
import { MANAGED_POLICY_MAX, checkDescription, checkName, checkPath, checkTags, policySize } from './validation';

const MAX_VERSIONS = 5;

function checkManagedDocument(call: IamCall, json: string): void {
  checkPolicyDocument(call, 'policyDocument', json, 'identity');
  if (policySize(json) > MANAGED_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_MAX}`);
}

/**
 * The policy named by PolicyArn, authorized for the calling action as a resource of the account
 * that owns it. A policy of another account is that account's resource: with no resource-based
 * policy on IAM policies, the cross-account rule refuses every caller, its root user included.
 * An AWS managed policy is read in the caller's own account (every account can read it), but
 * changing one is a change to AWS's resource, refused the same way: customers cannot edit them.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
 */
function policyFor(call: IamCall, use: 'read' | 'change'): ManagedPolicyRecord {
  const arn = call.params.required('PolicyArn');
  const owner = policyAccountOf(arn) ?? call.accountId;
  call.authorize(arn, owner === AWS_ACCOUNT && use === 'read' ? call.accountId : owner);
  return requirePolicy(call, arn);
}

const SCOPES = ['All', 'AWS', 'Local'];
const USAGE_FILTERS = ['PermissionsPolicy', 'PermissionsBoundary'];

function enumParam(call: IamCall, name: string, values: readonly string[]): string | undefined {
  const value = call.params.optional(name);
  if (value !== undefined && !values.includes(value)) {
    const field = name.charAt(0).toLowerCase() + name.slice(1);
    throw new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`);
  }
  return value;
}

function booleanParam(call: IamCall, name: string): boolean {
  const value = call.params.optional(name);
  if (value === undefined) return false;
  if (value !== 'true' && value !== 'false') throw new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${name.charAt(0).toLowerCase() + name.slice(1)}' failed to satisfy constraint: Member must be a boolean`);
  return value === 'true';
}

function versionOf(policy: ManagedPolicyRecord, versionId: string): PolicyVersionRecord {
  const version = policy.versions.find((v) => v.versionId === versionId);
  if (!version) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
  return version;
}

export const managedPolicyOperations: Record<string, IamOperation> = {
  CreatePolicy(call) {
    const p = call.params;
    const name = p.required('PolicyName');
    checkName('policyName', name);
    const path = p.optional('Path') ?? '/';
    checkPath(path);
    const arn = `arn:aws:iam::${call.accountId}:policy${path}${name}`;
    call.authorize(arn);
    const document = p.required('PolicyDocument');
    const description = p.optional('Description');
    if (description !== undefined) checkDescription(description);
    const tags = p.tags();
    checkTags(tags);
    const policies = call.iam.account(call.accountId).policies;
    if (Object.values(policies).some((x) => x.policyName.toLowerCase() === name.toLowerCase())) {
      throw alreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
    }
    checkManagedDocument(call, document);
    const now = iamDate(call.now());
    const policy: ManagedPolicyRecord = {
      policyName: name, policyId: uniqueId('ANPA'), arn, path, ...(description !== undefined ? { description } : {}),
      createDate: now, updateDate: now, defaultVersionId: 'v1', nextVersion: 2,
      versions: [{ versionId: 'v1', document, createDate: now }], tags,
    };
    policies[arn] = policy;
    call.iam.save();
    return { Policy: policyShape(call, policy) };
  },

  GetPolicy(call) {
    return { Policy: policyShape(call, policyFor(call, 'read')) };
  },

  /** Scope (All | AWS | Local), OnlyAttached, PathPrefix and pagination, by policy name.
   *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html */
  ListPolicies(call) {
    call.authorize('*');
    const scope = enumParam(call, 'Scope', SCOPES) ?? 'All';
    // Every managed policy can serve as either; the filter is checked, and narrows nothing here.
    enumParam(call, 'PolicyUsageFilter', USAGE_FILTERS);
    const onlyAttached = booleanParam(call, 'OnlyAttached');
    const prefix = call.params.optional('PathPrefix') ?? '/';
    checkPath(prefix, 'pathPrefix');
    const local = Object.values(call.iam.account(call.accountId).policies);
    const policies = [...(scope === 'Local' ? [] : awsManagedPolicies()), ...(scope === 'AWS' ? [] : local)]
      .filter((x) => x.path.startsWith(prefix))
      .filter((x) => !onlyAttached || call.iam.attachmentCount(x.arn, call.accountId) > 0);
    const { page, fields } = paginate(call, policies, (x) => `${nameKey(x.policyName)}\n${x.arn}`);
    return { Policies: members(page.map((x) => policyShape(call, x))), ...fields };
  },

  DeletePolicy(call) {
    const policy = policyFor(call, 'change');
    const inUse = call.iam.attachmentCount(policy.arn, call.accountId) + call.iam.boundaryUsageCount(policy.arn, call.accountId);
    if (inUse > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
    if (policy.versions.length > 1) {
      throw deleteConflict('This policy has more than one version. Before you delete a policy, you must delete the policy\'s versions. The default version is deleted with the policy.');
    }
    delete call.iam.account(call.accountId).policies[policy.arn];
    call.iam.save();
    return undefined;
  },

  CreatePolicyVersion(call) {
    const policy = policyFor(call, 'change');
    const document = call.params.required('PolicyDocument');
    checkManagedDocument(call, document);
    if (policy.versions.length >= MAX_VERSIONS) {
      throw limitExceeded('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    }
    const now = iamDate(call.now());
    const version: PolicyVersionRecord = { versionId: `v${policy.nextVersion}`, document, createDate: now };
    policy.nextVersion++;
    policy.versions.push(version);
    if (call.params.optional('SetAsDefault') === 'true') policy.defaultVersionId = version.versionId;
    policy.updateDate = now;
    call.iam.save();
    return { PolicyVersion: policyVersionShape(policy, version, false) };
  },

  GetPolicyVersion(call) {
    const policy = policyFor(call, 'read');
    const version = versionOf(policy, call.params.required('VersionId'));
    return { PolicyVersion: policyVersionShape(policy, version, true) };
  },

  ListPolicyVersions(call) {
    const policy = policyFor(call, 'read');
    // Newest first: keys count down from the highest version number.
    const newestFirst = (v: PolicyVersionRecord) => String(1e9 - Number(v.versionId.slice(1))).padStart(10, '0');
    const { page, fields } = paginate(call, policy.versions, newestFirst);
    return { Versions: members(page.map((v) => policyVersionShape(policy, v, false))), ...fields };
  },

  DeletePolicyVersion(call) {
    const policy = policyFor(call, 'change');
    const version = versionOf(policy, call.params.required('VersionId'));
    if (version.versionId === policy.defaultVersionId) throw deleteConflict('Cannot delete the default version of a policy.');
    policy.versions = policy.versions.filter((v) => v !== version);
    call.iam.save();
    return undefined;
  },

  SetDefaultPolicyVersion(call) {
    const policy = policyFor(call, 'change');
    const version = versionOf(policy, call.params.required('VersionId'));
    policy.defaultVersionId = version.versionId;
    policy.updateDate = iamDate(call.now());
    call.iam.save();
    return undefined;
  },

  TagPolicy(call) {
    const policy = policyFor(call, 'change');
    const merged = new Map(policy.tags.map((t) => [t.Key, t]));
    for (const t of call.params.tags()) merged.set(t.Key, t);
    checkTags([...merged.values()]);
    policy.tags = [...merged.values()];
    call.iam.save();
    return undefined;
  },

  UntagPolicy(call) {
    const policy = policyFor(call, 'change');
    const keys = new Set(call.params.list('TagKeys'));
    policy.tags = policy.tags.filter((t) => !keys.has(t.Key));
    call.iam.save();
    return undefined;
  },

  ListPolicyTags(call) {
    const { page, fields } = paginate(call, policyFor(call, 'read').tags, (t) => t.Key.toLowerCase());
    return { Tags: tagsShape(page), ...fields };
  },
};
