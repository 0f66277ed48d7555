// ---------------------------------------------------------------------------
// Part 1, warm path: end-to-end latency of a call
//   cached: through the deployed connector (credentials cached per tenant and function);
//   naive:  through the same zip deployed as a second function with SIDECAR_CACHE_CREDENTIALS=false
//           (AssumeRole on every call, what the vendor's guide literally describes);
//   direct: invoking the customer's function with credentials the bench already holds (the
//           connector role's session, AssumeRole'd once with the same scoped session policy).
// The three run interleaved in blocks, one call at a time, so that a noisy neighbour hurts all
// three alike; ratios are taken between series of this same run.
// ---------------------------------------------------------------------------
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateFunctionCommand, GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { connectorClientContext } from '../lambda/connector/connect';
import { serializeSessionPolicy } from '../lambda/shared/assume-role-input';
import { roleSessionName } from '../rules/naming';
import { scopedInvokeSessionPolicy } from '../rules/policies';
import type { Results } from './report';
import { summarize, timed, type LatencySummary } from './stats';
import { assumeRoleCount, executionRoleCredentials, invokeJson, type BenchWorld, type Progress } from './world';

export const PART = '1. warm path';

interface ConnectorAnswer {
  ok: boolean;
  error?: { code: string; message: string };
  timings?: { totalMs: number; assumeRoleMs: number; invokeMs: number; credentialsCached: boolean };
}

type Mode = 'cached' | 'naive' | 'direct';

/** The bench's tenant: the first one whose role and external ID belong to a configured customer. */
export function benchTenant(world: BenchWorld): { id: string; roleArn: string; externalId: string; functionArn: string; customer: string } {
  for (const customer of world.config.customers.filter((c) => world.outputs.customers[c.name])) {
    const tenant = world.config.tenants.find((t) => t.externalId === customer.externalIds.current);
    const functionArn = world.outputs.customers[customer.name]?.function_arns[customer.functions[0]];
    if (tenant && functionArn) return { id: tenant.id, roleArn: tenant.roleArn, externalId: tenant.externalId, functionArn, customer: customer.name };
  }
  throw new Error('config pairs no tenant with a deployed customer: the bench needs one honest tenant');
}

/** Deploy the connector's own zip again as `<name>-naive`, same role, caching off. */
export async function deployNaiveConnector(vendorLambda: LambdaClient, connectorName: string): Promise<string> {
  const name = `${connectorName}-naive`;
  const original = await vendorLambda.send(new GetFunctionCommand({ FunctionName: connectorName }));
  const c = original.Configuration!;
  // The local cloud hands the stored package back as a file:// URL (AWS: a presigned S3 URL).
  const zip = readFileSync(fileURLToPath(original.Code!.Location!));
  await vendorLambda.send(new CreateFunctionCommand({
    FunctionName: name, Role: c.Role, Handler: c.Handler, Runtime: c.Runtime, Timeout: c.Timeout, MemorySize: c.MemorySize,
    Code: { ZipFile: zip },
    Environment: { Variables: { ...(c.Environment?.Variables ?? {}), SIDECAR_CACHE_CREDENTIALS: 'false' } },
  }));
  for (let i = 0; i < 100; i++) {
    const state = (await vendorLambda.send(new GetFunctionCommand({ FunctionName: name }))).Configuration?.State;
    if (state === 'Active') return name;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not become Active`);
}

export async function runWarmPath(world: BenchWorld, results: Results, options: { calls: number; progress: Progress }): Promise<void> {
  const { progress } = options;
  const tenant = benchTenant(world);
  const vendorLambda = world.lambda(world.cloud.credentialsFor('vendor'));
  const connectorName = world.connectorFor(tenant.id);
  const naiveName = await deployNaiveConnector(vendorLambda, connectorName);
  progress(`[bench] part 1: tenant ${tenant.id} -> ${tenant.functionArn}; naive connector deployed as ${naiveName}`);

  // Direct: the connector role's session, scoped down exactly as the connector scopes it.
  const roleCreds = await executionRoleCredentials(world.cloud, world.outputs.vendor.connector_role_arn, world.outputs.vendor.connector_function_arn);
  const sts = new STSClient(world.cloud.clientConfig(roleCreds));
  const assumed = await sts.send(new AssumeRoleCommand({
    RoleArn: tenant.roleArn, ExternalId: tenant.externalId, RoleSessionName: roleSessionName(tenant.id), SourceIdentity: tenant.id,
    Policy: serializeSessionPolicy(scopedInvokeSessionPolicy([tenant.functionArn])), DurationSeconds: 3600,
  }));
  const direct = world.lambda({ accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! });
  const clientContext = connectorClientContext(tenant.id);

  const latencies: Record<Mode, number[]> = { cached: [], naive: [], direct: [] };
  const own: Record<'cached' | 'naive', number[]> = { cached: [], naive: [] };
  const assumeRoles: Record<Mode, number> = { cached: 0, naive: 0, direct: 0 };
  const call = async (mode: Mode, i: number, record: boolean): Promise<void> => {
    const payload = { bench: 'warm', i };
    if (mode === 'direct') {
      const { ms } = await timed(() => invokeJson(direct, { FunctionName: tenant.functionArn, Payload: Buffer.from(JSON.stringify(payload)), ClientContext: clientContext }));
      if (record) latencies.direct.push(ms);
      return;
    }
    const { ms, value } = await timed(() => invokeJson<ConnectorAnswer>(vendorLambda, {
      FunctionName: mode === 'cached' ? connectorName : naiveName, Payload: Buffer.from(JSON.stringify({ tenant: tenant.id, payload })),
    }));
    if (!value.ok || !value.timings) throw new Error(`the ${mode} connector refused the bench's call: ${JSON.stringify(value.error)}`);
    if (record) {
      latencies[mode].push(ms);
      own[mode].push(value.timings.totalMs - value.timings.invokeMs);
    }
  };

  // Warm-up: start every sandbox and fill the cached connector's cache (not recorded).
  for (const mode of ['cached', 'naive', 'direct'] as const) for (let i = 0; i < 20; i++) await call(mode, i, false);

  const block = 50;
  let done = 0;
  const started = Date.now();
  while (done < options.calls) {
    const n = Math.min(block, options.calls - done);
    for (const mode of ['cached', 'naive', 'direct'] as const) {
      const before = await assumeRoleCount(world.cloud);
      for (let i = 0; i < n; i++) await call(mode, done + i, true);
      assumeRoles[mode] += (await assumeRoleCount(world.cloud)) - before;
    }
    done += n;
    if (done % 250 === 0 || done === options.calls) progress(`[bench] part 1: ${done}/${options.calls} calls per mode (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }

  const s: Record<Mode, LatencySummary> = { cached: summarize(latencies.cached), naive: summarize(latencies.naive), direct: summarize(latencies.direct) };
  const n = options.calls;
  results.add(PART, { name: 'warm_p50_ms_direct', value: s.direct.p50, unit: 'ms', note: `${n} calls, invoke with held scoped credentials` });
  results.add(PART, { name: 'warm_p50_ms_cached', value: s.cached.p50, unit: 'ms', comparator: 'warm_p50_ms_direct', note: `${n} calls through the deployed connector` });
  results.add(PART, { name: 'warm_p50_ms_naive', value: s.naive.p50, unit: 'ms', comparator: 'warm_p50_ms_cached', note: `${n} calls, AssumeRole on every call` });
  results.add(PART, { name: 'warm_p95_ms_direct', value: s.direct.p95, unit: 'ms' });
  results.add(PART, { name: 'warm_p95_ms_cached', value: s.cached.p95, unit: 'ms', comparator: 'warm_p95_ms_direct' });
  results.add(PART, { name: 'warm_p95_ms_naive', value: s.naive.p95, unit: 'ms', comparator: 'warm_p95_ms_cached' });
  results.add(PART, { name: 'warm_p99_ms_direct', value: s.direct.p99, unit: 'ms' });
  results.add(PART, { name: 'warm_p99_ms_cached', value: s.cached.p99, unit: 'ms', comparator: 'warm_p99_ms_direct' });
  results.add(PART, { name: 'warm_p99_ms_naive', value: s.naive.p99, unit: 'ms', comparator: 'warm_p99_ms_cached' });
  const ownCached = summarize(own.cached, 'connector own time (cached)');
  const ownNaive = summarize(own.naive, 'connector own time (naive)');
  results.add(PART, { name: 'connector_own_p50_ms', value: ownCached.p50, unit: 'ms', note: 'handler time minus downstream Invoke, cached' });
  results.add(PART, { name: 'connector_own_p99_ms', value: ownCached.p99, unit: 'ms', note: 'cached' });
  results.add(PART, { name: 'connector_own_p50_ms_naive', value: ownNaive.p50, unit: 'ms', comparator: 'connector_own_p50_ms', note: 'includes the AssumeRole round trip' });
  results.add(PART, { name: 'sts_calls_during_warm_cached', value: assumeRoles.cached, unit: 'calls', note: `per ${n} calls through the deployed connector` });
  results.add(PART, { name: 'sts_calls_during_warm_naive', value: assumeRoles.naive, unit: 'calls', note: `per ${n} calls through the naive connector` });
}
