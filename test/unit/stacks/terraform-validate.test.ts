// ---------------------------------------------------------------------------
// `terraform validate` on every synthesized stack, offline, with the provider mirror: the
// stacks of config/local.json (vendor, customer-a, customer-b) and of config/aws.example.json.
// Skips ONLY when terraform or the mirror is missing, and says so loudly.
// ---------------------------------------------------------------------------
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTerraform, terraformEnv, type TerraformEnvironment } from '../../../scripts/terraform-env';
import { awsConfig, localConfig, synthApp } from '../../support/synth';

const run = promisify(execFile);

/** Terraform and the mirror, or why this suite cannot run here. */
function terraformSetup(cliConfigFile: string): { environment?: TerraformEnvironment; missing?: string } {
  try {
    const environment = terraformEnv({ cliConfigFile });
    if (!environment.mirrorRoot) return { missing: environment.notices.join(' ') };
    requireTerraform(environment.env);
    return { environment };
  } catch (e) {
    return { missing: (e as Error).message };
  }
}

const workDir = mkdtempSync(join(tmpdir(), 'sidecar-tf-validate-'));
const setup = terraformSetup(join(workDir, 'terraform.tfrc'));
if (setup.missing) {
  console.warn(`\n${'!'.repeat(78)}\nSKIPPING terraform validate: ${setup.missing}\n${'!'.repeat(78)}\n`);
}
const describeWithTerraform = setup.environment ? describe : describe.skip;

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function validate(stackDir: string): Promise<{ valid: boolean; error_count: number; diagnostics: unknown[] }> {
  const options = { cwd: stackDir, env: setup.environment!.env, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 };
  await run('terraform', ['init', '-backend=false', '-input=false', '-no-color'], options);
  try {
    const { stdout } = await run('terraform', ['validate', '-json', '-no-color'], options);
    return JSON.parse(stdout);
  } catch (e) {
    // validate exits 1 on an invalid configuration and still prints the JSON verdict.
    const stdout = (e as { stdout?: string }).stdout;
    if (stdout) return JSON.parse(stdout);
    throw e;
  }
}

describeWithTerraform.each([
  ['local', () => localConfig(), ['vendor', 'customer-a', 'customer-b']],
  // The aws stacks differ from the local ones only in the provider block: one stack covers it.
  ['aws', () => awsConfig(), ['vendor']],
] as const)('terraform validate, %s target', (target, config, stacks) => {
  const outdir = join(workDir, target);

  beforeAll(() => {
    synthApp({ config: config(), target, outdir }).app.synth();
  });

  test.each(stacks.map((s) => [s]))('%s is valid', async (stack) => {
    const verdict = await validate(join(outdir, 'stacks', stack));
    expect(verdict.diagnostics).toEqual([]);
    expect(verdict).toMatchObject({ valid: true, error_count: 0 });
  }, 180_000);
});

describeWithTerraform('terraform validate catches a broken stack', () => {
  test('an invalid attribute fails validation (so the passing runs above mean something)', async () => {
    const outdir = join(workDir, 'broken');
    const { app, vendor } = synthApp({ config: localConfig(), outdir });
    vendor.connector.function.addOverride('runtime', ['not', 'a', 'string']);
    app.synth();
    const verdict = await validate(join(outdir, 'stacks', 'vendor'));
    expect(verdict.valid).toBe(false);
    expect(verdict.error_count).toBeGreaterThan(0);
  }, 180_000);
});
