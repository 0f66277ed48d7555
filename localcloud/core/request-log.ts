// ---------------------------------------------------------------------------
// One structured JSON line per request (service, operation, principal ARN, status, duration),
// through Powertools' logger to stdout (in this project `npm run local:up` sends it to
// .localcloud/server.log). Never credentials, session tokens, request bodies or external IDs:
// callers pass only the fields below, and `log()` drops keys that look like secrets.
// ---------------------------------------------------------------------------
import { Logger } from '@aws-lambda-powertools/logger';

export interface RequestLogLine {
  readonly requestId: string;
  /** The AWS service called (Powertools reserves `service` for the logger's own name). */
  readonly awsService: string;
  readonly operation: string;
  readonly principal?: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly errorCode?: string;
  readonly durationMs: number;
}

const SECRET_KEY = /secret|token|password|externalid|credential|authorization/i;

export class RequestLog {
  private readonly logger = new Logger({ serviceName: 'localcloud', logLevel: 'INFO' });

  request(line: RequestLogLine): void {
    this.logger.info('request', { ...line });
  }

  /** Free-form events from services (sandbox started, ...), minus anything secret-looking. */
  event(event: string, fields: Record<string, unknown> = {}): void {
    const safe = Object.fromEntries(Object.entries(fields).filter(([k]) => !SECRET_KEY.test(k)));
    this.logger.info(event, safe);
  }

  error(event: string, error: unknown): void {
    if (error instanceof Error) this.logger.error(event, error);
    else this.logger.error(event, { error: String(error) });
  }
}
