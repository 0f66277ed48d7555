// ---------------------------------------------------------------------------
// The connector's time budget: what Lambda gives the invocation, minus a margin to answer with
// a typed TimedOut instead of being killed mid-call (which the caller would only see as
// Sandbox.Timedout, with no code of ours).
// ---------------------------------------------------------------------------

/** Time kept back to log and answer after the budget runs out. */
export const ANSWER_MARGIN_MS = 500;

export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** An AbortSignal that fires when the invocation's budget runs out, or undefined without a context. */
export function budgetSignal(context: RemainingTime | undefined, marginMs = ANSWER_MARGIN_MS): AbortSignal | undefined {
  if (!context || typeof context.getRemainingTimeInMillis !== 'function') return undefined;
  const budgetMs = Math.floor(context.getRemainingTimeInMillis() - marginMs);
  return budgetMs > 0 ? AbortSignal.timeout(budgetMs) : AbortSignal.abort();
}

/**
 * Settle with `work`, or reject with `onTimeout()` as soon as `signal` aborts, whichever comes
 * first. Used where the SDK cannot take the signal itself (the credential provider), and around
 * `send` so that a call that ignores the signal still cannot outlive the budget.
 */
export function withinBudget<T>(work: Promise<T>, signal: AbortSignal | undefined, onTimeout: () => Error): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined); // it may still settle later; nobody is waiting for it
    return Promise.reject(onTimeout());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onTimeout());
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', abort); resolve(value); },
      (error) => { signal.removeEventListener('abort', abort); reject(error); },
    );
  });
}

/** Refuse to start AWS work once the budget is already spent. */
export function throwIfSpent(signal: AbortSignal | undefined, onTimeout: () => Error): void {
  if (signal?.aborted) throw onTimeout();
}

/** The call's budget: the invocation's, narrowed by a per-tenant limit when there is one. */
export interface CallBudget {
  /** Fires when either budget is spent; undefined when there is none. */
  readonly signal: AbortSignal | undefined;
  /** Which one was spent: the tenant's own limit, or the invocation's. */
  spentBy(): 'tenant' | 'invocation';
}

/**
 * `invocation` (budgetSignal's) narrowed to at most `tenantMs` from now. A slow tenant (its STS
 * or its function) then ends with a typed TimedOut before the connector's own timeout, leaving
 * the rest of the invocation's time to answer and log; the message says which budget it was.
 */
export function callBudget(invocation: AbortSignal | undefined, tenantMs: number | undefined): CallBudget {
  if (tenantMs === undefined) return { signal: invocation, spentBy: () => 'invocation' };
  const tenant = AbortSignal.timeout(tenantMs);
  const signal = invocation ? AbortSignal.any([invocation, tenant]) : tenant;
  return { signal, spentBy: () => (invocation?.aborted ? 'invocation' : 'tenant') };
}
