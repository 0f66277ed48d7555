// ---------------------------------------------------------------------------
// Inline policies and managed-policy attachments of an IAM identity. Roles and users behave the
// same way here (only their names, size limits and quota names differ), so both kinds of
// operation (PutRolePolicy / PutUserPolicy, AttachRolePolicy / AttachUserPolicy, ...) call these.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
// ---------------------------------------------------------------------------
import { members } from '../core/query';
import { checkPolicyDocument, encodeDocument, limitExceeded, noSuchEntity, requirePolicy, type IamCall } from './call';
import { paginate } from './pagination';
import { checkName, checkPath, policySize } from './validation';

/** What roles and users have in common: their inline documents and attached policy ARNs. */
export interface PolicyHolder {
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
}

/** How one kind of identity differs: its noun in messages and its limits. */
export interface HolderKind {
  /** `role` or `user`, as IAM's messages say it. */
  readonly noun: 'role' | 'user';
  /** Total size of its inline policies, in bytes. */
  readonly inlineMaxBytes: number;
  /** Attached managed policies. */
  readonly attachedMax: number;
  /** The quota's name in the LimitExceeded message, e.g. `PoliciesPerRole`. */
  readonly attachedQuotaName: string;
}

export function putInlinePolicy(call: IamCall, holder: PolicyHolder, holderName: string, kind: HolderKind): void {
  const policyName = call.params.required('PolicyName');
  checkName('policyName', policyName);
  const document = call.params.required('PolicyDocument');
  checkPolicyDocument(call, 'policyDocument', document, 'identity');
  const others = Object.entries(holder.inlinePolicies).filter(([n]) => n !== policyName).reduce((sum, [, d]) => sum + policySize(d), 0);
  if (others + policySize(document) > kind.inlineMaxBytes) throw limitExceeded(`Maximum policy size of ${kind.inlineMaxBytes} bytes exceeded for ${kind.noun} ${holderName}`);
  holder.inlinePolicies[policyName] = document;
  call.iam.save();
}

/** The named inline policy's name and URL-encoded document. */
export function getInlinePolicy(call: IamCall, holder: PolicyHolder, kind: HolderKind): { PolicyName: string; PolicyDocument: string } {
  const policyName = call.params.required('PolicyName');
  const document = holder.inlinePolicies[policyName];
  if (document === undefined) throw noSuchEntity(`The ${kind.noun} policy with name ${policyName} cannot be found.`);
  return { PolicyName: policyName, PolicyDocument: encodeDocument(document) };
}

export function deleteInlinePolicy(call: IamCall, holder: PolicyHolder, kind: HolderKind): void {
  const policyName = call.params.required('PolicyName');
  if (holder.inlinePolicies[policyName] === undefined) throw noSuchEntity(`The ${kind.noun} policy with name ${policyName} cannot be found.`);
  delete holder.inlinePolicies[policyName];
  call.iam.save();
}

export function listInlinePolicies(call: IamCall, holder: PolicyHolder) {
  const { page, fields } = paginate(call, Object.keys(holder.inlinePolicies), (name) => name);
  return { PolicyNames: members(page), ...fields };
}

/** Attaching an already attached policy is a no-op, as on IAM. */
export function attachPolicy(call: IamCall, holder: PolicyHolder, kind: HolderKind): void {
  const arn = call.params.required('PolicyArn');
  requirePolicy(call, arn);
  if (holder.attachedPolicyArns.includes(arn)) return;
  if (holder.attachedPolicyArns.length >= kind.attachedMax) throw limitExceeded(`Cannot exceed quota for ${kind.attachedQuotaName}: ${kind.attachedMax}`);
  holder.attachedPolicyArns.push(arn);
  call.iam.save();
}

export function detachPolicy(call: IamCall, holder: PolicyHolder): void {
  const arn = call.params.required('PolicyArn');
  if (!holder.attachedPolicyArns.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
  holder.attachedPolicyArns = holder.attachedPolicyArns.filter((a) => a !== arn);
  call.iam.save();
}

/** Attached policies whose path starts with `PathPrefix`, by name.
 *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedRolePolicies.html */
export function listAttachedPolicies(call: IamCall, holder: PolicyHolder) {
  const prefix = call.params.optional('PathPrefix') ?? '/';
  checkPath(prefix, 'pathPrefix');
  const attached = holder.attachedPolicyArns
    .map((arn) => ({ arn, policy: call.iam.policy(arn) }))
    .filter(({ policy }) => (policy?.path ?? '/').startsWith(prefix))
    .map(({ arn, policy }) => ({ PolicyName: policy?.policyName ?? arn.slice(arn.lastIndexOf('/') + 1), PolicyArn: arn }));
  const { page, fields } = paginate(call, attached, (a) => `${a.PolicyName}\n${a.PolicyArn}`);
  return { AttachedPolicies: members(page), ...fields };
}
