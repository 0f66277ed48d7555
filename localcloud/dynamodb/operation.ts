// ---------------------------------------------------------------------------
// What every DynamoDB operation shares: the request, the core's context, the table store, the
// JSON input, and `table()`, which reads `TableName` (a name, or a table ARN, which DynamoDB also
// accepts), authorizes `dynamodb:<Op>` on the table's ARN, and only then says whether the table
// exists, so a caller without permission learns nothing of what exists. A table of another
// account is reachable only by its ARN, and then only through a resource policy, which the local
// cloud does not keep: the IAM evaluator refuses it (cross-account needs both sides).
// Actions and resources: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
// TableName as an ARN: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html#DDB-GetItem-request-TableName
// ---------------------------------------------------------------------------
import type { ServiceContext, ServiceRequest } from '../contracts';
import { constraint, resourceNotFound, validation } from './errors';
import { TableStore, type TableAddress, type TableRecord } from './store';

export interface Operation {
  readonly req: ServiceRequest;
  readonly ctx: ServiceContext;
  readonly store: TableStore;
  /** The operation's name, e.g. `GetItem`: the IAM action is `dynamodb:<name>`. */
  readonly name: string;
  readonly input: Record<string, unknown>;
}

export type OperationHandler = (op: Operation) => unknown;

/** Table names: 3-255 of [a-zA-Z0-9_.-]. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html */
const TABLE_NAME = /^[a-zA-Z0-9_.-]+$/;
const TABLE_ARN = /^arn:aws[a-z-]*:dynamodb:([a-z0-9-]+):(\d{12}):table\/([a-zA-Z0-9_.-]{3,255})$/;

export function checkTableName(name: unknown, field = 'tableName'): string {
  if (typeof name !== 'string') throw validation(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  if (name.length < 3) throw constraint(field, name, 'Member must have length greater than or equal to 3');
  if (name.length > 255) throw constraint(field, name, 'Member must have length less than or equal to 255');
  if (!TABLE_NAME.test(name)) throw constraint(field, name, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  return name;
}

export function tableArnOf(a: TableAddress): string {
  return `arn:aws:dynamodb:${a.region}:${a.accountId}:table/${a.tableName}`;
}

/** The table a name or ARN designates: a bare name is in the caller's account and the request's region. */
export function tableAddress(op: Operation, raw: unknown, field = 'tableName'): TableAddress {
  if (typeof raw === 'string' && raw.startsWith('arn:')) {
    const m = TABLE_ARN.exec(raw);
    if (!m) throw validation(`Invalid TableName: ${raw} is not a table name or a valid table ARN`);
    if (m[1] !== op.req.region) throw validation(`Invalid TableName: the table ARN's region ${m[1]} is not the region of the request (${op.req.region})`);
    return { accountId: m[2], region: m[1], tableName: m[3] };
  }
  return { accountId: op.req.principal.accountId, region: op.req.region, tableName: checkTableName(raw, field) };
}

/** Authorize `dynamodb:<op>` on the table's ARN (before anything about it is revealed). */
export function authorizeTable(op: Operation, address: TableAddress): string {
  const arn = tableArnOf(address);
  op.ctx.authorize({ principal: op.req.principal, action: `dynamodb:${op.name}`, resource: arn, resourceAccountId: address.accountId });
  return arn;
}

/** The table `TableName` names, authorized; ResourceNotFoundException when it does not exist. */
export function table(op: Operation, raw: unknown = op.input.TableName): TableRecord {
  const address = tableAddress(op, raw);
  authorizeTable(op, address);
  const found = op.store.get(address);
  if (!found) throw resourceNotFound();
  return found;
}

// ---------------------------------------------------------------------------
// Input readers: DynamoDB's modelled constraints
// ---------------------------------------------------------------------------

export function optionalString(op: Operation, field: string): string | undefined {
  const v = op.input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validation(`Invalid type for ${field}: expected a string`);
  return v;
}

export function optionalBoolean(op: Operation, field: string): boolean | undefined {
  const v = op.input[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw validation(`Invalid type for ${field}: expected a boolean`);
  return v;
}

export function oneOf<T extends string>(op: Operation, field: string, allowed: readonly T[], fallback: T): T {
  const v = optionalString(op, field);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw constraint(field.charAt(0).toLowerCase() + field.slice(1), v, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  return v as T;
}

/** Parameters of the legacy API that the local cloud does not implement: refused, never ignored. */
export function refuseLegacy(op: Operation, fields: readonly string[]): void {
  for (const f of fields) {
    if (op.input[f] !== undefined && op.input[f] !== null) throw validation(`The local cloud does not support the legacy parameter ${f}; use the expression parameters instead.`);
  }
}
