// ---------------------------------------------------------------------------
// When a tenant's session is refreshed and the Invoke retried, once, within the same call.
//
// Why: the connector holds each tenant's session for up to ASSUME_ROLE_DURATION_SECONDS. AWS
// may stop accepting it before the connector's own clock says it expires:
//  - ExpiredTokenException: Lambda's clock is ahead of ours (skew), or the session was cut short.
//    A new session is all it takes.
//  - AccessDeniedException on a session taken from the cache: the customer may have revoked
//    older sessions (IAM's "Revoke active sessions" denies by aws:TokenIssueTime), which a new
//    session passes; or the role really lost the permission, or its trust no longer admits the
//    vendor, which a new AssumeRole will say (AssumeRoleRefused) or the retried Invoke will
//    (InvokeRefused). Either way the caller gets an answer about the tenant's role *now*.
// Retrying is safe: both refusals happen before Lambda runs the function, so the customer's
// code cannot run twice. Throttling and 5xx are not handled here: the SDK's standard retry
// strategy already retried them with backoff and jitter (lambda/shared/clients.ts).
//
// At most once per call, and for AccessDenied at most once per session: when a session that was
// fresh is refused, the refusal is about the role's permissions, and later calls with that same
// session answer InvokeRefused at once instead of assuming the role again on every call.
// ---------------------------------------------------------------------------
import { awsErrorCode } from '../shared/aws-errors';

export type RefreshReason = 'expired-session' | 'refused-cached-session';

/** What the connector knows about the session an Invoke was signed with. */
export interface SessionUse {
  /** The session came from the cache (no AssumeRole ran for this call). */
  readonly cached: boolean;
  /** This very session was already refused while fresh: its refusal is about permissions. */
  readonly refusedWhenFresh: boolean;
}

/** Why the Invoke failure `error` calls for a new session and one retry, or undefined when it does not. */
export function refreshReason(error: unknown, session: SessionUse): RefreshReason | undefined {
  const code = awsErrorCode(error);
  if (code === 'ExpiredTokenException') return 'expired-session';
  if (code === 'AccessDeniedException' && session.cached && !session.refusedWhenFresh) return 'refused-cached-session';
  return undefined;
}
