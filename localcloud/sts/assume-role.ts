// ---------------------------------------------------------------------------
// Issuing role sessions: AssumeRole by a caller, and a service principal (Lambda) assuming an
// execution role. Both go through the role's trust policy and the same evaluator; both return
// real temporary credentials that the server accepts until they expire.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_compare-resource-policies.html
// ---------------------------------------------------------------------------
import { AwsError, type ContextValue, type PolicyDocumentJson, type Principal, type TemporaryCredentials } from '../contracts';
import { decideRequest } from '../core/authorize';
import { secretAccessKey, sessionToken, uniqueId } from '../core/ids';
import { accessDeniedMessage, evaluate, validatePolicyDocument } from '../iam/policy-evaluator';
import type { IamStore, RoleRecord } from '../iam/store';
import { stsAccessDenied } from './access-denied';
import { hashToken, type SessionStore } from './sessions';
import { checkDurationForRole, checkDurationSeconds, checkExternalId, checkRoleArn, checkRoleSessionName, checkSessionPolicySize } from './validation';

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly roleSessionName: string;
  readonly externalId?: string;
  readonly durationSeconds?: number;
  readonly policy?: string;
}

export interface IssuedSession {
  readonly credentials: TemporaryCredentials;
  readonly assumedRoleId: string;
  readonly assumedRoleArn: string;
  /** Percentage of the allowed size the session policy uses (AWS's PackedPolicySize). */
  readonly packedPolicySize?: number;
}

/** Lambda execution-role sessions last as long as a sandbox may live (12 hours). */
const SERVICE_SESSION_SECONDS = 43200;

/** The trust a missing role is evaluated with: no statement, so nobody is trusted. */
const TRUSTS_NOBODY: PolicyDocumentJson = { Version: '2012-10-17', Statement: [] };

export class RoleSessionIssuer {
  constructor(private readonly iam: IamStore, private readonly sessions: SessionStore, private readonly now: () => Date) {}

  /** sts:AssumeRole by a signed-in caller. Validation first, then the trust policy, then the duration. */
  assumeRole(caller: Principal, input: AssumeRoleInput): IssuedSession {
    checkRoleArn(input.roleArn);
    checkRoleSessionName(input.roleSessionName);
    if (input.externalId !== undefined) checkExternalId(input.externalId);
    const duration = input.durationSeconds ?? 3600;
    checkDurationSeconds(duration);
    let sessionPolicy: PolicyDocumentJson | undefined;
    if (input.policy !== undefined) {
      checkSessionPolicySize(input.policy);
      sessionPolicy = validatePolicyDocument(input.policy, 'session');
    }

    // Root keys cannot assume roles. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-api.html
    if (caller.kind === 'root') throw new AwsError('AccessDenied', 'Roles may not be assumed by root accounts.', 403);
    // A role that does not exist is evaluated as one whose trust allows nobody: the caller's own side
    // is checked the same way and the role's side refuses with the same words, status and work.
    const role = this.iam.roleByArn(input.roleArn);
    const trust = role ? JSON.parse(role.assumeRolePolicyDocument) as PolicyDocumentJson : TRUSTS_NOBODY;

    const context: Record<string, ContextValue> = { 'sts:RoleSessionName': input.roleSessionName };
    if (input.externalId !== undefined) context['sts:ExternalId'] = input.externalId;
    const decision = decideRequest(this.iam, this.now(), {
      principal: caller, action: 'sts:AssumeRole', resource: input.roleArn, resourceAccountId: input.roleArn.split(':')[4],
      resourcePolicy: trust, resourcePolicyKind: 'trust', context,
    });
    if (decision.decision !== 'Allow' || !role) throw stsAccessDenied(caller.arn, 'sts:AssumeRole', input.roleArn, decision);

    const chained = caller.kind === 'assumed-role';
    checkDurationForRole(duration, role.maxSessionDuration, chained);
    const issued = this.issue(role, input.roleSessionName, duration, sessionPolicy, chained);
    return input.policy !== undefined ? { ...issued, packedPolicySize: Math.max(1, Math.ceil((input.policy.length / 2048) * 100)) } : issued;
  }

  /** A service principal (e.g. lambda.amazonaws.com) assuming a role for a resource of `sourceAccount`. */
  assumeRoleAsService(roleArn: string, servicePrincipal: string, source: { sourceAccount: string; sourceArn: string }, sessionName: string): TemporaryCredentials {
    const role = this.iam.roleByArn(roleArn);
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

  private issue(role: RoleRecord, sessionName: string, durationSeconds: number, sessionPolicy: PolicyDocumentJson | undefined, chained: boolean): IssuedSession {
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
