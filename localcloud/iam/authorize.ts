// ---------------------------------------------------------------------------
// Authorization: gather what AWS evaluates for a request (the caller's identity policies, its
// session policy, the resource policy, the global condition keys) and ask the evaluator.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// Global keys: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
// ---------------------------------------------------------------------------
import { AwsError, type AuthorizationRequest, type ContextValue, type Principal } from '../contracts';
import { callerPolicies } from './caller';
import { accessDeniedMessage, evaluate } from './policy-evaluator';
import type { IamStore } from './store';

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
  };
}

/** Throws AccessDenied with AWS's message unless the request is allowed. */
export function authorizeRequest(iam: IamStore, now: Date, request: AuthorizationRequest & { resourcePolicyKind?: 'trust' | 'resource' }): void {
  const p = request.principal;
  // The caller's policies, boundary and unique ID; a session whose role is gone is refused outright.
  const caller = callerPolicies(iam, p);
  if (caller.refusal) throw new AwsError('AccessDenied', accessDeniedMessage(p.arn, request.action, request.resource, caller.refusal), 403);
  const decision = evaluate({
    principal: caller.principal,
    action: request.action,
    resource: request.resource,
    resourceAccountId: request.resourceAccountId,
    identityPolicies: caller.identityPolicies,
    ...(caller.permissionsBoundary ? { permissionsBoundary: caller.permissionsBoundary } : {}),
    sessionPolicies: p.sessionPolicy ? [p.sessionPolicy] : undefined,
    resourcePolicy: request.resourcePolicy,
    resourcePolicyKind: request.resourcePolicyKind ?? 'resource',
    context: { ...globalContext(p, now), ...request.context },
  });
  if (decision.decision !== 'Allow') {
    throw new AwsError('AccessDenied', accessDeniedMessage(p.arn, request.action, request.resource, decision), 403);
  }
}
