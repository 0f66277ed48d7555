// ---------------------------------------------------------------------------
// The vocabulary of the policy engine: what a caller asks (EvaluationInput) and what it is told
// (Decision). Pure types; the grammar, matchers, conditions and evaluator share them.
// ---------------------------------------------------------------------------
import type { ContextValue, PolicyDocumentJson } from '../contracts';

export type { ContextValue, PolicyDocumentJson };

/** Where a document is used: decides which elements it must have and which it must not. */
export type PolicyKind = 'identity' | 'trust' | 'resource' | 'session';

/** The policy types AWS names in its access-denied messages. */
export type PolicyType = 'identity' | 'boundary' | 'session' | 'resource';

/** Who is asking. A service principal (e.g. lambda.amazonaws.com) has no account of its own. */
export interface EvaluationPrincipal {
  readonly kind: 'root' | 'user' | 'assumed-role' | 'service';
  /** The principal's own account (for a service: the account it acts for, if any). */
  readonly accountId: string;
  /** root: arn:aws:iam::A:root; user: arn:aws:iam::A:user/N; session: arn:aws:sts::A:assumed-role/R/S;
   *  service: the service name itself (lambda.amazonaws.com). */
  readonly arn: string;
  /** For sessions: the role's IAM ARN (arn:aws:iam::A:role/path/R); a trust or resource policy naming
   *  it matches every session of the role. */
  readonly roleArn?: string;
  /** For services: the service principal name (lambda.amazonaws.com). Defaults to `arn`. */
  readonly servicePrincipal?: string;
  /** For users: the user's unique ID (AIDA...); for sessions: the role's (AROA...). A trust policy
   *  stores the users and roles it names as these IDs, so it matches the principal, not its name. */
  readonly uniqueId?: string;
}

export interface EvaluationInput {
  readonly principal: EvaluationPrincipal;
  /** e.g. `lambda:InvokeFunction`, `sts:AssumeRole`. */
  readonly action: string;
  /** The resource ARN. */
  readonly resource: string;
  /** Account that owns the resource: decides same-account vs cross-account evaluation. */
  readonly resourceAccountId: string;
  /** Every identity-based policy of the user or role (inline and managed). Ignored for root and services. */
  readonly identityPolicies: readonly PolicyDocumentJson[];
  /** The user's or role's permissions boundary (the default version of its managed policy).
   *  `undefined` means it has none: no limit. Ignored for root and services. */
  readonly permissionsBoundary?: PolicyDocumentJson;
  /** Session policies passed to AssumeRole. `undefined` (or an empty list) means the session has none: no limit. */
  readonly sessionPolicies?: readonly PolicyDocumentJson[];
  /** The resource-based policy: a function policy, or a role's trust policy for sts:AssumeRole. */
  readonly resourcePolicy?: PolicyDocumentJson;
  /** `trust`: the resource policy is a role trust policy and MUST allow, even in the same account.
   *  @default 'resource' */
  readonly resourcePolicyKind?: 'trust' | 'resource';
  /** Request condition keys (aws:SourceAccount, sts:ExternalId, ...). Key names are case-insensitive. */
  readonly context?: Readonly<Record<string, ContextValue>>;
}

/** One statement that decided (or helped decide) the outcome. */
export interface MatchedStatement {
  readonly policy: PolicyType;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
}

export interface Decision {
  readonly decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** Human readable: which policy type allowed or refused, e.g. "no identity-based policy allows". */
  readonly reason: string;
  /** For a deny: the policy type AWS names in its message ("because no <type> policy allows",
   *  "with an explicit deny in a <type> policy"). */
  readonly deniedBy?: PolicyType;
  /** A fixed message AWS uses instead of the usual shape (e.g. root assuming a role). */
  readonly message?: string;
  /** The statements that allowed, or the first that explicitly denied. */
  readonly matched?: readonly MatchedStatement[];
}
