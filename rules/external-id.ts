// ---------------------------------------------------------------------------
// External-ID rules: the confused-deputy guard's secret. Vendor-generated, unique per tenant,
// never chosen by a customer. One place for the format rule and for generating a new one.
// ---------------------------------------------------------------------------
import { randomBytes } from 'node:crypto';

/** STS ExternalId: 2-1224 characters of [\w+=,.@:/-].
 *  https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]+$/;
export const EXTERNAL_ID_MIN_LENGTH = 2;
export const EXTERNAL_ID_MAX_LENGTH = 1224;

/** Why an external ID breaks AWS's rule, or undefined when it is valid. */
export function externalIdProblem(externalId: string): string | undefined {
  if (externalId.length < EXTERNAL_ID_MIN_LENGTH || externalId.length > EXTERNAL_ID_MAX_LENGTH) {
    return `must be ${EXTERNAL_ID_MIN_LENGTH}-${EXTERNAL_ID_MAX_LENGTH} characters long (it has ${externalId.length})`;
  }
  if (!EXTERNAL_ID_PATTERN.test(externalId)) {
    return 'may contain only letters, digits and the characters _+=,.@:/- (AWS STS rule)';
  }
  return undefined;
}

/**
 * A fresh external ID: 32 random bytes (256 bits) from the OS CSPRNG, base64url-encoded,
 * which uses only characters STS accepts. Prefixed so that a person can tell what it is.
 */
export function generateExternalId(): string {
  return `sc-${randomBytes(32).toString('base64url')}`;
}
