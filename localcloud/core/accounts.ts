// ---------------------------------------------------------------------------
// The local accounts: each with root keys, handed in by whoever starts the local cloud (the
// library reads no config of its own). Root principal ARN: arn:aws:iam::<account>:root.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
// ---------------------------------------------------------------------------
import type { Principal } from '../contracts';

/** One local account and its root keys (fake values: they open only this local cloud). */
export interface LocalAccount {
  /** 12 digits. */
  readonly accountId: string;
  /** The root's access key ID: requests signed with it act as arn:aws:iam::<accountId>:root. */
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A label for people (e.g. the stack that deploys into it); authentication ignores it. */
  readonly name?: string;
}

export class AccountDirectory {
  private readonly byKey = new Map<string, LocalAccount>();
  private readonly ids = new Set<string>();

  constructor(readonly accounts: readonly LocalAccount[]) {
    for (const a of accounts) {
      this.byKey.set(a.accessKeyId, a);
      this.ids.add(a.accountId);
    }
  }

  rootByAccessKey(accessKeyId: string): LocalAccount | undefined {
    return this.byKey.get(accessKeyId);
  }

  has(accountId: string): boolean {
    return this.ids.has(accountId);
  }
}

export function rootPrincipal(account: LocalAccount): Principal {
  return { kind: 'root', accountId: account.accountId, arn: `arn:aws:iam::${account.accountId}:root`, userId: account.accountId, accessKeyId: account.accessKeyId };
}
