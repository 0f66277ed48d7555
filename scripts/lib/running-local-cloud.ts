// ---------------------------------------------------------------------------
// Where the running local cloud answers, from its own state, as `npm run local:status` finds it:
// the server writes {pid, port, url} to <LOCALCLOUD_HOME or .localcloud>/server.json once it
// listens (LOCALCLOUD_READY_FILE), and answers /_localcloud/health with its pid. A pid file can
// outlive its server and a port can be taken by another, so a cloud counts as running only when the
// recorded URL answers with the recorded pid. LOCALCLOUD_PORT, when set, names the port instead
// (a cloud started some other way, like the e2e suite's); it is checked the same way, by its answer.
// For the commands that only talk to a cloud (verify): never a hard-coded port. The server file
// and health check are read by local-cloud-state.ts, as for local:status.
// ---------------------------------------------------------------------------
import { localCloudEndpoint } from '../../modules/provider';
import { healthPid, localCloudStatus } from './local-cloud-state';

/** What to run to start the project's local cloud (and deploy into it when its state is fresh). */
export const START_LOCAL_CLOUD = 'npm run local:up (then npm run deploy:local if it starts empty)';

export type LocalCloudLocation =
  | { readonly running: true; readonly url: string; readonly pid: number; readonly source: string }
  | { readonly running: false; readonly reason: string };

/** Where the running local cloud answers, or why there is none. */
export async function findRunningLocalCloud(env: NodeJS.ProcessEnv = process.env): Promise<LocalCloudLocation> {
  if (env.LOCALCLOUD_PORT !== undefined && env.LOCALCLOUD_PORT !== '') {
    const url = localCloudEndpoint(env);
    const pid = await healthPid(url);
    return pid !== undefined
      ? { running: true, url, pid, source: `LOCALCLOUD_PORT=${env.LOCALCLOUD_PORT}` }
      : { running: false, reason: `nothing answers as a local cloud at ${url} (LOCALCLOUD_PORT=${env.LOCALCLOUD_PORT})` };
  }
  const status = await localCloudStatus(env);
  return status.running
    ? { running: true, url: status.cloud.url, pid: status.cloud.pid, source: status.files.serverFile }
    : { running: false, reason: status.reason };
}
