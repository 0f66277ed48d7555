// ---------------------------------------------------------------------------
// Part 8: connector shards isolate a noisy tenant. The bench's world is redeployed (same local
// cloud and state) with `connectorShards: { count: 2, reservedConcurrency: 2 }`, plus the config's
// other customer whose honest tenant `shardOf` puts on the other shard (acme and globex of
// config/local.json: shards 1 and 0). A tenant can't be added to the bench customer instead: its
// `previous` external ID is reserved in the registry for the tenant already using `current`. Then the slow tenant fires more concurrent
// calls than its shard reserves, each making the customer's sample function sleep a few seconds
// (its `sidecarTest.sleepMs` hook): its shard is full, and Lambda answers 429 beyond it. Meanwhile:
//   - the tenant on the OTHER shard calls on: its p50 under load / its p50 alone (target <= 1.5);
//   - a fast call routed to the SAME shard (the slow tenant's own, without the sleep; any tenant
//     of that shard meets the same answer, since Lambda refuses the shard before the connector's
//     code runs) gets a typed refusal, TooManyRequestsException, not a hang: its p50 under load /
//     alone, the codes in the note.
// Runs last: it renames the connector (shard 0 is `<base>-shard-0`), which the other parts call.
// ---------------------------------------------------------------------------
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadConfig } from '../config/load';
import { connectorFunctionFor } from '../rules/connector-routing';
import { shardOf } from '../rules/shards';
import { deployStacks } from '../scripts/lib/deploy';
import type { Results } from './report';
import { median } from './stats';
import { benchCustomer, type BenchWorld, type Progress } from './world';

export const PART = '8. shards';

const SHARDS = { count: 2, reservedConcurrency: 2 } as const;

interface Sample { ms: number; code: string }

export async function runShards(world: BenchWorld, results: Results, options: { quick: boolean; progress: Progress }): Promise<void> {
  const { progress } = options;
  const sleepMs = options.quick ? 2000 : 4000;

  // ---- a sharded deploy of the same world ----------------------------------
  const raw = JSON.parse(readFileSync(world.configFile, 'utf8')) as Record<string, any>;
  const slowCustomer = benchCustomer(world.config);
  const honest = world.config.customers.flatMap((c) => world.config.tenants.filter((t) => t.externalId === c.externalIds.current).map((t) => ({ customer: c.name, tenant: t })));
  const slowTenant = honest.find((h) => h.customer === slowCustomer)!.tenant;
  const quiet = honest.find((h) => shardOf(h.tenant.id, SHARDS.count) !== shardOf(slowTenant.id, SHARDS.count));
  if (!quiet) throw new Error('part 8: the config has no honest tenant on the other shard from the bench tenant');
  const quietId = quiet.tenant.id;
  const customerName = quiet.customer;
  raw.vendor.connectorShards = SHARDS;
  const configFile = join(world.dir, 'config-shards.json');
  writeFileSync(configFile, JSON.stringify(raw, null, 2));
  const env = { ...world.deployEnv, SIDECAR_CONFIG_FILE: configFile };
  const config = loadConfig(env);
  progress(`[bench] part 8: redeploying vendor with ${SHARDS.count} shards (reserved ${SHARDS.reservedConcurrency} each) and deploying ${customerName}; slow tenant ${slowTenant.id}, quiet tenant ${quietId}`);
  let log = '';
  const t0 = Date.now();
  try {
    await deployStacks({ env, outDir: join(world.dir, 'cdktf.out.shards'), customerStacks: [customerName], outputsFile: join(world.dir, 'outputs-shards.json'), onOutput: (chunk) => { log += chunk; }, onProgress: (line) => progress(`[bench] ${line}`) });
  } finally {
    writeFileSync(join(world.dir, 'deploy-shards.log'), log);
  }
  const deployS = (Date.now() - t0) / 1000;

  // ---- the calls -------------------------------------------------------------
  // One attempt per call: the SDK's own retries of a 429 would hide the refusal behind backoff.
  const client = new LambdaClient({ ...world.cloud.clientConfig(world.cloud.credentialsFor('vendor')), maxAttempts: 1 });
  const slowName = connectorFunctionFor(slowTenant.id, config);
  const quietName = connectorFunctionFor(quietId, config);
  const call = async (functionName: string, tenant: string, payload: unknown): Promise<Sample> => {
    const started = performance.now();
    let code: string;
    try {
      const res = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify({ tenant, payload })) }));
      const answer = JSON.parse(Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8')) as { ok: boolean; error?: { code: string } };
      code = res.FunctionError ? `FunctionError:${res.FunctionError}` : answer.ok ? 'ok' : answer.error?.code ?? 'refused';
    } catch (e) {
      code = (e as Error).name;
    }
    return { ms: performance.now() - started, code };
  };
  const fast = { bench: 'shards' };
  const slow = { bench: 'shards', sidecarTest: { sleepMs } };

  // Warm-up: both sandboxes of the slow shard, and the quiet shard's.
  for (let i = 0; i < 3; i++) {
    await Promise.all([call(slowName, slowTenant.id, fast), call(slowName, slowTenant.id, fast), call(quietName, quietId, fast)]);
  }
  const n = options.quick ? 15 : 40;
  const aloneQuiet: Sample[] = [];
  const aloneSame: Sample[] = [];
  for (let i = 0; i < n; i++) {
    aloneQuiet.push(await call(quietName, quietId, fast));
    aloneSame.push(await call(slowName, slowTenant.id, fast));
  }
  const failed = [...aloneQuiet, ...aloneSame].filter((s) => s.code !== 'ok');
  if (failed.length > 0) throw new Error(`part 8: calls alone failed: ${[...new Set(failed.map((s) => s.code))].join(', ')}`);

  // Load: more slow calls than the shard reserves; measure the others while they run.
  let running = true;
  const slowCalls = Promise.all(Array.from({ length: SHARDS.reservedConcurrency + 2 }, () => call(slowName, slowTenant.id, slow))).finally(() => { running = false; });
  await new Promise((r) => setTimeout(r, 300));
  const loadQuiet: Sample[] = [];
  const loadSame: Sample[] = [];
  while (running) {
    loadQuiet.push(await call(quietName, quietId, fast));
    if (running) loadSame.push(await call(slowName, slowTenant.id, fast));
  }
  const slowSamples = await slowCalls;
  const codes = (samples: Sample[]) => Object.entries(samples.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s.code]: (acc[s.code] ?? 0) + 1 }), {})).map(([c, k]) => `${c} x${k}`).join(', ');
  const p50 = (samples: Sample[]) => median(samples.map((s) => s.ms));
  progress(`[bench] part 8: slow calls ${codes(slowSamples)}; quiet under load ${codes(loadQuiet)}; same shard under load ${codes(loadSame)}`);
  const quietFailed = loadQuiet.filter((s) => s.code !== 'ok');

  results.add(PART, {
    name: 'slow_tenant_other_shard_p50_ratio', value: p50(loadQuiet) / p50(aloneQuiet), unit: 'x',
    note: `tenant ${quietId} on ${quietName}: p50 ${p50(loadQuiet).toFixed(1)} ms over ${loadQuiet.length} calls while ${slowTenant.id} held ${slowName} (${SHARDS.reservedConcurrency + 2} calls sleeping ${sleepMs / 1000} s, reserved ${SHARDS.reservedConcurrency}; slow calls: ${codes(slowSamples)}) vs ${p50(aloneQuiet).toFixed(1)} ms alone (${n} calls); ${quietFailed.length} failed; target <= 1.5; short sleeps keep the bench short`,
  });
  results.add(PART, {
    name: 'slow_tenant_same_shard_p50_ratio', value: p50(loadSame) / p50(aloneSame), unit: 'x',
    note: `a fast call routed to ${slowName} under the same load: ${codes(loadSame)} (the shard's 429 is the caller's typed refusal, not a hang), p50 ${p50(loadSame).toFixed(1)} ms vs ${p50(aloneSame).toFixed(1)} ms alone`,
  });
  results.add(PART, { name: 'shards_redeploy_s', value: deployS, unit: 's', note: `vendor redeployed with ${SHARDS.count} shards and ${customerName} deployed, into the bench's cloud` });
}
