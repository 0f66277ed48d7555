// ---------------------------------------------------------------------------
// Operating the project's local cloud: `up` (start in the background, return once healthy),
// `down` (stop by the recorded pid), `status`, `reset` (wipe state; refused while running), and
// `env` (print the shell exports under which the user's own `npx cdktf ...` commands reach it).
// The app's side of the library: it decides where state lives and which accounts exist (the
// local target's config, SIDECAR_CONFIG_FILE or config/local.json), and starts localcloud/main.ts
// with them. Files under .localcloud/ (or LOCALCLOUD_HOME): server.json (pid, port, url),
// server.log, accounts.json (the accounts handed to the server), state/.
// Usage: npx tsx scripts/local-cloud.ts up|down|status|reset|env [--help]
//        (npm run local:up|local:down|local:status|local:reset|local:env)
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/load';
import { portFromEnv, wipeState } from '../localcloud';
import { exitWithUsageError, readCommandLine, type CommandSpec, type OptionSpec } from './lib/cli';
import { healthPid, isAlive, localCloudFiles, localCloudStatus, LocalCloudNotRunningError, readServerFile, type RecordedCloud } from './lib/local-cloud-state';
import { exportText, explainText, localEnvVariables, unsetText } from './lib/local-env';
import { loadLocalConfig, localAccountsOf, writeAccountsFile, type StackAccount } from './lib/local-accounts';
import { PluginMirrorError, terraformEnv } from './terraform-env';

const PROJECT_ROOT = resolve(__dirname, '..');
const FILES = localCloudFiles(process.env);
const PID_FILE = FILES.serverFile;
const LOG_FILE = FILES.logFile;
const ACCOUNTS_FILE = FILES.accountsFile;
const STATE_DIR = FILES.stateDir;
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

type Running = RecordedCloud;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The recorded server, when it is alive and answers as itself (a pid can be reused). */
async function running(): Promise<Running | undefined> {
  const status = await localCloudStatus(process.env);
  return status.running ? status.cloud : undefined;
}

const readPidFile = () => readServerFile(PID_FILE);

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
  mkdirSync(FILES.home, { recursive: true });
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

/** `env`: the exports for the user's shell on stdout (nothing else), what and why on stderr. */
async function printEnv(unset: boolean): Promise<number> {
  if (unset) {
    process.stdout.write(unsetText());
    return 0;
  }
  const status = await localCloudStatus(process.env);
  if (!status.running) throw new LocalCloudNotRunningError(status.reason, 'eval "$(npm run -s local:env)" again');
  const terraform = terraformEnv();
  for (const notice of terraform.notices) process.stderr.write(`# [terraform-env] ${notice}\n`);
  const vars = localEnvVariables(status.cloud, terraform, status.files.serverFile);
  process.stdout.write(exportText(vars));
  process.stderr.write(explainText(vars, process.env));
  return 0;
}

// ---------------------------------------------------------------------------
// Command lines
// ---------------------------------------------------------------------------

const NO_OPTIONS: Record<string, OptionSpec> = {};
const HOME_NOTE = 'Its files are in .localcloud/ (LOCALCLOUD_HOME moves them): server.json (pid, port, url), server.log, state/.';

const COMMANDS = {
  up: {
    name: 'local:up', usage: ['npm run local:up'], options: NO_OPTIONS,
    summary: 'start the local cloud in the background (once healthy, it returns)',
    description: [
      'Start the local cloud (IAM, STS and Lambda on 127.0.0.1) in the background and return once it',
      'answers its health check; does nothing when it already runs. It listens on LOCALCLOUD_PORT',
      '(default 4510; 0 picks a free port) with the accounts of the local config (config/local.json,',
      `or SIDECAR_CONFIG_FILE). ${HOME_NOTE}`,
    ].join('\n'),
    examples: [
      { command: 'npm run local:up', says: 'start it on port 4510' },
      { command: 'LOCALCLOUD_PORT=0 npm run local:up', says: 'start it on any free port (local:env and deploy:local find it)' },
    ],
  },
  down: {
    name: 'local:down', usage: ['npm run local:down'], options: NO_OPTIONS,
    summary: 'stop the local cloud (its state is kept)',
    description: 'Stop the local cloud by its recorded pid (SIGTERM, then SIGKILL after 10 s). Its state is kept.',
    examples: [{ command: 'npm run local:down', says: 'stop it' }],
  },
  status: {
    name: 'local:status', usage: ['npm run local:status'], options: NO_OPTIONS,
    summary: 'say whether the local cloud runs, and where',
    description: 'Say whether the local cloud runs, and where. Exits 0 when it runs, 1 when it does not.',
    examples: [{ command: 'npm run local:status', says: 'e.g. "local cloud running at http://127.0.0.1:4510 (pid 1234)"' }],
  },
  reset: {
    name: 'local:reset', usage: ['npm run local:reset'], options: NO_OPTIONS,
    summary: 'wipe the local cloud\'s state (refused while it runs)',
    description: 'Wipe the local cloud\'s state (every account\'s roles, functions, sessions). Refused while it runs: stop it first.',
    examples: [{ command: 'npm run local:down && npm run local:reset', says: 'start over with an empty cloud' }],
  },
  env: {
    name: 'local:env', usage: ['eval "$(npm run -s local:env)"', 'eval "$(npm run -s local:env -- --unset)"'],
    summary: 'print the shell exports under which your own `npx cdktf ...` commands reach the running local cloud',
    options: { unset: { type: 'boolean', description: 'print the `unset` line that removes every variable local:env sets' } },
    description: [
      'Print shell exports (export NAME=value, one a line, nothing else on stdout) under which your own',
      'cdktf commands, typed as they are, work against the running local cloud:',
      '  SIDECAR_TARGET=local, LOCALCLOUD_PORT=<the running cloud\'s port, read from its server.json>,',
      '  TF_CLI_CONFIG_FILE and TF_CLI_ARGS_providers_lock (or CDKTF_SKIP_PROVIDER_LOCK), only when a',
      '  provider mirror exists: Terraform then installs and locks hashicorp/aws offline,',
      '  CHECKPOINT_DISABLE=1 and DISABLE_VERSION_CHECK=true (no calls home).',
      'What each is for goes to stderr. Exits 1, printing nothing on stdout, when no local cloud runs.',
    ].join('\n'),
    examples: [
      { command: 'eval "$(npm run -s local:env)"', says: 'set them in this shell' },
      { command: 'npx cdktf deploy vendor', says: 'then: as typed' },
      { command: 'eval "$(npm run -s local:env -- --unset)"', says: 'go back' },
    ],
  },
} satisfies Record<string, CommandSpec>;

type CommandName = keyof typeof COMMANDS;

const TOP: CommandSpec = {
  name: 'local-cloud', usage: ['npx tsx scripts/local-cloud.ts <command> [--help]'], options: NO_OPTIONS,
  arguments: { name: 'command', description: 'up | down | status | reset | env (npm run local:<command>)', max: 1 },
  summary: 'operate the project\'s local cloud',
  description: `Operate the project's local cloud. ${HOME_NOTE}\nEach command has its own --help.`,
  examples: (Object.keys(COMMANDS) as CommandName[]).map((c) => ({ command: `npm run ${COMMANDS[c].name}`, says: COMMANDS[c].summary })),
  helpCommand: 'npx tsx scripts/local-cloud.ts --help',
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command.startsWith('-')) {
    // `--help` prints the overview and exits; anything else here is a usage error.
    readCommandLine(TOP, argv);
    return exitWithUsageError(TOP, 'missing command: up, down, status, reset or env');
  }
  if (!Object.hasOwn(COMMANDS, command)) return exitWithUsageError(TOP, `unknown command '${command}' (up, down, status, reset or env)`);
  const name = command as CommandName;
  if (name === 'env') return printEnv(readCommandLine(COMMANDS.env, rest).values.unset);
  readCommandLine(COMMANDS[name], rest);
  switch (name) {
    case 'up': await up(); return 0;
    case 'down': await down(); return 0;
    case 'status': return status();
    case 'reset': await reset(); return 0;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
  // These say what to do in their message; anything else is a bug, and its stack helps.
  const known = e instanceof LocalCloudCliError || e instanceof LocalCloudNotRunningError || e instanceof PluginMirrorError || e instanceof ConfigError;
  console.error(known ? e.message : e.stack);
  process.exit(1);
});
