// ---------------------------------------------------------------------------
// What `npm run verify` answers: one diagnosis per tenant, per customer, or about the local cloud,
// each with a stable verdict code, what was found, and what to change (and who changes it). And
// the typed errors verify stops on.
// ---------------------------------------------------------------------------

export type Verdict =
  | 'ok'
  // Refused by the config alone
  | 'unknown-tenant'
  | 'unknown-customer'
  | 'confused-deputy'
  | 'confused-deputy-accepted'
  // The customer's role and trust
  | 'role-missing'
  | 'trust-principal-orphaned'
  | 'trust-not-vendor'
  | 'external-id-mismatch'
  | 'external-id-not-required'
  | 'source-identity-refused'
  | 'source-identity-not-required'
  | 'assume-refused'
  | 'vendor-cannot-assume'
  // The customer's functions and permissions
  | 'invoke-not-allowed'
  | 'function-missing'
  // The vendor's side and the tools
  | 'registry-out-of-date'
  | 'connector-unreachable'
  | 'customer-unreadable'
  | 'local-cloud-not-running';

export interface Detail {
  /** What was checked: a function ARN, a role, a policy. */
  readonly subject: string;
  readonly verdict: Verdict;
  readonly summary: string;
}

export interface Diagnosis {
  /** The tenant ID, the customer's name, or "local cloud". */
  readonly subject: string;
  readonly kind: 'tenant' | 'customer' | 'local-cloud';
  readonly verdict: Verdict;
  /** What was found, in plain words. */
  readonly summary: string;
  /** What to change, and who changes it. */
  readonly fix: string;
  /** Every check behind the verdict: each function of a tenant, each problem of a customer. */
  readonly details?: readonly Detail[];
}

/** Thrown for a command line verify cannot act on; the CLI prints the message and the usage, exit 2. */
export class VerifyUsageError extends Error {
  readonly code = 'VerifyUsage';
  constructor(message: string) {
    super(message);
    this.name = 'VerifyUsageError';
  }
}

/** Thrown when the config's target is the local cloud and none is running: nothing to verify against. */
export class LocalCloudNotRunningError extends Error {
  readonly code = 'LocalCloudNotRunning';
  constructor(readonly reason: string, readonly startCommand: string) {
    super(`The local cloud is not running: ${reason}. Start it with ${startCommand}, then run verify again.`);
    this.name = 'LocalCloudNotRunningError';
  }
}
