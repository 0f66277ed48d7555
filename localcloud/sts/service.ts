// ---------------------------------------------------------------------------
// The STS service (query protocol, API version 2011-06-15): GetCallerIdentity and AssumeRole.
// Anything else answers InvalidAction (400).
// https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html
// ---------------------------------------------------------------------------
import { AwsError, type Service, type ServiceContext, type ServiceRequest, type ServiceResponse } from '../contracts';
import { QueryParams, queryResponse } from '../core/query';
import { invalidAction } from '../iam/service';
import type { RoleSessionIssuer } from './assume-role';
import type { SessionTagInput } from './validation';

export const STS_OPERATIONS = ['GetCallerIdentity', 'AssumeRole'] as const;

/** STS timestamps: ISO 8601 without milliseconds. */
const stsDate = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * AssumeRole parameters the local cloud does not implement. Ignoring them would hand out wider
 * (PolicyArns) or differently checked (MFA) sessions than asked for, so they are refused instead.
 */
const UNSUPPORTED_ASSUME_ROLE_PARAMETERS = ['PolicyArns', 'SerialNumber', 'TokenCode', 'ProvidedContexts'];

/** `Tags.member.N.Key` / `.Value`, N from 1 without gaps; both members are required. */
function sessionTags(params: QueryParams): SessionTagInput[] {
  const tags: SessionTagInput[] = [];
  for (let i = 1; ; i++) {
    const key = params.optional(`Tags.member.${i}.Key`);
    const value = params.optional(`Tags.member.${i}.Value`);
    if (key === undefined && value === undefined) return tags;
    if (key === undefined) throw missingMember(`tags.${i}.member.key`);
    if (value === undefined) throw missingMember(`tags.${i}.member.value`);
    tags.push({ Key: key, Value: value });
  }
}

function missingMember(field: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
}

function refuseUnsupported(params: QueryParams): void {
  const used = params.names().map((name) => name.split('.')[0]).find((root) => UNSUPPORTED_ASSUME_ROLE_PARAMETERS.includes(root));
  if (used) {
    throw new AwsError('InvalidParameterValue', `The local cloud does not implement AssumeRole's ${used} parameter; pass an inline Policy instead, or use real AWS.`);
  }
}

export function createStsService(issuer: RoleSessionIssuer): Service {
  return {
    async handle(req: ServiceRequest, _ctx: ServiceContext): Promise<ServiceResponse> {
      const params = QueryParams.from(req.body, req.query);
      const p = req.principal;
      switch (params.action) {
        // No permission is needed, and an explicit deny does not stop it.
        // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
        case 'GetCallerIdentity':
          return queryResponse('sts', 'GetCallerIdentity', { UserId: p.userId, Account: p.accountId, Arn: p.arn }, req.requestId);
        case 'AssumeRole': {
          refuseUnsupported(params);
          const session = issuer.assumeRole(p, {
            roleArn: params.required('RoleArn'),
            roleSessionName: params.required('RoleSessionName'),
            externalId: params.optional('ExternalId'),
            durationSeconds: params.optionalInt('DurationSeconds'),
            policy: params.optional('Policy'),
            sourceIdentity: params.optional('SourceIdentity'),
            tags: sessionTags(params),
            transitiveTagKeys: params.list('TransitiveTagKeys'),
          });
          return queryResponse('sts', 'AssumeRole', {
            Credentials: {
              AccessKeyId: session.credentials.accessKeyId,
              SecretAccessKey: session.credentials.secretAccessKey,
              SessionToken: session.credentials.sessionToken,
              Expiration: stsDate(session.credentials.expiration),
            },
            AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.assumedRoleArn },
            ...(session.packedPolicySize !== undefined ? { PackedPolicySize: session.packedPolicySize } : {}),
            ...(session.sourceIdentity !== undefined ? { SourceIdentity: session.sourceIdentity } : {}),
          }, req.requestId);
        }
        default:
          throw invalidAction(params.action);
      }
    },
  };
}
