// ---------------------------------------------------------------------------
// Choosing how sandboxes are isolated, once per local cloud:
//   'required'  namespaces, or the local cloud refuses to start (tests that prove isolation);
//   'auto'      namespaces where this machine allows them, else plain child processes, and the
//               handle says so (main.ts prints a warning);
//   'none'      plain child processes.
// Namespaces need root (mount and PID namespaces, a user per function, chroot) and Linux's
// util-linux tools; the probe starts one real sandbox through the same script, so "available"
// means "a sandbox started", not "the tools are on the PATH".
// ---------------------------------------------------------------------------
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HOST_RUNTIME_DIR, directLauncher, namespaceLauncher, type SandboxLauncher } from './launcher';

export const SANDBOX_ISOLATION_MODES = ['auto', 'required', 'none'] as const;
export type SandboxIsolationMode = (typeof SANDBOX_ISOLATION_MODES)[number];

/** Thrown when isolation is required and this machine cannot give it. */
export class SandboxIsolationUnavailableError extends Error {
  readonly code = 'SandboxIsolationUnavailable';
  constructor(readonly reason: string) {
    super(`Lambda sandboxes cannot be isolated here: ${reason}. Run the local cloud as root on Linux (util-linux's unshare, mount and setpriv), or start it with sandboxIsolation 'auto' or 'none' (LOCALCLOUD_SANDBOX_ISOLATION) to run functions unisolated.`);
    this.name = 'SandboxIsolationUnavailableError';
  }
}

export interface SandboxIsolation {
  readonly launcher: SandboxLauncher;
  /** Why sandboxes are not isolated, when they are not. */
  readonly unisolatedBecause?: string;
}

const SYSTEM_DIRS = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'];

function findTool(name: string): string | undefined {
  for (const dir of SYSTEM_DIRS) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // next folder
    }
  }
  return undefined;
}

/** Start one throw-away sandbox (`node -e 0` as a function user); the reason it failed, if it did. */
function probe(mountPoint: string, nodeExecutable: string): string | undefined {
  if (process.platform !== 'linux') return `namespaces are Linux's, and this is ${process.platform}`;
  if (process.getuid?.() !== 0) return `the local cloud runs as uid ${process.getuid?.()}, not root`;
  const missing = ['unshare', 'mount', 'chroot', 'setpriv'].filter((tool) => !findTool(tool));
  if (missing.length > 0) return `${missing.join(', ')} not found in ${SYSTEM_DIRS.join(', ')}`;
  const launch = namespaceLauncher(mountPoint, findTool('unshare')!).command({
    hostTaskRoot: HOST_RUNTIME_DIR,
    nodeExecutable,
    nodeArgs: ['-e', 'process.exit(process.getuid() === 0 ? 1 : 0)'],
    functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:isolation-probe',
  });
  const result = spawnSync(launch.command, launch.args, { cwd: launch.cwd, env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', timeout: 30_000 });
  if (result.error) return `the probe sandbox did not start (${result.error.message})`;
  if (result.status !== 0) return `the probe sandbox failed (exit ${result.status ?? result.signal}: ${(result.stderr || result.stdout).trim().split('\n').slice(-2).join(' ') || 'no output'})`;
  return undefined;
}

/**
 * @param stateDir the local cloud's state folder (the sandboxes' mount point is made in it)
 * @param nodeExecutable a Node.js binary to probe with (any major)
 */
export function selectIsolation(mode: SandboxIsolationMode, stateDir: string, nodeExecutable: string): SandboxIsolation {
  if (mode === 'none') return { launcher: directLauncher, unisolatedBecause: 'sandbox isolation is off (none)' };
  const mountPoint = join(stateDir, 'lambda', 'sandbox-root');
  mkdirSync(mountPoint, { recursive: true, mode: 0o700 });
  const failure = probe(mountPoint, nodeExecutable);
  if (failure === undefined) return { launcher: namespaceLauncher(mountPoint, findTool('unshare')!) };
  if (mode === 'required') throw new SandboxIsolationUnavailableError(failure);
  return { launcher: directLauncher, unisolatedBecause: failure };
}
