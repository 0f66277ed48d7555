// ---------------------------------------------------------------------------
// Policies as data. Each policy of the project is built in exactly one function here and used
// by both the stacks (synthesized into Terraform) and the Lambdas (sent to STS at run time), so
// there is one definition of each. Pure: no cdktf, no SDK, so the Lambda bundles can import it.
// ---------------------------------------------------------------------------
import { ACCOUNT_ID_PATTERN, accountRootArn, functionArn, logGroupArns, parseRoleArn, prefixedRoleArnPattern, tenantIdProblem } from './naming';

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
// Trust policy (customer role): only the vendor's roles, only with the external ID, only for
// this customer's tenants.
// ---------------------------------------------------------------------------

/** The trust's only statement; verify (scripts/verify/) and the tests find it by this Sid. */
export const CROSS_ACCOUNT_TRUST_SID = 'TrustSidecarVendorWithExternalIdForItsTenants';

/** What the customer's trust lets the vendor do: assume the role, and set the tenant as the
 *  session's source identity (a permission of its own, which the trust must grant). */
export const CROSS_ACCOUNT_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity'] as const;

export interface CrossAccountTrustProps {
  /** The vendor's account. The trust's principal is this account (`arn:aws:iam::<id>:root`), never a role ARN: see below. */
  readonly vendorAccountId: string;
  /**
   * The vendor's execution roles allowed in, matched by ARN with `ArnEquals aws:PrincipalArn`
   * (trustPrincipal "role", the default). Omitted: any principal of the vendor account that the
   * vendor's own policies let assume the role (trustPrincipal "account", the vendor's published sample).
   */
  readonly vendorRoleArns?: readonly string[];
  /** Accepted external IDs: the current one and, during a rotation, the previous one. Never empty. */
  readonly externalIds: readonly string[];
  /** This customer's tenant IDs, which the connector and vend send as SourceIdentity. Never empty. */
  readonly tenantIds: readonly string[];
}

/**
 * The customer role's trust policy: one statement, whose conditions are all required at once.
 *
 * Principal: the vendor's account, with the execution roles named in `ArnEquals aws:PrincipalArn`.
 * A role ARN in `Principal` is stored by IAM as the role's unique ID (AROA...): once the vendor
 * deletes and re-creates its role (cdktf destroy + deploy vendor, or any replacement), the trust
 * names a role that no longer exists, refuses the new one, and GetRole shows the bare ID. IAM does
 * not convert ARNs in condition keys to IDs, so a trust granted through aws:PrincipalArn keeps
 * working for a re-created role of the same name. This is the alternative AWS gives in
 * "IAM role principals": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
 * For a role session, aws:PrincipalArn is the role's ARN, not the session's:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
 * An account principal lets in only the principals the vendor account's own policies allow
 * (cross-account, both sides must allow), and the condition narrows that to the execution roles:
 * another principal of the vendor account, even one allowed sts:AssumeRole on `*`, is refused.
 *
 * `sts:ExternalId`: the confused-deputy guard, one of the customer's IDs. An empty list is
 * refused, because a trust without it is exactly the hole this project exists to close.
 *
 * `sts:SourceIdentity`: a second, independent guard. The statement allows sts:AssumeRole and
 * sts:SetSourceIdentity and requires the source identity to be one of this customer's tenants; a
 * request without a source identity has no sts:SourceIdentity key, so StringEquals fails and it is
 * refused. "Monitor and control actions taken with assumed roles", permissions required to set source identity:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-perms
 */
export function crossAccountTrustPolicy(props: CrossAccountTrustProps): PolicyDocument {
  if (!ACCOUNT_ID_PATTERN.test(props.vendorAccountId)) throw new PolicyInputError('vendorAccountId must be a 12-digit account ID');
  const externalIds = nonEmpty(props.externalIds, 'externalIds');
  if (new Set(externalIds).size !== externalIds.length) throw new PolicyInputError('externalIds must not repeat');
  const tenantIds = nonEmpty(props.tenantIds, 'tenantIds');
  if (new Set(tenantIds).size !== tenantIds.length) throw new PolicyInputError('tenantIds must not repeat');
  for (const id of tenantIds) {
    const problem = tenantIdProblem(id);
    if (problem) throw new PolicyInputError(`tenantIds: "${id}": ${problem}`);
  }
  let roleCondition: ConditionBlock = {};
  if (props.vendorRoleArns !== undefined) {
    const roles = nonEmpty(props.vendorRoleArns, 'vendorRoleArns');
    for (const arn of roles) {
      if (arn.includes('*') || arn.includes('?')) throw new PolicyInputError(`vendorRoleArns: ${arn} has a wildcard; name each execution role exactly`);
      const role = parseRoleArn(arn);
      if (!role || role.accountId !== props.vendorAccountId) {
        throw new PolicyInputError(`vendorRoleArns: ${arn} is not a role of the vendor account ${props.vendorAccountId}; the trust would never match it`);
      }
    }
    if (new Set(roles).size !== roles.length) throw new PolicyInputError('vendorRoleArns must not repeat');
    roleCondition = { ArnEquals: { 'aws:PrincipalArn': oneOrMany(roles) } };
  }
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: CROSS_ACCOUNT_TRUST_SID,
        Effect: 'Allow',
        Principal: { AWS: accountRootArn(props.vendorAccountId) },
        Action: [...CROSS_ACCOUNT_TRUST_ACTIONS],
        Condition: {
          StringEquals: { 'sts:ExternalId': oneOrMany(externalIds), 'sts:SourceIdentity': oneOrMany(tenantIds) },
          ...roleCondition,
        },
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

/**
 * `sts:AssumeRole` on the prefixed roles only, in the configured accounts or in any; and
 * `sts:SetSourceIdentity` on the same roles, because the connector and vend set the tenant as the
 * SourceIdentity of every AssumeRole, and across accounts that permission is checked on the
 * caller's side as well as in the customer's trust.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-perms
 */
export function assumePrefixedRolesPolicy(props: AssumePrefixedRolesProps): PolicyDocument {
  const resources = props.accountIds === '*'
    ? [prefixedRoleArnPattern('*', props.rolePrefix)]
    : nonEmpty(props.accountIds, 'accountIds').map((id) => prefixedRoleArnPattern(id, props.rolePrefix));
  if (props.rolePrefix.length === 0) throw new PolicyInputError('rolePrefix must not be empty');
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AssumeSidecarConnectorRoles', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: oneOrMany(resources) },
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
// Reading the tenant registry (connector and vend execution roles, vendor account).
// ---------------------------------------------------------------------------

/** Which items of the registry table a reader may get, by the prefix of their key (rules/registry-item.ts). */
export type RegistryItemKind = 'tenant' | 'vend-caller';
const REGISTRY_KEY_PATTERNS: Readonly<Record<RegistryItemKind, string>> = { tenant: 'tenant#*', 'vend-caller': 'vend-caller#*' };

export interface RegistryReadProps {
  /** The registry table's ARN (rules/naming.ts, dynamodbTableArn). */
  readonly tableArn: string;
  /** The kinds of item the role reads: the connector `tenant`, vend `tenant` and `vend-caller`.
   *  Never the external-ID reservations, which only the onboarding commands need. */
  readonly itemKinds: readonly RegistryItemKind[];
}

/**
 * `dynamodb:GetItem` on the registry table only (no index, no Scan or Query: a Lambda reads one
 * tenant by its key), and only on the items of the named kinds: `dynamodb:LeadingKeys` holds the
 * partition key of the request, and `ForAllValues:StringLike` requires every one to match.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
 */
export function registryReadPolicy(props: RegistryReadProps): PolicyDocument {
  if (!/^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/[a-zA-Z0-9_.-]{3,255}$/.test(props.tableArn)) {
    throw new PolicyInputError(`tableArn ${props.tableArn} must be a DynamoDB table ARN without wildcards, e.g. arn:aws:dynamodb:us-east-1:123456789012:table/sidecar-tenants`);
  }
  const kinds = nonEmpty(props.itemKinds, 'itemKinds');
  if (new Set(kinds).size !== kinds.length) throw new PolicyInputError('itemKinds must not repeat');
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadTenantRegistryItems',
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: props.tableArn,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': oneOrMany(kinds.map((k) => REGISTRY_KEY_PATTERNS[k])) } },
      },
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
