// ---------------------------------------------------------------------------
// What every Lambda operation shares: the request, the core's context, the function store,
// and `target()`, which resolves `{Fn}`, authorizes the action on the function's ARN with its
// resource policy, and only then says whether the function exists (so a caller without
// permission learns nothing about what exists in another account).
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
// ---------------------------------------------------------------------------
import type { ServiceContext, ServiceRequest, ServiceResponse } from '../contracts';
import { findVersion } from './configuration';
import { preconditionFailed, resourceNotFound, validationError } from './errors';
import { policyDocument } from './function-policy';
import { parseFunctionRef, resourceArn, unqualifiedArn, type FunctionRef } from './function-ref';
import type { SandboxPool } from './sandbox-pool';
import type { SandboxHost } from './sandbox-spec';
import { FunctionStore, type FunctionRecord, type FunctionVersionRecord } from './store';

export interface Operation {
  readonly req: ServiceRequest;
  readonly ctx: ServiceContext;
  readonly store: FunctionStore;
  readonly pool: SandboxPool;
  /** How sandboxes start here: the launcher (isolation) and the runtimes' Node.js binaries. */
  readonly host: SandboxHost;
  /** Path parameters, percent-decoded: `fn`, `sid`, `arn`. */
  readonly params: Readonly<Record<string, string>>;
}

export type OperationHandler = (op: Operation) => Promise<ServiceResponse>;

export interface Target {
  readonly ref: FunctionRef;
  /** The ARN authorized: qualified for a version. */
  readonly arn: string;
  readonly fn: FunctionRecord;
  /** The version the qualifier names ($LATEST when none). */
  readonly version: FunctionVersionRecord;
}

/** The policy key of a qualifier: unqualified and $LATEST share one. */
export function policyKey(qualifier: string | undefined): string {
  return qualifier ?? '$LATEST';
}

/** Authorize `action` on the function `{Fn}` names; then it must exist. */
export function target(op: Operation, action: string): Target {
  const ref = parseFunctionRef(op.params.fn, op.req.query.get('Qualifier'), { accountId: op.req.principal.accountId, region: op.req.region });
  const arn = resourceArn(ref);
  const fn = op.store.get(unqualifiedArn(ref));
  const statements = fn?.policies[policyKey(ref.qualifier)]?.statements ?? [];
  op.ctx.authorize({
    principal: op.req.principal,
    action,
    resource: arn,
    resourceAccountId: ref.accountId,
    resourcePolicy: statements.length > 0 ? policyDocument(statements) : undefined,
  });
  const version = fn ? findVersion(fn, ref.qualifier) : undefined;
  if (!fn || !version) throw resourceNotFound(`Function not found: ${arn}`);
  return { ref, arn, fn, version };
}

/** Optimistic concurrency: a RevisionId in the request must match the current one. */
export function checkRevision(expected: string | undefined | null, current: string): void {
  if (expected && expected !== current) throw preconditionFailed();
}

/** MaxItems of Lambda's list operations: 1-10000. */
export function pageSize(raw: string | null, fallback: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw validationError('maxItems', raw, 'Member must have value between 1 and 10000');
  return n;
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

export function json(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): ServiceResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers }, body: JSON.stringify(body) };
}

export function noContent(requestId: string): ServiceResponse {
  return { status: 204, headers: { 'x-amzn-requestid': requestId } };
}
