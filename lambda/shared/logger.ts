// ---------------------------------------------------------------------------
// Structured JSON logs (Powertools Logger). What is logged is chosen field by field at each
// call site, and never includes credentials or external IDs; the replacer below is a second
// line of defence that blanks any field whose name says it holds a secret.
// ---------------------------------------------------------------------------
import { Logger } from '@aws-lambda-powertools/logger';

export const REDACTED = '[redacted]';

/** Field names (case-insensitive) whose values are never written, wherever they nest. */
const SECRET_FIELD_NAMES = new Set(['accesskeyid', 'secretaccesskey', 'sessiontoken', 'credentials', 'externalid', 'masterCredentials'.toLowerCase()]);

export function redactSecretFields(key: string, value: unknown): unknown {
  return SECRET_FIELD_NAMES.has(key.toLowerCase()) && value !== undefined ? REDACTED : value;
}

/** `defaultServiceName` applies unless POWERTOOLS_SERVICE_NAME is set; POWERTOOLS_LOG_LEVEL is
 *  read by Powertools itself. */
export function createLogger(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Logger {
  return new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME || defaultServiceName, jsonReplacerFn: redactSecretFields });
}

export type { Logger };
