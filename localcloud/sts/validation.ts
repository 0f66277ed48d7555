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
