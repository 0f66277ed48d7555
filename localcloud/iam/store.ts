// ---------------------------------------------------------------------------
// IAM's persisted entities per account: users and their access keys, roles, inline policies,
// managed policies with versions, and attachments. Names are unique per account without regard
// to case, as IAM enforces: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
// IAM's own API reads and writes the live state (IamStore); every other service reads it through
// `propagated()` (an IamView), which with an IAM propagation delay lags the live state
// (propagation.ts).
// ---------------------------------------------------------------------------
import type { StateStore } from '../contracts';
import { awsManagedPolicy, isAwsManagedArn } from './aws-managed-policies';
import { PropagationLog } from './propagation';

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

// ---------------------------------------------------------------------------
// Name-keyed records have no prototype: IAM names such as `__proto__`, `constructor` or
// `hasOwnProperty` ([\w+=,.@-]+ allows them) are ordinary keys, never Object.prototype's members.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName pattern)
// ---------------------------------------------------------------------------

/** An empty record keyed by names, safe for any name. */
export function nameRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A record read back from a state file (JSON.parse makes `__proto__` an own key) as a prototype-less one. */
function revive<T>(parsed: Record<string, T> | undefined, each: (value: T) => T = (v) => v): Record<string, T> {
  const out = nameRecord<T>();
  for (const [key, value] of Object.entries(parsed ?? {})) out[key] = each(value);
  return out;
}

function reviveState(parsed: IamState | undefined): IamState {
  const holder = <H extends { inlinePolicies: Record<string, string> }>(h: H): H => ({ ...h, inlinePolicies: revive(h.inlinePolicies) });
  return {
    accounts: revive(parsed?.accounts, (a) => ({ roles: revive(a.roles, holder), users: revive(a.users, holder), policies: revive(a.policies) })),
    accessKeys: revive(parsed?.accessKeys),
  };
}

/** The account that owns a customer managed policy ARN (`arn:aws:iam::<account>:policy/...`). */
export function policyOwner(arn: string): string | undefined {
  return /^arn:aws:iam::(\d{12}):policy\//.exec(arn)?.[1];
}

/** Key of a name in its account's map: IAM names are case-insensitive for uniqueness. */
export const nameKey = (name: string): string => name.toLowerCase();

/** The state behind a view: prototype-less records, as `reviveState` makes them. */
function cloneState(state: IamState): IamState {
  return reviveState(structuredClone(state));
}

/**
 * Reads of IAM's state. The store (below) is one over the live state, which IAM's own API uses;
 * `IamStore.propagated()` answers one over the state as the other services see it (propagation.ts).
 * Only IAM's own API changes records, and only the live store's: the other services never change
 * what a view returns, since with a delay its records are a version others share.
 */
export class IamView {
  constructor(protected readonly data: IamState) {}

  role(accountId: string, roleName: string): RoleRecord | undefined {
    return this.data.accounts[accountId]?.roles[nameKey(roleName)];
  }

  user(accountId: string, userName: string): UserRecord | undefined {
    return this.data.accounts[accountId]?.users[nameKey(userName)];
  }

  /** A customer managed policy of any account, or an AWS managed one. Callers that act for an
   *  account check the owner themselves (`policyOwner`): a policy is usable only in its own account. */
  policy(arn: string): ManagedPolicyRecord | undefined {
    if (isAwsManagedArn(arn)) return awsManagedPolicy(arn);
    const accountId = policyOwner(arn);
    return accountId ? this.data.accounts[accountId]?.policies[arn] : undefined;
  }

  /** The role or user whose unique ID (AROA... / AIDA...) this is, in any account. */
  entityById(uniqueId: string): RoleRecord | UserRecord | undefined {
    for (const acct of Object.values(this.data.accounts)) {
      if (uniqueId.startsWith('AROA')) { for (const r of Object.values(acct.roles)) if (r.roleId === uniqueId) return r; }
      else if (uniqueId.startsWith('AIDA')) { for (const u of Object.values(acct.users)) if (u.userId === uniqueId) return u; }
    }
    return undefined;
  }

  /** The roles and users of an account, for listing. */
  rolesOf(accountId: string): RoleRecord[] {
    return Object.values(this.data.accounts[accountId]?.roles ?? {});
  }

  usersOf(accountId: string): UserRecord[] {
    return Object.values(this.data.accounts[accountId]?.users ?? {});
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

  /** How many users and roles of `accountId` a managed policy is attached to (an AWS managed
   *  policy counts per account: each account sees its own use of it). */
  attachmentCount(arn: string, accountId: string): number {
    return this.holdersIn(accountId).filter((h) => h.attachedPolicyArns.includes(arn)).length;
  }

  /** How many users and roles of `accountId` use a managed policy as their permissions boundary. */
  boundaryUsageCount(arn: string, accountId: string): number {
    return this.holdersIn(accountId).filter((h) => h.permissionsBoundary === arn).length;
  }

  private holdersIn(accountId: string): (RoleRecord | UserRecord)[] {
    const acct = this.data.accounts[accountId];
    return acct ? [...Object.values(acct.roles), ...Object.values(acct.users)] : [];
  }
}

/** How IAM's changes reach the other services. */
export interface PropagationSettings {
  /** How long a change takes to reach them; 0: at once. */
  readonly delayMs: number;
  /** The cloud's clock. */
  readonly now: () => Date;
}

/**
 * The live state, which IAM's own API reads and changes (GetRole sees CreateRole at once), and, with
 * a propagation delay, the versions of it that the other services see. Every other service (STS,
 * request authorization everywhere, Lambda's execution role, authentication by access key) reads
 * `propagated()`, never the live state.
 */
export class IamStore extends IamView {
  /** Undefined with no delay: then the live state is what everyone sees, at no cost. */
  private readonly log?: PropagationLog<IamView>;

  constructor(private readonly store: StateStore, private readonly propagation: PropagationSettings = { delayMs: 0, now: () => new Date() }) {
    super(reviveState(store.read<IamState>(NAMESPACE)));
    // After a restart everything persisted counts as already propagated: the versions are kept in
    // memory only, and a change made just before a restart simply takes effect at start-up.
    if (propagation.delayMs > 0) this.log = new PropagationLog(propagation.delayMs, new IamView(cloneState(this.data)));
  }

  /** Persist after a change (callers mutate records, then save); with a delay, also a version
   *  stamped with the cloud's clock, for `propagated()`. */
  save(): void {
    this.store.write(NAMESPACE, this.data);
    this.log?.record(this.propagation.now().getTime(), new IamView(cloneState(this.data)));
  }

  /** IAM as every service but IAM's own API sees it now: as it was `delayMs` ago by the cloud's
   *  clock (the live state itself with no delay). */
  propagated(): IamView {
    return this.log ? this.log.visibleAt(this.propagation.now().getTime()) : this;
  }

  account(accountId: string): IamAccountState {
    let acct = this.data.accounts[accountId];
    if (!acct) {
      acct = { roles: nameRecord(), users: nameRecord(), policies: nameRecord() };
      this.data.accounts[accountId] = acct;
    }
    return acct;
  }

  putAccessKey(key: AccessKeyRecord): void {
    this.data.accessKeys[key.accessKeyId] = key;
  }

  deleteAccessKey(accessKeyId: string): void {
    delete this.data.accessKeys[accessKeyId];
  }
}
