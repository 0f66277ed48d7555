// ---------------------------------------------------------------------------
// IAM's persisted entities per account: users and their access keys, roles, inline policies,
// managed policies with versions, and attachments. Names are unique per account without regard
// to case, as IAM enforces: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
// ---------------------------------------------------------------------------
import type { StateStore } from '../contracts';

export interface Tag { Key: string; Value: string }

export interface RoleRecord {
  roleName: string;
  roleId: string;
  path: string;
  arn: string;
  createDate: string;
  /** Normalised JSON of the trust policy. */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: Tag[];
  /** Inline policies: name -> normalised JSON. */
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
}

export interface UserRecord {
  userName: string;
  userId: string;
  path: string;
  arn: string;
  createDate: string;
  permissionsBoundary?: string;
  tags: Tag[];
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
}

export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createDate: string;
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createDate: string;
}

export interface ManagedPolicyRecord {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  nextVersion: number;
  versions: PolicyVersionRecord[];
  tags: Tag[];
}

export interface IamAccountState {
  roles: Record<string, RoleRecord>;
  users: Record<string, UserRecord>;
  /** Keyed by policy ARN. */
  policies: Record<string, ManagedPolicyRecord>;
}

interface IamState {
  accounts: Record<string, IamAccountState>;
  accessKeys: Record<string, AccessKeyRecord>;
}

const NAMESPACE = 'iam';

/** Key of a name in its account's map: IAM names are case-insensitive for uniqueness. */
export const nameKey = (name: string): string => name.toLowerCase();

export class IamStore {
  private readonly data: IamState;

  constructor(private readonly store: StateStore) {
    this.data = store.read<IamState>(NAMESPACE) ?? { accounts: {}, accessKeys: {} };
  }

  /** Persist after a change (callers mutate records, then save). */
  save(): void {
    this.store.write(NAMESPACE, this.data);
  }

  account(accountId: string): IamAccountState {
    let acct = this.data.accounts[accountId];
    if (!acct) {
      acct = { roles: {}, users: {}, policies: {} };
      this.data.accounts[accountId] = acct;
    }
    return acct;
  }

  role(accountId: string, roleName: string): RoleRecord | undefined {
    return this.data.accounts[accountId]?.roles[nameKey(roleName)];
  }

  user(accountId: string, userName: string): UserRecord | undefined {
    return this.data.accounts[accountId]?.users[nameKey(userName)];
  }

  policy(arn: string): ManagedPolicyRecord | undefined {
    const accountId = /^arn:aws:iam::(\d{12}):policy\//.exec(arn)?.[1];
    return accountId ? this.data.accounts[accountId]?.policies[arn] : undefined;
  }

  /** A role by ARN: the path must match too, as IAM compares the whole ARN. */
  roleByArn(arn: string): RoleRecord | undefined {
    const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
    const role = m ? this.role(m[1], m[2]) : undefined;
    return role && role.arn === arn ? role : undefined;
  }

  userByArn(arn: string): UserRecord | undefined {
    const m = /^arn:aws:iam::(\d{12}):user\/(?:.*\/)?([^/]+)$/.exec(arn);
    const user = m ? this.user(m[1], m[2]) : undefined;
    return user && user.arn === arn ? user : undefined;
  }

  accessKey(accessKeyId: string): AccessKeyRecord | undefined {
    return this.data.accessKeys[accessKeyId];
  }

  accessKeysOf(accountId: string, userName: string): AccessKeyRecord[] {
    return Object.values(this.data.accessKeys).filter((k) => k.accountId === accountId && nameKey(k.userName) === nameKey(userName));
  }

  putAccessKey(key: AccessKeyRecord): void {
    this.data.accessKeys[key.accessKeyId] = key;
  }

  deleteAccessKey(accessKeyId: string): void {
    delete this.data.accessKeys[accessKeyId];
  }

  /** How many users and roles a managed policy is attached to. */
  attachmentCount(arn: string): number {
    let n = 0;
    for (const acct of Object.values(this.data.accounts)) {
      for (const r of Object.values(acct.roles)) if (r.attachedPolicyArns.includes(arn)) n++;
      for (const u of Object.values(acct.users)) if (u.attachedPolicyArns.includes(arn)) n++;
    }
    return n;
  }
}
