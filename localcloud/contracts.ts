// ---------------------------------------------------------------------------
// The seams of the local cloud. The request pipeline (pipeline/, on the ground floor core/:
// SigV4, state, clock, faults, wire errors) hands each service an authenticated request and a
// context; services answer in their own wire protocol. The policy evaluator is a pure module
// (iam/policy-*.ts). Keep this file small: it is what the parts promise each other; it imports
// nothing of the local cloud, so every layer may import it.
// ---------------------------------------------------------------------------
import type { IncomingHttpHeaders } from 'node:http';

export type ServiceName = 'iam' | 'sts' | 'lambda' | 'dynamodb';

/** The services that speak a JSON protocol (REST-JSON, awsJson 1.0), not the query protocol. */
export function speaksJson(service: ServiceName | undefined): boolean {
  return service === 'lambda' || service === 'dynamodb';
}

/** An AWS error, rendered by each service in its protocol (query XML or REST-JSON). */
export class AwsError extends Error {
  constructor(
    /** AWS's code, e.g. `AccessDenied`, `NoSuchEntity`, `ResourceNotFoundException`. */
    readonly code: string,
    message: string,
    /** HTTP status AWS uses for it. */
    readonly status = 400,
    /** `Sender` (the caller's fault) or `Receiver` (ours). */
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = 'AwsError';
  }
}

export interface PolicyDocumentJson {
  Version?: string;
  Id?: string;
  Statement: unknown[] | unknown;
}

/** Who signed the request, after SigV4 verification. */
export interface Principal {
  readonly kind: 'root' | 'user' | 'assumed-role';
  readonly accountId: string;
  /** root: arn:aws:iam::A:root; user: arn:aws:iam::A:user/N; session: arn:aws:sts::A:assumed-role/R/S */
  readonly arn: string;
  /** GetCallerIdentity's UserId: the account ID for root, AIDA... for users, AROA...:session for roles. */
  readonly userId: string;
  readonly accessKeyId: string;
  /** For sessions: the role's IAM ARN (arn:aws:iam::A:role/path/R). */
  readonly roleArn?: string;
  /** For sessions: the inline session policy passed to AssumeRole, if any. */
  readonly sessionPolicy?: PolicyDocumentJson;
  readonly sessionExpiresAt?: Date;
  /** For sessions: true when the session was obtained with credentials of another role session (role chaining). */
  readonly chained?: boolean;
  /** For sessions: the source identity set when the session (or the first of its chain) was created. */
  readonly sourceIdentity?: string;
  /** For sessions: its session tags (passed to AssumeRole, plus transitive ones inherited through a chain). */
  readonly sessionTags?: readonly { readonly Key: string; readonly Value: string }[];
  /** For sessions: the keys of its session tags that pass on to the sessions it creates (role chaining). */
  readonly transitiveTagKeys?: readonly string[];
}

export interface ServiceRequest {
  readonly requestId: string;
  readonly service: ServiceName;
  readonly region: string;
  readonly method: string;
  /** Path without the query string, still percent-encoded. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly principal: Principal;
}

export interface ServiceResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface Service {
  handle(req: ServiceRequest, ctx: ServiceContext): Promise<ServiceResponse>;
  /** Called once when the server stops (e.g. Lambda ends its sandboxes). */
  shutdown?(): Promise<void>;
}

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** What the core offers every service. */
export interface ServiceContext {
  /** The local cloud's clock: real time plus a test-controlled offset. */
  now(): Date;
  /** Base URL of this server, for AWS_ENDPOINT_URL in Lambda sandboxes. */
  readonly endpointUrl: string;
  /** Root of persisted state: the `stateDir` the local cloud was started with. */
  readonly stateDir: string;
  /** Persisted JSON documents, one per service namespace. Write-through; survives restarts. */
  readonly state: StateStore;
  /** Throws AwsError(AccessDenied, AWS's message shape) unless AWS would allow the call, with the
   *  caller's policies as they have propagated (IAM's eventual consistency, when it is on). */
  authorize(request: AuthorizationRequest): void;
  /** Credentials for a service principal (e.g. lambda.amazonaws.com) assuming a role, through the
   *  same trust-policy evaluation STS applies. Throws AwsError when the trust refuses. */
  assumeRoleAsService(roleArn: string, servicePrincipal: string, context: { sourceAccount: string; sourceArn: string }, sessionName: string): TemporaryCredentials;
  /** Whether an IAM role exists as the services see IAM, i.e. once its creation has propagated
   *  (Lambda's CreateFunction checks its execution role). */
  roleExists(roleArn: string): boolean;
  /** Test-only fault injection: may delay, or throw an AwsError, for this operation. No-op unless enabled. */
  applyFaults(service: ServiceName, operation: string): Promise<void>;
  /** Structured log line to the server's log (never credentials). */
  log(event: string, fields?: Record<string, unknown>): void;
}

export interface AuthorizationRequest {
  readonly principal: Principal;
  /** e.g. `lambda:InvokeFunction`. */
  readonly action: string;
  /** The resource ARN. */
  readonly resource: string;
  /** Account that owns the resource: decides same-account vs cross-account evaluation. */
  readonly resourceAccountId: string;
  /** A resource-based policy attached to the resource (function policy, trust policy). */
  readonly resourcePolicy?: PolicyDocumentJson;
  /** Request-specific condition keys (e.g. `sts:ExternalId`); the core adds the global aws:* keys. */
  readonly context?: Record<string, ContextValue>;
}

export type ContextValue = string | string[] | boolean | number | undefined;

export interface StateStore {
  read<T>(namespace: string): T | undefined;
  write<T>(namespace: string, value: T): void;
  /** Append one record to a namespace's journal: O(1), for data written far more often than read. */
  appendRecord<T>(namespace: string, record: T): void;
  /** Every acknowledged record of the journal, oldest first. */
  readRecords<T>(namespace: string): T[];
  /** Replace the journal at once (compaction), atomically. */
  rewriteRecords<T>(namespace: string, records: readonly T[]): void;
}
