// ---------------------------------------------------------------------------
// Who signed a request: the access key's owner (an account root, an IAM user, or a role
// session), after the signature, the session token and the session's expiry are checked.
// Temporary credentials need their session token: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html
// ---------------------------------------------------------------------------
import { timingSafeEqual } from 'node:crypto';
import type { Principal, ServiceName } from '../contracts';
import { rootPrincipal, type AccountDirectory } from '../core/accounts';
import { sigv4Error, verifySignature, type ParsedAuthorization, type ReceivedRequest } from '../core/sigv4';
import type { IamStore } from '../iam/store';
import { hashToken, sessionAttributesOf, type SessionStore } from '../sts/sessions';

export interface Authenticator {
  authenticate(req: ReceivedRequest, auth: ParsedAuthorization, service: ServiceName): Promise<Principal>;
}

export interface AuthenticatorDeps {
  readonly accounts: AccountDirectory;
  readonly iam: IamStore;
  readonly sessions: SessionStore;
  /** The local cloud's clock (decides session expiry). */
  readonly now: () => Date;
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  return {
    async authenticate(req, auth, service) {
      const tokenHeader = req.headers['x-amz-security-token'];
      const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;

      // Long-term keys: an account's root keys, or an IAM user's active access key.
      const root = deps.accounts.rootByAccessKey(auth.accessKeyId);
      const userKey = root ? undefined : deps.iam.accessKey(auth.accessKeyId);
      if (root || userKey) {
        if (token !== undefined) throw sigv4Error(service, 'unknownKey');
        if (userKey && userKey.status !== 'Active') throw sigv4Error(service, 'unknownKey');
        const secret = root ? root.secretAccessKey : userKey!.secretAccessKey;
        await verifySignature(req, auth, service, secret, new Date());
        if (root) return rootPrincipal(root);
        const user = deps.iam.user(userKey!.accountId, userKey!.userName);
        if (!user) throw sigv4Error(service, 'unknownKey');
        return { kind: 'user', accountId: userKey!.accountId, arn: user.arn, userId: user.userId, accessKeyId: auth.accessKeyId };
      }

      // Temporary keys: the session token must be the one issued with them, and still valid.
      const session = deps.sessions.get(auth.accessKeyId);
      if (!session || token === undefined || !sameHash(hashToken(token), session.sessionTokenSha256)) throw sigv4Error(service, 'unknownKey');
      await verifySignature(req, auth, service, session.secretAccessKey, new Date());
      if (Date.parse(session.expiration) <= deps.now().getTime()) throw sigv4Error(service, 'expired');
      return {
        kind: 'assumed-role',
        accountId: session.accountId,
        arn: `arn:aws:sts::${session.accountId}:assumed-role/${session.roleName}/${session.sessionName}`,
        userId: `${session.roleId}:${session.sessionName}`,
        accessKeyId: auth.accessKeyId,
        roleArn: session.roleArn,
        sessionExpiresAt: new Date(session.expiration),
        chained: session.chained,
        ...(session.sessionPolicy ? { sessionPolicy: session.sessionPolicy } : {}),
        ...sessionAttributesOf(session),
      };
    },
  };
}
