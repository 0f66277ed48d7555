// ---------------------------------------------------------------------------
// Ctrl-C (SIGINT) and SIGTERM for the long-running scripts: the first signal aborts an
// AbortSignal, so the work in flight can stop cleanly (cdktf stops Terraform, which saves its
// state) and the script can say what was done and how to resume. The same signal arriving again
// within a second is the same interrupt (under `npm run`, npm passes the terminal's SIGINT on to
// a script that has received it already). A later one means "stop now": exit at once with the
// signal's exit code; children of runCdktf are SIGKILLed on the way out.
// ---------------------------------------------------------------------------
import { constants } from 'node:os';

/** The exit code a shell reports for a process ended by `signal`: 128 + its number (SIGINT 130, SIGTERM 143). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

export interface Interrupts {
  /** Aborted by the first SIGINT or SIGTERM; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** Stop listening (the process's default handling returns). */
  dispose(): void;
}

export interface InterruptOptions {
  /** A repeat within this many ms is the same interrupt. @default 1000 */
  readonly sameWithinMs?: number;
  /** Called on a later repeat, before exiting. @default writes one line to stderr */
  readonly onForce?: (signal: NodeJS.Signals) => void;
}

export function onInterrupt(options: InterruptOptions = {}): Interrupts {
  const controller = new AbortController();
  const sameWithinMs = options.sameWithinMs ?? 1000;
  let firstAt = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      firstAt = Date.now();
      controller.abort(signal);
      return;
    }
    if (Date.now() - firstAt < sameWithinMs) return;
    (options.onForce ?? ((s) => process.stderr.write(`\n${s} again: stopping now, without waiting for Terraform to finish.\n`)))(signal);
    process.exit(exitCodeForSignal(signal));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.removeListener('SIGINT', handler);
      process.removeListener('SIGTERM', handler);
    },
  };
}
