// ---------------------------------------------------------------------------
// Where the user's local cloud (the one `npm run local:up` starts) keeps its files, and whether
// it is running: `.localcloud/` (or LOCALCLOUD_HOME) holds server.json, the ready file the server
// writes once listening ({pid, port, url, ...}). Its port is read from there, never assumed: the
// cloud may run on any port (LOCALCLOUD_PORT=0 picks a free one). A recorded server counts as
// running only when its pid is alive AND its health check answers with that pid (pids get reused).
// Shared by scripts/local-cloud.ts (up, down, status, env), the deploy scripts and scripts/cdktf.ts.
// ---------------------------------------------------------------------------
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PROJECT_ROOT = resolve(__dirname, '..', '..');

/** Files of the user's local cloud. */
export interface LocalCloudFiles {
  /** `.localcloud/` in the project, or LOCALCLOUD_HOME. */
  readonly home: string;
  /** The ready file: {pid, port, url, startedAt, sandboxIsolation}. */
  readonly serverFile: string;
  readonly logFile: string;
  readonly accountsFile: string;
  /** LOCALCLOUD_STATE_DIR, else `<home>/state`. */
  readonly stateDir: string;
}

export function localCloudFiles(env: NodeJS.ProcessEnv = process.env): LocalCloudFiles {
  const home = resolve(env.LOCALCLOUD_HOME || join(PROJECT_ROOT, '.localcloud'));
  return {
    home,
    serverFile: join(home, 'server.json'),
    logFile: join(home, 'server.log'),
    accountsFile: join(home, 'accounts.json'),
    stateDir: resolve(env.LOCALCLOUD_STATE_DIR || join(home, 'state')),
  };
}

/** A recorded local cloud server. */
export interface RecordedCloud {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
}

/** The server file's record, or undefined when it is missing or is not one. */
export function readServerFile(file: string): RecordedCloud | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const r = raw as Partial<RecordedCloud> | null;
  if (!r || !Number.isInteger(r.pid) || !Number.isInteger(r.port) || r.port! < 1 || r.port! > 65535 || typeof r.url !== 'string') return undefined;
  return { pid: r.pid!, port: r.port!, url: r.url };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid the health check at `url` answers with, or undefined when nothing answers in 2 s. */
export async function healthPid(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/_localcloud/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as { pid: number }).pid : undefined;
  } catch {
    return undefined;
  }
}

export type LocalCloudStatus =
  | { readonly running: true; readonly cloud: RecordedCloud; readonly files: LocalCloudFiles }
  | { readonly running: false; readonly reason: string; readonly recorded?: RecordedCloud; readonly files: LocalCloudFiles };

/** Whether the user's local cloud runs, and why not. */
export async function localCloudStatus(env: NodeJS.ProcessEnv = process.env): Promise<LocalCloudStatus> {
  const files = localCloudFiles(env);
  if (!existsSync(files.serverFile)) return { running: false, files, reason: `no local cloud is running (${files.serverFile} does not exist)` };
  const recorded = readServerFile(files.serverFile);
  if (!recorded) return { running: false, files, reason: `no local cloud is running (${files.serverFile} is not a local cloud's server file)` };
  if (!isAlive(recorded.pid)) {
    return { running: false, files, recorded, reason: `the local cloud recorded in ${files.serverFile} (pid ${recorded.pid}, ${recorded.url}) is not running any more` };
  }
  const pid = await healthPid(recorded.url);
  if (pid !== recorded.pid) {
    return {
      running: false, files, recorded,
      reason: `the local cloud recorded in ${files.serverFile} (pid ${recorded.pid}) does not answer at ${recorded.url}${pid === undefined ? '' : ` (another server, pid ${pid}, does)`}`,
    };
  }
  return { running: true, cloud: recorded, files };
}

/** Thrown when a command needs the user's local cloud and it is not running. */
export class LocalCloudNotRunningError extends Error {
  readonly code = 'LocalCloudNotRunning';
  constructor(readonly reason: string, then?: string) {
    super(`${reason}. Start it with: npm run local:up${then ? `, then ${then}` : ''}`);
    this.name = 'LocalCloudNotRunningError';
  }
}

/** The running local cloud; throws LocalCloudNotRunningError saying why not and what to run. */
export async function requireRunningCloud(env: NodeJS.ProcessEnv = process.env): Promise<RecordedCloud> {
  const status = await localCloudStatus(env);
  if (!status.running) throw new LocalCloudNotRunningError(status.reason);
  return status.cloud;
}
