// ---------------------------------------------------------------------------
// Source identity of AssumeRole: set once, by the first AssumeRole of a chain, then carried on by
// every session created from it; it cannot be changed. While it is being set (or carried on) the
// trust policy sees it as sts:SourceIdentity and must allow sts:SetSourceIdentity; requests made
// with the session see it as aws:SourceIdentity.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html
// ---------------------------------------------------------------------------
import type { Principal } from '../contracts';

export type SourceIdentityResolution =
  | { readonly kind: 'none' }
  | { readonly kind: 'set'; readonly value: string }
  /** The calling session has a different one: the request is denied. */
  | { readonly kind: 'conflict'; readonly value: string };

/**
 * The new session's source identity: the calling session's (when it has one; passing the same
 * value again is allowed), else the one passed. A different value is denied: "If the user attempts
 * to set a source identity that is different from the value set when CriticalRole was assumed, the
 * assume role request will be denied."
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-chain
 */
export function resolveSourceIdentity(caller: Principal, requested: string | undefined): SourceIdentityResolution {
  const carried = caller.kind === 'assumed-role' ? caller.sourceIdentity : undefined;
  if (carried !== undefined) return requested === undefined || requested === carried ? { kind: 'set', value: carried } : { kind: 'conflict', value: requested };
  return requested === undefined ? { kind: 'none' } : { kind: 'set', value: requested };
}
