// ---------------------------------------------------------------------------
// Running cdktf on the e2e world's own stacks, as a vendor's platform team or a customer's cloud
// ops would (scripts/lib/deploy.ts), against the local cloud and the state folder of this run.
// Local target only: on AWS the suite never deploys or destroys.
// ---------------------------------------------------------------------------
import { join } from 'node:path';
import { deployStacks, destroyStacks } from '../../../scripts/lib/deploy';
import type { World } from './world';

/** The environment of this run's deploy: its local cloud's port, its state and synth folders. */
export function deployEnv(world: World): NodeJS.ProcessEnv {
  return { ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: world.config.file, ...JSON.parse(process.env.SIDECAR_E2E_DEPLOY_ENV ?? '{}') };
}

/** Where a redeploy writes its outputs: beside the run's own, never over them. */
function scratchOutputs(name: string): string {
  const dir = process.env.SIDECAR_E2E_DIR;
  if (!dir) throw new Error('SIDECAR_E2E_DIR is set by the e2e global setup: run this file through jest\'s e2e project');
  return join(dir, `${name}-outputs.json`);
}

const quiet = { onOutput: () => undefined, onProgress: () => undefined };

/** `cdktf deploy` of these stacks (the vendor first when asked), as their owners would run it. */
export async function redeploy(world: World, stacks: { vendor: boolean; customers: readonly string[] }, name = 'redeploy'): Promise<void> {
  const env = deployEnv(world);
  await deployStacks({ env, outDir: env.SIDECAR_CDKTF_OUT, includeVendor: stacks.vendor, customerStacks: stacks.customers, outputsFile: scratchOutputs(name), ...quiet });
}

/** `cdktf destroy vendor` alone: the customers' stacks stay as they are. */
export async function destroyVendor(world: World): Promise<void> {
  const env = deployEnv(world);
  await destroyStacks({ env, outDir: env.SIDECAR_CDKTF_OUT, includeVendor: true, customerStacks: [], ...quiet });
}
