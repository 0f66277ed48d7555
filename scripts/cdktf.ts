// ---------------------------------------------------------------------------
// `npx tsx scripts/cdktf.ts <cdktf args...>`: runs the project's own cdktf-cli with the
// Terraform environment of scripts/terraform-env.ts (offline provider mirror, no telemetry, no
// version check). npm scripts (`synth`, deploys) go through here so every run is the same.
// Every argument goes to cdktf as it is (`npm run cdktf -- --help` is cdktf's help). For the
// local target without LOCALCLOUD_PORT, the port of the running local cloud is used (read from
// its server file, as `npm run local:env` does), so the stacks point at the cloud that runs.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveTarget } from '../config/load';
import { localCloudStatus } from './lib/local-cloud-state';
import { requireTerraform, terraformEnv } from './terraform-env';

const PROJECT_ROOT = resolve(__dirname, '..');
const CDKTF_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'cdktf.cmd' : 'cdktf');

/** Commands that never run Terraform, so a missing terraform binary must not stop them. */
const COMMANDS_WITHOUT_TERRAFORM = new Set(['synth', 'list', 'help', '--help', '-h', '--version', 'version']);

async function main(args: readonly string[]): Promise<void> {
  if (!existsSync(CDKTF_BIN)) {
    console.error(`cdktf-cli is not installed at ${CDKTF_BIN}: run npm ci first.`);
    process.exit(1);
  }
  const { env, notices } = terraformEnv();
  for (const notice of notices) console.error(`[terraform-env] ${notice}`);
  const runsTerraform = !COMMANDS_WITHOUT_TERRAFORM.has(args[0] ?? 'help');
  if (runsTerraform) requireTerraform(env);
  if (!env.LOCALCLOUD_PORT && resolveTarget(env) === 'local') {
    const status = await localCloudStatus(env);
    if (status.running) env.LOCALCLOUD_PORT = String(status.cloud.port);
    else if (runsTerraform) console.error(`[local cloud] ${status.reason}: start it with npm run local:up`);
  }

  const child = spawn(CDKTF_BIN, args, { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
  // Pass Ctrl-C and termination on to cdktf (which passes them on to terraform), then exit with its code.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (e) => {
    console.error(`Could not start cdktf: ${e.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
