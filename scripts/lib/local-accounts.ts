// ---------------------------------------------------------------------------
// The app's side of the local cloud's accounts: the local target's config (config/local.json,
// or the file SIDECAR_CONFIG_FILE names) lists each account's root keys; the local cloud takes
// them as a list, in a process through an accounts file (LOCALCLOUD_ACCOUNTS_FILE).
// ---------------------------------------------------------------------------
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isLocalAccount, loadConfig, type LoadedConfig } from '../../config/load';
import type { LocalAccount } from '../../localcloud';

/** A local account, named after the stack that deploys into it. */
export interface StackAccount extends LocalAccount {
  readonly name: string;
}

/** The local accounts of a config, named after their stacks (`vendor`, `customer-a`, ...). */
export function localAccountsOf(config: Pick<LoadedConfig, 'accounts'>): StackAccount[] {
  const accounts: StackAccount[] = [];
  for (const [stack, a] of Object.entries(config.accounts)) {
    if (isLocalAccount(a)) accounts.push({ name: stack, accountId: a.accountId, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });
  }
  return accounts;
}

/** The local target's config: `configFile` overrides SIDECAR_CONFIG_FILE, else config/local.json. */
export function loadLocalConfig(configFile?: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return loadConfig({ ...env, SIDECAR_TARGET: 'local', ...(configFile ? { SIDECAR_CONFIG_FILE: configFile } : {}) });
}

/** Write the accounts file a local cloud process reads (atomically; readable by this user only). */
export function writeAccountsFile(file: string, accounts: readonly LocalAccount[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ accounts }, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}
