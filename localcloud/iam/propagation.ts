// ---------------------------------------------------------------------------
// IAM's eventual consistency, as one mechanism: the versions of IAM's state by the time each was
// written, and the state "as every other service sees it", `delayMs` behind the cloud's clock.
// AWS: "Changes that I make are not always immediately visible": IAM is eventually consistent, so
// a new role may not be assumable yet, and an edited trust policy or a removed or added policy may
// still act as before, for a while after IAM's own API already shows the change.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
//
// The store (store.ts) records a version on every write and asks for the view; nothing else keeps
// time. Versions older than the newest one already visible are dropped as they go, so what is kept
// is at most the writes of the last `delayMs`.
// ---------------------------------------------------------------------------

interface Version<S> {
  /** When it was written, in ms of the cloud's clock; -Infinity for what was there at start-up. */
  at: number;
  readonly state: S;
}

export class PropagationLog<S> {
  private versions: Version<S>[];

  /** `initial` is visible at once: what a cloud loads at start-up counts as long propagated. */
  constructor(private readonly delayMs: number, initial: S) {
    this.versions = [{ at: -Infinity, state: initial }];
  }

  /** A state written at `nowMs`. */
  record(nowMs: number, state: S): void {
    this.settle(nowMs);
    this.versions.push({ at: nowMs, state });
  }

  /** The state others see at `nowMs`: the newest version written at least `delayMs` earlier. */
  visibleAt(nowMs: number): S {
    this.settle(nowMs);
    return this.versions[0].state;
  }

  /** How many versions are kept (for tests of the pruning). */
  get size(): number {
    return this.versions.length;
  }

  /**
   * Keep the versions in time order and drop the ones nobody can see any more. The test clock may
   * be set back (`POST /_localcloud/control/clock {reset: true}`): a version stamped after `nowMs`
   * then counts as written at `nowMs`, so it propagates `delayMs` from now rather than once the
   * clock catches up with a time that no longer comes.
   */
  private settle(nowMs: number): void {
    for (const v of this.versions) if (v.at > nowMs) v.at = nowMs;
    const horizon = nowMs - this.delayMs;
    let visible = 0;
    while (visible + 1 < this.versions.length && this.versions[visible + 1].at <= horizon) visible++;
    if (visible > 0) this.versions = this.versions.slice(visible);
  }
}
