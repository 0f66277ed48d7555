// E2E global teardown: stop the local cloud the setup started (by pid, with a timeout).
export default async function globalTeardown(): Promise<void> {
  const cloud = globalThis.__SIDECAR_E2E_CLOUD__;
  if (cloud) await cloud.close();
  globalThis.__SIDECAR_E2E_CLOUD__ = undefined;
}
