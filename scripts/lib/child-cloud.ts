// ---------------------------------------------------------------------------
// A local cloud of a caller's own: the real server (localcloud/main.ts) as a CHILD PROCESS on a
// free loopback port, with a fresh state folder, its test controls on (see ./cloud-controls.ts),
// and the local target's accounts handed over in an accounts file (LOCALCLOUD_ACCOUNTS_FILE).
// `close()` stops it by pid (SIGTERM, then SIGKILL after a timeout). Used by the soak and the
// benchmarks, and by the local cloud's own suite, the Lambda tests and e2e; nothing here is
// shared with a local cloud the user runs with `npm run local:up`.
// ---------------------------------------------------------------------------
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { loadLocalConfig, localAccountsOf, writeAccountsFile } from './local-accounts';

const PROJECT_ROOT = resolve(__dirname, '..', '..');
const MAIN = join(PROJECT_ROOT, 'localcloud', 'main.ts');

export interface AccountKeys {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface TestCloudOptions {
  /** State folder; reuse one to prove state survives a restart. @default a fresh temp folder */
  readonly stateDir?: string;
  /** Config file with the accounts. @default SIDECAR_CONFIG_FILE, else config/local.json */
  readonly configFile?: string;
  /** Port to listen on; reuse a stopped cloud's port to prove clients find it again. @default a free port */
  readonly port?: number;
  /** Extra environment for the server (e.g. LOCALCLOUD_TEST_CONTROLS: '0'). */
  readonly env?: NodeJS.ProcessEnv;
  /** @default 30 s */
  readonly startTimeoutMs?: number;
}

export interface TestCloud {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly stateDir: string;
  /** Whether its Lambda sandboxes run isolated (as the server's ready file says). */
  readonly sandboxIsolation: 'namespaces' | 'none';
  /** The accounts file the server was started with (every account's root keys). */
  readonly accountsFile: string;
  /** The server's log (one JSON line per request). */
  readonly logFile: string;
  /** Root keys of each account, keyed by stack name (`vendor`, `customer-a`, ...). */
  readonly accounts: Readonly<Record<string, AccountKeys>>;
  credentialsFor(stack: string): Credentials;
  /** `{ region, endpoint, credentials, maxAttempts: 1 }` for any SDK v3 client. */
  clientConfig(credentials: Credentials): { region: string; endpoint: string; credentials: Credentials; maxAttempts: number };
  close(): Promise<void>;
  /** Send `signal` to the server process and wait until it has exited: SIGKILL is a crash, with no
   *  chance to finish a write or answer a request. Resolves at once when it has already exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Thrown when the server process did not answer its health check in time. */
export class TestCloudStartError extends Error {
  readonly code = 'TestCloudStart';
  constructor(message: string) {
    super(message);
    this.name = 'TestCloudStartError';
  }
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 30): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
}

/** Stop a child by pid: SIGTERM, then SIGKILL when it has not exited within `timeoutMs`. */
export async function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Send `signal` to a child by pid and wait for its exit (no escalation: the caller chose the signal). */
export async function killProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  await exited;
}

export async function startTestCloud(options: TestCloudOptions = {}): Promise<TestCloud> {
  const stateDir = resolve(options.stateDir ?? mkdtempSync(join(tmpdir(), 'localcloud-test-')));
  const runDir = mkdtempSync(join(tmpdir(), 'localcloud-run-'));
  const readyFile = join(runDir, 'ready.json');
  const logFile = join(runDir, 'server.log');
  const accountsFile = join(runDir, 'accounts.json');
  const localAccounts = localAccountsOf(loadLocalConfig(options.configFile));
  writeAccountsFile(accountsFile, localAccounts);
  const accounts: Record<string, AccountKeys> = Object.fromEntries(localAccounts.map((a) => [a.name, { accountId: a.accountId, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }]));
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      LOCALCLOUD_PORT: String(options.port ?? 0),
      LOCALCLOUD_STATE_DIR: stateDir,
      LOCALCLOUD_TEST_CONTROLS: '1',
      LOCALCLOUD_ACCOUNTS_FILE: accountsFile,
      LOCALCLOUD_READY_FILE: readyFile,
      ...options.env,
    },
    stdio: ['ignore', out, out],
  });
  closeSync(out);

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  let ready: { port: number; url: string; sandboxIsolation: 'namespaces' | 'none' } | undefined;
  while (Date.now() < deadline && child.exitCode === null) {
    if (existsSync(readyFile)) {
      ready = JSON.parse(readFileSync(readyFile, 'utf8'));
      const health = await fetch(`${ready!.url}/_localcloud/health`).catch(() => undefined);
      if (health?.ok) break;
    }
    await sleep(100);
  }
  if (!ready || child.exitCode !== null) {
    await stopProcess(child, 2000);
    throw new TestCloudStartError(`the local cloud did not start within ${options.startTimeoutMs ?? 30_000} ms; its log (${logFile}):\n${tail(logFile)}`);
  }
  const { url, port, sandboxIsolation } = ready;
  const credentialsFor = (stack: string): Credentials => {
    const a = accounts[stack];
    if (!a) throw new Error(`no local account for stack "${stack}" (have: ${Object.keys(accounts).join(', ')})`);
    return { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey };
  };
  return {
    url, port, pid: child.pid!, stateDir, sandboxIsolation, accountsFile, logFile, accounts, credentialsFor,
    clientConfig: (credentials) => ({ region: 'us-east-1', endpoint: url, credentials, maxAttempts: 1 }),
    close: () => stopProcess(child),
    kill: (signal) => killProcess(child, signal),
  };
}

// ---------------------------------------------------------------------------
// Principals other than root: an IAM user with keys and an inline policy.
// ---------------------------------------------------------------------------

export interface TestUser {
  readonly userName: string;
  readonly arn: string;
  readonly credentials: Credentials;
}

/** Create `userName` in `stack`'s account with `policy` as its only inline policy, and an access key. */
export async function createTestUser(cloud: TestCloud, stack: string, userName: string, policy?: object): Promise<TestUser> {
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor(stack)));
  const user = await iam.send(new CreateUserCommand({ UserName: userName }));
  if (policy) await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'test-policy', PolicyDocument: JSON.stringify(policy) }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { userName, arn: user.User!.Arn!, credentials: { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! } };
}
