// A test that cannot run on this target is skipped with its reason printed, never silently.
const reasons: string[] = [];

export function itWhen(condition: boolean, reason: string): jest.It {
  if (!condition) reasons.push(reason);
  return condition ? it : it.skip;
}

afterAll(() => {
  if (reasons.length > 0) {
    // eslint-disable-next-line no-console
    console.warn(`Skipped on this target:\n${[...new Set(reasons)].map((r) => `  - ${r}`).join('\n')}`);
  }
});
