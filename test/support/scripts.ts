// ---------------------------------------------------------------------------
// Running the project's scripts as a person does, and proving that a run did nothing:
//   runScript      spawn `node --import tsx <script> <args>` (or any command), collect its output and exit
//   canaryEnv      an environment in which a script that went further than it should cannot
//                  reach anything, and leaves a trace if it tries: `terraform` on PATH is a fake
//                  that records each call, LOCALCLOUD_HOME sits below a FILE (no local cloud can
//                  start there), Terraform state goes to a folder of the test's own
//   fakeLocalCloud a "running local cloud" as scripts/lib/local-cloud-state.ts sees one: a
//                  server.json naming this process and an HTTP server answering its health check
//   projectCopy    the project's sources in a temp folder (node_modules linked), so a script can
//                  write cdktf.out/, .localcloud/ and .gen/ without touching the worktree's
// ---------------------------------------------------------------------------
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');

export interface ScriptResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Text for stdin (a pipe, so never a terminal). @default stdin is /dev/null */
  readonly input?: string;
  /** @default 150 s (a loaded 2-core machine): then the run is killed and the test fails saying so */
  readonly timeoutMs?: number;
  /** Start in a process group of its own (to signal the whole group, as a terminal's Ctrl-C does). */
  readonly detached?: boolean;
  /** Called with each chunk of stderr, and the child (e.g. to signal it at the right moment). */
  readonly onStderr?: (text: string, child: ChildProcess) => void;
}

/** Run `command args` and collect what it printed and how it ended. */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<ScriptResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: options.detached ?? false,
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      stderr += text;
      options.onStderr?.(stderr, child);
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    const timeoutMs = options.timeoutMs ?? 150_000;
    const timer = setTimeout(() => {
      try { process.kill(options.detached ? -child.pid! : child.pid!, 'SIGKILL'); } catch { /* gone */ }
      reject(new Error(`${command} ${args.join(' ')} did not finish within ${timeoutMs / 1000} s; its output so far:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/**
 * `<script> <args>` under tsx from the project root, as `npm run <name>` runs it (`tsx <script>`),
 * but as `node --import tsx` in one process: `npx tsx` costs an npx start and a second node (tsx's
 * CLI forks one) per run, ~0.9 s of CPU each, and the unit suite spawns scripts ~80 times.
 */
export function runScript(script: string, args: readonly string[] = [], options: RunOptions = {}): Promise<ScriptResult> {
  return runCommand(process.execPath, ['--import', 'tsx', script, ...args], options);
}

export interface Canary {
  readonly env: NodeJS.ProcessEnv;
  /** Every `terraform` command line the fake saw, one a line ('' when none). */
  terraformCalls(): string;
  /** The folder a local cloud would have to create to start (it cannot: its parent is a file). */
  readonly localCloudHome: string;
  readonly dir: string;
  /** Remove its folder. */
  dispose(): void;
}

/** An environment in which a script can reach no local cloud and no real Terraform, and leaves a trace if it tries. */
export function canaryEnv(base: NodeJS.ProcessEnv = process.env): Canary {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-canary-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const calls = join(dir, 'terraform-calls.log');
  writeFileSync(join(bin, 'terraform'), `#!/bin/sh\necho "$*" >> '${calls}'\necho 'the canary terraform refuses to run' >&2\nexit 97\n`);
  chmodSync(join(bin, 'terraform'), 0o755);
  const notADirectory = join(dir, 'a-file');
  writeFileSync(notADirectory, '');
  const localCloudHome = join(notADirectory, 'localcloud');
  const env: NodeJS.ProcessEnv = {
    ...base,
    PATH: `${bin}${delimiter}${base.PATH ?? ''}`,
    LOCALCLOUD_HOME: localCloudHome,
    SIDECAR_TFSTATE_DIR: join(dir, 'tfstate'),
    SIDECAR_TARGET: 'local',
  };
  delete env.CI;
  delete env.LOCALCLOUD_PORT;
  return {
    env, dir, localCloudHome,
    terraformCalls: () => (existsSync(calls) ? readFileSync(calls, 'utf8') : ''),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface FakeLocalCloud {
  readonly port: number;
  readonly url: string;
  readonly serverFile: string;
  close(): Promise<void>;
}

/** A server.json in `home` for a "cloud" that is this process, answering /_localcloud/health. */
export async function fakeLocalCloud(home: string): Promise<FakeLocalCloud> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/_localcloud/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ pid: process.pid }));
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}`;
  mkdirSync(home, { recursive: true });
  const serverFile = join(home, 'server.json');
  writeFileSync(serverFile, JSON.stringify({ pid: process.pid, port, url, startedAt: new Date().toISOString(), sandboxIsolation: 'none' }));
  return { port, url, serverFile, close: () => new Promise((r) => server.close(() => r())) };
}

/** What a fresh checkout needs to synthesize, deploy and run the local cloud. */
const PROJECT_ENTRIES = ['cdktf.json', 'package.json', 'tsconfig.json', 'main.ts', 'config', 'modules', 'rules', 'lambda', 'scripts', 'localcloud'];

/** A copy of the project's sources in a temp folder, with node_modules linked to this one's. */
export function projectCopy(prefix = 'sidecar-project-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of PROJECT_ENTRIES) cpSync(join(PROJECT_ROOT, entry), join(dir, entry), { recursive: true });
  symlinkSync(realpathSync(join(PROJECT_ROOT, 'node_modules')), join(dir, 'node_modules'), 'dir');
  return dir;
}
