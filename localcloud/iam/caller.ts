// ---------------------------------------------------------------------------
// What IAM knows of the caller of a request: its identity policies, its permissions boundary and
// its unique ID, for the evaluator. A role session carries the unique ID of the role it was issued
// for; once that role is deleted (or deleted and re-created under the same name, with a new ID),
// the session has no permissions left: a new role with the old name is another principal.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
// ---------------------------------------------------------------------------
import type { PolicyDocumentJson, Principal } from '../contracts';
import type { Decision, EvaluationPrincipal } from './policy-types';
import type { IamView, RoleRecord, UserRecord } from './store';

export interface CallerPolicies {
  /** The caller as the evaluator sees it, with its unique ID (AIDA... user, AROA... role). */
  readonly principal: EvaluationPrincipal;
  /** Inline policies, then attached managed ones (default versions). */
  readonly identityPolicies: PolicyDocumentJson[];
  /** The default version of the user's or role's permissions boundary, when it has one. */
  readonly permissionsBoundary?: PolicyDocumentJson;
  /** The user or role record, for its tags (aws:PrincipalTag); undefined for the root. */
  readonly entity?: RoleRecord | UserRecord;
  /** A refusal decided before any policy is read: a session whose role is gone or was re-created. */
  readonly refusal?: Decision;
}

function defaultDocument(iam: IamView, arn: string): PolicyDocumentJson | undefined {
  const policy = iam.policy(arn);
  const version = policy?.versions.find((v) => v.versionId === policy.defaultVersionId);
  return version ? (JSON.parse(version.document) as PolicyDocumentJson) : undefined;
}

/** Identity policies of a user or role: inline ones, then attached managed ones (default version). */
export function identityPoliciesOf(iam: IamView, entity: RoleRecord | UserRecord | undefined): PolicyDocumentJson[] {
  if (!entity) return [];
  const docs = Object.values(entity.inlinePolicies).map((json) => JSON.parse(json) as PolicyDocumentJson);
  for (const arn of entity.attachedPolicyArns) {
    const doc = defaultDocument(iam, arn);
    if (doc) docs.push(doc);
  }
  return docs;
}

/** The unique ID a principal carries: a user's AIDA..., a session's role AROA... (its UserId is `AROA...:session`). */
function uniqueIdOf(p: Principal): string | undefined {
  if (p.kind === 'user') return p.userId;
  if (p.kind === 'assumed-role') return p.userId.split(':')[0];
  return undefined;
}

const ROLE_GONE: Decision = {
  decision: 'ImplicitDeny',
  reason: "the session's role no longer exists (deleted, or re-created with another unique ID)",
  deniedBy: 'identity',
};

export function callerPolicies(iam: IamView, p: Principal): CallerPolicies {
  const uniqueId = uniqueIdOf(p);
  const principal: EvaluationPrincipal = {
    kind: p.kind, accountId: p.accountId, arn: p.arn, ...(p.roleArn ? { roleArn: p.roleArn } : {}), ...(uniqueId ? { uniqueId } : {}),
  };
  let entity: RoleRecord | UserRecord | undefined;
  if (p.kind === 'user') entity = iam.userByArn(p.arn);
  if (p.kind === 'assumed-role') {
    const role = p.roleArn ? iam.roleByArn(p.roleArn) : undefined;
    if (!role || role.roleId !== uniqueId) return { principal, identityPolicies: [], refusal: ROLE_GONE };
    entity = role;
  }
  const boundary = entity?.permissionsBoundary ? defaultDocument(iam, entity.permissionsBoundary) : undefined;
  return { principal, identityPolicies: identityPoliciesOf(iam, entity), ...(entity ? { entity } : {}), ...(boundary ? { permissionsBoundary: boundary } : {}) };
}
