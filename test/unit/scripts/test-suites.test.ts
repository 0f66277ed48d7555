// ---------------------------------------------------------------------------
// `npm test`'s runner (scripts/test-suites.ts) with a fake jest (SIDECAR_TEST_JEST): both lanes
// run at once (each fake waits for the other's mark, so a serial runner would time out, not
// pass), every line is prefixed with its lane, a failing lane fails the run, and --serial runs
// them one after the other.
// ---------------------------------------------------------------------------
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript } from '../../support/scripts';

jest.setTimeout(120_000);

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sidecar-test-suites-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A fake jest: names its lane by its arguments, leaves a mark, then (when told to) waits up to
 * 30 s (FAKE_WAIT_MS) for the other lane's mark; prints a line on stdout and two on stderr (the last without a
 * newline), and exits with the code FAKE_EXIT_<lane> says.
 */
function fakeJest(): string {
  const file = join(dir, 'fake-jest.js');
  writeFileSync(file, `
const fs = require('fs'); const path = require('path');
const lane = process.argv.includes('e2e') ? 'e2e' : 'unit';
const other = lane === 'e2e' ? 'unit' : 'e2e';
const marks = process.env.FAKE_MARKS;
fs.writeFileSync(path.join(marks, lane), '');
const finish = () => {
  process.stdout.write('out of ' + lane + '\\n');
  process.stderr.write('PASS ' + lane + ' first\\nlast of ' + lane);
  process.exitCode = Number(process.env['FAKE_EXIT_' + lane] || 0);
};
if (process.env.FAKE_WAIT_FOR_OTHER !== '1') finish();
else {
  const until = Date.now() + Number(process.env.FAKE_WAIT_MS || 30000);
  const poll = () => fs.existsSync(path.join(marks, other)) ? finish() : Date.now() > until ? (process.stderr.write(lane + ' waited alone\\n'), process.exitCode = 9) : setTimeout(poll, 20);
  poll();
}
`);
  return file;
}

function run(args: string[], env: Record<string, string>) {
  const marks = mkdtempSync(join(dir, 'marks-'));
  return runScript('scripts/test-suites.ts', args, { env: { ...process.env, SIDECAR_TEST_JEST: fakeJest(), FAKE_MARKS: marks, ...env } });
}

describe('npm test runs the unit and e2e lanes', () => {
  it('side by side: each waits for the other, every line prefixed with its lane, exit 0', async () => {
    const res = await run([], { FAKE_WAIT_FOR_OTHER: '1' });
    expect(res.stderr).not.toMatch(/waited alone/);
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n').filter(Boolean).sort()).toEqual(['[e2e] out of e2e', '[unit] out of unit']);
    for (const lane of ['unit', 'e2e']) {
      expect(res.stderr).toContain(`[${lane}] PASS ${lane} first\n`);
      expect(res.stderr).toContain(`[${lane}] last of ${lane}\n`);
    }
    expect(res.stderr).toMatch(/\[test\] unit: passed in \d+ s; e2e: passed in \d+ s; whole run \d+ s\n/);
  });

  it('a failing lane fails the run, naming it, after the other lane finished', async () => {
    const res = await run([], { FAKE_EXIT_e2e: '3' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/\[test\] unit: passed in \d+ s; e2e: FAILED \(exit 3\)/);
    expect(res.stdout).toContain('[unit] out of unit');
  });

  it('--serial: one lane after the other (a lane waiting for the other waits alone, and fails)', async () => {
    // A short wait: here waiting alone is the expected outcome.
    const res = await run(['--serial'], { FAKE_WAIT_FOR_OTHER: '1', FAKE_WAIT_MS: '2000' });
    // unit starts alone and times out waiting for e2e's mark; e2e then finds unit's mark.
    expect(res.stderr).toContain('[unit] unit waited alone');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/unit: FAILED \(exit 9\) in \d+ s; e2e: passed in \d+ s; whole run \d+ s \(serial\)/);
  });
});
