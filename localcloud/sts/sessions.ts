// ---------------------------------------------------------------------------
// Role sessions issued by AssumeRole: persisted so their credentials are accepted after a
// restart. The session token itself is never stored, only its SHA-256, so the state file cannot
// be replayed as a credential. Each new session is one appended record (AssumeRole is a hot
// path: the cost of persisting must not grow with the sessions kept); expired sessions are
// pruned when the journal is compacted, at start-up and whenever it has doubled.
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import type { PolicyDocumentJson, Principal, StateStore } from '../contracts';

export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionTokenSha256: string;
  accountId: string;
  roleArn: string;
  roleId: string;
  roleName: string;
  sessionName: string;
  issuedAt: string;
  expiration: string;
  sessionPolicy?: PolicyDocumentJson;
  /** Obtained with the credentials of another role session. */
  chained: boolean;
  /** Set with SourceIdentity, or carried on from the calling session; never changes along a chain. */
  sourceIdentity?: string;
  /** Session tags: those passed to AssumeRole and the transitive ones inherited from the calling session. */
  sessionTags?: { Key: string; Value: string }[];
  /** Keys (as passed) of the session tags that pass on to chained sessions. */
  transitiveTagKeys?: string[];
}

/** What a session adds to its principal: source identity and session tags, when it has them. */
export function sessionAttributesOf(session: SessionRecord): Pick<Principal, 'sourceIdentity' | 'sessionTags' | 'transitiveTagKeys'> {
  return {
    ...(session.sourceIdentity !== undefined ? { sourceIdentity: session.sourceIdentity } : {}),
    ...(session.sessionTags?.length ? { sessionTags: session.sessionTags } : {}),
    ...(session.transitiveTagKeys?.length ? { transitiveTagKeys: session.transitiveTagKeys } : {}),
  };
}

const NAMESPACE = 'sts-sessions';
/** Sessions are kept this long past expiry, so a late request gets ExpiredToken, not an unknown key. */
const KEEP_EXPIRED_MS = 24 * 3600 * 1000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compact no more often than this many appends, however few sessions are live. */
const MIN_APPENDS_BEFORE_COMPACTION = 1000;

export class SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();
  private appendsSinceCompaction = 0;

  constructor(private readonly store: StateStore, private readonly now: () => Date) {
    for (const s of store.readRecords<SessionRecord>(NAMESPACE)) this.sessions.set(s.accessKeyId, s);
    this.compact();
  }

  get(accessKeyId: string): SessionRecord | undefined {
    return this.sessions.get(accessKeyId);
  }

  put(session: SessionRecord): void {
    this.sessions.set(session.accessKeyId, session);
    this.store.appendRecord(NAMESPACE, session);
    this.appendsSinceCompaction += 1;
    if (this.appendsSinceCompaction >= Math.max(MIN_APPENDS_BEFORE_COMPACTION, this.sessions.size)) this.compact();
  }

  /** Drop sessions long expired and rewrite the journal with the rest. */
  private compact(): void {
    const cutoff = this.now().getTime() - KEEP_EXPIRED_MS;
    for (const [key, s] of this.sessions) if (Date.parse(s.expiration) < cutoff) this.sessions.delete(key);
    this.store.rewriteRecords(NAMESPACE, [...this.sessions.values()]);
    this.appendsSinceCompaction = 0;
  }
}
