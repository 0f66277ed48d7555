// ---------------------------------------------------------------------------
// Where verify sends its requests: the endpoint it is given; on the aws target, AWS itself; on the
// local target, the running local cloud found from its own state (scripts/lib/running-local-cloud.ts),
// never an assumed port. No running cloud is a typed error, not a diagnosis of the stacks.
// ---------------------------------------------------------------------------
import type { LoadedConfig } from '../../config/load';
import { START_LOCAL_CLOUD, findRunningLocalCloud } from '../lib/running-local-cloud';
import { LocalCloudNotRunningError } from './verdicts';

export interface VerifyOptions {
  /** Where to send requests. @default AWS on the aws target; the running local cloud on the local target */
  readonly endpoint?: string;
  /** Environment read for LOCALCLOUD_PORT and LOCALCLOUD_HOME. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The endpoint for this config's target; throws LocalCloudNotRunningError when the local cloud is down. */
export async function resolveEndpoint(config: Pick<LoadedConfig, 'target'>, options: VerifyOptions = {}): Promise<string | undefined> {
  if (options.endpoint !== undefined) return options.endpoint;
  if (config.target === 'aws') return undefined;
  const found = await findRunningLocalCloud(options.env ?? process.env);
  if (!found.running) throw new LocalCloudNotRunningError(found.reason, START_LOCAL_CLOUD);
  return found.url;
}
