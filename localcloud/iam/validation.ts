// ---------------------------------------------------------------------------
// IAM's input rules, with AWS's ValidationError wording ("1 validation error detected: Value 'x'
// at 'roleName' failed to satisfy constraint: ..."). Each rule cites the API reference it follows.
// ---------------------------------------------------------------------------
import { AwsError } from '../contracts';

function invalid(field: string, value: string | number, constraint: string): AwsError {
  const shown = typeof value === 'string' && value.length > 100 ? `${value.slice(0, 100)}...` : value;
  return new AwsError('ValidationError', `1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

function lengthBetween(field: string, value: string, min: number, max: number): void {
  if (value.length < min) throw invalid(field, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw invalid(field, value, `Member must have length less than or equal to ${max}`);
}

/** Role, user and policy names: [\w+=,.@-]+ (role/user 1-64, policy 1-128).
 *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html */
export function checkName(field: 'roleName' | 'userName' | 'policyName', value: string, max = field === 'policyName' ? 128 : 64): void {
  lengthBetween(field, value, 1, max);
  if (!/^[\w+=,.@-]+$/.test(value)) throw invalid(field, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
}

/** Paths: "/" or "/.../" of printable ASCII, 1-512 characters.
 *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (Path) */
export function checkPath(value: string, field: 'path' | 'pathPrefix' = 'path'): void {
  lengthBetween(field, value, 1, 512);
  if (field === 'pathPrefix') {
    // A path prefix: "/" or "/..." (it need not end with "/"). https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html
    if (!/^\u002F[\u0021-\u007F]*$/.test(value)) throw invalid(field, value, 'Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*');
    return;
  }
  if (!/^(\/|\/[\u0021-\u007E]+\/)$/.test(value)) throw invalid(field, value, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
}

/** MaxSessionDuration: 3600-43200 seconds.
 *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (MaxSessionDuration) */
export function checkMaxSessionDuration(value: number): void {
  if (value < 3600) throw invalid('maxSessionDuration', value, 'Member must have value greater than or equal to 3600');
  if (value > 43200) throw invalid('maxSessionDuration', value, 'Member must have value less than or equal to 43200');
}

/** Descriptions: at most 1000 characters. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (Description) */
export function checkDescription(value: string): void {
  if (value.length > 1000) throw invalid('description', value, 'Member must have length less than or equal to 1000');
}

/** Tags: at most 50, keys 1-128, values 0-256 characters, keys unique.
 *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html */
export function checkTags(tags: readonly { Key: string; Value: string }[]): void {
  if (tags.length > 50) throw new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.', 409);
  const keys = new Set<string>();
  for (const tag of tags) {
    lengthBetween('tags.member.key', tag.Key, 1, 128);
    if (tag.Value.length > 256) throw invalid('tags.member.value', tag.Value, 'Member must have length less than or equal to 256');
    if (keys.has(tag.Key.toLowerCase())) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    keys.add(tag.Key.toLowerCase());
  }
}

/** Policy documents count characters other than white space against the size quotas.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length */
export function policySize(json: string): number {
  return json.replace(/\s/g, '').length;
}

/** Trust policies: 2,048 characters by default (ACLSizePerRole). */
export const TRUST_POLICY_MAX = 2048;
/** Inline policies of a role, all together: 10,240 characters. */
export const ROLE_INLINE_MAX = 10240;
/** Inline policies of a user, all together: 2,048 characters. */
export const USER_INLINE_MAX = 2048;
/** A managed policy version: 6,144 characters. */
export const MANAGED_POLICY_MAX = 6144;

/** Policy document parameters: 1-131072 characters on the wire. https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html */
export function checkDocumentParameter(field: string, value: string): void {
  lengthBetween(field, value, 1, 131072);
}
