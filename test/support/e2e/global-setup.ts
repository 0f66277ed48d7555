// ---------------------------------------------------------------------------
// E2E global setup. Whose stacks: ./mode.ts (SIDECAR_E2E_STACKS).
//   local (default): start a fresh local cloud on a free port with its own state folder, deploy
//     vendor then every customer with the real cdktf + Terraform into it, and point the tests at
//     the outputs. Nothing is shared with a local cloud the user may have running. If any of it
//     fails, the cloud is stopped and the run's folder removed before the error reaches jest (jest
//     runs no global teardown after a failed setup).
//   local, SIDECAR_E2E_STACKS=deployed: deploy nothing; find the user's running local cloud from
//     its own state (the reader `npm run local:status` and verify use) and read the outputs of
//     `npm run deploy:local` (.localcloud/outputs.json, or SIDECAR_OUTPUTS_FILE).
//   aws: deploy nothing; read the outputs file of the real deploy (SIDECAR_OUTPUTS_FILE,
//     default terraform-outputs.json in the project root).
// The world file it writes (SIDECAR_E2E_WORLD) is all a test needs to find the accounts.
// ---------------------------------------------------------------------------
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { configFileFor, loadConfig, resolveTarget } from '../../../config/load';
import { deployStacks, PROJECT_ROOT } from '../../../scripts/lib/deploy';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { localCloudStatus } from '../../../scripts/lib/local-cloud-state';
import { configSecrets, redactSecrets } from './secret-scan';
import { connectorRefusedNotYet, untilPropagated } from './propagation';
import { stacksMode, STACKS_MODE_VARIABLE } from './mode';
import { callConnector, loadWorld, tenantOf, type WorldFile } from './world';

// The SDK's "Node 22 will be required" warning, once per process, was half of the e2e output; the
// setup's own SDK calls run before any test file's setup, and every child it starts (the local
// cloud, a nested jest) inherits this.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

declare global {
  // eslint-disable-next-line no-var
  var __SIDECAR_E2E_CLOUD__: TestCloud | undefined;
}

/** Thrown when deployed mode finds no running local cloud or no outputs of a deploy. */
export class DeployedStacksError extends Error {
  readonly code = 'DeployedStacks';
  constructor(message: string) {
    super(message);
    this.name = 'DeployedStacksError';
  }
}

/** What the setup runs; a test replaces one to force a failure. */
export interface SetupDeps {
  readonly startCloud: typeof startTestCloud;
  readonly deploy: typeof deployStacks;
}

export default async function globalSetup(): Promise<void> {
  await setupE2E();
}

export async function setupE2E(deps: SetupDeps = { startCloud: startTestCloud, deploy: deployStacks }): Promise<void> {
  const target = resolveTarget();
  const mode = stacksMode();
  const configFile = configFileFor(target);
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-e2e-'));
  const worldFile = join(dir, 'world.json');
  try {
    let world: WorldFile;
    if (target === 'aws') {
      const outputsFile = resolve(process.env.SIDECAR_OUTPUTS_FILE ?? join(PROJECT_ROOT, 'terraform-outputs.json'));
      world = { target, outputsFile, configFile, ownsStacks: false, testControls: false };
    } else if (mode === 'deployed') {
      world = await deployedWorld(configFile);
    } else {
      world = await deployOwnStacks(dir, configFile, deps);
    }
    writeFileSync(worldFile, JSON.stringify(world, null, 2));
    process.env.SIDECAR_E2E_WORLD = worldFile;
    process.env.SIDECAR_E2E_DIR = dir;
    await untilDeploymentSettled();
  } catch (e) {
    for (const name of ['SIDECAR_E2E_WORLD', 'SIDECAR_E2E_DIR', 'SIDECAR_E2E_CLOUD_LOG', 'SIDECAR_E2E_DEPLOY_ENV']) delete process.env[name];
    await cleanUpAfterFailure(dir, e);
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Deployed mode: the user's cloud and the user's outputs, found, never started or deployed
// ---------------------------------------------------------------------------

async function deployedWorld(configFile: string): Promise<WorldFile> {
  const status = await localCloudStatus(process.env);
  if (!status.running) {
    throw new DeployedStacksError(`${STACKS_MODE_VARIABLE}=deployed runs on the local cloud you started, and ${status.reason}. Start it and deploy: npm run local:up && npm run deploy:local`);
  }
  const outputsFile = resolve(process.env.SIDECAR_OUTPUTS_FILE ?? join(PROJECT_ROOT, '.localcloud', 'outputs.json'));
  if (!existsSync(outputsFile)) {
    throw new DeployedStacksError(`${STACKS_MODE_VARIABLE}=deployed reads the outputs of your deploy, and ${outputsFile} does not exist${process.env.SIDECAR_OUTPUTS_FILE ? ' (SIDECAR_OUTPUTS_FILE)' : ''}. Deploy first: npm run deploy:local`);
  }
  const health = await fetch(`${status.cloud.url}/_localcloud/health`).then((r) => r.json() as Promise<{ testControls?: boolean }>).catch(() => ({ testControls: false }));
  process.stderr.write(`\n[e2e] ${STACKS_MODE_VARIABLE}=deployed: your local cloud at ${status.cloud.url} (pid ${status.cloud.pid}, from ${status.files.serverFile}) and your outputs ${outputsFile}; nothing is deployed, nothing that changes your stacks runs\n`);
  return { target: 'local', endpoint: status.cloud.url, outputsFile, configFile, ownsStacks: false, testControls: health.testControls === true };
}

// ---------------------------------------------------------------------------
// The run's own stacks: a cloud of its own, deployed with cdktf
// ---------------------------------------------------------------------------

async function deployOwnStacks(dir: string, configFile: string, deps: SetupDeps): Promise<WorldFile> {
  const started = Date.now();
  // As root (this machine, CI) the connector must prove itself in isolated sandboxes, as on
  // Lambda: a cloud that cannot isolate them refuses to start rather than run the suite softer.
  const isolation = process.getuid?.() === 0 ? 'required' : 'auto';
  const cloud = await deps.startCloud({ stateDir: join(dir, 'localcloud'), env: { LOCALCLOUD_SANDBOX_ISOLATION: isolation } });
  globalThis.__SIDECAR_E2E_CLOUD__ = cloud;
  const env = { ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFile, LOCALCLOUD_PORT: String(cloud.port), SIDECAR_TFSTATE_DIR: join(dir, 'tfstate') };
  const config = loadConfig(env);
  const outputsFile = join(dir, 'outputs.json');
  process.stderr.write(`\n[e2e] local cloud on ${cloud.url}; deploying the stacks with cdktf (output in ${dir}/deploy.log)\n`);
  let log = '';
  // Terraform's plan prints each trust policy, external ID included: the kept log is redacted.
  const secrets = configSecrets(config);
  const keepLog = () => writeFileSync(join(dir, 'deploy.log'), redactSecrets(log, secrets));
  await deps.deploy({
    env,
    outDir: join(dir, 'cdktf.out'),
    customerStacks: config.customers.map((c) => c.name),
    outputsFile,
    onOutput: (chunk) => { log += chunk; },
    onProgress: (line) => process.stderr.write(`[e2e] ${line}\n`),
  }).catch((e: unknown) => {
    // A failed cdktf run carries its output's tail in the message, which jest prints.
    if (e instanceof Error) {
      const fields = e as unknown as Record<string, unknown>;
      for (const key of ['message', 'stack', 'outputTail']) if (typeof fields[key] === 'string') fields[key] = redactSecrets(fields[key] as string, secrets);
    }
    throw e;
  }).finally(keepLog);
  process.stderr.write(`[e2e] deployed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  process.env.SIDECAR_E2E_CLOUD_LOG = cloud.logFile; // the server's own log, scanned by logs.test.ts
  process.env.SIDECAR_E2E_DEPLOY_ENV = JSON.stringify({ LOCALCLOUD_PORT: String(cloud.port), SIDECAR_TFSTATE_DIR: join(dir, 'tfstate'), SIDECAR_CDKTF_OUT: join(dir, 'cdktf.out') });
  return { target: 'local', endpoint: cloud.url, outputsFile, configFile, ownsStacks: true, testControls: true };
}

/**
 * Jest runs no global teardown after a failed setup: stop the cloud this setup started (by pid,
 * SIGTERM then SIGKILL after a timeout) and remove the run's folder and the cloud's run folder, so
 * that nothing keeps running or filling /tmp. The redacted deploy log is copied beside the folder
 * first and its path added to the error (the message already carries the log's tail).
 */
export async function cleanUpAfterFailure(dir: string, error: unknown): Promise<void> {
  const cloud = globalThis.__SIDECAR_E2E_CLOUD__;
  globalThis.__SIDECAR_E2E_CLOUD__ = undefined;
  const notes: string[] = [];
  if (cloud) {
    await cloud.close().catch((e: Error) => notes.push(`stopping the local cloud (pid ${cloud.pid}) failed: ${e.message}`));
    notes.push(`stopped the setup's local cloud (pid ${cloud.pid})`);
  }
  const log = join(dir, 'deploy.log');
  if (existsSync(log)) {
    const kept = `${dir}-deploy.log`;
    copyFileSync(log, kept);
    notes.push(`the deploy log (redacted) is kept at ${kept}`);
  }
  if (process.env.SIDECAR_E2E_KEEP === '1') {
    notes.push(`kept the run's folder (SIDECAR_E2E_KEEP=1): ${dir}`);
  } else {
    rmSync(dir, { recursive: true, force: true });
    if (cloud) rmSync(dirname(cloud.logFile), { recursive: true, force: true });
    notes.push(`removed the run's folder ${dir}`);
  }
  if (error instanceof Error) error.message += `\n[e2e setup failed: ${notes.join('; ')}]`;
  process.stderr.write(`[e2e] setup failed: ${notes.join('; ')}\n`);
}

/**
 * A fresh deploy's last IAM writes (a customer role's invoke policy, a trust) may not have reached
 * STS and Lambda yet: IAM is eventually consistent, on AWS and in a local cloud started with
 * LOCALCLOUD_IAM_PROPAGATION_MS (startTestCloud passes the environment on). Before any test, each
 * honest tenant's call through the deployed connector must succeed, polled within the bound.
 */
async function untilDeploymentSettled(): Promise<void> {
  const started = Date.now();
  const world = loadWorld();
  for (const customer of world.config.customers) {
    const tenant = tenantOf(world, customer.name);
    const answer = await untilPropagated(`the deployed connector serving tenant ${tenant.id}`, () => callConnector(world, { tenant: tenant.id, payload: { settle: true } }), connectorRefusedNotYet);
    if (!answer.ok) throw new Error(`e2e setup: tenant ${tenant.id}'s call through the deployed connector failed with ${answer.error.code}: ${answer.error.message}`);
  }
  const delay = process.env.LOCALCLOUD_IAM_PROPAGATION_MS;
  process.stderr.write(`[e2e] every honest tenant answered through the connector after ${((Date.now() - started) / 1000).toFixed(1)} s${delay && world.target === 'local' ? ` (IAM propagation delay ${delay} ms)` : ''}\n`);
}
