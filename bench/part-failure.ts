// ---------------------------------------------------------------------------
// A bench part that failed: named with its error and the call on its stack, so a long run that
// loses one part (a call timing out on a loaded machine) says where, and keeps every figure the
// other parts measured.
// ---------------------------------------------------------------------------

export interface PartFailure {
  readonly part: string;
  readonly error: string;
  /** The first frame of bench code under the runner: the call that failed. */
  readonly at?: string;
}

export function describeFailure(part: string, e: unknown): PartFailure {
  const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const at = e instanceof Error
    ? e.stack?.split('\n').find((line) => /[/\\]bench[/\\]/.test(line) && !/[/\\]bench[/\\](run|part-failure)\.ts/.test(line))?.trim().replace(/^at /, '')
    : undefined;
  return { part, error, ...(at ? { at } : {}) };
}
