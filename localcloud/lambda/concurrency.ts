// ---------------------------------------------------------------------------
// Lambda's concurrency, counted: the invocations in flight of each function and of each account
// (per Region), against the account's concurrency limit and each function's reserved concurrency.
// Pure bookkeeping: no processes, no clock. The sandbox pool asks it before every invocation.
//   Concurrency is the number of requests in flight; an account has a limit per Region (1,000 by
//   default) that its functions share:
//   https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html
//   Reserved concurrency is both a guarantee and a cap for one function; 0 throttles every call;
//   functions without it share what is left unreserved, of which 100 must stay:
//   https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
//   Beyond its limit a synchronous invocation answers 429 TooManyRequestsException, whose Reason
//   says which limit: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
// ---------------------------------------------------------------------------

/** Why an invocation was throttled: the `Reason` of TooManyRequestsException. */
export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded';

/**
 * The local cloud's default account concurrency (AWS's default is 1,000 per Region), and the bound on sandboxes alive at once across
 * the whole cloud. Each sandbox is a Node.js process of about 40-60 MB: 200 of them are about
 * 12 GB, half of a 2-core 24 GiB machine, leaving the rest to the cloud itself, Terraform and the
 * other work on the machine; 200 also leaves room above the 100 that must stay unreserved, so a
 * function can reserve up to 100.
 */
export const DEFAULT_ACCOUNT_CONCURRENCY = 200;

/** Unreserved concurrency an account must keep: 100, or all of it when its limit is lower
 *  (AWS then answers "...below its minimum value of [<limit>]"). */
export function minimumUnreservedConcurrency(accountLimit: number): number {
  return Math.min(100, accountLimit);
}

/** The message of PutFunctionConcurrency's refusal, in AWS's words. */
export function unreservedMinimumMessage(accountLimit: number): string {
  return `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${minimumUnreservedConcurrency(accountLimit)}].`;
}

/**
 * Whether reserving `requested` for one function keeps the account's unreserved minimum, given
 * what the account's other functions reserve.
 */
export function reservationFits(accountLimit: number, reservedByOthers: number, requested: number): boolean {
  return reservedByOthers + requested <= accountLimit - minimumUnreservedConcurrency(accountLimit);
}

/** One invocation asking to run. */
export interface AdmissionRequest {
  /** Whose limit it counts against: the account and Region (`<account>:<region>`). */
  readonly scope: string;
  /** The unqualified function ARN: reserved concurrency covers every version of a function. */
  readonly functionArn: string;
  /** The function's reserved concurrency, if it has one. */
  readonly reserved?: number;
  /** Everything reserved in the scope, by every function (this one included). */
  readonly reservedInScope: number;
}

/** A running invocation's hold on its concurrency; `release()` once it ends (a second call does nothing). */
export interface ConcurrencyLease {
  release(): void;
}

export type Admission = { readonly admitted: true; readonly lease: ConcurrencyLease } | { readonly admitted: false; readonly reason: ThrottleReason };

function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next <= 0) map.delete(key);
  else map.set(key, next);
}

export class ConcurrencyLedger {
  /** In flight per unqualified function ARN. */
  private readonly byFunction = new Map<string, number>();
  /** In flight per scope, of functions without reserved concurrency (they share the unreserved pool). */
  private readonly unreservedByScope = new Map<string, number>();
  /** In flight per scope, every function. */
  private readonly byScope = new Map<string, number>();

  constructor(readonly accountLimit: number) {
    if (!Number.isInteger(accountLimit) || accountLimit < 1) throw new Error(`account concurrency must be a positive whole number (got ${accountLimit})`);
  }

  /**
   * Admit one invocation, or say which limit it hits:
   * - a function with reserved concurrency runs up to its reservation (0: never), whatever the
   *   other functions do, since the reservation is set aside for it;
   * - a function without runs while the account's unreserved functions, together, stay below the
   *   limit minus everything reserved.
   */
  tryAdmit(request: AdmissionRequest): Admission {
    const { scope, functionArn, reserved } = request;
    const inScope = this.byScope.get(scope) ?? 0;
    let pool: 'reserved' | 'unreserved';
    if (reserved !== undefined) {
      if ((this.byFunction.get(functionArn) ?? 0) >= reserved) return { admitted: false, reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' };
      pool = 'reserved';
    } else {
      const unreservedLimit = Math.max(0, this.accountLimit - request.reservedInScope);
      if ((this.unreservedByScope.get(scope) ?? 0) >= unreservedLimit) return { admitted: false, reason: 'ConcurrentInvocationLimitExceeded' };
      pool = 'unreserved';
    }
    // Never more than the account's limit in all: only reachable when reservations were made under a higher limit.
    if (inScope >= this.accountLimit) return { admitted: false, reason: 'ConcurrentInvocationLimitExceeded' };
    this.count(scope, functionArn, pool, 1);
    let released = false;
    return {
      admitted: true,
      lease: {
        release: () => {
          if (released) return;
          released = true;
          this.count(scope, functionArn, pool, -1);
        },
      },
    };
  }

  private count(scope: string, functionArn: string, pool: 'reserved' | 'unreserved', by: number): void {
    bump(this.byFunction, functionArn, by);
    bump(this.byScope, scope, by);
    if (pool === 'unreserved') bump(this.unreservedByScope, scope, by);
  }

  /** Invocations in flight of one function (every version). */
  inFlightOf(functionArn: string): number {
    return this.byFunction.get(functionArn) ?? 0;
  }

  /** Invocations in flight in one account and Region. */
  inFlightIn(scope: string): number {
    return this.byScope.get(scope) ?? 0;
  }
}
