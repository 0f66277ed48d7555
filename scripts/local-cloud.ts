// ---------------------------------------------------------------------------
// Operating the project's local cloud: `up` (start in the background, return once healthy),
// `down` (stop by the recorded pid), `status`, `reset` (wipe state; refused while running).
// The app's side of the library: it decides where state lives and which accounts exist (the
// local target's config, SIDECAR_CONFIG_FILE or config/local.json), and starts localcloud/main.ts
// with them. Files under .localcloud/ (or LOCALCLOUD_HOME): server.json (pid, port, url),
// server.log, accounts.json (the accounts handed to the server), state/.
// Usage: npx tsx scripts/local-cloud.ts up|down|status|reset (npm run local:up|local:down|local:status|local:reset)
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { portFromEnv, wipeState } from '../localcloud';
import { loadLocalConfig, localAccountsOf, writeAccountsFile, type StackAccount } from './lib/local-accounts';

const PROJECT_ROOT = resolve(__dirname, '..');
const HOME = resolve(process.env.LOCALCLOUD_HOME ?? join(PROJECT_ROOT, '.localcloud'));
const PID_FILE = join(HOME, 'server.json');
const LOG_FILE = join(HOME, 'server.log');
const ACCOUNTS_FILE = join(HOME, 'accounts.json');
const STATE_DIR = join(HOME, 'state');
const MAIN = join(PROJECT_ROOT, 'localcloud', 'main.ts');
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** Thrown for every failure the CLI reports; `main` prints the message and exits 1. */
export class LocalCloudCliError extends Error {
  readonly code = 'LocalCloudCli';
  constructor(message: string) {
    super(message);
    this.name = 'LocalCloudCliError';
  }
}

interface Running { pid: number; port: number; url: string }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPidFile(): Running | undefined {
  if (!existsSync(PID_FILE)) return undefined;
  try {
    return JSON.parse(readFileSync(PID_FILE, 'utf8')) as Running;
  } catch {
    return undefined;
  }
}

async function healthPid(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(`${url}/_localcloud/health`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as { pid: number }).pid : undefined;
  } catch {
    return undefined;
  }
}

/** The recorded server, when it is alive and answers as itself (a pid can be reused). */
async function running(): Promise<Running | undefined> {
  const recorded = readPidFile();
  if (!recorded || !isAlive(recorded.pid)) return undefined;
  return (await healthPid(recorded.url)) === recorded.pid ? recorded : undefined;
}

function logTail(lines = 25): string {
  if (!existsSync(LOG_FILE)) return '(no log yet)';
  return readFileSync(LOG_FILE, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** The local target's accounts, which the server is started with. */
function configuredAccounts(): StackAccount[] {
  try {
    return localAccountsOf(loadLocalConfig());
  } catch (e) {
    throw new LocalCloudCliError(`local cloud not started: ${(e as Error).message}`);
  }
}

// ---------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------

async function up(): Promise<void> {
  const current = await running();
  if (current) {
    console.log(`local cloud already running at ${current.url} (pid ${current.pid})`);
    return;
  }
  const port = portFromEnv();
  mkdirSync(HOME, { recursive: true });
  writeAccountsFile(ACCOUNTS_FILE, configuredAccounts());
  rmSync(PID_FILE, { force: true });
  const log = openSync(LOG_FILE, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      LOCALCLOUD_PORT: String(port),
      LOCALCLOUD_STATE_DIR: process.env.LOCALCLOUD_STATE_DIR ?? STATE_DIR,
      LOCALCLOUD_ACCOUNTS_FILE: ACCOUNTS_FILE,
      LOCALCLOUD_READY_FILE: PID_FILE,
    },
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || !isAlive(child.pid!)) {
      throw new LocalCloudCliError(`local cloud exited while starting (see ${LOG_FILE}):\n${logTail()}`);
    }
    const recorded = readPidFile();
    if (recorded && (await healthPid(recorded.url)) === child.pid) {
      console.log(`local cloud running at ${recorded.url} (pid ${recorded.pid}); log: ${LOG_FILE}`);
      return;
    }
    await sleep(200);
  }
  try { process.kill(child.pid!, 'SIGKILL'); } catch { /* already gone */ }
  rmSync(PID_FILE, { force: true });
  throw new LocalCloudCliError(`local cloud did not answer its health check within ${START_TIMEOUT_MS / 1000} s (see ${LOG_FILE}):\n${logTail()}`);
}

async function down(): Promise<void> {
  const recorded = readPidFile();
  if (!recorded || !isAlive(recorded.pid)) {
    rmSync(PID_FILE, { force: true });
    console.log('local cloud is not running');
    return;
  }
  // Only signal the pid if it is still our server (pid files outlive processes; pids get reused).
  const cmdline = existsSync(`/proc/${recorded.pid}/cmdline`) ? readFileSync(`/proc/${recorded.pid}/cmdline`, 'utf8') : '';
  if (cmdline && !cmdline.includes('localcloud')) {
    rmSync(PID_FILE, { force: true });
    console.log(`local cloud is not running (pid ${recorded.pid} now belongs to another program; removed the stale pid file)`);
    return;
  }
  process.kill(recorded.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(recorded.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(recorded.pid)) {
    process.kill(recorded.pid, 'SIGKILL');
    while (isAlive(recorded.pid)) await sleep(50);
    console.log(`local cloud did not stop within ${STOP_TIMEOUT_MS / 1000} s; killed (pid ${recorded.pid})`);
  } else {
    console.log(`local cloud stopped (pid ${recorded.pid})`);
  }
  rmSync(PID_FILE, { force: true });
}

async function status(): Promise<number> {
  const current = await running();
  if (current) {
    console.log(`local cloud running at ${current.url} (pid ${current.pid})`);
    return 0;
  }
  console.log('local cloud is not running');
  return 1;
}

async function reset(): Promise<void> {
  const current = await running();
  if (current) throw new LocalCloudCliError(`local cloud is running (pid ${current.pid}); stop it first with npm run local:down`);
  const removed = wipeState(process.env.LOCALCLOUD_STATE_DIR ?? STATE_DIR);
  console.log(`local cloud state wiped (${removed} file${removed === 1 ? '' : 's'})`);
}

async function main(argv: string[]): Promise<number> {
  switch (argv[0]) {
    case 'up': await up(); return 0;
    case 'down': await down(); return 0;
    case 'status': return status();
    case 'reset': await reset(); return 0;
    default:
      console.error('usage: tsx scripts/local-cloud.ts up|down|status|reset');
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
  console.error(e instanceof LocalCloudCliError ? e.message : e.stack);
  process.exit(1);
});
