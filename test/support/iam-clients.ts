// ---------------------------------------------------------------------------
// Shared by the IAM fidelity suite: timeouts sized for a loaded 2-core machine, and the AWS CLI
// (v1) and boto3 pointed at a running local cloud with an account's root keys.
// ---------------------------------------------------------------------------
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Credentials, TestCloud } from '../../scripts/lib/child-cloud';
import { clientEnv, run, type ProcessResult } from './external-clients';

/** Starting a cloud (a child process that compiles TypeScript) on a loaded machine. */
export const START_TIMEOUT_MS = 90_000;
export const STOP_TIMEOUT_MS = 30_000;
/** A test of a few SDK calls. */
export const CALLS_TIMEOUT_MS = 30_000;
/** A test that spawns the AWS CLI or Python (each start costs a second or more). */
export const CLIENT_TIMEOUT_MS = 90_000;

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The AWS CLI, when installed; tests that need it are skipped with the reason printed. */
export const AWS_CLI = onPath('aws');
export const PYTHON = onPath('python3');

export function skipReason(what: 'aws' | 'python3'): string | undefined {
  if (what === 'aws' && !AWS_CLI) return 'the AWS CLI (`aws`) is not installed: skipping the CLI checks';
  if (what === 'python3' && !PYTHON) return 'python3 is not installed: skipping the boto3 checks';
  return undefined;
}

/** Print why each of these clients' checks will be skipped, for those that are missing. */
export function announceSkips(...clients: Array<'aws' | 'python3'>): void {
  for (const client of clients) {
    const reason = skipReason(client);
    if (reason) console.log(reason);
  }
}

/** What a spawned client answered. */
export type CliResult = ProcessResult;

/** `aws <args> --endpoint-url <cloud> --output json` with the account's keys. */
export function awsCli(cloud: TestCloud, credentials: Credentials, args: string[]): Promise<CliResult> {
  return run(AWS_CLI!, [...args, '--endpoint-url', cloud.url, '--output', 'json'], clientEnv(credentials), 60_000);
}

/** `python3 -c <script>` with the account's keys and ENDPOINT set to the cloud's URL. */
export function python(cloud: TestCloud, credentials: Credentials, script: string): Promise<CliResult> {
  return run(PYTHON!, ['-c', script], { ...clientEnv(credentials), ENDPOINT: cloud.url }, 60_000);
}
