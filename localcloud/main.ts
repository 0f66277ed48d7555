// ---------------------------------------------------------------------------
// The local cloud as a process (what `npm run local:up` and the test support spawn):
// `node --import tsx localcloud/main.ts`, configured by its environment (env.ts):
// LOCALCLOUD_ACCOUNTS_FILE and LOCALCLOUD_STATE_DIR (required), LOCALCLOUD_PORT,
// LOCALCLOUD_TEST_CONTROLS=1, LOCALCLOUD_BODY_TIMEOUT_MS, LOCALCLOUD_IAM_PROPAGATION_MS (opt-in IAM
// eventual consistency, default 0), LOCALCLOUD_SANDBOX_ISOLATION, LOCALCLOUD_RUNTIMES, and
// LOCALCLOUD_READY_FILE (written with {pid, port, url, startedAt, sandboxIsolation} once
// listening, so a parent learns the port). Stops cleanly on
// SIGTERM/SIGINT.
// ---------------------------------------------------------------------------
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { optionsFromEnv } from './env';
import { startLocalCloud } from './server';

async function main(): Promise<void> {
  const cloud = await startLocalCloud(optionsFromEnv(process.env));
  if (cloud.sandboxes.unisolatedBecause && process.env.LOCALCLOUD_SANDBOX_ISOLATION !== 'none') {
    process.stderr.write(`local cloud: WARNING: Lambda sandboxes are not isolated (${cloud.sandboxes.unisolatedBecause}): a deployed function can read the local cloud's state, including every account's keys and other functions' code. Set LOCALCLOUD_SANDBOX_ISOLATION=required to refuse to start instead.\n`);
  }
  const readyFile = process.env.LOCALCLOUD_READY_FILE;
  if (readyFile) {
    mkdirSync(dirname(readyFile), { recursive: true });
    const temp = `${readyFile}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ pid: process.pid, port: cloud.port, url: cloud.url, startedAt: new Date().toISOString(), sandboxIsolation: cloud.sandboxes.isolation }));
    renameSync(temp, readyFile);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`local cloud: ${signal}, stopping\n`);
    // A stuck sandbox must not keep the process alive past the CLI's SIGKILL deadline.
    setTimeout(() => process.exit(1), 8000).unref();
    cloud.close().then(() => process.exit(0), (e) => {
      process.stderr.write(`local cloud: error while stopping: ${(e as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: Error) => {
  process.stderr.write(`local cloud failed to start: ${e.message}\n`);
  process.exit(1);
});
