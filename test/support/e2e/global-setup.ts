// ---------------------------------------------------------------------------
// E2E global setup.
//   local (default): start a fresh local cloud on a free port with its own state folder, deploy
//     vendor then every customer with the real cdktf + Terraform into it, and point the tests at
//     the outputs. Nothing is shared with a local cloud the user may have running.
//   aws: deploy nothing; read the outputs file of the real deploy (SIDECAR_OUTPUTS_FILE,
//     default terraform-outputs.json in the project root).
// The world file it writes (SIDECAR_E2E_WORLD) is all a test needs to find the accounts.
// ---------------------------------------------------------------------------
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { configFileFor, loadConfig, resolveTarget } from '../../../config/load';
import { deployStacks, PROJECT_ROOT } from '../../../scripts/lib/deploy';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { configSecrets, redactSecrets } from './secret-scan';
import { connectorRefusedNotYet, untilPropagated } from './propagation';
import { callConnector, loadWorld, tenantOf, type WorldFile } from './world';

declare global {
  // eslint-disable-next-line no-var
  var __SIDECAR_E2E_CLOUD__: TestCloud | undefined;
}

export default async function globalSetup(): Promise<void> {
  const target = resolveTarget();
  const configFile = configFileFor(target);
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-e2e-'));
  const worldFile = join(dir, 'world.json');
  let world: WorldFile;

  if (target === 'aws') {
    const outputsFile = resolve(process.env.SIDECAR_OUTPUTS_FILE ?? join(PROJECT_ROOT, 'terraform-outputs.json'));
    world = { target, outputsFile, configFile };
  } else {
    const started = Date.now();
    // As root (this machine, CI) the connector must prove itself in isolated sandboxes, as on
    // Lambda: a cloud that cannot isolate them refuses to start rather than run the suite softer.
    const isolation = process.getuid?.() === 0 ? 'required' : 'auto';
    const cloud = await startTestCloud({ stateDir: join(dir, 'localcloud'), env: { LOCALCLOUD_SANDBOX_ISOLATION: isolation } });
    globalThis.__SIDECAR_E2E_CLOUD__ = cloud;
    const env = { ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFile, LOCALCLOUD_PORT: String(cloud.port), SIDECAR_TFSTATE_DIR: join(dir, 'tfstate') };
    const config = loadConfig(env);
    const outputsFile = join(dir, 'outputs.json');
    process.stderr.write(`\n[e2e] local cloud on ${cloud.url}; deploying the stacks with cdktf (output in ${dir}/deploy.log)\n`);
    let log = '';
    // Terraform's plan prints each trust policy, external ID included: the kept log is redacted.
    const secrets = configSecrets(config);
    const keepLog = () => writeFileSync(join(dir, 'deploy.log'), redactSecrets(log, secrets));
    await deployStacks({
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
    world = { target, endpoint: cloud.url, outputsFile, configFile };
    process.env.SIDECAR_E2E_DIR = dir;
    process.env.SIDECAR_E2E_CLOUD_LOG = cloud.logFile; // the server's own log, scanned by logs.test.ts
    process.env.SIDECAR_E2E_DEPLOY_ENV = JSON.stringify({ LOCALCLOUD_PORT: String(cloud.port), SIDECAR_TFSTATE_DIR: join(dir, 'tfstate'), SIDECAR_CDKTF_OUT: join(dir, 'cdktf.out') });
  }
  writeFileSync(worldFile, JSON.stringify(world, null, 2));
  process.env.SIDECAR_E2E_WORLD = worldFile;
  await untilDeploymentSettled();
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
