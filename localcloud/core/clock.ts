// ---------------------------------------------------------------------------
// The local cloud's clock: real time plus an offset that tests may move forward. The offset
// decides credential expiry and aws:CurrentTime; the SigV4 skew check uses real time, because
// clients sign with their real clocks.
// ---------------------------------------------------------------------------

export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000;
  }
}
