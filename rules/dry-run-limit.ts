// ---------------------------------------------------------------------------
// The connector's dry-run rate limit, by default (lambda/connector/dry-run-limit.ts applies it;
// the config's vendor.dryRunLimit may set it per deployment). Pure numbers, importing nothing.
//
// A burst of 3 covers one verify of a tenant with up to three functions (one dry run each) or a
// verify right after a manual check; one per 10 s keeps a polling loop (verify waiting for IAM to
// propagate) at a few AssumeRoles a minute.
// ---------------------------------------------------------------------------

export const DRY_RUN_REFILL_MS = 10_000;
export const DRY_RUN_BURST = 3;
