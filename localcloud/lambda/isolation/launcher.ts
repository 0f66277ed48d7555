// ---------------------------------------------------------------------------
// How a sandbox's process is started, and what paths it sees. Two ways:
//   - `namespaces`: each sandbox in its own mount and PID namespaces, on a file system built
//     for it alone (enter-sandbox.sh), as its function's own unprivileged user. It sees its
//     code, the runtime and the SDK, read-only, and nothing of the local cloud's state, the
//     project, or other sandboxes (their files, processes and /proc/<pid>/environ).
//   - `none`: a plain child process of the local cloud, seeing what the local cloud sees.
// Lambda isolates every execution environment in its own Firecracker microVM; namespaces and
// a user per function are this machine's nearest equivalent without a VM or Docker.
// https://docs.aws.amazon.com/lambda/latest/dg/security-isolation.html
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

/** Where the sandbox's process finds its parts (host paths, or the paths inside its namespace). */
export interface SandboxPaths {
  readonly taskRoot: string;
  readonly runtimeDir: string;
  readonly nodeModules: string;
}

export interface LaunchInput {
  /** The function's unpacked code on the host. */
  readonly hostTaskRoot: string;
  /** The Node.js binary of the function's runtime, on the host. */
  readonly nodeExecutable: string;
  /** Arguments to Node.js, with paths as `paths()` gave them. */
  readonly nodeArgs: readonly string[];
  /** The function's unqualified ARN: decides its user. */
  readonly functionArn: string;
}

export interface LaunchCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

export interface SandboxLauncher {
  readonly isolation: 'namespaces' | 'none';
  paths(hostTaskRoot: string): SandboxPaths;
  command(input: LaunchInput): LaunchCommand;
}

/** The runtime's own files (bootstrap.cjs). */
export const HOST_RUNTIME_DIR = resolve(__dirname, '..', 'runtime');
/** The SDK the Node.js runtime ships: here, the project's own node_modules (CommonJS `require`). */
export const HOST_NODE_MODULES = resolve(__dirname, '..', '..', '..', 'node_modules');
export const ENTER_SANDBOX_SCRIPT = join(__dirname, 'enter-sandbox.sh');

/** Paths inside a namespaced sandbox, where Lambda puts them. */
export const SANDBOX_PATHS: SandboxPaths = { taskRoot: '/var/task', runtimeDir: '/var/runtime', nodeModules: '/opt/nodejs/node_modules' };

/** First of the users functions run as: far above any login or system user. */
export const FUNCTION_UID_BASE = 1_000_000;
const FUNCTION_UID_SPAN = 1 << 24;

/**
 * A user per function, from its ARN: sandboxes of one function share it, and two functions
 * share one only by a hash collision (1 in 16 million), which the namespaces still keep apart.
 */
export function functionUid(functionArn: string): number {
  return FUNCTION_UID_BASE + (createHash('sha256').update(functionArn).digest().readUInt32BE(0) % FUNCTION_UID_SPAN);
}

export const directLauncher: SandboxLauncher = {
  isolation: 'none',
  paths: (hostTaskRoot) => ({ taskRoot: hostTaskRoot, runtimeDir: HOST_RUNTIME_DIR, nodeModules: HOST_NODE_MODULES }),
  command: (input) => ({ command: input.nodeExecutable, args: [...input.nodeArgs], cwd: input.hostTaskRoot }),
};

/**
 * @param mountPoint an empty folder of the host; each sandbox mounts its own tmpfs there, in
 * its own mount namespace, so one folder serves every sandbox at once.
 * @param unshare util-linux's unshare, by absolute path (the function's PATH is not ours to trust)
 */
export function namespaceLauncher(mountPoint: string, unshare: string): SandboxLauncher {
  return {
    isolation: 'namespaces',
    paths: () => SANDBOX_PATHS,
    command: (input) => {
      const uid = String(functionUid(input.functionArn));
      return {
        // --kill-child: when the sandbox is killed (SIGKILL to unshare), the kernel kills the
        // namespace's first process, and with it every process in the namespace.
        command: unshare,
        args: ['--mount', '--pid', '--fork', '--kill-child', '--', ENTER_SANDBOX_SCRIPT,
          mountPoint, input.hostTaskRoot, HOST_RUNTIME_DIR, HOST_NODE_MODULES, input.nodeExecutable, uid, uid, '--', ...input.nodeArgs],
        cwd: '/',
      };
    },
  };
}
