// ---------------------------------------------------------------------------
// The tenant registry's DynamoDB table: its key and the three kinds of item in it, and the
// marshalling to and from DynamoDB AttributeValue maps. One contract for every reader and writer:
// the vendor stack (items seeded from config), the connector and vend (GetItem at run time) and
// the onboarding commands (onboard, rotate, offboard, tenants). Pure: zod and node:crypto only,
// no SDK (the maps below are structurally the SDK's AttributeValue), so the Lambdas import it.
//
// Table: partition key `pk` (S), no sort key. Items:
//   tenant#<tenantId>              a tenant: role, external ID(s), functions, status, version
//   external-id#<sha256 hex>       a reservation, so that an external ID is never reused
//   vend-caller#<principal ARN>    who may call vend, and for which tenants
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { externalIdSchema, functionArnListSchema, principalArnSchema, roleArnSchema, tenantIdSchema } from './schemas';
import type { TenantRegistryEntry } from './tenant-registry';

/** Config `vendor.registryTableName` defaults to this. */
export const DEFAULT_REGISTRY_TABLE_NAME = 'sidecar-tenants';

/** DynamoDB table names: 3-255 characters of [a-zA-Z0-9_.-].
 *  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html (TableName) */
export const TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;

/** The table's only key attribute (partition key, type S). */
export const REGISTRY_PARTITION_KEY = 'pk';

export const TENANT_KEY_PREFIX = 'tenant#';
export const EXTERNAL_ID_KEY_PREFIX = 'external-id#';
export const VEND_CALLER_KEY_PREFIX = 'vend-caller#';

// ---- AttributeValue maps ---------------------------------------------------

/** The subset of DynamoDB's AttributeValue this table uses; assignable to the SDK's type. */
export type AttributeValue = { S: string } | { N: string } | { L: AttributeValue[] };
export type AttributeMap = Record<string, AttributeValue>;
/** The table's key of one item: `{ pk: { S: ... } }`. */
export type RegistryKey = { pk: { S: string } };

const s = (value: string): { S: string } => ({ S: value });
const n = (value: number): { N: string } => ({ N: String(value) });
const ls = (values: readonly string[]): { L: { S: string }[] } => ({ L: values.map(s) });

// ---- keys ------------------------------------------------------------------

export function tenantPk(tenantId: string): string {
  return `${TENANT_KEY_PREFIX}${tenantId}`;
}

/** The reservation's key names a hash of the external ID, never the ID itself: the key shows up in
 *  logs, metrics and console listings, and the ID is a secret of the tenant. */
export function externalIdHash(externalId: string): string {
  return createHash('sha256').update(externalId, 'utf8').digest('hex');
}

export function externalIdReservationPk(externalId: string): string {
  return `${EXTERNAL_ID_KEY_PREFIX}${externalIdHash(externalId)}`;
}

export function vendCallerPk(principalArn: string): string {
  return `${VEND_CALLER_KEY_PREFIX}${principalArn}`;
}

export function tenantKey(tenantId: string): RegistryKey {
  return { pk: s(tenantPk(tenantId)) };
}

export function externalIdReservationKey(externalId: string): RegistryKey {
  return { pk: s(externalIdReservationPk(externalId)) };
}

export function vendCallerKey(principalArn: string): RegistryKey {
  return { pk: s(vendCallerPk(principalArn)) };
}

// ---- errors ----------------------------------------------------------------

/** Thrown when an item read from the table breaks the contract; the message lists every problem
 *  and names the item by its key (never by an external ID). */
export class RegistryItemError extends Error {
  readonly code = 'RegistryItemInvalid';
  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`Registry item ${source} is invalid (rewrite it with the onboarding commands, or re-apply the vendor stack for a tenant seeded from config):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RegistryItemError';
  }
}

/** Reads typed attributes out of a raw item, collecting every problem instead of stopping at one. */
class ItemReader {
  readonly problems: string[] = [];
  constructor(private readonly item: Readonly<Record<string, unknown>>) {}

  private attr(name: string): Record<string, unknown> | undefined {
    const value = Object.prototype.hasOwnProperty.call(this.item, name) ? this.item[name] : undefined;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  }

  string(name: string, optional = false): string | undefined {
    const a = this.attr(name);
    if (a === undefined) {
      if (!optional) this.problems.push(`${name}: missing (expected type S)`);
      return undefined;
    }
    if (typeof a.S !== 'string') {
      this.problems.push(`${name}: must be of type S`);
      return undefined;
    }
    return a.S;
  }

  number(name: string): number | undefined {
    const a = this.attr(name);
    if (a === undefined || typeof a.N !== 'string') {
      this.problems.push(`${name}: ${a === undefined ? 'missing (expected type N)' : 'must be of type N'}`);
      return undefined;
    }
    const value = Number(a.N);
    if (!Number.isSafeInteger(value)) {
      this.problems.push(`${name}: must be an integer (got "${a.N.slice(0, 20)}")`);
      return undefined;
    }
    return value;
  }

  strings(name: string): string[] | undefined {
    const a = this.attr(name);
    if (a === undefined || !Array.isArray(a.L)) {
      this.problems.push(`${name}: ${a === undefined ? 'missing (expected type L of S)' : 'must be of type L'}`);
      return undefined;
    }
    const out: string[] = [];
    for (const [i, v] of (a.L as unknown[]).entries()) {
      const sv = v !== null && typeof v === 'object' ? (v as Record<string, unknown>).S : undefined;
      if (typeof sv !== 'string') {
        this.problems.push(`${name}[${i}]: must be of type S`);
        return undefined;
      }
      out.push(sv);
    }
    return out;
  }
}

function zodProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`);
}

const isoTimestampSchema = z.string().refine(
  (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
  'must be an ISO 8601 timestamp, e.g. 2026-01-31T12:00:00.000Z',
);

// ---------------------------------------------------------------------------
// Tenant item
// ---------------------------------------------------------------------------

export const TENANT_STATUSES = ['active', 'offboarded'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** Who writes a tenant item: Terraform, from config (the vendor stack), or the onboarding commands.
 *  A run-time write to a `config` tenant would be undone by the next apply of the vendor stack,
 *  so the commands refuse it and tell the operator to edit the config instead. */
export const TENANT_MANAGERS = ['config', 'commands'] as const;
export type TenantManager = (typeof TENANT_MANAGERS)[number];

/** A tenant as stored: the registry entry the Lambdas use plus the item's bookkeeping. */
export interface TenantRecord extends TenantRegistryEntry {
  /** Still accepted by the customer's trust during a rotation. Never sent by the connector or vend:
   *  they always send `externalId`; this one exists for the operator and the trust, not for STS. */
  readonly previousExternalId?: string;
  /** `offboarded`: every request for the tenant is refused (UnknownTenant, saying so). */
  readonly status: TenantStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** 1 on creation, +1 on each write; every write is conditional on the version it read. */
  readonly version: number;
  /** Absent means `commands`. */
  readonly managedBy?: TenantManager;
}

const tenantRecordSchema = z.strictObject({
  tenantId: tenantIdSchema,
  roleArn: roleArnSchema,
  externalId: externalIdSchema,
  previousExternalId: externalIdSchema.optional(),
  functionArns: functionArnListSchema,
  status: z.enum(TENANT_STATUSES, { message: `status must be one of ${TENANT_STATUSES.join(', ')}` }),
  createdAt: isoTimestampSchema,
  updatedAt: isoTimestampSchema,
  version: z.number().int().min(1, 'version must be at least 1'),
  managedBy: z.enum(TENANT_MANAGERS, { message: `managedBy must be one of ${TENANT_MANAGERS.join(', ')}` }).optional(),
}).superRefine((r, ctx) => {
  if (r.previousExternalId !== undefined && r.previousExternalId === r.externalId) {
    ctx.addIssue({ code: 'custom', path: ['previousExternalId'], message: 'must differ from externalId (a rotation replaces the ID)' });
  }
  if (new Set(r.functionArns).size !== r.functionArns.length) ctx.addIssue({ code: 'custom', path: ['functionArns'], message: 'must not repeat' });
});

/** Validate a record before it is written (the same rules as parseTenantItem). */
export function validateTenantRecord(record: TenantRecord, source = tenantPk(record.tenantId)): TenantRecord {
  const result = tenantRecordSchema.safeParse(record);
  if (!result.success) throw new RegistryItemError(source, zodProblems(result.error));
  return result.data as TenantRecord;
}

/** What a new tenant is made of: the registry entry, and optionally the previous external ID. */
export interface NewTenant extends TenantRegistryEntry {
  readonly previousExternalId?: string;
}

/** A new tenant's record: active, version 1, created and updated `now`. */
export function newTenantRecord(entry: NewTenant, now: Date, managedBy?: TenantManager): TenantRecord {
  const at = now.toISOString();
  return validateTenantRecord({
    tenantId: entry.tenantId,
    roleArn: entry.roleArn,
    externalId: entry.externalId,
    ...(entry.previousExternalId !== undefined ? { previousExternalId: entry.previousExternalId } : {}),
    functionArns: [...entry.functionArns],
    status: 'active',
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...(managedBy !== undefined ? { managedBy } : {}),
  });
}

/** The next version of a record: `changes` applied, version + 1, updatedAt `now`, createdAt kept.
 *  Pass `previousExternalId: undefined` in changes to drop it (end of a rotation). */
export function nextTenantRecord(
  current: TenantRecord,
  changes: Partial<Pick<TenantRecord, 'roleArn' | 'externalId' | 'previousExternalId' | 'functionArns' | 'status'>>,
  now: Date,
): TenantRecord {
  const merged: Record<string, unknown> = { ...current, ...changes, tenantId: current.tenantId, createdAt: current.createdAt, updatedAt: now.toISOString(), version: current.version + 1 };
  if (merged.previousExternalId === undefined) delete merged.previousExternalId;
  if (merged.managedBy === undefined) delete merged.managedBy;
  return validateTenantRecord(merged as unknown as TenantRecord);
}

export function marshalTenantRecord(record: TenantRecord): AttributeMap {
  const item: AttributeMap = {
    pk: s(tenantPk(record.tenantId)),
    tenantId: s(record.tenantId),
    roleArn: s(record.roleArn),
    externalId: s(record.externalId),
    functionArns: ls(record.functionArns),
    status: s(record.status),
    createdAt: s(record.createdAt),
    updatedAt: s(record.updatedAt),
    version: n(record.version),
  };
  if (record.previousExternalId !== undefined) item.previousExternalId = s(record.previousExternalId);
  if (record.managedBy !== undefined) item.managedBy = s(record.managedBy);
  return item;
}

/** A new tenant's item (active, version 1), ready for PutItem with `createItemCondition()`. */
export function tenantItem(entry: NewTenant, now: Date, managedBy?: TenantManager): AttributeMap {
  return marshalTenantRecord(newTenantRecord(entry, now, managedBy));
}

/**
 * A tenant item read from the table, checked with the same rules as the config (rules/schemas.ts).
 * `source` names it in errors (e.g. the table and key). Attributes outside the contract are ignored,
 * so a newer writer can add one without breaking older readers; `pk` must match `tenantId`.
 */
export function parseTenantItem(item: Readonly<Record<string, unknown>>, source: string): TenantRecord {
  const r = new ItemReader(item);
  const pk = r.string(REGISTRY_PARTITION_KEY);
  const raw = {
    tenantId: r.string('tenantId'),
    roleArn: r.string('roleArn'),
    externalId: r.string('externalId'),
    previousExternalId: r.string('previousExternalId', true),
    functionArns: r.strings('functionArns'),
    status: r.string('status'),
    createdAt: r.string('createdAt'),
    updatedAt: r.string('updatedAt'),
    version: r.number('version'),
    managedBy: r.string('managedBy', true),
  };
  if (r.problems.length > 0) throw new RegistryItemError(source, r.problems);
  if (pk !== tenantPk(raw.tenantId!)) throw new RegistryItemError(source, [`pk: must be "${tenantPk(raw.tenantId!)}" for tenantId "${raw.tenantId}"`]);
  const plain = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const result = tenantRecordSchema.safeParse(plain);
  if (!result.success) throw new RegistryItemError(source, zodProblems(result.error));
  return result.data as TenantRecord;
}

/** The part of a record the lookups (lambda/shared/tenants.ts) and the assume paths use; the
 *  previous ID only during a rotation, for the fallback after the current one is refused. */
export function tenantEntryOf(record: TenantRecord): TenantRegistryEntry {
  return {
    tenantId: record.tenantId, roleArn: record.roleArn, externalId: record.externalId, functionArns: [...record.functionArns],
    ...(record.previousExternalId !== undefined ? { previousExternalId: record.previousExternalId } : {}),
  };
}

// ---------------------------------------------------------------------------
// External-ID reservation item
// ---------------------------------------------------------------------------

export interface ExternalIdReservation {
  /** `external-id#<sha256 hex>`: the ID itself is never stored in the reservation. */
  readonly pk: string;
  readonly tenantId: string;
  readonly createdAt: string;
}

/** The reservation of `externalId` for `tenantId`, written with `createItemCondition()`: a second
 *  reservation of the same ID fails with ConditionalCheckFailedException, so no ID is ever reused,
 *  not even after its tenant is offboarded (the reservation outlives the tenant). */
export function externalIdReservationItem(externalId: string, tenantId: string, now: Date): AttributeMap {
  const problems = [
    ...(externalIdSchema.safeParse(externalId).success ? [] : ['externalId: breaks the external-ID rule']),
    ...(tenantIdSchema.safeParse(tenantId).success ? [] : [`tenantId: "${tenantId.slice(0, 80)}" breaks the tenant-ID rule`]),
  ];
  if (problems.length > 0) throw new RegistryItemError(`reservation for tenant ${tenantId.slice(0, 80)}`, problems);
  return { pk: s(externalIdReservationPk(externalId)), tenantId: s(tenantId), createdAt: s(now.toISOString()) };
}

export function parseExternalIdReservationItem(item: Readonly<Record<string, unknown>>, source: string): ExternalIdReservation {
  const r = new ItemReader(item);
  const raw = { pk: r.string(REGISTRY_PARTITION_KEY), tenantId: r.string('tenantId'), createdAt: r.string('createdAt') };
  if (r.problems.length > 0) throw new RegistryItemError(source, r.problems);
  const result = z.strictObject({
    pk: z.string().regex(new RegExp(`^${EXTERNAL_ID_KEY_PREFIX}[0-9a-f]{64}$`), `pk must be ${EXTERNAL_ID_KEY_PREFIX}<sha256 hex>`),
    tenantId: tenantIdSchema,
    createdAt: isoTimestampSchema,
  }).safeParse(raw);
  if (!result.success) throw new RegistryItemError(source, zodProblems(result.error));
  return result.data;
}

// ---------------------------------------------------------------------------
// Vend caller item
// ---------------------------------------------------------------------------

export interface VendCaller {
  /** An IAM role or user ARN (for a role session, the role's ARN: lambda/vend/caller.ts maps it). */
  readonly principalArn: string;
  /** The tenants this caller may ask vend for; at least one. */
  readonly tenantIds: readonly string[];
}

const vendCallerSchema = z.strictObject({
  principalArn: principalArnSchema,
  tenantIds: z.array(tenantIdSchema).min(1, 'must list at least one tenant'),
}).superRefine((c, ctx) => {
  if (new Set(c.tenantIds).size !== c.tenantIds.length) ctx.addIssue({ code: 'custom', path: ['tenantIds'], message: 'must not repeat' });
});

export function vendCallerItem(caller: VendCaller): AttributeMap {
  const result = vendCallerSchema.safeParse({ principalArn: caller.principalArn, tenantIds: [...caller.tenantIds] });
  if (!result.success) throw new RegistryItemError(vendCallerPk(caller.principalArn), zodProblems(result.error));
  return { pk: s(vendCallerPk(caller.principalArn)), principalArn: s(caller.principalArn), tenantIds: ls(caller.tenantIds) };
}

export function parseVendCallerItem(item: Readonly<Record<string, unknown>>, source: string): VendCaller {
  const r = new ItemReader(item);
  const pk = r.string(REGISTRY_PARTITION_KEY);
  const raw = { principalArn: r.string('principalArn'), tenantIds: r.strings('tenantIds') };
  if (r.problems.length > 0) throw new RegistryItemError(source, r.problems);
  if (pk !== vendCallerPk(raw.principalArn!)) throw new RegistryItemError(source, [`pk: must be "${vendCallerPk(raw.principalArn!)}" for principalArn "${raw.principalArn}"`]);
  const result = vendCallerSchema.safeParse(raw);
  if (!result.success) throw new RegistryItemError(source, zodProblems(result.error));
  return result.data;
}

// ---------------------------------------------------------------------------
// Conditional writes: the expressions every writer uses, as data.
// ---------------------------------------------------------------------------

export interface WriteCondition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: AttributeMap;
}

/** PutItem of a new item (tenant or reservation): fails if the key exists. */
export function createItemCondition(): WriteCondition {
  return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': REGISTRY_PARTITION_KEY } };
}

/** PutItem of a tenant's next version: fails unless the stored version is the one that was read
 *  (optimistic locking; two operators rotating at once: one wins, the other re-reads). */
export function tenantVersionCondition(expectedVersion: number): WriteCondition {
  return {
    ConditionExpression: '#version = :expectedVersion',
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':expectedVersion': n(expectedVersion) },
  };
}
