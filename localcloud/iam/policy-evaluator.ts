// ---------------------------------------------------------------------------
// AWS policy evaluation for one request: explicit deny first, then the same-account or
// cross-account rule, with session policies and trust policies as AWS applies them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
// Pure: no I/O, no state. The core calls it for every non-root request; IAM uses the grammar.
// ---------------------------------------------------------------------------
import { conditionsHold, indexContext, type ContextIndex } from './policy-conditions';
import { sidOf, statementsOf, type StatementJson } from './policy-document';
import { actionMatches, principalMatches, resourceMatches, type PrincipalMatchKind } from './policy-match';
import type { Decision, EvaluationInput, EvaluationPrincipal, MatchedStatement, PolicyDocumentJson, PolicyType } from './policy-types';

export { validatePolicyDocument, principalArnsOf } from './policy-grammar';
export type { Decision, EvaluationInput, EvaluationPrincipal, MatchedStatement, PolicyKind, PolicyType } from './policy-types';

// ---------------------------------------------------------------------------
// Statement matching
// ---------------------------------------------------------------------------

interface RequestFacts {
  readonly action: string;
  readonly resource: string;
  readonly context: ContextIndex;
}

function statementApplies(statement: StatementJson, request: RequestFacts): boolean {
  return actionMatches(statement, request.action) && resourceMatches(statement, request.resource) && conditionsHold(statement.Condition, request.context);
}

function matched(policy: PolicyType, statement: StatementJson): MatchedStatement {
  const sid = sidOf(statement);
  const effect = statement.Effect === 'Deny' ? 'Deny' : 'Allow';
  return sid === undefined ? { policy, effect } : { policy, sid, effect };
}

/** Statements of the given effect, in any of the documents, that apply to the request. */
function applying(docs: readonly PolicyDocumentJson[], effect: 'Allow' | 'Deny', request: RequestFacts): StatementJson[] {
  const found: StatementJson[] = [];
  for (const doc of docs) for (const s of statementsOf(doc)) if (s.Effect === effect && statementApplies(s, request)) found.push(s);
  return found;
}

interface ResourceGrant {
  readonly statement: StatementJson;
  readonly kinds: readonly PrincipalMatchKind[];
}

/** Resource-policy statements of the given effect that name the caller and apply to the request. */
function applyingToPrincipal(doc: PolicyDocumentJson | undefined, effect: 'Allow' | 'Deny', principal: EvaluationPrincipal, request: RequestFacts): ResourceGrant[] {
  if (!doc) return [];
  const found: ResourceGrant[] = [];
  for (const statement of statementsOf(doc)) {
    if (statement.Effect !== effect) continue;
    const kinds = principalMatches(statement, principal);
    if (kinds.length > 0 && statementApplies(statement, request)) found.push({ statement, kinds });
  }
  return found;
}

// ---------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------

const allow = (reason: string, matchedStatements: MatchedStatement[]): Decision => ({ decision: 'Allow', reason, matched: matchedStatements });
const explicitDeny = (deniedBy: PolicyType, reason: string, statement: StatementJson): Decision => ({
  decision: 'ExplicitDeny',
  reason,
  deniedBy,
  matched: [matched(deniedBy, statement)],
});
const implicitDeny = (deniedBy: PolicyType, reason: string): Decision => ({ decision: 'ImplicitDeny', reason, deniedBy });

/** AWS refuses AssumeRole with root credentials before any policy is read.
 *  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (root user cannot call AssumeRole) */
const ROOT_CANNOT_ASSUME = 'Roles may not be assumed by root accounts.';

/**
 * Whether AWS would allow this request, and why. See `EvaluationInput` for the inputs.
 *
 * 1. An explicit Deny in any applicable policy (identity, permissions boundary, session, or a
 *    resource-policy statement naming the caller) wins.
 * 2. A service principal is allowed only by a resource policy naming that service.
 * 3. Cross account: the identity side (identity policies intersected with the permissions boundary
 *    and the session policies, each when there is one; root: always) AND the resource policy must
 *    both allow.
 * 4. Same account: the root user is allowed. Otherwise allowed when the identity side allows, or
 *    when the resource policy names the caller itself. A grant to the role ARN (or `*`) is still
 *    limited by the permissions boundary and the session policy; a grant to the exact session ARN or
 *    to a user's ARN is not. A grant to the account only delegates to the identity side.
 *    In `trust` mode (sts:AssumeRole) the trust policy must allow in every case; when it names the
 *    account rather than the caller, the identity side must allow too.
 */
export function evaluate(input: EvaluationInput): Decision {
  const { principal } = input;
  const request: RequestFacts = { action: input.action, resource: input.resource, context: indexContext(input.context) };
  const trust = input.resourcePolicyKind === 'trust';
  const resourceWord = trust ? 'trust policy' : 'resource-based policy';
  const isService = principal.kind === 'service';
  const isRoot = principal.kind === 'root';

  // Identity policies cannot be attached to the root user or to a service. A session created
  // without Policy or PolicyArns has no session policy, so an empty list limits nothing.
  const identityDocs = isRoot || isService ? [] : input.identityPolicies;
  const sessionDocs = isRoot || isService || !input.sessionPolicies?.length ? undefined : input.sessionPolicies;
  const boundaryDocs = isRoot || isService || !input.permissionsBoundary ? undefined : [input.permissionsBoundary];

  // -- 1. explicit deny ------------------------------------------------------
  const identityDeny = applying(identityDocs, 'Deny', request)[0];
  if (identityDeny) return explicitDeny('identity', 'explicit deny in an identity-based policy', identityDeny);
  const boundaryDeny = applying(boundaryDocs ?? [], 'Deny', request)[0];
  if (boundaryDeny) return explicitDeny('boundary', 'explicit deny in a permissions boundary', boundaryDeny);
  const sessionDeny = applying(sessionDocs ?? [], 'Deny', request)[0];
  if (sessionDeny) return explicitDeny('session', 'explicit deny in a session policy', sessionDeny);
  const resourceDeny = applyingToPrincipal(input.resourcePolicy, 'Deny', principal, request)[0];
  if (resourceDeny) return explicitDeny('resource', `explicit deny in ${trust ? 'the role trust policy' : 'a resource-based policy'}`, resourceDeny.statement);

  if (trust && isRoot) return { decision: 'ImplicitDeny', reason: 'the root user cannot assume a role', deniedBy: 'resource', message: ROOT_CANNOT_ASSUME };

  const resourceAllows = applyingToPrincipal(input.resourcePolicy, 'Allow', principal, request);
  const resourceMatched = resourceAllows.map((g) => matched('resource', g.statement));

  // -- 2. service principals -------------------------------------------------
  if (isService) {
    const byService = resourceAllows.filter((g) => g.kinds.includes('service') || g.kinds.includes('everyone'));
    if (byService.length > 0) return allow(`${resourceWord} allows the service principal`, byService.map((g) => matched('resource', g.statement)));
    return implicitDeny('resource', `no ${resourceWord} allows the service principal`);
  }

  // -- identity side -----------------------------------------------------------
  const identityAllows = applying(identityDocs, 'Allow', request);
  const sessionAllows = sessionDocs === undefined ? [] : applying(sessionDocs, 'Allow', request);
  const boundaryAllows = boundaryDocs === undefined ? [] : applying(boundaryDocs, 'Allow', request);
  const identityAllowed = isRoot || identityAllows.length > 0;
  const sessionAllowed = sessionDocs === undefined || sessionAllows.length > 0;
  // A permissions boundary grants nothing: it only caps the identity side (and grants to the role ARN).
  const boundaryAllowed = boundaryDocs === undefined || boundaryAllows.length > 0;
  const identityMatched = [
    ...identityAllows.map((s) => matched('identity', s)), ...boundaryAllows.map((s) => matched('boundary', s)), ...sessionAllows.map((s) => matched('session', s)),
  ];
  /** The limit that cut an allow: the boundary first, then the session policy. */
  const limitDenial = (): Decision =>
    !boundaryAllowed ? implicitDeny('boundary', 'permissions boundary does not allow') : implicitDeny('session', 'session policy does not allow');
  const identityDenial = (): Decision => (identityAllowed ? limitDenial() : implicitDeny('identity', 'no identity-based policy allows'));
  const limitsAllow = boundaryAllowed && sessionAllowed;

  const sameAccount = principal.accountId === input.resourceAccountId;

  // -- 3. cross account --------------------------------------------------------
  if (!sameAccount) {
    if (!identityAllowed || !limitsAllow) return identityDenial();
    if (resourceAllows.length === 0) return implicitDeny('resource', `no ${resourceWord} allows (cross-account access needs both sides)`);
    return allow(`identity side and ${resourceWord} both allow (cross-account)`, [...identityMatched, ...resourceMatched]);
  }

  // -- 4. same account ---------------------------------------------------------
  if (isRoot) return allow("root user of the resource's account", []);

  // A grant naming the caller directly. The exact session ARN and a user's ARN escape the permissions
  // boundary and the session policy; the role ARN or `*` are folded into the identity's permissions
  // before those limits cut. https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-eval-logic
  const directGrants = resourceAllows.filter((g) =>
    g.kinds.some((k) => k === 'session' || k === 'user' || ((k === 'role' || k === 'everyone') && limitsAllow)),
  );
  const identityGrants = identityAllowed && limitsAllow;
  // A resource grant naming the caller that only a limit cuts reads as that limit's refusal.
  const cutByLimit = !limitsAllow && resourceAllows.some((g) => g.kinds.some((k) => k === 'role' || k === 'everyone'));
  const sameAccountDenial = (): Decision => (cutByLimit ? limitDenial() : identityDenial());

  if (trust) {
    if (resourceAllows.length === 0) return implicitDeny('resource', 'no trust policy allows');
    if (directGrants.length > 0) return allow('trust policy names the caller', directGrants.map((g) => matched('resource', g.statement)));
    if (identityGrants) return allow('trust policy trusts the account and an identity-based policy allows', [...identityMatched, ...resourceMatched]);
    return sameAccountDenial();
  }

  if (identityGrants) return allow('identity-based policy allows', [...identityMatched, ...resourceMatched]);
  if (directGrants.length > 0) return allow('resource-based policy names the caller', directGrants.map((g) => matched('resource', g.statement)));
  return sameAccountDenial();
}

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

/** How AWS's messages name each policy type ("no permissions boundary allows", "an explicit deny in a session policy"). */
const POLICY_WORDS: Readonly<Record<PolicyType, { readonly noun: string; readonly article: string }>> = {
  identity: { noun: 'identity-based policy', article: 'an' },
  boundary: { noun: 'permissions boundary', article: 'a' },
  resource: { noun: 'resource-based policy', article: 'a' },
  session: { noun: 'session policy', article: 'a' },
};

/**
 * AWS's AccessDenied message for a refused request, e.g.
 * `User: arn:aws:sts::111122223333:assumed-role/R/S is not authorized to perform: sts:AssumeRole on
 * resource: arn:aws:iam::444455556666:role/X because no resource-based policy allows the sts:AssumeRole action`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 */
export function accessDeniedMessage(principalArn: string, action: string, resource: string, decision: Decision): string {
  if (decision.message) return decision.message;
  const base = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  if (decision.decision === 'Allow' || !decision.deniedBy) return base;
  const words = POLICY_WORDS[decision.deniedBy];
  if (decision.decision === 'ExplicitDeny') return `${base} with an explicit deny in ${words.article} ${words.noun}`;
  return `${base} because no ${words.noun} allows the ${action} action`;
}
