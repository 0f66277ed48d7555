// ---------------------------------------------------------------------------
// The environment of the local cloud's process entry (main.ts), read once and turned into
// LocalCloudOptions. The library itself reads no environment: these are for processes (and the
// CLIs that start them) only.
//   LOCALCLOUD_ACCOUNTS_FILE   required: JSON {"accounts": [{accountId, accessKeyId, secretAccessKey, name?}]}
//   LOCALCLOUD_STATE_DIR       required: the state folder
//   LOCALCLOUD_PORT            default 4510; 0 = any free port
//   LOCALCLOUD_TEST_CONTROLS   '1' serves /_localcloud/control/
//   LOCALCLOUD_BODY_TIMEOUT_MS default 60000
//   LOCALCLOUD_READY_FILE      optional: main.ts writes {pid, port, url, startedAt, sandboxIsolation} there once listening
//   LOCALCLOUD_SANDBOX_ISOLATION  auto (default) | required | none: how Lambda sandboxes are kept apart
//   LOCALCLOUD_RUNTIMES        optional JSON {"nodejs22.x": "/path/to/node"}: Node.js binaries by runtime
//   LOCALCLOUD_IAM_PROPAGATION_MS default 0: IAM changes reach the other services at once
//   LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY default 200: Lambda's concurrency limit per account
// ---------------------------------------------------------------------------
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LocalAccount } from './core/accounts';
import { BODY_TIMEOUT_MS } from './core/body';
import { DEFAULT_ACCOUNT_CONCURRENCY } from './lambda/concurrency';
import { SANDBOX_ISOLATION_MODES, type SandboxIsolationMode } from './lambda/isolation/select';
import { DEFAULT_PORT, LocalCloudOptionsError, parseAccounts, type LocalCloudOptions } from './options';

/** The value of `name`; throws "Environment variable X is required" when it is unset or empty. */
export function requiredEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new LocalCloudOptionsError(`Environment variable ${name} is required`);
  return value;
}

export function portFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCALCLOUD_PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LocalCloudOptionsError(`LOCALCLOUD_PORT must be a TCP port number 0-65535 (got "${raw}")`);
  return port;
}

export function bodyTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCALCLOUD_BODY_TIMEOUT_MS;
  if (raw === undefined || raw === '') return BODY_TIMEOUT_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1) throw new LocalCloudOptionsError(`LOCALCLOUD_BODY_TIMEOUT_MS must be a positive whole number of milliseconds (got "${raw}")`);
  return ms;
}

/**
 * LOCALCLOUD_IAM_PROPAGATION_MS: how long an IAM change takes to reach STS, Lambda and request
 * authorization (options.ts `iamPropagationMs`). Digits only, so that `1.5`, `-1`, `1e3` or `5s`
 * are refused rather than read as something else.
 */
export function iamPropagationFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCALCLOUD_IAM_PROPAGATION_MS;
  if (raw === undefined || raw === '') return 0;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(ms)) {
    throw new LocalCloudOptionsError(`LOCALCLOUD_IAM_PROPAGATION_MS must be a whole number of milliseconds, 0 or more (got "${raw}"); unset it or use 0 for changes that apply at once`);
  }
  return ms;
}

/**
 * LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY: Lambda's concurrency limit of each account, and the bound
 * on sandboxes alive at once (options.ts `accountConcurrency`). Digits only, 1 or more.
 */
export function accountConcurrencyFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY;
  if (raw === undefined || raw === '') return DEFAULT_ACCOUNT_CONCURRENCY;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new LocalCloudOptionsError(`LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY must be a whole number, 1 or more (got "${raw}"); unset it for the default of ${DEFAULT_ACCOUNT_CONCURRENCY}`);
  }
  return n;
}

/** The accounts of an accounts file: `{"accounts": [...]}`. */
export function accountsFromFile(file: string): LocalAccount[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new LocalCloudOptionsError(`${file}: cannot read the accounts file (${(e as Error).message})`);
  }
  const accounts = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { accounts?: unknown }).accounts : undefined;
  return parseAccounts(accounts, file);
}

export function isolationFromEnv(env: NodeJS.ProcessEnv = process.env): SandboxIsolationMode {
  const raw = env.LOCALCLOUD_SANDBOX_ISOLATION;
  if (raw === undefined || raw === '') return 'auto';
  if (!(SANDBOX_ISOLATION_MODES as readonly string[]).includes(raw)) {
    throw new LocalCloudOptionsError(`LOCALCLOUD_SANDBOX_ISOLATION must be one of ${SANDBOX_ISOLATION_MODES.join(', ')} (got "${raw}")`);
  }
  return raw as SandboxIsolationMode;
}

export function runtimesFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const raw = env.LOCALCLOUD_RUNTIMES;
  if (raw === undefined || raw === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw new LocalCloudOptionsError(`LOCALCLOUD_RUNTIMES must be JSON such as {"nodejs22.x":"/usr/local/bin/node"} (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new LocalCloudOptionsError('LOCALCLOUD_RUNTIMES must be a JSON object of runtime identifier to Node.js binary path, such as {"nodejs22.x":"/usr/local/bin/node"}');
  }
  return parsed as Record<string, string>;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalCloudOptions {
  return {
    accounts: accountsFromFile(requiredEnv(env, 'LOCALCLOUD_ACCOUNTS_FILE')),
    stateDir: resolve(requiredEnv(env, 'LOCALCLOUD_STATE_DIR')),
    port: portFromEnv(env),
    testControls: env.LOCALCLOUD_TEST_CONTROLS === '1',
    bodyTimeoutMs: bodyTimeoutFromEnv(env),
    sandboxIsolation: isolationFromEnv(env),
    runtimes: runtimesFromEnv(env),
    iamPropagationMs: iamPropagationFromEnv(env),
    accountConcurrency: accountConcurrencyFromEnv(env),
  };
}
