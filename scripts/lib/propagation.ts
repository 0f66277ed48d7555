// ---------------------------------------------------------------------------
// Waiting for IAM to propagate, as a careful client does on AWS. IAM is eventually consistent:
// a new role or key, a trust edit, a policy put or removed reaches STS, Lambda and authorization
// only after a while ("usually within seconds"). A step that changes IAM and then relies on the
// change polls with backoff, retrying only on the outcome a not-yet-propagated change gives
// (documented below), within a stated overall bound; never a fixed sleep. The local cloud shows
// the same behaviour with LOCALCLOUD_IAM_PROPAGATION_MS; without it the first attempt succeeds.
// The e2e suite reaches this through test/support/e2e/propagation.ts; the rehearsal uses it to
// wait for the access keys it creates.
// ---------------------------------------------------------------------------

/** The overall bound, unless a step states its own: SIDECAR_E2E_PROPAGATION_BOUND_MS, else 60 s. */
export function propagationBoundMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SIDECAR_E2E_PROPAGATION_BOUND_MS;
  if (raw === undefined || raw === '') return 60_000;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw) || ms <= 0) throw new RangeError(`SIDECAR_E2E_PROPAGATION_BOUND_MS must be a whole number of milliseconds above 0 (got "${raw}")`);
  return ms;
}

/** The change did not take effect within the bound: what was awaited, for how long, the last outcome. */
export class PropagationTimeoutError extends Error {
  readonly code = 'PropagationTimeout';
  constructor(readonly what: string, readonly waitedMs: number, readonly attempts: number, readonly lastOutcome: string) {
    super(`${what}: still not in effect after ${attempts} attempts over ${(waitedMs / 1000).toFixed(1)} s (last: ${lastOutcome}). ` +
      'IAM usually propagates within seconds: check that the change was really made, or raise SIDECAR_E2E_PROPAGATION_BOUND_MS on a slow account.');
    this.name = 'PropagationTimeoutError';
  }
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface PropagationOptions {
  /** Overall bound. @default propagationBoundMs() */
  readonly boundMs?: number;
  /** First wait between attempts; doubles each time up to maxDelayMs. @default 100 */
  readonly firstDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** Called before each wait (tests of this helper; a verbose log). */
  readonly onRetry?: (attempt: number, delayMs: number, outcome: string) => void;
}

function describeOutcome<T>(o: Outcome<T>): string {
  if (o.ok) return `answered ${JSON.stringify(o.value)?.slice(0, 200)}`;
  const e = o.error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(o.error)}`.slice(0, 300);
}

/**
 * Run `attempt` until `stillPropagating` says its outcome is no longer the symptom of a change that
 * has not reached the service yet; then return its value or throw its error. Waits 100 ms, 200 ms,
 * ... up to 2 s between attempts, and throws PropagationTimeoutError past the bound.
 */
export async function untilPropagated<T>(
  what: string,
  attempt: () => Promise<T>,
  stillPropagating: (outcome: Outcome<T>) => boolean,
  options: PropagationOptions = {},
): Promise<T> {
  const bound = options.boundMs ?? propagationBoundMs();
  const maxDelay = options.maxDelayMs ?? 2000;
  let delay = options.firstDelayMs ?? 100;
  const started = Date.now();
  for (let attempts = 1; ; attempts++) {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await attempt() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (!stillPropagating(outcome)) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    const waited = Date.now() - started;
    if (waited + delay > bound) throw new PropagationTimeoutError(what, waited, attempts, describeOutcome(outcome));
    options.onRetry?.(attempts, delay, describeOutcome(outcome));
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, maxDelay);
  }
}

// ---------------------------------------------------------------------------
// The documented symptoms of a change that has not propagated yet
// ---------------------------------------------------------------------------

function errorOf(o: Outcome<unknown>): { name?: string; message?: string } | undefined {
  return o.ok ? undefined : (o.error as { name?: string; message?: string });
}

/** STS AssumeRole right after a role was created or its trust (or the caller's policy) changed. */
export const assumeRoleNotYet = (o: Outcome<unknown>): boolean => errorOf(o)?.name === 'AccessDenied';

/** Lambda right after the caller's or the role's policy changed. */
export const lambdaAccessNotYet = (o: Outcome<unknown>): boolean => errorOf(o)?.name === 'AccessDeniedException';

/** Lambda CreateFunction / UpdateFunctionConfiguration with a just-created execution role. */
export const executionRoleNotYet = (o: Outcome<unknown>): boolean => {
  const e = errorOf(o);
  return e?.name === 'InvalidParameterValueException' && /cannot be assumed by Lambda/.test(e.message ?? '');
};

/** Any call signed with a just-created access key. */
export const newAccessKeyNotYet = (o: Outcome<unknown>): boolean => errorOf(o)?.name === 'InvalidClientTokenId';

/** The deployed connector (or vend) answering that AWS refused it, where a change should let it in;
 *  or that the connector's dry-run rate limit (lambda/connector/dry-run-limit.ts) held a dry run
 *  back: polling dry runs spends it, and the answer is "ask again later", within the same bound. */
export const connectorRefusedNotYet = (o: Outcome<unknown>): boolean => {
  if (!o.ok) return false;
  const v = o.value as { ok?: boolean; error?: { code?: string } };
  return v?.ok === false && ['AssumeRoleRefused', 'InvokeRefused', 'DryRunRateLimited'].includes(v.error?.code ?? '');
};
