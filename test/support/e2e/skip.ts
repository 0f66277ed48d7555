// A test that cannot run on this target is skipped with its reason printed, never silently.
// With SIDECAR_E2E_SKIP_LOG set (the rehearsal sets it), each skipped test is also appended to
// that file as one JSON line { file, test, reason }, so a summary can list them.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';

const reasons: string[] = [];

function record(test: string, reason: string): void {
  reasons.push(reason);
  const log = process.env.SIDECAR_E2E_SKIP_LOG;
  if (!log) return;
  const file = relative(process.cwd(), expect.getState().testPath ?? '(unknown file)');
  appendFileSync(log, `${JSON.stringify({ file, test, reason })}\n`);
}

export function itWhen(condition: boolean, reason: string): jest.It {
  if (condition) return it;
  const skipped = ((name: string, fn?: jest.ProvidesCallback, timeout?: number) => {
    record(name, reason);
    return it.skip(name, fn, timeout);
  }) as jest.It;
  return Object.assign(skipped, {
    each: (table: unknown) => (name: string, fn: (...args: unknown[]) => unknown, timeout?: number) => {
      record(`${name} (each row)`, reason);
      return (it.skip.each as (t: unknown) => (n: string, f: unknown, t2?: number) => void)(table)(name, fn, timeout);
    },
    skip: it.skip, only: it.only, todo: it.todo, concurrent: it.concurrent, failing: it.failing,
  }) as unknown as jest.It;
}

afterAll(() => {
  if (reasons.length > 0) {
    // eslint-disable-next-line no-console
    console.warn(`Skipped on this target:\n${[...new Set(reasons)].map((r) => `  - ${r}`).join('\n')}`);
  }
});
