// ---------------------------------------------------------------------------
// Issuing role sessions: AssumeRole by a caller, and a service principal (Lambda) assuming an
// execution role. Both go through the role's trust policy and the same evaluator; both return
// real temporary credentials that the server accepts until they expire.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_compare-resource-policies.html
// ---------------------------------------------------------------------------
import { AwsError, type ContextValue, type PolicyDocumentJson, type Principal, type TemporaryCredentials } from '../contracts';
import { decideRequest } from '../iam/authorize';
import { secretAccessKey, sessionToken, uniqueId } from '../core/ids';
import { accessDeniedMessage, evaluate, validatePolicyDocument } from '../iam/policy-evaluator';
import type { IamView, RoleRecord } from '../iam/store';
import { bareDenial, stsAccessDenied } from './access-denied';
import { hashToken, type SessionStore } from './sessions';
import { checkPackedSize, packedPolicySize, requestTagContext, resolveSessionTags, roleTagContext, type SessionTags } from './session-tags';
import { resolveSourceIdentity } from './source-identity';
import {
  checkDurationForRole, checkDurationSeconds, checkExternalId, checkRoleArn, checkRoleSessionName, checkSessionPolicySize, checkSessionTags, checkSourceIdentity,
  checkTransitiveTagKeys, type SessionTagInput,
} from './validation';

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly externalId?: string;
  readonly durationSeconds?: number;
  readonly policy?: string;
  readonly sourceIdentity?: string;
  /** Session tags to pass. @default none */
  readonly tags?: readonly SessionTagInput[];
  /** Keys of `tags` to pass on to chained sessions. @default none */
  readonly transitiveTagKeys?: readonly string[];
}

export interface IssuedSession {
  readonly credentials: TemporaryCredentials;
  readonly assumedRoleId: string;
  readonly assumedRoleArn: string;
  /** Percentage of the allotted space the session policy and session tags use (AWS's PackedPolicySize). */
  readonly packedPolicySize?: number;
  /** The session's source identity, set now or carried on from the calling session. */
  readonly sourceIdentity?: string;
}

/** What a session carries besides its role: source identity and session tags. */
interface SessionAttributes {
  readonly sourceIdentity?: string;
  readonly tags?: SessionTags;
}

/** Lambda execution-role sessions last as long as a sandbox may live (12 hours). */
const SERVICE_SESSION_SECONDS = 43200;

/** The trust a missing role is evaluated with: no statement, so nobody is trusted. */
const TRUSTS_NOBODY: PolicyDocumentJson = { Version: '2012-10-17', Statement: [] };

export class RoleSessionIssuer {
  /** `iam` answers IAM as STS sees it now (IamStore.propagated()): with a propagation delay, a role
   *  created, deleted or re-trusted a moment ago is still the role it was. */
  constructor(private readonly iam: () => IamView, private readonly sessions: SessionStore, private readonly now: () => Date) {}

  /**
   * sts:AssumeRole by a signed-in caller. Validation first; then the trust policy for sts:AssumeRole,
   * and, when the new session gets a source identity or session tags, for sts:SetSourceIdentity and
   * sts:TagSession as well (each a permission of its own, on both sides across accounts); then the duration.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-perms
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
   */
  assumeRole(caller: Principal, input: AssumeRoleInput): IssuedSession {
    checkRoleArn(input.roleArn);
    checkRoleSessionName(input.roleSessionName);
    if (input.externalId !== undefined) checkExternalId(input.externalId);
    const duration = input.durationSeconds ?? 3600;
    checkDurationSeconds(duration);
    if (input.sourceIdentity !== undefined) checkSourceIdentity(input.sourceIdentity);
    const passedTags = input.tags ?? [];
    const passedTransitive = input.transitiveTagKeys ?? [];
    checkSessionTags(passedTags);
    checkTransitiveTagKeys(passedTransitive, passedTags);
    let sessionPolicy: PolicyDocumentJson | undefined;
    if (input.policy !== undefined) {
      checkSessionPolicySize(input.policy);
      sessionPolicy = validatePolicyDocument(input.policy, 'session');
    }
    const packedSize = packedPolicySize(input.policy, passedTags);
    checkPackedSize(packedSize, passedTags);

    // Root keys cannot assume roles. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html
    if (caller.kind === 'root') throw new AwsError('AccessDenied', 'Roles may not be assumed by root accounts.', 403);
    const tags = resolveSessionTags(caller, passedTags, passedTransitive);
    const sourceIdentity = resolveSourceIdentity(caller, input.sourceIdentity);
    // The calling session's own fact, refused before the role is looked at (so it tells nothing about the role).
    if (sourceIdentity.kind === 'conflict') throw new AwsError('AccessDenied', bareDenial(caller.arn, 'sts:SetSourceIdentity', input.roleArn), 403);

    // A role that does not exist (or not yet, for STS) is evaluated as one whose trust allows nobody:
    // the caller's own side is checked the same way and the role's side refuses with the same words,
    // status and work. One view for the whole call: the role, its trust and the caller's policies.
    const iam = this.iam();
    const role = iam.roleByArn(input.roleArn);
    const trust = role ? JSON.parse(role.assumeRolePolicyDocument) as PolicyDocumentJson : TRUSTS_NOBODY;
    // One request context for the three permissions: sts:SourceIdentity is present while it is set or
    // carried on (aws:SourceIdentity of a calling session comes with the global keys).
    const context: Record<string, ContextValue> = {
      ...roleTagContext(role?.tags ?? []),
      ...requestTagContext(passedTags, passedTransitive),
      'sts:RoleSessionName': input.roleSessionName,
      ...(input.externalId !== undefined ? { 'sts:ExternalId': input.externalId } : {}),
      ...(sourceIdentity.kind === 'set' ? { 'sts:SourceIdentity': sourceIdentity.value } : {}),
    };
    const permit = (action: string) => {
      const decision = decideRequest(iam, this.now(), {
        principal: caller, action, resource: input.roleArn, resourceAccountId: input.roleArn.split(':')[4],
        resourcePolicy: trust, resourcePolicyKind: 'trust', context,
      });
      if (decision.decision !== 'Allow' || !role) throw stsAccessDenied(caller.arn, action, input.roleArn, decision);
      return role;
    };

    const assumable = permit('sts:AssumeRole');
    if (sourceIdentity.kind === 'set') permit('sts:SetSourceIdentity');
    if (tags.tagging) permit('sts:TagSession');

    const chained = caller.kind === 'assumed-role';
    checkDurationForRole(duration, assumable.maxSessionDuration, chained);
    const attributes: SessionAttributes = { ...(sourceIdentity.kind === 'set' ? { sourceIdentity: sourceIdentity.value } : {}), ...(tags.tagging ? { tags } : {}) };
    const issued = this.issue(assumable, input.roleSessionName, duration, sessionPolicy, chained, attributes);
    return {
      ...issued,
      ...(packedSize !== undefined ? { packedPolicySize: packedSize } : {}),
      ...(attributes.sourceIdentity !== undefined ? { sourceIdentity: attributes.sourceIdentity } : {}),
    };
  }

  /** A service principal (e.g. lambda.amazonaws.com) assuming a role for a resource of `sourceAccount`. */
  assumeRoleAsService(roleArn: string, servicePrincipal: string, source: { sourceAccount: string; sourceArn: string }, sessionName: string): TemporaryCredentials {
    const role = this.iam().roleByArn(roleArn);
    const refusal = (message: string) => new AwsError('AccessDenied', message, 403);
    if (!role) throw refusal(`User: ${servicePrincipal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    const now = this.now();
    const decision = evaluate({
      principal: { kind: 'service', accountId: source.sourceAccount, arn: servicePrincipal, servicePrincipal },
      action: 'sts:AssumeRole',
      resource: role.arn,
      resourceAccountId: accountOf(role),
      identityPolicies: [],
      resourcePolicy: JSON.parse(role.assumeRolePolicyDocument) as PolicyDocumentJson,
      resourcePolicyKind: 'trust',
      // Keys a service adds when it acts for a resource: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceaccount
      context: {
        'aws:SourceAccount': source.sourceAccount,
        'aws:SourceArn': source.sourceArn,
        'aws:PrincipalIsAWSService': true,
        'aws:PrincipalServiceName': servicePrincipal,
        'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
        'aws:SecureTransport': false,
        'sts:RoleSessionName': sessionName,
      },
    });
    if (decision.decision !== 'Allow') throw refusal(accessDeniedMessage(servicePrincipal, 'sts:AssumeRole', role.arn, decision));
    checkRoleSessionName(sessionName);
    return this.issue(role, sessionName, SERVICE_SESSION_SECONDS, undefined, false).credentials;
  }

  private issue(role: RoleRecord, sessionName: string, durationSeconds: number, sessionPolicy: PolicyDocumentJson | undefined, chained: boolean, attributes: SessionAttributes = {}): IssuedSession {
    const now = this.now();
    // Expiration is whole seconds, as STS reports it.
    const expiration = new Date(Math.floor(now.getTime() / 1000) * 1000 + durationSeconds * 1000);
    const token = sessionToken();
    const credentials: TemporaryCredentials = { accessKeyId: uniqueId('ASIA'), secretAccessKey: secretAccessKey(), sessionToken: token, expiration };
    const accountId = accountOf(role);
    this.sessions.put({
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionTokenSha256: hashToken(token),
      accountId,
      roleArn: role.arn,
      roleId: role.roleId,
      roleName: role.roleName,
      sessionName,
      issuedAt: now.toISOString(),
      expiration: expiration.toISOString(),
      chained,
      ...(sessionPolicy ? { sessionPolicy } : {}),
      ...(attributes.sourceIdentity !== undefined ? { sourceIdentity: attributes.sourceIdentity } : {}),
      ...(attributes.tags ? { sessionTags: attributes.tags.tags.map((t) => ({ Key: t.Key, Value: t.Value })), transitiveTagKeys: attributes.tags.transitiveTagKeys } : {}),
    });
    return {
      credentials,
      assumedRoleId: `${role.roleId}:${sessionName}`,
      assumedRoleArn: `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${sessionName}`,
    };
  }
}

function accountOf(role: RoleRecord): string {
  return role.arn.split(':')[4];
}
