// ---------------------------------------------------------------------------
// Naming rules: every ARN and name that crosses an account boundary is built
// here, so no caller hand-assembles one. Each rule cites the AWS limit it follows.
// ---------------------------------------------------------------------------

/** The role-name prefix agreed between the vendor and its customers (vendor's guide). */
export const DEFAULT_ROLE_PREFIX = 'tibco_sidecar_connector';

/** A role prefix (config `rolePrefix`, Lambda env SIDECAR_ROLE_PREFIX): 1-60 characters of the
 *  role-name alphabet [\w+=,.@-]; never a wildcard, which would widen the assume policy. */
export const ROLE_PREFIX_PATTERN = /^[\w+=,.@-]{1,60}$/;

/** IAM role names: 1-64 characters of [\w+=,.@-].
 *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const ROLE_NAME_MAX_LENGTH = 64;

/** Lambda function names: 1-64 characters of letters, digits, hyphens and underscores.
 *  https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html */
export const FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/** STS RoleSessionName: 2-64 characters of [\w+=,.@-].
 *  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html */
export const ROLE_SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

/** STS SourceIdentity: 2-64 characters of [\w+=,.@-] (no colon, so never the reserved `aws:` prefix).
 *  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (SourceIdentity) */
export const SOURCE_IDENTITY_PATTERN = /^[\w+=,.@-]{2,64}$/;

/** A tenant ID: 2-64 letters, digits, `.`, `_` and `-`. The connector and vend send it to STS as the
 *  SourceIdentity of every AssumeRole (so the customer's CloudTrail names the tenant, and the
 *  customer's trust can require it), so it must be a valid SourceIdentity: this alphabet is a
 *  subset of SOURCE_IDENTITY_PATTERN's, and the length is the same. */
export const TENANT_ID_PATTERN = /^[a-zA-Z0-9._-]{2,64}$/;

/** The rule of TENANT_ID_PATTERN in words. */
export const TENANT_ID_RULE = 'must be 2-64 characters of letters, digits, ., _ and - (it is sent to STS as the SourceIdentity, which allows no other)';

/** Why a tenant ID cannot be a SourceIdentity, or undefined when it can. */
export function tenantIdProblem(tenantId: string): string | undefined {
  return TENANT_ID_PATTERN.test(tenantId) && SOURCE_IDENTITY_PATTERN.test(tenantId) ? undefined : `tenant ID ${TENANT_ID_RULE}`;
}

/** Account IDs are exactly 12 digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

export const ROLE_ARN_PATTERN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/;
export const FUNCTION_ARN_PATTERN = /^arn:(aws[a-z-]*):lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:([a-zA-Z0-9_-]{1,64})$/;

export function roleArn(accountId: string, roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

export function accountRootArn(accountId: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function functionArn(region: string, accountId: string, functionName: string, partition = 'aws'): string {
  return `arn:${partition}:lambda:${region}:${accountId}:function:${functionName}`;
}

/** The resource pattern the connector may assume: the prefixed roles in one account, or in any (`*`). */
export function prefixedRoleArnPattern(accountId: string | '*', rolePrefix: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${accountId}:role/${rolePrefix}*`;
}

export interface ParsedRoleArn { partition: string; accountId: string; roleName: string }
export interface ParsedFunctionArn { partition: string; region: string; accountId: string; functionName: string }

export function parseRoleArn(arn: string): ParsedRoleArn | undefined {
  const m = ROLE_ARN_PATTERN.exec(arn);
  return m ? { partition: m[1], accountId: m[2], roleName: m[3] } : undefined;
}

export function parseFunctionArn(arn: string): ParsedFunctionArn | undefined {
  const m = FUNCTION_ARN_PATTERN.exec(arn);
  return m ? { partition: m[1], region: m[2], accountId: m[3], functionName: m[4] } : undefined;
}

export function hasRolePrefix(roleName: string, rolePrefix: string): boolean {
  return roleName.startsWith(rolePrefix);
}

/**
 * A RoleSessionName that names the tenant and is always valid for STS: characters outside
 * [\w+=,.@-] become '-', and the result is cut to 64 characters. CloudTrail in the customer's
 * account shows it, so it says who the vendor acted for.
 */
export function roleSessionName(tenantId: string, purpose: 'connector' | 'vend' = 'connector'): string {
  const safeTenant = tenantId.replace(/[^\w+=,.@-]/g, '-');
  const name = `sidecar-${purpose}-${safeTenant}`;
  return name.slice(0, 64);
}

/** Stack name of a customer account: the customer's configured name (e.g. `customer-a`). */
export const VENDOR_STACK_NAME = 'vendor';

/** CloudWatch Logs ARNs of a function's log group (Lambda writes to /aws/lambda/<name>). */
export function logGroupArns(region: string, accountId: string, functionName: string, partition = 'aws'): { group: string; streams: string } {
  const group = `arn:${partition}:logs:${region}:${accountId}:log-group:/aws/lambda/${functionName}`;
  return { group: `${group}:*`, streams: `${group}:log-stream:*` };
}

/** A DynamoDB table's ARN (the tenant registry's, in the vendor account).
 *  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html#amazondynamodb-resources-for-iam-policies */
export function dynamodbTableArn(region: string, accountId: string, tableName: string, partition = 'aws'): string {
  return `arn:${partition}:dynamodb:${region}:${accountId}:table/${tableName}`;
}

/** The suffix a connector shard adds to the connector's name (`-shard-63` at most: 9 characters). */
export const CONNECTOR_SHARD_SUFFIX_MAX_LENGTH = '-shard-'.length + 2;

/**
 * The function name of connector shard `index` among `count`: the connector's own name when there
 * is one shard (today's deployments keep their function), else `${base}-shard-${index}`. The one
 * rule the vendor stack, the callers and the connector itself (naming the right shard) use.
 */
export function connectorShardFunctionName(base: string, index: number, count: number): string {
  return count === 1 ? base : `${base}-shard-${index}`;
}
