// ---------------------------------------------------------------------------
// Part 4, scale of the infrastructure: `cdktf synth` and `terraform plan` for configs with 1
// and 50 customers (generated: unique accounts with their own local-cloud keys, one tenant
// each with its own external ID). Plans are of fresh stacks against empty state; the provider
// reaches a local cloud of this part's own (started with the generated accounts) only for what a
// plan reads (GetCallerIdentity). Customer stacks are planned two at a time (2 cores). Synth
// time covers the whole app (vendor included); plan time covers the customer stacks.
// Each plan is ~10 s of CPU here, nearly all of it Terraform and the AWS provider starting and
// loading the provider's schema (`terraform validate` alone: ~6 s), with no call to the cloud in
// it. Growth is linear (one stack, one init, one plan per customer), so two points measure it: a
// 10-customer point cost ~80 s of the bench's 10-minute budget and added nothing.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFileFor } from '../config/load';
import type { SidecarConfig } from '../config/schema';
import { generateExternalId } from '../rules/external-id';
import { functionArn, roleArn } from '../rules/naming';
import { runCdktf } from '../scripts/lib/deploy';
import { requireTerraform, terraformEnv } from '../scripts/terraform-env';
import type { Results } from './report';
import { mapLimited } from './stats';
import { startBenchCloud, type Progress } from './world';

export const PART = '4. infrastructure scale';
export const PLAN_PARALLELISM = 2;

/** A config with `count` customers, each in its own generated account. */
export function scaledConfig(base: SidecarConfig, count: number): SidecarConfig {
  const vendorStack = base.accounts.vendor;
  const customers: SidecarConfig['customers'] = [];
  const tenants: SidecarConfig['tenants'] = [];
  const accounts: SidecarConfig['accounts'] = { vendor: vendorStack };
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(4, '0');
    const name = `bench-${n}`;
    const accountId = `7${String(i).padStart(11, '0')}`;
    const externalId = generateExternalId();
    customers.push({ name, accountId, roleName: base.rolePrefix, externalIds: { current: externalId }, trustPrincipal: 'role', functions: ['sidecar-echo'], privateFunction: 'sidecar-private' });
    tenants.push({ id: `tenant-${n}`, roleArn: roleArn(accountId, base.rolePrefix), externalId, functions: [functionArn(base.region, accountId, 'sidecar-echo')] });
    accounts[name] = { accountId, accessKeyId: `AKIABENCH${n}0000000`, secretAccessKey: `bench-${n}-root-secret-not-a-real-key` };
  }
  return { ...base, customers, tenants, accounts };
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => { tail = (tail + b.toString('utf8')).slice(-3000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} in ${cwd} failed (exit ${code}):\n${tail}`))));
  });
}

export async function runInfraScale(results: Results, options: { quick: boolean; progress: Progress; dir?: string }): Promise<void> {
  const sizes = options.quick ? [1, 3] : [1, 50];
  const dir = mkdtempSync(join(options.dir ?? tmpdir(), 'infra-scale-'));
  const base = JSON.parse(readFileSync(configFileFor('local'), 'utf8')) as SidecarConfig;
  // One cloud for every size: the largest config's accounts include the smaller ones'.
  const largest = scaledConfig(base, Math.max(...sizes));
  const largestFile = join(dir, `config-${Math.max(...sizes)}.json`);
  writeFileSync(largestFile, JSON.stringify(largest, null, 2));
  const { cloud, release } = await startBenchCloud({ configFile: largestFile, progress: options.progress, dir });
  try {
    for (const n of sizes) {
      const config = n === Math.max(...sizes) ? largest : { ...largest, customers: largest.customers.slice(0, n), tenants: largest.tenants.slice(0, n), accounts: Object.fromEntries(Object.entries(largest.accounts).slice(0, n + 1)) };
      const configFile = join(dir, `config-${n}.json`);
      writeFileSync(configFile, JSON.stringify(config, null, 2));
      const outDir = join(dir, `cdktf.out-${n}`);
      const baseEnv = { ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFile, LOCALCLOUD_PORT: String(cloud.port), SIDECAR_TFSTATE_DIR: join(dir, `tfstate-${n}`) };
      mkdirSync(baseEnv.SIDECAR_TFSTATE_DIR, { recursive: true });

      let t = performance.now();
      await runCdktf(['synth'], { env: baseEnv, outDir, onOutput: () => undefined });
      const synthS = (performance.now() - t) / 1000;
      options.progress(`[bench] part 4: synth of vendor + ${n} customer(s): ${synthS.toFixed(1)} s`);

      const { env } = terraformEnv({ baseEnv });
      requireTerraform(env);
      const tfEnv = { ...env, TF_IN_AUTOMATION: '1', TF_INPUT: '0', CHECKPOINT_DISABLE: '1' };
      t = performance.now();
      await mapLimited(config.customers.length, PLAN_PARALLELISM, async (i) => {
        const stackDir = join(outDir, 'stacks', config.customers[i].name);
        await run('terraform', ['init', '-input=false', '-no-color'], stackDir, tfEnv);
        await run('terraform', ['plan', '-input=false', '-no-color', '-lock=false', '-out=plan.tfplan'], stackDir, tfEnv);
      });
      const planS = (performance.now() - t) / 1000;
      options.progress(`[bench] part 4: init + plan of ${n} customer stack(s), ${PLAN_PARALLELISM} at a time: ${planS.toFixed(1)} s`);

      const suffix = n === 1 ? '1_customer' : `${n}_customers`;
      results.add(PART, { name: `synth_s_${suffix}`, value: synthS, unit: 's', note: `cdktf synth, vendor + ${n} customer stacks` });
      results.add(PART, { name: `plan_s_${suffix}`, value: planS, unit: 's', note: `terraform init + plan of ${n} customer stacks, ${PLAN_PARALLELISM} in parallel` });
      results.add(PART, {
        name: `synth_plan_s_${suffix}`, value: synthS + planS, unit: 's',
        ...(n !== sizes[0] ? { comparator: `synth_plan_s_${sizes[0] === 1 ? '1_customer' : `${sizes[0]}_customers`}` } : {}),
        note: `${((synthS + planS) / n).toFixed(2)} s per customer stack`,
      });
    }
    // Growth: the marginal cost of one more customer, between the smallest and largest run.
    const small = sizes[0];
    const big = sizes[sizes.length - 1];
    const name = (n: number) => (n === 1 ? '1_customer' : `${n}_customers`);
    const grow = (kind: string) => (results.get(`${kind}_s_${name(big)}`)!.value - results.get(`${kind}_s_${name(small)}`)!.value) / (big - small);
    results.add(PART, { name: 'synth_s_per_added_customer', value: grow('synth'), unit: 's', note: `(synth ${big} - synth ${small}) / ${big - small}` });
    results.add(PART, { name: 'plan_s_per_added_customer', value: grow('plan'), unit: 's', note: `(plan ${big} - plan ${small}) / ${big - small}, ${PLAN_PARALLELISM} in parallel` });
    results.add(PART, { name: 'synth_plan_s_per_added_customer', value: grow('synth_plan'), unit: 's', note: 'linear growth: each customer is its own stack, own init, own plan' });
  } finally {
    await release();
  }
}
