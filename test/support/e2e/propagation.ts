// ---------------------------------------------------------------------------
// The e2e suite's one way to wait for IAM propagation: bounded polling with backoff on the
// documented symptoms of a change not yet propagated (AccessDenied from AssumeRole,
// AccessDeniedException from Lambda, "cannot be assumed by Lambda", a new key's
// InvalidClientTokenId), never a fixed sleep. The poller itself lives in scripts/lib (the
// rehearsal waits with it too; production code never imports test/).
// ---------------------------------------------------------------------------
export * from '../../../scripts/lib/propagation';
