// ---------------------------------------------------------------------------
// Part 8: connector shards isolate a noisy tenant. The bench's world is deployed with its connector
// as BENCH_SHARDS shards (bench/world.ts). Here:
//   - a second tenant, whose ID `shardOf` puts on the other shard from the bench's tenant, is
//     onboarded at run time (the registry operations of `npm run onboard`) with the kit's role made
//     through the IAM API in the bench customer's account (no deploy);
//   - each shard gets a reserved concurrency of SHARD_RESERVATION with Lambda's own API
//     (PutFunctionConcurrency, what `reserved_concurrent_executions` sets at deploy: covered by
//     test/localcloud/lambda/terraform.test.ts); set here rather than at deploy so that parts 1-7
//     measure the connector unreserved, as a vendor deploys it by default (bench/world.ts).
// Then the slow tenant fires more concurrent calls than its shard reserves, each making the
// customer's sample function sleep a few seconds (its `sidecarTest.sleepMs` hook): its shard is
// full, and Lambda answers 429 beyond it. Meanwhile:
//   - the tenant on the OTHER shard calls on: its p50 under load / its p50 alone (target <= 1.5);
//   - a fast call routed to the SAME shard (the slow tenant's own, without the sleep; any tenant
//     of that shard meets the same answer, since Lambda refuses the shard before the connector's
//     code runs) gets a typed refusal, TooManyRequestsException, not a hang: its p50 under load /
//     alone, the codes in the note.
// Runs last of the world's parts: it leaves both shards reserved.
// ---------------------------------------------------------------------------
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import { connectorShardFunctionNames } from '../rules/connector-routing';
import { generateExternalId } from '../rules/external-id';
import { shardOf } from '../rules/shards';
import { createKitRoleThroughIam } from '../scripts/kit/iam-kit-role';
import { connectorRefusedNotYet, untilPropagated } from '../scripts/lib/propagation';
import { onboardTenant } from '../scripts/registry/operations';
import { RegistryStore } from '../scripts/registry/store';
import { registryTableName, vendorPrincipalArns } from '../scripts/registry/vendor-context';
import type { Results } from './report';
import { median } from './stats';
import { benchTenant } from './warm-path';
import { BENCH_SHARDS, type BenchWorld, type Progress } from './world';

export const PART = '8. shards';

/** Each shard's reserved concurrency: small, so that a handful of slow calls fills a shard. */
const SHARD_RESERVATION = 2;

interface Sample { ms: number; code: string }

/** A tenant ID of this run that `shardOf` puts on a shard other than `avoid`'s. */
export function tenantIdOnOtherShard(avoidTenantId: string, shards: number, suffix: string): string {
  const avoid = shardOf(avoidTenantId, shards);
  for (let i = 0; i < 1000; i++) {
    const id = `bench-quiet-${suffix}-${i}`;
    if (shardOf(id, shards) !== avoid) return id;
  }
  throw new Error(`part 8: no tenant ID of 1,000 tried lands off shard ${avoid} of ${shards}`);
}

export async function runShards(world: BenchWorld, results: Results, options: { quick: boolean; progress: Progress }): Promise<void> {
  const { progress } = options;
  const sleepMs = options.quick ? 2000 : 4000;
  const { config } = world;
  const slowTenant = benchTenant(world);
  const customer = config.customers.find((c) => c.name === slowTenant.customer)!;
  const vendorCredentials = world.cloud.credentialsFor('vendor');

  // ---- the quiet tenant, onboarded at run time on the other shard -----------
  const t0 = Date.now();
  const suffix = Date.now().toString(36);
  const quietId = tenantIdOnOtherShard(slowTenant.id, BENCH_SHARDS, suffix);
  const roleName = `${config.rolePrefix}-bench-quiet-${suffix}`;
  const store = new RegistryStore({ client: new DynamoDBClient(world.cloud.clientConfig(vendorCredentials)), table: registryTableName(config) });
  const record = await onboardTenant(
    { tenantId: quietId, customerAccountId: customer.accountId, roleName, rolePrefix: config.rolePrefix, functions: [slowTenant.functionArn], region: config.region },
    { store, now: () => new Date(), newExternalId: generateExternalId },
  );
  await createKitRoleThroughIam(new IAMClient(world.cloud.clientConfig(world.cloud.credentialsFor(customer.name))), {
    vendorAccountId: config.vendor.accountId, vendorPrincipalArns: vendorPrincipalArns(config), roleName, record,
  });

  // ---- each shard's reservation ----------------------------------------------
  const client = new LambdaClient({ ...world.cloud.clientConfig(vendorCredentials), maxAttempts: 1 });
  for (const name of connectorShardFunctionNames(config)) {
    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: SHARD_RESERVATION }));
  }
  const slowName = world.connectorFor(slowTenant.id);
  const quietName = world.connectorFor(quietId);
  progress(`[bench] part 8: ${BENCH_SHARDS} shards reserved ${SHARD_RESERVATION} each; slow tenant ${slowTenant.id} on ${slowName}, quiet tenant ${quietId} (onboarded at run time) on ${quietName}`);

  // ---- the calls -------------------------------------------------------------
  // One attempt per call (maxAttempts above): the SDK's own retries of a 429 would hide the
  // refusal behind backoff.
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

  // The quiet tenant's first call: asked again while its new role reaches STS, within a bound.
  await untilPropagated(`${quietName} serving ${quietId}`, () => call(quietName, quietId, fast).then((sample) => {
    if (sample.code !== 'ok' && !['AssumeRoleRefused', 'InvokeRefused'].includes(sample.code)) throw new Error(`part 8: the quiet tenant's first call answered ${sample.code}`);
    return sample.code === 'ok' ? { ok: true } : { ok: false, error: { code: sample.code } };
  }), connectorRefusedNotYet);
  const setupS = (Date.now() - t0) / 1000;

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
  const slowCalls = Promise.all(Array.from({ length: SHARD_RESERVATION + 2 }, () => call(slowName, slowTenant.id, slow))).finally(() => { running = false; });
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
    note: `tenant ${quietId} on ${quietName}: p50 ${p50(loadQuiet).toFixed(1)} ms over ${loadQuiet.length} calls while ${slowTenant.id} held ${slowName} (${SHARD_RESERVATION + 2} calls sleeping ${sleepMs / 1000} s, reserved ${SHARD_RESERVATION}; slow calls: ${codes(slowSamples)}) vs ${p50(aloneQuiet).toFixed(1)} ms alone (${n} calls); ${quietFailed.length} failed; target <= 1.5; short sleeps keep the bench short`,
  });
  results.add(PART, {
    name: 'slow_tenant_same_shard_p50_ratio', value: p50(loadSame) / p50(aloneSame), unit: 'x',
    note: `a fast call routed to ${slowName} under the same load: ${codes(loadSame)} (the shard's 429 is the caller's typed refusal, not a hang), p50 ${p50(loadSame).toFixed(1)} ms vs ${p50(aloneSame).toFixed(1)} ms alone`,
  });
  results.add(PART, { name: 'shards_setup_s', value: setupS, unit: 's', note: `a tenant onboarded at run time on the other shard, its kit role made, ${BENCH_SHARDS} shards reserved, first call served (no deploy)` });
}
