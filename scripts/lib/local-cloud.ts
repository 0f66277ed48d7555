// ---------------------------------------------------------------------------
// Starting and stopping the local cloud for operator commands, through the project's CLI
// (`scripts/local-cloud.ts up|down|status`), so these scripts share its pid file and checks.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './deploy';

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

/** Start the local cloud unless it already runs; true when this call started it. */
export async function ensureLocalCloud(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  const status = await localCloudCli('status', env, false);
  if (status.code === 0) return false;
  const up = await localCloudCli('up', env);
  if (up.code !== 0) throw new Error(`the local cloud did not start (npm run local:up):\n${up.output}`);
  return true;
}
