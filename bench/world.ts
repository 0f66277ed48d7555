// ---------------------------------------------------------------------------
// The bench's own world: a local cloud of its own (free port, temp state) with the stacks
// deployed into it by the real cdktf + Terraform, and the SDK clients each part needs. Nothing
// is shared with a local cloud the user may be running. The cloud is stopped by `close()`, on
// SIGINT/SIGTERM, and, if the bench itself is killed, by a watchdog that outlives it.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient, type InvokeCommandInput } from '@aws-sdk/client-lambda';
import type { AwsCredentialIdentity } from '@smithy/types';
import { configFileFor, loadConfig, type LoadedConfig } from '../config/load';
import { connectorFunctionFor } from '../rules/connector-routing';
import { startTestCloud, type Credentials, type TestCloud } from '../scripts/lib/child-cloud';
import { operationStats } from '../scripts/lib/cloud-controls';
import { deployStacks } from '../scripts/lib/deploy';
import { readDeployOutputs, type DeployOutputs } from '../scripts/lib/outputs';

export type Progress = (line: string) => void;

export interface BenchWorld {
  readonly cloud: TestCloud;
  /** The bench's temp folder (deploy log, state, generated configs). */
  readonly dir: string;
  readonly config: LoadedConfig;
  readonly configFile: string;
  readonly outputs: DeployOutputs;
  /** The connector shard that serves `tenantId` (the world is deployed with BENCH_SHARDS). */
  connectorFor(tenantId: string): string;
  /** Environment for cdktf/Terraform against this cloud. */
  readonly deployEnv: NodeJS.ProcessEnv;
  lambda(credentials: Credentials | AwsCredentialIdentity): LambdaClient;
  close(): Promise<void>;
}

/** Thrown when a Lambda answered with a function error where the bench needs a success. */
export class BenchInvokeError extends Error {
  readonly code = 'BenchInvokeFailed';
  constructor(functionName: string, detail: string) {
    super(`${functionName} failed during the benchmark: ${detail}. Look at the function log under the bench's state folder`);
    this.name = 'BenchInvokeError';
  }
}

/**
 * A process that kills `pid` when our stdin pipe closes, i.e. when the bench dies in any way
 * (even SIGKILL, where no handler of ours runs). It exits itself once the cloud is gone.
 */
function watchdog(pid: number): () => void {
  // "done" on the pipe: the bench stopped the cloud itself, so exit without signalling a pid
  // that may since belong to another process.
  const script = `process.stdin.resume();process.stdin.on('data',(d)=>{if(String(d).includes('done'))process.exit(0)});process.stdin.on('end',()=>{try{process.kill(${pid},'SIGTERM')}catch{};setTimeout(()=>{try{process.kill(${pid},'SIGKILL')}catch{};process.exit(0)},10000).unref()});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  child.unref();
  return () => {
    child.stdin?.end('done\n');
  };
}

export async function startBenchCloud(options: { configFile?: string; progress: Progress; dir?: string }): Promise<{ cloud: TestCloud; release: () => Promise<void> }> {
  const cloud = await startTestCloud({ stateDir: options.dir ? join(options.dir, 'localcloud') : undefined, configFile: options.configFile });
  const stopWatchdog = watchdog(cloud.pid);
  const onSignal = (signal: NodeJS.Signals) => {
    options.progress(`[bench] ${signal}: stopping the local cloud (pid ${cloud.pid})`);
    void cloud.close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    cloud,
    release: async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await cloud.close();
      stopWatchdog();
    },
  };
}

/**
 * The connector is deployed as this many shards, so that part 8 needs no redeploy (a second
 * cdktf + Terraform apply cost ~160 s of a 10-minute budget on a loaded machine). Without a
 * reservation: part 8 reserves concurrency with Lambda's own API when it runs, so that parts 1-7
 * measure the connector as a vendor deploys it by default, unreserved (they call it one call at
 * a time, so a reservation would not refuse them; it would only make them measure another shape).
 */
export const BENCH_SHARDS = 2;

/** config/local.json with the connector sharded, written into the bench's folder. */
function shardedConfigFile(dir: string): string {
  const raw = JSON.parse(readFileSync(configFileFor('local'), 'utf8')) as { vendor: Record<string, unknown> };
  raw.vendor.connectorShards = { count: BENCH_SHARDS };
  const file = join(dir, 'config-bench.json');
  writeFileSync(file, JSON.stringify(raw, null, 2));
  return file;
}

/** Start the cloud, deploy vendor (sharded) + the bench's customer, read the outputs. */
export async function createBenchWorld(progress: Progress): Promise<BenchWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-bench-'));
  const configFile = shardedConfigFile(dir);
  const { cloud, release } = await startBenchCloud({ progress, dir });
  try {
    // Every SDK client of this process (including the STS clients fromTemporaryCredentials makes
    // inside the in-process connector) goes to this loopback cloud and nowhere else.
    process.env.AWS_ENDPOINT_URL = cloud.url;
    const deployEnv = { ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFile, LOCALCLOUD_PORT: String(cloud.port), SIDECAR_TFSTATE_DIR: join(dir, 'tfstate') };
    const config = loadConfig(deployEnv);
    // Only the customer of the bench's tenant is deployed: the parts use no other, and each
    // customer stack costs a Terraform apply (~30-60 s here).
    const customers = [benchCustomer(config)];
    const outputsFile = join(dir, 'outputs.json');
    progress(`[bench] local cloud on ${cloud.url} (state ${cloud.stateDir}); deploying the stacks (log: ${dir}/deploy.log)`);
    let log = '';
    try {
      await deployStacks({
        env: deployEnv, outDir: join(dir, 'cdktf.out'), customerStacks: customers, outputsFile,
        onOutput: (chunk) => { log += chunk; }, onProgress: (line) => progress(`[bench] ${line}`),
      });
    } finally {
      writeFileSync(join(dir, 'deploy.log'), log);
    }
    const outputs = readDeployOutputs(outputsFile, customers);
    return {
      cloud, dir, config, configFile, outputs, deployEnv,
      connectorFor: (tenantId) => connectorFunctionFor(tenantId, config),
      lambda: (credentials) => new LambdaClient(cloud.clientConfig(credentials as Credentials)),
      close: release,
    };
  } catch (e) {
    await release();
    throw e;
  }
}

/** The first customer that config pairs honestly with a tenant (same role, same external ID). */
export function benchCustomer(config: LoadedConfig): string {
  const customer = config.customers.find((c) => config.tenants.some((t) => t.externalId === c.externalIds.current));
  if (!customer) throw new Error('config pairs no tenant with a customer: the bench needs one honest tenant');
  return customer.name;
}

// ---------------------------------------------------------------------------
// Helpers the parts share
// ---------------------------------------------------------------------------

/** Invoke and parse the JSON answer; a function error is a bench failure, not a sample. */
export async function invokeJson<T>(client: LambdaClient, input: InvokeCommandInput): Promise<T> {
  const res = await client.send(new InvokeCommand(input));
  const text = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
  if (res.FunctionError) throw new BenchInvokeError(String(input.FunctionName), `${res.FunctionError}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export { executionRoleCredentials, resetStats } from '../scripts/lib/cloud-controls';

/** sts:AssumeRole calls the cloud served since the last reset. */
export async function assumeRoleCount(cloud: TestCloud): Promise<number> {
  return (await operationStats(cloud))['sts:AssumeRole'] ?? 0;
}
