// ---------------------------------------------------------------------------
// Who signed a request: the access key's owner (an account root, an IAM user, or a role
// session), after the signature, the session token and the session's expiry are checked.
// Temporary credentials need their session token: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_use-resources.html
// ---------------------------------------------------------------------------
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Principal, ServiceName } from '../contracts';
import { rootPrincipal, type AccountDirectory } from '../core/accounts';
import { sigv4Error, verifySignature, type ParsedAuthorization, type ReceivedRequest } from '../core/sigv4';
import type { IamView } from '../iam/store';
import { hashToken, sessionAttributesOf, type SessionStore } from '../sts/sessions';

/**
 * Who a request claims to be, from its headers alone: a known access key (with its session token
 * when temporary). The signature, which covers the body's hash, is checked once the body is read.
 */
export interface Claimed {
  /** Verify the signature over the request as received, then the session's expiry: the caller. */
  verify(req: ReceivedRequest): Promise<Principal>;
}

export interface Authenticator {
  /** From the headers only, before any body is read: throws for an unknown key or token. */
  identify(headers: IncomingHttpHeaders, auth: ParsedAuthorization, service: ServiceName): Claimed;
  authenticate(req: ReceivedRequest, auth: ParsedAuthorization, service: ServiceName): Promise<Principal>;
}

export interface AuthenticatorDeps {
  readonly accounts: AccountDirectory;
  /** IAM as the services see it (IamStore.propagated()): with a propagation delay, a new access
   *  key or user is not known yet, and a deleted one still is, for that long. */
  readonly iam: () => IamView;
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
  function identify(headers: IncomingHttpHeaders, auth: ParsedAuthorization, service: ServiceName): Claimed {
    const tokenHeader = headers['x-amz-security-token'];
    const token = typeof tokenHeader === 'string' ? tokenHeader : undefined;

    // Long-term keys: an account's root keys, or an IAM user's active access key.
    const root = deps.accounts.rootByAccessKey(auth.accessKeyId);
    const iam = root ? undefined : deps.iam();
    const userKey = iam?.accessKey(auth.accessKeyId);
    if (root || userKey) {
      if (token !== undefined) throw sigv4Error(service, 'unknownKey');
      if (userKey && userKey.status !== 'Active') throw sigv4Error(service, 'unknownKey');
      const secret = root ? root.secretAccessKey : userKey!.secretAccessKey;
      return {
        async verify(req) {
          await verifySignature(req, auth, service, secret, new Date());
          if (root) return rootPrincipal(root);
          const user = iam!.user(userKey!.accountId, userKey!.userName);
          if (!user) throw sigv4Error(service, 'unknownKey');
          return { kind: 'user', accountId: userKey!.accountId, arn: user.arn, userId: user.userId, accessKeyId: auth.accessKeyId };
        },
      };
    }

    // Temporary keys: the session token must be the one issued with them, and still valid.
    const session = deps.sessions.get(auth.accessKeyId);
    if (!session || token === undefined || !sameHash(hashToken(token), session.sessionTokenSha256)) throw sigv4Error(service, 'unknownKey');
    return {
      async verify(req) {
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
  return {
    identify,
    async authenticate(req, auth, service) {
      return identify(req.headers, auth, service).verify(req);
    },
  };
}
