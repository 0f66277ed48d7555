// ---------------------------------------------------------------------------
// What an e2e run proved: each guard or claim the suite stands for, with the tests that prove it,
// counted from the run's real results (passed / FAILED / skipped, with the printed skip reasons).
// The mapping from test files and describe/test names to claims is the CLAIMS table below, and
// nowhere else; ./claims-reporter.js prints the summary at the end of a run.
// ---------------------------------------------------------------------------
import { relative, resolve, sep } from 'node:path';
import { formatTable } from '../../../scripts/lib/table';

export interface Claim {
  /** What holds when its tests pass. */
  readonly claim: string;
  /** The test file, relative to test/e2e/. */
  readonly file: string;
  /** Narrows to the tests whose full name (describes and title) matches; the first claim that matches a test wins. */
  readonly test?: RegExp;
}

export const CLAIMS: readonly Claim[] = [
  { claim: 'each honest tenant reaches its own function', file: 'connector.test.ts', test: /^honest tenants reach their own function/ },
  { claim: 'the confused deputy is refused by STS', file: 'connector.test.ts', test: /^the confused deputy is refused/ },
  { claim: 'a tenant onboarded, rotated and offboarded at run time, with no vendor deploy (a run-time confused deputy refused)', file: 'runtime-onboarding.test.ts' },
  { claim: 'unknown tenants and unlisted functions refused before any AWS call', file: 'connector.test.ts' },
  { claim: 'wrong, missing or another customer\'s external ID refused', file: 'external-id.test.ts', test: /the connector's role|previous external ID/ },
  { claim: 'another principal refused even with the right external ID', file: 'external-id.test.ts' },
  { claim: 'SourceIdentity enforced', file: 'source-identity.test.ts' },
  { claim: 'no role outside the prefix', file: 'prefix.test.ts' },
  { claim: 'vended credentials expire', file: 'scope-down.test.ts', test: /expire/ },
  { claim: 'scoped credentials can\'t reach another function', file: 'scope-down.test.ts' },
  { claim: 'trust survives the vendor re-creating its roles', file: 'vendor-recreated.test.ts' },
  { claim: 'verify diagnoses each broken link, then it is repaired', file: 'verify.test.ts' },
  { claim: 'no secret in any log', file: 'logs.test.ts' },
  { claim: 'a deploy converges (plan shows no change)', file: 'redeploy.test.ts' },
  { claim: 'faults are retried, refreshed or typed', file: 'faults.test.ts' },
  { claim: 'under faults no call is lost, crossed or run twice', file: 'soak.test.ts' },
  { claim: 'a restarted cloud keeps the deployed state and the guard', file: 'restart.test.ts' },
  { claim: 'the aws path, rehearsed on a local cloud', file: 'rehearsal.test.ts' },
  { claim: 'the user\'s own cdktf commands work as typed', file: 'typed-commands.test.ts' },
  { claim: 'the suite runs on the user\'s deployed stacks without touching them', file: 'deployed-stacks.test.ts' },
];

export const UNMAPPED = '(tests no claim names)';

/** The parts of jest's AggregatedResult this summary reads. */
export interface RunResults {
  readonly testResults: readonly {
    readonly testFilePath: string;
    readonly testExecError?: { readonly message?: string } | null;
    readonly testResults: readonly { readonly title: string; readonly fullName: string; readonly ancestorTitles: readonly string[]; readonly status: string }[];
  }[];
}

/** One skipped test as test/support/e2e/skip.ts logs it (SIDECAR_E2E_SKIP_LOG). */
export interface SkipRecord {
  /** Relative to the directory jest ran in. */
  readonly file: string;
  /** The title itWhen was given (with `.each`: the title pattern and " (each row)"). */
  readonly test: string;
  readonly reason: string;
}

export interface ClaimRow {
  readonly claim: string;
  passed: number;
  failed: number;
  skipped: number;
  readonly reasons: Set<string>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A `.each` title pattern (`plans no change for %s`) as a regular expression. */
const titlePattern = (title: string) => new RegExp(`^${escape(title).replace(/%[sdifjop#%]/g, '.*')}$`);

function skipReason(records: readonly SkipRecord[], file: string, title: string): string | undefined {
  const inFile = records.filter((r) => r.file === file);
  const exact = inFile.find((r) => r.test === title)
    ?? inFile.find((r) => r.test.endsWith(' (each row)') && titlePattern(r.test.slice(0, -' (each row)'.length)).test(title));
  if (exact) return exact.reason;
  const reasons = [...new Set(inFile.map((r) => r.reason))];
  return reasons.length === 1 ? reasons[0] : undefined;
}

/** The claims of this run, in CLAIMS order, each with its counts; claims with no test in the run are left out. */
export function summarizeClaims(results: RunResults, skips: readonly SkipRecord[], rootDir: string): ClaimRow[] {
  const rows = new Map<string, ClaimRow>();
  const row = (claim: string) => rows.get(claim) ?? rows.set(claim, { claim, passed: 0, failed: 0, skipped: 0, reasons: new Set() }).get(claim)!;
  const e2eDir = resolve(rootDir, 'test', 'e2e') + sep;
  for (const file of results.testResults) {
    if (!file.testFilePath.startsWith(e2eDir)) continue;
    const name = relative(e2eDir, file.testFilePath).split(sep).join('/');
    const claimsOfFile = CLAIMS.filter((c) => c.file === name);
    if (file.testExecError && file.testResults.length === 0) {
      // The file did not run (it failed to load, or its beforeAll threw before any test): every claim it stands for failed.
      for (const c of claimsOfFile.length > 0 ? claimsOfFile : [{ claim: UNMAPPED }]) row(c.claim).failed += 1;
      continue;
    }
    for (const t of file.testResults) {
      const fullName = [...t.ancestorTitles, t.title].join(' ');
      const claim = claimsOfFile.find((c) => !c.test || c.test.test(fullName))?.claim ?? UNMAPPED;
      const r = row(claim);
      if (t.status === 'passed') r.passed += 1;
      else if (t.status === 'failed') r.failed += 1;
      else if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo' || t.status === 'disabled') {
        r.skipped += 1;
        r.reasons.add(skipReason(skips, relative(rootDir, file.testFilePath).split(sep).join('/'), t.title) ?? 'skipped (no reason recorded)');
      }
    }
  }
  const order = [...CLAIMS.map((c) => c.claim), UNMAPPED];
  return [...rows.values()].sort((a, b) => order.indexOf(a.claim) - order.indexOf(b.claim));
}

/** A row's verdict: FAILED if any test failed, passed if any passed, else skipped. */
export function verdictOf(r: ClaimRow): 'FAILED' | 'passed' | 'skipped' {
  return r.failed > 0 ? 'FAILED' : r.passed > 0 ? 'passed' : 'skipped';
}

/** The table printed at the end of an e2e run; skip reasons as numbered notes below it (they are long). */
export function formatClaims(rows: readonly ClaimRow[]): string {
  const notRun = CLAIMS.filter((c, i) => CLAIMS.findIndex((d) => d.claim === c.claim) === i && !rows.some((r) => r.claim === c.claim)).length;
  const notes: string[] = [];
  const noteOf = (reason: string) => (notes.includes(reason) ? notes.indexOf(reason) : notes.push(reason) - 1) + 1;
  const table = formatTable(['claim', 'result', 'passed', 'failed', 'skipped', 'why skipped'], rows.map((r) => [
    r.claim, verdictOf(r), String(r.passed), String(r.failed), String(r.skipped), [...r.reasons].map((reason) => `[${noteOf(reason)}]`).join(' '),
  ]));
  const failed = rows.filter((r) => r.failed > 0).length;
  return [
    'What this e2e run proved (test/support/e2e/claims.ts maps tests to claims):',
    table,
    ...notes.map((reason, i) => `  [${i + 1}] ${reason}`),
    `${rows.length - failed} of ${rows.length} claims held${failed > 0 ? `, ${failed} FAILED` : ''}${notRun > 0 ? `; ${notRun} not in this run's selection` : ''}.`,
  ].join('\n');
}
