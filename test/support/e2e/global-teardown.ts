// E2E global teardown: stop the local cloud the setup started (by pid, with a timeout), then
// remove the run's folder (cloud state, Terraform state, synthesized stacks, logs), unless
// SIDECAR_E2E_KEEP=1 asks to keep it for a look.
// With SIDECAR_E2E_STACKS=deployed (and on aws) the setup started nothing: only its folder (the
// world file) is removed; the user's cloud and stacks are left as they were.
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

export default async function globalTeardown(): Promise<void> {
  const cloud = globalThis.__SIDECAR_E2E_CLOUD__;
  if (cloud) await cloud.close();
  globalThis.__SIDECAR_E2E_CLOUD__ = undefined;
  const dir = process.env.SIDECAR_E2E_DIR;
  if (!dir) return;
  if (process.env.SIDECAR_E2E_KEEP === '1') {
    process.stderr.write(`[e2e] kept the run's folder (SIDECAR_E2E_KEEP=1): ${dir}${cloud ? ` and the local cloud's log ${cloud.logFile}` : ''}\n`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  // The cloud's own run folder (its server log, accounts file and ready file).
  if (cloud) rmSync(dirname(cloud.logFile), { recursive: true, force: true });
}
