// ---------------------------------------------------------------------------
// Summaries of latency samples. Percentiles use the nearest-rank method (a reported p99 is a
// latency that was actually observed, never an interpolation between two).
// ---------------------------------------------------------------------------

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/** Thrown when a summary is asked of no samples: a figure without a measurement must not print. */
export class NoSamplesError extends Error {
  readonly code = 'NoSamples';
  constructor(what: string) {
    super(`No samples for ${what}: the measurement produced nothing, so no figure can be reported`);
    this.name = 'NoSamplesError';
  }
}

/** Nearest-rank percentile of `sorted` (ascending), p in (0, 100]. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new NoSamplesError(`p${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: readonly number[], what = 'a latency series'): LatencySummary {
  if (samples.length === 0) throw new NoSamplesError(what);
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
  };
}

export function median(samples: readonly number[], what = 'a series'): number {
  return summarize(samples, what).p50;
}

/** Wall time of `fn` in milliseconds (monotonic clock). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** Run `task(i)` for i in [0, count) with at most `concurrency` in flight; results in order. */
export async function mapLimited<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
