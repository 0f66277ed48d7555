// E2E global teardown: stop the local cloud the setup started (by pid, with a timeout), then
// remove the run's folder (cloud state, Terraform state, synthesized stacks, logs), unless
// SIDECAR_E2E_KEEP=1 asks to keep it for a look.
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const cloud = globalThis.__SIDECAR_E2E_CLOUD__;
  if (cloud) await cloud.close();
  globalThis.__SIDECAR_E2E_CLOUD__ = undefined;
  const dir = process.env.SIDECAR_E2E_DIR;
  if (!dir) return;
  if (process.env.SIDECAR_E2E_KEEP === '1') {
    process.stderr.write(`[e2e] kept the run's folder (SIDECAR_E2E_KEEP=1): ${dir}\n`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}
