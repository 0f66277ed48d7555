// ---------------------------------------------------------------------------
// Authorization: gather what AWS evaluates for a request (the caller's identity policies, its
// session policy, the resource policy, the global condition keys) and ask the evaluator.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
// ---------------------------------------------------------------------------
import { AwsError, type AuthorizationRequest, type ContextValue, type Principal } from '../contracts';
import { callerPolicies } from './caller';
import { accessDeniedMessage, evaluate, type Decision } from './policy-evaluator';
import type { IamView, RoleRecord, UserRecord } from './store';

function principalType(p: Principal): string {
  return p.kind === 'root' ? 'Account' : p.kind === 'user' ? 'User' : 'AssumedRole';
}

/** The global condition keys AWS adds to every request by this principal. */
export function globalContext(p: Principal, now: Date): Record<string, ContextValue> {
  return {
    'aws:PrincipalAccount': p.accountId,
    // For a role session, aws:PrincipalArn is the role's ARN, not the session's.
    'aws:PrincipalArn': p.kind === 'assumed-role' && p.roleArn ? p.roleArn : p.arn,
    'aws:PrincipalType': principalType(p),
    'aws:userid': p.userId,
    ...(p.kind === 'user' ? { 'aws:username': p.arn.slice(p.arn.lastIndexOf('/') + 1) } : {}),
    'aws:PrincipalIsAWSService': false,
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    // The local cloud is plain HTTP on loopback.
    'aws:SecureTransport': false,
    'aws:ViaAWSService': false,
    // In every request of a session that has one: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceidentity
    ...(p.sourceIdentity !== undefined ? { 'aws:SourceIdentity': p.sourceIdentity } : {}),
  };
}

/** aws:PrincipalTag/<key>: a user's tags; for a role session the role's tags, each overridden (whatever
 *  its case) by a session tag of the same key. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html */
export function principalTagContext(p: Principal, entity: RoleRecord | UserRecord | undefined): Record<string, ContextValue> {
  const byKey = new Map<string, { Key: string; Value: string }>();
  for (const tag of [...(entity?.tags ?? []), ...(p.kind === 'assumed-role' ? p.sessionTags ?? [] : [])]) byKey.set(tag.Key.toLowerCase(), tag);
  return Object.fromEntries([...byKey.values()].map((tag) => [`aws:PrincipalTag/${tag.Key}`, tag.Value]));
}

/** The evaluator's decision for a request, for callers that word the refusal themselves (STS).
 *  `iam` is IAM as the other services see it (IamStore.propagated()): with a propagation delay, the
 *  caller's policies, boundary and role are those of `delay` ago. */
export function decideRequest(iam: IamView, now: Date, request: AuthorizationRequest & { resourcePolicyKind?: 'trust' | 'resource' }): Decision {
  const p = request.principal;
  // The caller's policies, boundary and unique ID; a session whose role is gone is refused outright.
  const caller = callerPolicies(iam, p);
  if (caller.refusal) return caller.refusal;
  return evaluate({
    principal: caller.principal,
    action: request.action,
    resource: request.resource,
    resourceAccountId: request.resourceAccountId,
    identityPolicies: caller.identityPolicies,
    ...(caller.permissionsBoundary ? { permissionsBoundary: caller.permissionsBoundary } : {}),
    sessionPolicies: p.sessionPolicy ? [p.sessionPolicy] : undefined,
    resourcePolicy: request.resourcePolicy,
    resourcePolicyKind: request.resourcePolicyKind ?? 'resource',
    context: { ...globalContext(p, now), ...principalTagContext(p, caller.entity), ...request.context },
  });
}

/** Throws AccessDenied with AWS's message unless the request is allowed. */
export function authorizeRequest(iam: IamView, now: Date, request: AuthorizationRequest & { resourcePolicyKind?: 'trust' | 'resource' }): void {
  const decision = decideRequest(iam, now, request);
  if (decision.decision !== 'Allow') {
    const p = request.principal;
    throw new AwsError('AccessDenied', accessDeniedMessage(p.arn, request.action, request.resource, decision), 403);
  }
}
