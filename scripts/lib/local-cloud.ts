// ---------------------------------------------------------------------------
// Starting and stopping the local cloud for operator commands, through the project's CLI
// (`scripts/local-cloud.ts up|down|status`), so these scripts share its pid file and checks.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './deploy';
import { localCloudStatus, type RecordedCloud } from './local-cloud-state';

const TSX_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

export interface CliResult { code: number; output: string }

export function localCloudCli(command: 'up' | 'down' | 'status' | 'reset', env: NodeJS.ProcessEnv = process.env, echo = true): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(TSX_BIN, [join(PROJECT_ROOT, 'scripts', 'local-cloud.ts'), command], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (echo) process.stderr.write(chunk);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

/** Thrown when `npm run local:up` did not leave a running local cloud behind. */
export class LocalCloudStartError extends Error {
  readonly code = 'LocalCloudStart';
  constructor(message: string) {
    super(message);
    this.name = 'LocalCloudStartError';
  }
}

export interface EnsuredCloud {
  /** Whether this call started it (and so a caller that cleans up should stop it). */
  readonly started: boolean;
  /** The running cloud, as its server file records it: use its port, never an assumed one. */
  readonly cloud: RecordedCloud;
}

/** Start the local cloud unless it already runs; say which cloud runs and whether this call started it. */
export async function ensureLocalCloud(env: NodeJS.ProcessEnv = process.env): Promise<EnsuredCloud> {
  const before = await localCloudStatus(env);
  if (before.running) return { started: false, cloud: before.cloud };
  const up = await localCloudCli('up', env);
  if (up.code !== 0) throw new LocalCloudStartError(`the local cloud did not start (npm run local:up):\n${up.output}`);
  const after = await localCloudStatus(env);
  if (!after.running) throw new LocalCloudStartError(`npm run local:up succeeded, yet ${after.reason}`);
  return { started: true, cloud: after.cloud };
}
