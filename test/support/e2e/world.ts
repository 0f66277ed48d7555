// ---------------------------------------------------------------------------
// What an e2e test needs to know about the deployed accounts: target, config, outputs, and
// credentials for each identity a test acts as. The global setup writes the world file; on the
// aws target it points at the outputs of a real deploy.
// ---------------------------------------------------------------------------
import { readFileSync } from 'node:fs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import { IAMClient } from '@aws-sdk/client-iam';
import { loadConfig, type LoadedConfig } from '../../../config/load';
import { accountCredentials, type Credentials } from '../../../scripts/lib/accounts';
import { readDeployOutputs, type DeployOutputs } from '../../../scripts/lib/outputs';
import { connectorFunctionFor, connectorShardCount } from '../../../rules/connector-routing';
import { customerTenantIds } from '../../../rules/tenant-ownership';
import { vendCallerProof } from '../../../scripts/lib/vend-proof';

export interface WorldFile {
  readonly target: 'local' | 'aws';
  /** Local cloud base URL (local target only). */
  readonly endpoint?: string;
  readonly outputsFile: string;
  readonly configFile: string;
  /** True only on the local target on stacks the setup deployed itself (see ./mode.ts). */
  readonly ownsStacks: boolean;
  /** Whether the local cloud serves its test controls (clock, faults, execution-role credentials). */
  readonly testControls: boolean;
}

export type { Credentials };

export interface World {
  readonly target: 'local' | 'aws';
  readonly endpoint?: string;
  /**
   * True only for a local run on stacks the global setup deployed itself: the only world in which
   * a test may break accounts, inject faults, move the clock, restart the cloud, destroy or
   * redeploy stacks, or read the run's own logs. False on the aws target and with
   * SIDECAR_E2E_STACKS=deployed (the user's stacks). Gate such tests on it, not on `target`.
   */
  readonly ownsStacks: boolean;
  /**
   * Whether the local cloud serves its test controls: the e2e setup's own cloud always does; a
   * cloud the user started does only with LOCALCLOUD_TEST_CONTROLS=1. Acting as the connector's
   * execution role needs them (and the local target: on AWS only lambda.amazonaws.com may).
   */
  readonly testControls: boolean;
  /** The deploy's outputs file this world was read from. */
  readonly outputsFile: string;
  readonly config: LoadedConfig;
  readonly outputs: DeployOutputs;
  readonly region: string;
  /** The administrator of a stack's account: root keys locally, the configured profile on AWS. */
  adminCredentials(stack: string): Credentials;
  sts(credentials: Credentials): STSClient;
  lambda(credentials: Credentials, region?: string): LambdaClient;
  iam(credentials: Credentials): IAMClient;
}

/** Why a test that acts as the connector's execution role is skipped in this world. */
export function connectorRoleUnavailable(world: World): string {
  return world.target === 'aws'
    ? 'acts as the connector\'s execution role, which only lambda.amazonaws.com may assume on AWS'
    : 'acts as the connector\'s execution role through the local cloud\'s test controls, which this cloud does not serve (start it with LOCALCLOUD_TEST_CONTROLS=1 npm run local:up)';
}

export function worldFilePath(): string {
  const file = process.env.SIDECAR_E2E_WORLD;
  if (!file) throw new Error('SIDECAR_E2E_WORLD is not set: run the e2e suite through jest (npm run test:e2e), whose global setup deploys or finds the stacks');
  return file;
}

let cached: World | undefined;

export function loadWorld(): World {
  if (cached) return cached;
  const file: WorldFile = JSON.parse(readFileSync(worldFilePath(), 'utf8'));
  const config = loadConfig({ ...process.env, SIDECAR_TARGET: file.target, SIDECAR_CONFIG_FILE: file.configFile });
  const outputs = readDeployOutputs(file.outputsFile, config.customers.map((c) => c.name));
  const clientConfig = (credentials: Credentials, region = config.region) => ({
    region, credentials, maxAttempts: 1, ...(file.endpoint ? { endpoint: file.endpoint } : {}),
  });
  const adminCredentials = (stack: string): Credentials => {
    const credentials = accountCredentials(config, stack);
    if (!credentials) throw new Error(`config has no account for stack ${stack}`);
    return credentials;
  };
  cached = {
    target: file.target,
    endpoint: file.endpoint,
    ownsStacks: file.ownsStacks === true,
    testControls: file.target === 'local' && file.testControls === true,
    outputsFile: file.outputsFile,
    config,
    outputs,
    region: config.region,
    adminCredentials,
    sts: (c) => new STSClient(clientConfig(c)),
    lambda: (c, region) => new LambdaClient(clientConfig(c, region)),
    iam: (c) => new IAMClient(clientConfig(c)),
  };
  return cached;
}

// ---------------------------------------------------------------------------
// Calling the deployed Lambdas the way a vendor's platform does: as the vendor account.
// ---------------------------------------------------------------------------

export interface ConnectorSuccess {
  ok: true;
  tenant: string;
  functionArn: string;
  statusCode: number;
  payload: SampleEcho;
  timings: { totalMs: number; assumeRoleMs: number; invokeMs: number; credentialsCached: boolean };
}
export interface LambdaFailure { ok: false; error: { code: string; message: string } }

/** What the sample function answers: whose function ran, and for whom. */
export interface SampleEcho {
  echo: unknown;
  account: string;
  functionName: string;
  functionArn: string;
  caller: { clientContext: { custom?: Record<string, string> } | null };
}

export interface VendSuccess {
  ok: true;
  tenant: string;
  functionArns: string[];
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
}

export async function invokeJson<T>(world: World, functionName: string, event: unknown): Promise<T> {
  const client = world.lambda(world.adminCredentials('vendor'));
  const res = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
  const text = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
  if (res.FunctionError) throw new Error(`${functionName} failed (${res.FunctionError}): ${text}`);
  return JSON.parse(text) as T;
}

export function callConnector(world: World, event: { tenant: string; function?: string; payload?: unknown; dryRun?: boolean }): Promise<ConnectorSuccess | LambdaFailure> {
  // Unsharded: the deployed connector's name, from the outputs; sharded: the tenant's shard.
  const functionName = connectorShardCount(world.config) > 1 ? connectorFunctionFor(event.tenant, world.config) : world.outputs.vendor.connector_function_name;
  return invokeJson(world, functionName, event);
}

/**
 * Vend as its configured caller: the vendor account's admin (config/local.json lists the vendor
 * root under vendor.vendCallers), with a fresh proof of identity for the deployed vend function.
 * `as` signs the proof with other credentials (a caller vend must refuse); `audience` makes a
 * proof for another function.
 */
export async function callVend(
  world: World,
  event: { tenant: string; functions: string[]; durationSeconds?: number },
  options: { as?: Credentials; audience?: string } = {},
): Promise<VendSuccess | LambdaFailure> {
  const callerProof = await vendCallerProof(world.config, options.as ?? world.adminCredentials('vendor'), {
    audience: options.audience ?? world.outputs.vendor.vend_function_arn,
    ...(world.endpoint ? { endpoint: world.endpoint } : {}),
  });
  return invokeJson(world, world.outputs.vendor.vend_function_name, { ...event, callerProof });
}

/** The honest pairing of a configured customer with its tenant entry (same role, same external ID). */
export function tenantOf(world: World, customerName: string): { id: string; externalId: string; roleArn: string } {
  const customer = world.config.customers.find((c) => c.name === customerName);
  const tenant = world.config.tenants.find((t) => t.externalId === customer?.externalIds.current);
  if (!customer || !tenant) throw new Error(`config pairs no tenant with customer ${customerName}`);
  return { id: tenant.id, externalId: tenant.externalId, roleArn: tenant.roleArn };
}

/** The tenant IDs a customer's trust accepts as SourceIdentity (its honest tenants, or its tenantIds). */
export function tenantIdsOf(world: World, customerName: string): string[] {
  const customer = world.config.customers.find((c) => c.name === customerName);
  if (!customer) throw new Error(`config has no customer ${customerName}`);
  return customerTenantIds(customer, world.config.tenants, world.config.customers);
}
