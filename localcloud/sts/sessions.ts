// ---------------------------------------------------------------------------
// Role sessions issued by AssumeRole: persisted so their credentials are accepted after a
// restart. The session token itself is never stored, only its SHA-256, so the state file cannot
// be replayed as a credential. Expired sessions are pruned when a new one is written.
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import type { PolicyDocumentJson, StateStore } from '../contracts';

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
}

const NAMESPACE = 'sts-sessions';
/** Sessions are kept this long past expiry, so a late request gets ExpiredToken, not an unknown key. */
const KEEP_EXPIRED_MS = 24 * 3600 * 1000;

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class SessionStore {
  private readonly sessions: Record<string, SessionRecord>;

  constructor(private readonly store: StateStore, private readonly now: () => Date) {
    this.sessions = store.read<Record<string, SessionRecord>>(NAMESPACE) ?? {};
  }

  get(accessKeyId: string): SessionRecord | undefined {
    return this.sessions[accessKeyId];
  }

  put(session: SessionRecord): void {
    const cutoff = this.now().getTime() - KEEP_EXPIRED_MS;
    for (const [key, s] of Object.entries(this.sessions)) if (Date.parse(s.expiration) < cutoff) delete this.sessions[key];
    this.sessions[session.accessKeyId] = session;
    this.store.write(NAMESPACE, this.sessions);
  }
}
