// ---------------------------------------------------------------------------
// Customer managed policies and their versions (at most 5; the default one cannot be deleted).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
// ---------------------------------------------------------------------------
import { uniqueId } from '../core/ids';
import { members } from '../core/query';
import {
  alreadyExists, checkPolicyDocument, deleteConflict, iamDate, limitExceeded, noSuchEntity, policyShape, policyVersionShape,
  requirePolicy, tagsShape, type IamCall, type IamOperation,
} from './call';
import type { ManagedPolicyRecord, PolicyVersionRecord } from './store';
import { MANAGED_POLICY_MAX, checkDescription, checkName, checkPath, checkTags, policySize } from './validation';

const MAX_VERSIONS = 5;

function checkManagedDocument(call: IamCall, json: string): void {
  checkPolicyDocument(call, 'policyDocument', json, 'identity');
  if (policySize(json) > MANAGED_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_MAX}`);
}

/** The policy named by PolicyArn, authorized for the calling action. */
function policyFor(call: IamCall): ManagedPolicyRecord {
  const arn = call.params.required('PolicyArn');
  call.authorize(arn);
  return requirePolicy(call, arn);
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
    return { Policy: policyShape(call, policyFor(call)) };
  },

  ListPolicies(call) {
    call.authorize('*');
    const scope = call.params.optional('Scope') ?? 'All';
    const policies = scope === 'AWS' ? [] : Object.values(call.iam.account(call.accountId).policies);
    return { Policies: members(policies.map((x) => policyShape(call, x))), IsTruncated: false };
  },

  DeletePolicy(call) {
    const policy = policyFor(call);
    if (call.iam.attachmentCount(policy.arn) > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
    if (policy.versions.length > 1) {
      throw deleteConflict('This policy has more than one version. Before you delete a policy, you must delete the policy\'s versions. The default version is deleted with the policy.');
    }
    delete call.iam.account(call.accountId).policies[policy.arn];
    call.iam.save();
    return undefined;
  },

  CreatePolicyVersion(call) {
    const policy = policyFor(call);
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
    const policy = policyFor(call);
    const version = versionOf(policy, call.params.required('VersionId'));
    return { PolicyVersion: policyVersionShape(policy, version, true) };
  },

  ListPolicyVersions(call) {
    const policy = policyFor(call);
    const newestFirst = [...policy.versions].reverse();
    return { Versions: members(newestFirst.map((v) => policyVersionShape(policy, v, false))), IsTruncated: false };
  },

  DeletePolicyVersion(call) {
    const policy = policyFor(call);
    const version = versionOf(policy, call.params.required('VersionId'));
    if (version.versionId === policy.defaultVersionId) throw deleteConflict('Cannot delete the default version of a policy.');
    policy.versions = policy.versions.filter((v) => v !== version);
    call.iam.save();
    return undefined;
  },

  SetDefaultPolicyVersion(call) {
    const policy = policyFor(call);
    const version = versionOf(policy, call.params.required('VersionId'));
    policy.defaultVersionId = version.versionId;
    policy.updateDate = iamDate(call.now());
    call.iam.save();
    return undefined;
  },

  TagPolicy(call) {
    const policy = policyFor(call);
    const merged = new Map(policy.tags.map((t) => [t.Key, t]));
    for (const t of call.params.tags()) merged.set(t.Key, t);
    checkTags([...merged.values()]);
    policy.tags = [...merged.values()];
    call.iam.save();
    return undefined;
  },

  UntagPolicy(call) {
    const policy = policyFor(call);
    const keys = new Set(call.params.list('TagKeys'));
    policy.tags = policy.tags.filter((t) => !keys.has(t.Key));
    call.iam.save();
    return undefined;
  },

  ListPolicyTags(call) {
    return { Tags: tagsShape(policyFor(call).tags), IsTruncated: false };
  },
};
