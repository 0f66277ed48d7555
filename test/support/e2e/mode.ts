// ---------------------------------------------------------------------------
// Whose stacks the e2e suite runs on (SIDECAR_E2E_STACKS):
//   own (default): on the local target the global setup starts a local cloud of its own and
//     deploys the stacks into it; the run owns them, so tests may break accounts, inject faults,
//     move the clock, restart the cloud, destroy and redeploy, and read the run's own logs.
//   deployed: the setup deploys nothing; it finds the user's running local cloud from its state
//     (.localcloud/server.json, or LOCALCLOUD_HOME) and the outputs of `npm run deploy:local`
//     (.localcloud/outputs.json, or SIDECAR_OUTPUTS_FILE). The stacks are the user's: only the
//     tests that call run, every test that would change or break something is skipped with its
//     reason printed.
// On the aws target the stacks are always the user's (the suite never deploys there).
// ---------------------------------------------------------------------------
import { resolveTarget } from '../../../config/load';

export type StacksMode = 'own' | 'deployed';

export const STACKS_MODE_VARIABLE = 'SIDECAR_E2E_STACKS';

/** Thrown when SIDECAR_E2E_STACKS names no mode. */
export class StacksModeError extends Error {
  readonly code = 'StacksMode';
  constructor(value: string) {
    super(`${STACKS_MODE_VARIABLE}=${value} is not a mode: use "deployed" (run on the stacks you deployed with npm run deploy:local) or leave it unset`);
    this.name = 'StacksModeError';
  }
}

export function stacksMode(env: NodeJS.ProcessEnv = process.env): StacksMode {
  const value = env[STACKS_MODE_VARIABLE];
  if (value === undefined || value === '' || value === 'own') return 'own';
  if (value === 'deployed') return 'deployed';
  throw new StacksModeError(value);
}

/** True only for a local run on stacks the global setup deployed itself: the run may break them. */
export function ownsStacks(env: NodeJS.ProcessEnv = process.env): boolean {
  return resolveTarget(env) === 'local' && stacksMode(env) === 'own';
}

/** The printed reason of a test skipped because the stacks are not the run's own. */
export function notOwnStacks(what: string): string {
  return `${what}: only on stacks this run deployed itself (skipped on the aws target and with ${STACKS_MODE_VARIABLE}=deployed, where the stacks are the user's)`;
}
