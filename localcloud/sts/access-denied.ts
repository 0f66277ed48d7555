// ---------------------------------------------------------------------------
// How STS words a refused AssumeRole. A refusal on the role's side (no trust statement allows,
// an explicit deny in the trust, or no such role at all) is the bare sentence, the same for a role
// that does not exist and for one that exists but does not trust the caller, so that another
// account's role names cannot be probed; only the caller's own side (its identity-based or
// session policy) gets the "because no ... policy allows" context.
// The one "I can't assume a role" case, whatever the role's side lacks: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_roles.html#troubleshoot_roles_cant-assume-role
// Policy-type context is not given by every service (STS's trust refusals have none): https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
// ---------------------------------------------------------------------------
import { AwsError } from '../contracts';
import { accessDeniedMessage, type Decision } from '../iam/policy-evaluator';

/** The sentence every role-side refusal of `action` (sts:AssumeRole, sts:SetSourceIdentity, sts:TagSession) uses. */
export function bareDenial(callerArn: string, action: string, roleArn: string): string {
  return `User: ${callerArn} is not authorized to perform: ${action} on resource: ${roleArn}`;
}

/** AccessDenied (403) for a refused STS permission check, worded as above. */
export function stsAccessDenied(callerArn: string, action: string, roleArn: string, decision: Decision): AwsError {
  const roleSide = decision.deniedBy === 'resource' && decision.message === undefined;
  const message = roleSide ? bareDenial(callerArn, action, roleArn) : accessDeniedMessage(callerArn, action, roleArn, decision);
  return new AwsError('AccessDenied', message, 403);
}
