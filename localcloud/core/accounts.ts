// ---------------------------------------------------------------------------
// The local accounts: each with root keys from the config file (`accounts` in config/local.json,
// or the file SIDECAR_CONFIG_FILE names). Root principal ARN: arn:aws:iam::<account>:root.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
// ---------------------------------------------------------------------------
import { isLocalAccount, loadConfig } from '../../config/load';
import type { Principal } from '../contracts';

export interface LocalRootAccount {
  readonly stack: string;
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export class AccountDirectory {
  private readonly byKey = new Map<string, LocalRootAccount>();
  private readonly ids = new Set<string>();

  constructor(readonly accounts: readonly LocalRootAccount[]) {
    for (const a of accounts) {
      this.byKey.set(a.accessKeyId, a);
      this.ids.add(a.accountId);
    }
  }

  /** The accounts of the local target's config (`configFile` overrides SIDECAR_CONFIG_FILE). */
  static fromConfig(configFile?: string): AccountDirectory {
    const env = { ...process.env, SIDECAR_TARGET: 'local', ...(configFile ? { SIDECAR_CONFIG_FILE: configFile } : {}) };
    const config = loadConfig(env);
    const accounts: LocalRootAccount[] = [];
    for (const [stack, account] of Object.entries(config.accounts)) {
      if (isLocalAccount(account)) accounts.push({ stack, accountId: account.accountId, accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey });
    }
    return new AccountDirectory(accounts);
  }

  rootByAccessKey(accessKeyId: string): LocalRootAccount | undefined {
    return this.byKey.get(accessKeyId);
  }

  has(accountId: string): boolean {
    return this.ids.has(accountId);
  }
}

export function rootPrincipal(account: LocalRootAccount): Principal {
  return { kind: 'root', accountId: account.accountId, arn: `arn:aws:iam::${account.accountId}:root`, userId: account.accountId, accessKeyId: account.accessKeyId };
}
