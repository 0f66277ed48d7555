// The e2e run's claims table, from a synthetic jest result:
//   - each test counts for the first claim its file and full name match;
//   - a failed test makes its claim FAILED; a claim whose tests all skipped says skipped, with the
//     reason skip.ts logged (also for `.each` rows, matched through the title pattern);
//   - a file that did not run fails every claim it stands for;
//   - a test no claim names shows up, never vanishes; files outside test/e2e/ are ignored.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLAIMS, formatClaims, summarizeClaims, UNMAPPED, verdictOf, type RunResults } from '../../support/e2e/claims';

const ROOT = '/repo';
const e2e = (file: string) => join(ROOT, 'test', 'e2e', file);
const test = (status: string, ancestorTitles: string[], title: string) => ({ status, ancestorTitles, title, fullName: [...ancestorTitles, title].join(' ') });

const results: RunResults = {
  testResults: [
    { testFilePath: e2e('connector.test.ts'), testResults: [
      test('passed', ['honest tenants reach their own function'], 'acme reaches its own function'),
      test('passed', ['honest tenants reach their own function'], 'globex reaches its own function'),
      test('failed', ['the confused deputy is refused'], 'mallory is refused by STS'),
      test('passed', ['refused before any AWS call'], 'unknown tenant'),
    ] },
    { testFilePath: e2e('scope-down.test.ts'), testResults: [
      test('passed', ['customer-a'], 'credentials scoped to the sidecar function invoke it'),
      test('pending', ['customer-a', 'vended credentials'], 'stop working after they expire'),
      test('pending', ['customer-b', 'vended credentials'], 'stop working after they expire'),
    ] },
    { testFilePath: e2e('redeploy.test.ts'), testResults: [
      test('pending', ['re-running the deploy'], 'plans no change for vendor'),
      test('pending', ['re-running the deploy'], 'plans no change for customer-a'),
    ] },
    { testFilePath: e2e('logs.test.ts'), testExecError: { message: 'beforeAll threw' }, testResults: [] },
    { testFilePath: e2e('new-thing.test.ts'), testResults: [test('passed', [], 'something new')] },
    { testFilePath: join(ROOT, 'test', 'unit', 'rules', 'naming.test.ts'), testResults: [test('passed', [], 'a unit test')] },
  ],
};
const skips = [
  { file: 'test/e2e/scope-down.test.ts', test: 'stop working after they expire', reason: 'moves the clock: only on stacks this run deployed itself' },
  { file: 'test/e2e/redeploy.test.ts', test: 'plans no change for %s (each row)', reason: 'needs this run\'s Terraform state' },
];

describe('summarizeClaims', () => {
  const rows = summarizeClaims(results, skips, ROOT);
  const byClaim = Object.fromEntries(rows.map((r) => [r.claim, r]));

  it('counts each test for the first claim its file and name match, in CLAIMS order', () => {
    expect(rows.map((r) => r.claim)).toEqual([
      'each honest tenant reaches its own function',
      'the confused deputy is refused by STS',
      'unknown tenants and unlisted functions refused before any AWS call',
      'vended credentials expire',
      'scoped credentials can\'t reach another function',
      'no secret in any log',
      'a deploy converges (plan shows no change)',
      UNMAPPED,
    ]);
    expect(byClaim['each honest tenant reaches its own function']).toMatchObject({ passed: 2, failed: 0, skipped: 0 });
  });

  it('a failed test makes its claim FAILED', () => {
    expect(verdictOf(byClaim['the confused deputy is refused by STS'])).toBe('FAILED');
  });

  it('a claim whose tests all skipped is skipped, with the logged reason, also for .each rows', () => {
    expect(byClaim['vended credentials expire']).toMatchObject({ passed: 0, skipped: 2 });
    expect(verdictOf(byClaim['vended credentials expire'])).toBe('skipped');
    expect([...byClaim['vended credentials expire'].reasons]).toEqual(['moves the clock: only on stacks this run deployed itself']);
    expect([...byClaim['a deploy converges (plan shows no change)'].reasons]).toEqual(['needs this run\'s Terraform state']);
  });

  it('a file that did not run fails its claims', () => {
    expect(byClaim['no secret in any log']).toMatchObject({ failed: 1 });
  });

  it('a test no claim names is shown, and non-e2e files are ignored', () => {
    expect(byClaim[UNMAPPED]).toMatchObject({ passed: 1 });
    expect(rows.reduce((n, r) => n + r.passed + r.failed + r.skipped, 0)).toBe(11); // 10 tests and 1 file that did not run
  });
});

describe('formatClaims', () => {
  const text = formatClaims(summarizeClaims(results, skips, ROOT));

  it('prints one line per claim with its verdict, counts and skip reasons', () => {
    expect(text).toMatch(/^the confused deputy is refused by STS +FAILED +0 +1 +0$/m);
    expect(text).toMatch(/^each honest tenant reaches its own function +passed +2 +0 +0$/m);
    expect(text).toMatch(/^vended credentials expire +skipped +0 +0 +2 +\[1\]$/m);
    expect(text).toMatch(/^a deploy converges \(plan shows no change\) +skipped +0 +0 +2 +\[2\]$/m);
  });

  it('lists each skip reason once, numbered, below the table', () => {
    expect(text).toContain('\n  [1] moves the clock: only on stacks this run deployed itself\n  [2] needs this run\'s Terraform state\n');
  });

  it('ends with how many claims held, failed, and were not in the selection', () => {
    const distinct = new Set(CLAIMS.map((c) => c.claim)).size;
    expect(text).toContain(`6 of 8 claims held, 2 FAILED; ${distinct - 7} not in this run's selection.`);
  });
});

describe('CLAIMS', () => {
  it('names only test files that exist, each claim once', () => {
    const root = join(__dirname, '..', '..', '..');
    for (const c of CLAIMS) expect([c.file, existsSync(join(root, 'test', 'e2e', c.file))]).toEqual([c.file, true]);
    expect(new Set(CLAIMS.map((c) => c.claim)).size).toBe(CLAIMS.length);
  });
});
