// ---------------------------------------------------------------------------
// The e2e suite's one way to wait for IAM propagation: bounded polling with backoff on the
// documented symptoms of a change not yet propagated (AccessDenied from AssumeRole,
// AccessDeniedException from Lambda, "cannot be assumed by Lambda", a new key's
// InvalidClientTokenId), never a fixed sleep. The poller itself lives in scripts/lib (the
// rehearsal waits with it too; production code never imports test/).
// ---------------------------------------------------------------------------
export * from '../../../scripts/lib/propagation';

import { connectorRefusedNotYet, untilPropagated } from '../../../scripts/lib/propagation';

/**
 * A check that answers a verdict (verify) asked until it answers `expected`: the IAM change just
 * made has reached STS and Lambda. Past the bound it fails, naming the last verdict.
 */
export function untilVerdict<D extends { readonly verdict: string }>(what: string, check: () => Promise<D>, expected: D['verdict']): Promise<D> {
  return untilPropagated(`${what} answering ${expected}`, check, (o) => o.ok && o.value.verdict !== expected);
}

/** A call through the deployed connector (or vend) made again while AWS still refuses it for an IAM change not yet propagated. */
export function untilServed<T>(what: string, call: () => Promise<T>): Promise<T> {
  return untilPropagated(what, call, connectorRefusedNotYet);
}
