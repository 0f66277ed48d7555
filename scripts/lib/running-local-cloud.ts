// ---------------------------------------------------------------------------
// Where the running local cloud answers, from its own state, as `npm run local:status` finds it:
// the server writes {pid, port, url} to <LOCALCLOUD_HOME or .localcloud>/server.json once it
// listens (LOCALCLOUD_READY_FILE), and answers /_localcloud/health with its pid. A pid file can
// outlive its server and a port can be taken by another, so a cloud counts as running only when the
// recorded URL answers with the recorded pid. LOCALCLOUD_PORT, when set, names the port instead
// (a cloud started some other way, like the e2e suite's); it is checked the same way, by its answer.
// For the commands that only talk to a cloud (verify): never a hard-coded port.
// ---------------------------------------------------------------------------
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localCloudEndpoint } from '../../modules/provider';
import { PROJECT_ROOT } from './deploy';

/** What to run to start the project's local cloud (and deploy into it when its state is fresh). */
export const START_LOCAL_CLOUD = 'npm run local:up (then npm run deploy:local if it starts empty)';

export type LocalCloudLocation =
  | { readonly running: true; readonly url: string; readonly pid: number; readonly source: string }
  | { readonly running: false; readonly reason: string };

/** The folder of the project's local cloud: LOCALCLOUD_HOME, else .localcloud in the project. */
export function localCloudHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.LOCALCLOUD_HOME ?? join(PROJECT_ROOT, '.localcloud'));
}

interface Recorded { pid: number; url: string }

function readServerFile(file: string): Recorded | undefined {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Recorded>;
    return typeof raw.pid === 'number' && typeof raw.url === 'string' ? { pid: raw.pid, url: raw.url } : undefined;
  } catch {
    return undefined;
  }
}

/** The pid a local cloud at `url` answers its health check with, or undefined when nothing answers as one. */
export async function healthPid(url: string, timeoutMs = 2000): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/_localcloud/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { status?: string; pid?: unknown };
    return body.status === 'ok' && typeof body.pid === 'number' ? body.pid : undefined;
  } catch {
    return undefined;
  }
}

/** Where the running local cloud answers, or why there is none. */
export async function findRunningLocalCloud(env: NodeJS.ProcessEnv = process.env): Promise<LocalCloudLocation> {
  if (env.LOCALCLOUD_PORT !== undefined && env.LOCALCLOUD_PORT !== '') {
    const url = localCloudEndpoint(env);
    const pid = await healthPid(url);
    return pid !== undefined
      ? { running: true, url, pid, source: `LOCALCLOUD_PORT=${env.LOCALCLOUD_PORT}` }
      : { running: false, reason: `nothing answers as a local cloud at ${url} (LOCALCLOUD_PORT=${env.LOCALCLOUD_PORT})` };
  }
  const file = join(localCloudHome(env), 'server.json');
  if (!existsSync(file)) return { running: false, reason: `no local cloud is recorded in ${file}` };
  const recorded = readServerFile(file);
  if (!recorded) return { running: false, reason: `${file} does not record a local cloud (no pid and url)` };
  const pid = await healthPid(recorded.url);
  if (pid === undefined) return { running: false, reason: `the local cloud recorded in ${file} (pid ${recorded.pid}, ${recorded.url}) does not answer` };
  if (pid !== recorded.pid) return { running: false, reason: `${recorded.url} answers as another local cloud (pid ${pid}) than the one recorded in ${file} (pid ${recorded.pid})` };
  return { running: true, url: recorded.url, pid, source: file };
}
