// ---------------------------------------------------------------------------
// Identifiers in AWS's shapes: unique IDs (AROA..., AIDA..., ANPA...), access key IDs
// (AKIA... long-term, ASIA... temporary), secrets and request IDs. Random from the OS CSPRNG.
// Prefixes: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
// ---------------------------------------------------------------------------
import { randomBytes, randomUUID } from 'node:crypto';

const BASE32_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomUpper(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE32_UPPER[b & 31];
  return out;
}

export type UniqueIdPrefix = 'AROA' | 'AIDA' | 'ANPA' | 'AKIA' | 'ASIA';

/** A 21-character unique ID (20 for access keys), as IAM issues them. */
export function uniqueId(prefix: UniqueIdPrefix): string {
  const length = prefix === 'AKIA' || prefix === 'ASIA' ? 16 : 17;
  return `${prefix}${randomUpper(length)}`;
}

/** A 40-character secret access key, as IAM issues them. */
export function secretAccessKey(): string {
  return randomBytes(30).toString('base64').replace(/[+/]/g, (c) => (c === '+' ? 'A' : 'B'));
}

/** An opaque session token. Only its hash is persisted. */
export function sessionToken(): string {
  return `LCST${randomBytes(96).toString('base64')}`;
}

export function requestId(): string {
  return randomUUID();
}
