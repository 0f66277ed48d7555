// ---------------------------------------------------------------------------
// Part 5, throughput of the local cloud on this machine: AssumeRole/s (the connector role into a
// customer role, with the external ID and the scoped session policy, as the connector calls it)
// and Invoke/s (the customer's sample function) with N concurrent clients for a fixed time.
// Tells whether parts 1-2 measured the connector or the emulator's ceiling.
// ---------------------------------------------------------------------------
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { serializeSessionPolicy } from '../lambda/shared/assume-role-input';
import { roleSessionName } from '../rules/naming';
import { scopedInvokeSessionPolicy } from '../rules/policies';
import type { Results } from './report';
import { benchTenant } from './warm-path';
import { executionRoleCredentials, type BenchWorld, type Progress } from './world';

export const PART = '5. local cloud throughput';
export const CONCURRENCY_LEVELS = [1, 4, 16] as const;

/** Completed calls per second of `call` run by `clients` loops for `durationMs`. Failures abort. */
export async function rate(clients: number, durationMs: number, call: () => Promise<unknown>): Promise<{ perSecond: number; calls: number }> {
  let calls = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < deadline) {
      await call();
      calls += 1;
    }
  }));
  return { perSecond: calls / ((performance.now() - started) / 1000), calls };
}

export async function runThroughput(world: BenchWorld, results: Results, options: { quick: boolean; progress: Progress }): Promise<void> {
  const durationMs = options.quick ? 1000 : 2500;
  const tenant = benchTenant(world);
  const roleCreds = await executionRoleCredentials(world.cloud, world.outputs.vendor.connector_role_arn, world.outputs.vendor.connector_function_arn);
  const sts = new STSClient(world.cloud.clientConfig(roleCreds));
  const policy = serializeSessionPolicy(scopedInvokeSessionPolicy([tenant.functionArn]));
  const assume = () => sts.send(new AssumeRoleCommand({ RoleArn: tenant.roleArn, ExternalId: tenant.externalId, RoleSessionName: roleSessionName(tenant.id), SourceIdentity: tenant.id, Policy: policy }));
  const lambda = world.lambda(world.cloud.credentialsFor(tenant.customer));
  const invoke = async () => {
    const res = await lambda.send(new InvokeCommand({ FunctionName: tenant.functionArn, Payload: Buffer.from('{"bench":"throughput"}') }));
    if (res.FunctionError) throw new Error(`sample function failed during the throughput run: ${Buffer.from(res.Payload ?? []).toString()}`);
  };
  // Warm a sandbox for each of the most clients first (16), so Invoke/s is not a cold-start figure.
  await rate(16, 500, invoke);

  for (const n of CONCURRENCY_LEVELS) {
    const a = await rate(n, durationMs, assume);
    options.progress(`[bench] part 5: AssumeRole with ${n} clients: ${a.perSecond.toFixed(0)}/s (${a.calls} calls)`);
    results.add(PART, { name: `localcloud_assume_role_per_s_${n}_clients`, value: a.perSecond, unit: 'calls/s', note: `${a.calls} calls in ${durationMs / 1000} s` });
    const i = await rate(n, durationMs, invoke);
    options.progress(`[bench] part 5: Invoke with ${n} clients: ${i.perSecond.toFixed(0)}/s (${i.calls} calls)`);
    results.add(PART, { name: `localcloud_invokes_per_s_${n}_clients`, value: i.perSecond, unit: 'calls/s', note: `${i.calls} calls in ${durationMs / 1000} s; a sandbox per client` });
  }
  const best = Math.max(...CONCURRENCY_LEVELS.map((n) => results.get(`localcloud_invokes_per_s_${n}_clients`)!.value));
  results.add(PART, { name: 'localcloud_invokes_per_s', value: best, unit: 'calls/s', note: 'best of 1/4/16 clients' });
  const bestAssume = Math.max(...CONCURRENCY_LEVELS.map((n) => results.get(`localcloud_assume_role_per_s_${n}_clients`)!.value));
  results.add(PART, { name: 'localcloud_assume_role_per_s', value: bestAssume, unit: 'calls/s', note: 'best of 1/4/16 clients' });

  // Parts 1 runs one call at a time: its ceiling is the 1-client rate. A connector call is two
  // Invokes (outer + inner), so 1/(2 x single-client invoke time) bounds its rate.
  const single = results.get('localcloud_invokes_per_s_1_clients')!.value;
  const cached = results.get('warm_p50_ms_cached');
  if (cached) {
    results.add(PART, { name: 'warm_cached_calls_per_s_seq', value: 1000 / cached.value, unit: 'calls/s', comparator: 'localcloud_invokes_per_s_1_clients', note: 'part 1 ran one call at a time; ~x0.5 = two Invokes per connector call, i.e. bound by the cloud' });
  } else void single;
}
