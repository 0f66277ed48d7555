// ---------------------------------------------------------------------------
// STS AssumeRole's input rules, with AWS's messages.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
// ---------------------------------------------------------------------------
import { AwsError } from '../contracts';

function invalid(field: string, value: string | number, constraint: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

function lengthBetween(field: string, value: string, min: number, max: number): void {
  if (value.length < min) throw invalid(field, value, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw invalid(field, value, `Member must have length less than or equal to ${max}`);
}

/** RoleArn: 20-2048 characters, and it must name a role. */
export function checkRoleArn(value: string): void {
  lengthBetween('roleArn', value, 20, 2048);
  if (!/^arn:aws:iam::\d{12}:role\/(?:[\u0021-\u007E]*\/)?[\w+=,.@-]{1,64}$/.test(value)) throw new AwsError('ValidationError', `${value} is invalid`);
}

/** RoleSessionName: 2-64 characters of [\w+=,.@-]. */
export function checkRoleSessionName(value: string): void {
  lengthBetween('roleSessionName', value, 2, 64);
  if (!/^[\w+=,.@-]*$/.test(value)) throw invalid('roleSessionName', value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
}

/** ExternalId: 2-1224 characters of [\w+=,.@:/-]. Never echoed back: it is the tenant's secret. */
export function checkExternalId(value: string): void {
  if (value.length < 2) throw new AwsError('ValidationError', "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2");
  if (value.length > 1224) throw new AwsError('ValidationError', "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must have length less than or equal to 1224");
  if (!/^[\w+=,.@:/-]*$/.test(value)) throw new AwsError('ValidationError', "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
}

/** DurationSeconds: 900-43200 on the wire; then the role's MaxSessionDuration and the
 *  one-hour limit for role chaining. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining */
export function checkDurationSeconds(value: number): void {
  if (value < 900) throw invalid('durationSeconds', value, 'Member must have value greater than or equal to 900');
  if (value > 43200) throw invalid('durationSeconds', value, 'Member must have value less than or equal to 43200');
}

export const CHAINED_SESSION_MAX_SECONDS = 3600;

export function checkDurationForRole(value: number, maxSessionDuration: number, chained: boolean): void {
  if (chained && value > CHAINED_SESSION_MAX_SECONDS) {
    throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (value > maxSessionDuration) throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
}

/** Session policy: at most 2,048 characters of plaintext. */
export const SESSION_POLICY_MAX = 2048;

export function checkSessionPolicySize(policy: string): void {
  if (policy.length > SESSION_POLICY_MAX) {
    const percent = Math.ceil((policy.length / SESSION_POLICY_MAX) * 100);
    throw new AwsError('PackedPolicyTooLarge', `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
  }
}

// ---------------------------------------------------------------------------
// Source identity
// ---------------------------------------------------------------------------

/** SourceIdentity: 2-64 characters of [\w+=,.@-]; the reserved `aws:` prefix cannot pass the pattern (no colon).
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html#id_credentials_temp_control-access_monitor-know */
export function checkSourceIdentity(value: string): void {
  lengthBetween('sourceIdentity', value, 2, 64);
  if (!/^[\w+=,.@-]*$/.test(value)) throw invalid('sourceIdentity', value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
}

// ---------------------------------------------------------------------------
// Session tags
// ---------------------------------------------------------------------------

export interface SessionTagInput {
  readonly Key: string;
  readonly Value: string;
}

/** At most 50 session tags, and at most 50 transitive keys. https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html */
export const MAX_SESSION_TAGS = 50;
const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_KEY_RULE = 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+';
const TAG_VALUE_RULE = 'Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*';

function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

function checkListLength(field: string, length: number): void {
  if (length > MAX_SESSION_TAGS) {
    throw new AwsError('ValidationError', `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${MAX_SESSION_TAGS}`);
  }
}

/** A tag key: 1-128 characters of letters, numbers, white space and _ . : / = + - @. */
function checkTagKey(field: string, key: string): void {
  lengthBetween(field, key, 1, 128);
  if (!TAG_KEY_PATTERN.test(key)) throw invalid(field, key, TAG_KEY_RULE);
}

/** The `aws:` prefix is reserved for AWS in tag keys and values.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_rules_creating */
function reserved(text: string): boolean {
  return text.toLowerCase().startsWith('aws:');
}

/**
 * Tags: at most 50; keys 1-128 and values 0-256 characters of AWS's tag alphabet; neither may begin
 * with `aws:`; keys are unique without regard to case (AWS's message for duplicates, as it answers).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_know
 */
export function checkSessionTags(tags: readonly SessionTagInput[]): void {
  checkListLength('tags', tags.length);
  const seen = new Set<string>();
  tags.forEach((tag, i) => {
    const at = `tags.${i + 1}.member`;
    checkTagKey(`${at}.key`, tag.Key);
    if (tag.Value.length > 256) throw invalid(`${at}.value`, tag.Value, 'Member must have length less than or equal to 256');
    if (!TAG_VALUE_PATTERN.test(tag.Value)) throw invalid(`${at}.value`, tag.Value, TAG_VALUE_RULE);
    if (reserved(tag.Key) || reserved(tag.Value)) throw invalidParameter('Tag keys and values cannot begin with the reserved prefix aws:.');
    const key = tag.Key.toLowerCase();
    if (seen.has(key)) throw invalidParameter('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key);
  });
}

/** TransitiveTagKeys: at most 50 tag keys, each one of the passed tags' keys (without regard to case).
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining */
export function checkTransitiveTagKeys(keys: readonly string[], tags: readonly SessionTagInput[]): void {
  checkListLength('transitiveTagKeys', keys.length);
  keys.forEach((key, i) => checkTagKey(`transitiveTagKeys.${i + 1}.member`, key));
  const tagKeys = new Set(tags.map((t) => t.Key.toLowerCase()));
  if (keys.some((key) => !tagKeys.has(key.toLowerCase()))) throw invalidParameter('The specified transitive tag key must be included in the requested tags.');
}
