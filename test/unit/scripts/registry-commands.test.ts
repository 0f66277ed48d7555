// ---------------------------------------------------------------------------
// The onboarding commands as an operator runs them (npx tsx scripts/<command>.ts), where no
// DynamoDB is needed (scripts/registry/ is tested against a mocked DynamoDB in
// test/unit/registry/). Cases:
//   - a missing required option: one line naming it, exit 2, before anything is reached;
//   - a bad --template-url or --from value: the same;
//   - no local cloud running (local target): one line with the error's code and what to run, exit 1;
//   - kit --from config writes the kit of a config tenant (template, module, README, 0600 secret file).
// ---------------------------------------------------------------------------
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { canaryEnv, runScript, type Canary } from '../../support/scripts';

const canary: Canary = canaryEnv();
afterAll(() => canary.dispose());
jest.setTimeout(180_000);

const lines = (stderr: string) => stderr.split('\n').map((l) => l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/^[⠀-⣿\s]+/, '')).filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));

test.concurrent.each([
  ['onboard', 'scripts/onboard.ts', ['--customer-account', '123456789012'], "onboard: option '--tenant' is required; see --help (npm run onboard -- --help)"],
  ['onboard', 'scripts/onboard.ts', ['--tenant', 'initech', '--customer-account', '123456789012', '--role-name', 'tibco_sidecar_connector'], "onboard: option '--function' is required (repeat it for each function the tenant may call); see --help (npm run onboard -- --help)"],
  ['rotate', 'scripts/rotate.ts', ['--finish'], "rotate: option '--tenant' is required; see --help (npm run rotate -- --help)"],
  ['offboard', 'scripts/offboard.ts', [], "offboard: option '--tenant' is required; see --help (npm run offboard -- --help)"],
  ['kit', 'scripts/kit.ts', ['--tenant', 'acme'], "kit: option '--out' is required; see --help (npm run kit -- --help)"],
  ['kit', 'scripts/kit.ts', ['--tenant', 'acme', '--out', '/tmp/x', '--from', 'elsewhere'], "kit: option '--from' must be registry or config (got 'elsewhere'); see --help (npm run kit -- --help)"],
  ['kit', 'scripts/kit.ts', ['--tenant', 'acme', '--out', '/tmp/x', '--template-url', 'http://bucket/t.json'], "kit: option '--template-url' must be an https URL (an S3 object URL the customer can read; got 'http://bucket/t.json'); see --help (npm run kit -- --help)"],
])('%s (%s %j): one line naming the problem, exit 2', async (_, script, args, line) => {
  const res = await runScript(script, args, { env: canary.env });
  expect([res.code, res.stdout, lines(res.stderr)]).toEqual([2, '', [line]]);
  expect(existsSync(canary.localCloudHome)).toBe(false);
});

test.concurrent('tenants with no local cloud running: the error code and what to run, exit 1', async () => {
  const res = await runScript('scripts/tenants.ts', [], { env: canary.env });
  expect(res.code).toBe(1);
  expect(res.stdout).toBe('');
  const [line, ...rest] = lines(res.stderr);
  expect(rest).toEqual([]);
  expect(line).toMatch(/^tenants: \[LocalCloudNotRunning\] no local cloud is running .*Start it with: npm run local:up$/);
});

test.concurrent('kit --from config writes a config tenant\'s kit; the external-ID file is 0600', async () => {
  const out = join(canary.dir, 'acme-kit');
  const res = await runScript('scripts/kit.ts', ['--tenant', 'acme', '--out', out, '--from', 'config'], { env: canary.env });
  expect([res.code, lines(res.stderr)]).toEqual([0, []]);
  expect(res.stdout).toContain(`Kit for the customer written to ${out}/`);
  for (const file of ['README.md', 'customer-role.template.json', 'terraform/main.tf.json', 'terraform/variables.tf.json', 'terraform/outputs.tf.json', 'terraform/versions.tf.json']) {
    expect(existsSync(join(out, file))).toBe(true);
  }
  expect(statSync(join(out, 'external-id.txt')).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(out, 'README.md'), 'utf8')).toContain('tenant `acme`');
  expect(res.stdout).not.toMatch(/sc-local-a-/); // the external ID stays in its file
});
