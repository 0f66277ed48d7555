// ---------------------------------------------------------------------------
// Cache bound: with 10,000 tenants called once each, the connector's credential cache stays
// bounded. Measured in a child process (`node --expose-gc`) so that nothing else of the bench is
// on its heap, against a local cloud of its own (fresh session store: see cache-bound-child.ts),
// with a vendor principal and one customer role made for it. The stated cap: the bytes the cache holds once it first reaches its bound
// (maxEntries tenants), plus 25% for GC noise. Past the bound, an LRU must not grow.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { loadConfig } from '../config/load';
import { generateExternalId } from '../rules/external-id';
import { functionArn, prefixedRoleArnPattern, roleArn } from '../rules/naming';
import { invokeFunctionsPolicy } from '../rules/policies';
import { createTestUser, type Credentials } from '../scripts/lib/child-cloud';
import type { Results } from './report';
import { startBenchCloud, type Progress } from './world';

export const PART = '6. cache bound';
export const CACHE_BENCH_TENANTS = 10_000;
export const CAP_SLACK = 1.25;
/** The fleet-scale issue's target for one cache entry (it was ~40 KB with a LambdaClient each). */
export const BYTES_PER_ENTRY_TARGET = 2000;

interface ChildReport {
  tenants: number;
  maxEntries: number;
  bytesWhenFull: number;
  bytesAtEnd: number;
  entriesWhenFull: number;
  maxEntriesSeen: number;
  credentialed: number;
  stats: { entries: number; evictions: number; assumeRoleCalls: number };
}

/** Thrown when the cache grew past its stated cap or past maxEntries: the bound is broken. */
export class CacheUnboundedError extends Error {
  readonly code = 'CacheUnbounded';
  constructor(message: string) {
    super(message);
    this.name = 'CacheUnboundedError';
  }
}

/**
 * The bench role's trust: the shape of crossAccountTrustPolicy (external ID, sts:SetSourceIdentity,
 * the tenant as sts:SourceIdentity), but for one user and 10,000 tenants `cache-bench-<i>`, which
 * one StringLike covers (a list of 10,000 would pass IAM's size limit for a trust policy).
 */
function cacheBenchTrust(principalArn: string, externalId: string) {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'CacheBenchTenants', Effect: 'Allow', Principal: { AWS: principalArn }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
      Condition: { StringEquals: { 'sts:ExternalId': externalId }, StringLike: { 'sts:SourceIdentity': 'cache-bench-*' } },
    }],
  };
}

/** A vendor principal that may assume prefixed roles, and one customer role trusting it with an external ID. */
async function principals(cloud: Awaited<ReturnType<typeof startBenchCloud>>['cloud']) {
  const config = loadConfig({ ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: '' });
  const customer = config.customers[0];
  const user = await createTestUser(cloud, 'vendor', 'bench-cache-connector', {
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: prefixedRoleArnPattern(customer.accountId, config.rolePrefix) }],
  });
  const roleName = `${config.rolePrefix}-cache-bench`;
  const externalId = generateExternalId();
  const fn = functionArn(config.region, customer.accountId, customer.functions[0]);
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor(customer.name)));
  await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(cacheBenchTrust(user.arn, externalId)) }));
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'invoke-sidecar-functions', PolicyDocument: JSON.stringify(invokeFunctionsPolicy([fn])) }));
  return { region: config.region, credentials: user.credentials as Credentials, roleArn: roleArn(customer.accountId, roleName), externalId, functionArn: fn };
}

export async function runCacheBound(results: Results, options: { progress: Progress; dir?: string }): Promise<void> {
  const { cloud, release } = await startBenchCloud({ progress: options.progress, dir: mkdtempSync(join(options.dir ?? tmpdir(), 'cache-bound-')) });
  try {
    await measure(cloud, results, options);
  } finally {
    await release();
  }
}

async function measure(cloud: Awaited<ReturnType<typeof startBenchCloud>>['cloud'], results: Results, options: { progress: Progress }): Promise<void> {
  const p = await principals(cloud);
  const started = Date.now();
  const report = await new Promise<ChildReport>((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(__dirname, 'cache-bound-child.ts')], {
      cwd: join(__dirname, '..'),
      env: {
        PATH: process.env.PATH, AWS_REGION: p.region, AWS_ENDPOINT_URL: cloud.url,
        AWS_ACCESS_KEY_ID: p.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: p.credentials.secretAccessKey,
        BENCH_CACHE_TENANTS: String(CACHE_BENCH_TENANTS), BENCH_ROLE_ARN: p.roleArn, BENCH_EXTERNAL_ID: p.externalId, BENCH_FUNCTION_ARN: p.functionArn,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(JSON.parse(out.trim().split('\n').pop()!));
      else reject(new Error(`cache-bound child failed (exit ${code}): ${err.slice(-1500)}`));
    });
  });
  options.progress(`[bench] part 6: ${report.tenants} tenants, ${report.stats.assumeRoleCalls} AssumeRole, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const cap = report.bytesWhenFull * CAP_SLACK;
  results.add(PART, { name: `connector_cache_bytes_${report.maxEntries}_tenants`, value: report.bytesWhenFull, unit: 'bytes', note: `heap growth once the cache first holds maxEntries=${report.maxEntries}` });
  results.add(PART, {
    name: 'connector_cache_bytes_10000_tenants', value: report.bytesAtEnd, unit: 'bytes', comparator: `connector_cache_bytes_${report.maxEntries}_tenants`,
    note: `cap ${Math.round(cap)} bytes (x${CAP_SLACK} of the full cache): ${report.bytesAtEnd <= cap ? 'under' : 'OVER'}`,
  });
  results.add(PART, { name: 'connector_cache_entries_10000_tenants', value: report.maxEntriesSeen, unit: 'entries', note: `most ever held; bound ${report.maxEntries}; ${report.stats.evictions} evicted (LRU)` });
  const perEntry = report.bytesWhenFull / report.entriesWhenFull;
  results.add(PART, {
    name: 'connector_cache_bytes_per_entry', value: perEntry, unit: 'bytes',
    note: `credentials + key + registry entry per (tenant, function); target < ${BYTES_PER_ENTRY_TARGET}: ${perEntry < BYTES_PER_ENTRY_TARGET ? 'met' : 'MISSED'}`,
  });
  results.add(PART, { name: 'connector_cache_assume_role_calls_10000_tenants', value: report.stats.assumeRoleCalls, unit: 'calls', note: `one real AssumeRole per tenant (${report.credentialed} tenants credentialed)` });
  if (report.maxEntriesSeen > report.maxEntries) throw new CacheUnboundedError(`the cache held ${report.maxEntriesSeen} entries, over its bound of ${report.maxEntries}`);
  if (report.bytesAtEnd > cap) throw new CacheUnboundedError(`the cache's heap grew to ${report.bytesAtEnd} bytes after ${report.tenants} tenants, over its cap of ${Math.round(cap)}: it is not bounded`);
}
