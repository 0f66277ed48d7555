// ---------------------------------------------------------------------------
// Policies as data. Each policy of the project is built in exactly one function here and used
// by both the stacks (synthesized into Terraform) and the Lambdas (sent to STS at run time), so
// there is one definition of each. Pure: no cdktf, no SDK, so the Lambda bundles can import it.
// ---------------------------------------------------------------------------
import { functionArn, logGroupArns, prefixedRoleArnPattern } from './naming';

export type ConditionBlock = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: { AWS?: string | string[]; Service?: string | string[] } | '*';
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: ConditionBlock;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

/** Thrown when a policy would be built from inputs that make it unsafe or invalid. */
export class PolicyInputError extends Error {
  readonly code = 'PolicyInput';
  constructor(message: string) {
    super(message);
    this.name = 'PolicyInputError';
  }
}

/** AWS caps an inline session policy at 2,048 characters of plaintext; the Lambdas refuse a
 *  larger one before calling STS (lambda/shared/assume-role-input.ts).
 *  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (Policy) */
export const SESSION_POLICY_MAX_CHARS = 2048;

function nonEmpty<T>(items: readonly T[], what: string): T[] {
  if (items.length === 0) throw new PolicyInputError(`${what} must not be empty`);
  return [...items]; // a copy: never hand a caller's array to a document we may serialize later
}

function oneOrMany(items: string[]): string | string[] {
  return items.length === 1 ? items[0] : items;
}

// ---------------------------------------------------------------------------
// Trust policy (customer role): only the vendor's principals, only with the external ID.
// ---------------------------------------------------------------------------

export interface CrossAccountTrustProps {
  /** Vendor principals allowed to assume the role: role ARNs or an account root ARN. */
  readonly vendorPrincipalArns: readonly string[];
  /** Accepted external IDs: the current one and, during a rotation, the previous one. Never empty. */
  readonly externalIds: readonly string[];
}

/**
 * The customer role's trust policy. The `sts:ExternalId` condition is added here, once, to the
 * only statement; an empty external-ID list is refused, because a trust without it is exactly
 * the confused-deputy hole this project exists to close.
 */
export function crossAccountTrustPolicy(props: CrossAccountTrustProps): PolicyDocument {
  const principals = nonEmpty(props.vendorPrincipalArns, 'vendorPrincipalArns');
  const externalIds = nonEmpty(props.externalIds, 'externalIds');
  if (new Set(externalIds).size !== externalIds.length) throw new PolicyInputError('externalIds must not repeat');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TrustSidecarVendorWithExternalId',
        Effect: 'Allow',
        Principal: { AWS: oneOrMany(principals) },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': oneOrMany(externalIds) } },
      },
    ],
  };
}

/** Trust for a Lambda execution role: only the Lambda service, only for functions of this account. */
export function lambdaServiceTrustPolicy(accountId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'TrustLambdaServiceOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'lambda.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  };
}

// ---------------------------------------------------------------------------
// Connector / vend execution-role permissions (vendor account).
// ---------------------------------------------------------------------------

export interface AssumePrefixedRolesProps {
  readonly rolePrefix: string;
  /** Customer accounts the role may reach, or `'*'` for dynamic onboarding (vendor's guide default). */
  readonly accountIds: readonly string[] | '*';
}

/** `sts:AssumeRole` on the prefixed roles only, in the configured accounts or in any. */
export function assumePrefixedRolesPolicy(props: AssumePrefixedRolesProps): PolicyDocument {
  const resources = props.accountIds === '*'
    ? [prefixedRoleArnPattern('*', props.rolePrefix)]
    : nonEmpty(props.accountIds, 'accountIds').map((id) => prefixedRoleArnPattern(id, props.rolePrefix));
  if (props.rolePrefix.length === 0) throw new PolicyInputError('rolePrefix must not be empty');
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AssumeSidecarConnectorRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: oneOrMany(resources) },
    ],
  };
}

/** Writing its own CloudWatch log group, nothing more: what every Lambda execution role needs. */
export function functionLogsPolicy(region: string, accountId: string, functionName: string): PolicyDocument {
  const { group, streams } = logGroupArns(region, accountId, functionName);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CreateOwnLogGroup', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: group },
      { Sid: 'WriteOwnLogStreams', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: streams },
    ],
  };
}

// ---------------------------------------------------------------------------
// Invoke policy (customer role) and session policy (what the connector and vend send to STS).
// ---------------------------------------------------------------------------

/** The statement both policies below are made of: invoke these functions (never empty), nothing else. */
function invokeFunctionsStatement(sid: string, functionArns: readonly string[]): PolicyStatement {
  return { Sid: sid, Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: oneOrMany(nonEmpty(functionArns, 'functionArns')) };
}

/** The customer role's permissions: invoke the customer's sidecar functions, only those. */
export function invokeFunctionsPolicy(functionArns: readonly string[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: [invokeFunctionsStatement('InvokeSidecarFunctions', functionArns)] };
}

/**
 * The inline session policy: scopes temporary credentials down to invoking exactly these
 * functions. The effective permissions are the intersection of this and the role's policy.
 */
export function scopedInvokeSessionPolicy(functionArns: readonly string[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: [invokeFunctionsStatement('InvokeOnlyTheTargetFunction', functionArns)] };
}

export { functionArn };
