// ---------------------------------------------------------------------------
// The control plane: tables, their settings (billing, deletion protection, point-in-time
// recovery, time to live) and tags. What the Terraform provider calls for aws_dynamodb_table:
// CreateTable, DescribeTable (until ACTIVE), UpdateContinuousBackups, DescribeContinuousBackups,
// DescribeTimeToLive, ListTagsOfResource, TagResource/UntagResource, UpdateTable, DeleteTable
// (then DescribeTable until ResourceNotFoundException).
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
// ---------------------------------------------------------------------------
import { randomUUID } from 'node:crypto';
import { itemSize } from '../attribute-values';
import { constraint, DynamoDbError, notSupported, resourceInUse, resourceNotFound, validation } from '../errors';
import {
  authorizeTable, oneOf, optionalBoolean, table, tableAddress, tableArnOf, type Operation,
} from '../operation';
import type { AttributeDefinition, KeySchemaElement, TableRecord } from '../store';

type Status = 'CREATING' | 'ACTIVE' | 'UPDATING' | 'DELETING';

const epochSeconds = (d: Date): number => d.getTime() / 1000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------
// Table descriptions
// ---------------------------------------------------------------------------

/** A TableDescription as DynamoDB answers it. Counts are live here (DynamoDB refreshes them about every six hours). */
export function describe(op: Operation, t: TableRecord, status: Status): Record<string, unknown> {
  const items = Object.values(op.store.items(t));
  return {
    AttributeDefinitions: t.attributeDefinitions,
    TableName: t.tableName,
    KeySchema: t.keySchema,
    TableStatus: status,
    CreationDateTime: t.createdAt,
    ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: t.provisioned?.read ?? 0, WriteCapacityUnits: t.provisioned?.write ?? 0 },
    TableSizeBytes: items.reduce((n, i) => n + itemSize(i), 0),
    ItemCount: items.length,
    TableArn: t.tableArn,
    TableId: t.tableId,
    ...(t.billingMode === 'PAY_PER_REQUEST' ? { BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: t.lastPayPerRequestAt ?? t.createdAt } } : {}),
    ...(t.tableClass !== 'STANDARD' ? { TableClassSummary: { TableClass: t.tableClass } } : {}),
    DeletionProtectionEnabled: t.deletionProtection,
  };
}

// ---------------------------------------------------------------------------
// CreateTable's validation
// ---------------------------------------------------------------------------

function keySchemaOf(raw: unknown): KeySchemaElement[] {
  if (raw === undefined || raw === null) throw validation("1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > 2) throw constraint('keySchema', raw, 'Member must have length less than or equal to 2');
  const schema = raw.map((e, i) => {
    if (!isObject(e) || typeof e.AttributeName !== 'string' || e.AttributeName.length < 1 || e.AttributeName.length > 255) {
      throw constraint(`keySchema.${i + 1}.member.attributeName`, isObject(e) ? e.AttributeName : e, 'Member must have length between 1 and 255');
    }
    if (e.KeyType !== 'HASH' && e.KeyType !== 'RANGE') throw constraint(`keySchema.${i + 1}.member.keyType`, e.KeyType, 'Member must satisfy enum value set: [HASH, RANGE]');
    return { AttributeName: e.AttributeName, KeyType: e.KeyType } as KeySchemaElement;
  });
  if (schema[0].KeyType !== 'HASH') throw validation('Invalid KeySchema: The first KeySchemaElement is not a HASH key type');
  if (schema[1] && schema[1].KeyType !== 'RANGE') throw validation('Invalid KeySchema: The second KeySchemaElement is not a RANGE key type');
  if (schema[1] && schema[1].AttributeName === schema[0].AttributeName) throw validation('Both the Hash Key and the Range Key element in the KeySchema have the same name');
  return schema;
}

function attributeDefinitionsOf(raw: unknown, keySchema: readonly KeySchemaElement[]): AttributeDefinition[] {
  if (raw === undefined || raw === null) throw validation("1 validation error detected: Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(raw)) throw constraint('attributeDefinitions', raw, 'Member must be a list');
  const defs = raw.map((e, i) => {
    if (!isObject(e) || typeof e.AttributeName !== 'string' || e.AttributeName.length < 1 || e.AttributeName.length > 255) {
      throw constraint(`attributeDefinitions.${i + 1}.member.attributeName`, isObject(e) ? e.AttributeName : e, 'Member must have length between 1 and 255');
    }
    if (e.AttributeType !== 'S' && e.AttributeType !== 'N' && e.AttributeType !== 'B') {
      throw constraint(`attributeDefinitions.${i + 1}.member.attributeType`, e.AttributeType, 'Member must satisfy enum value set: [B, N, S]');
    }
    return { AttributeName: e.AttributeName, AttributeType: e.AttributeType } as AttributeDefinition;
  });
  const names = defs.map((d) => d.AttributeName);
  if (new Set(names).size !== names.length) throw validation('Cannot have two attributes with the same name');
  const undefinedKeys = keySchema.filter((k) => !names.includes(k.AttributeName)).map((k) => k.AttributeName);
  if (undefinedKeys.length > 0) {
    throw validation(`One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${undefinedKeys.join(', ')}], AttributeDefinitions: [${names.join(', ')}]`);
  }
  // Without secondary indexes, only key attributes may be defined.
  if (defs.length !== keySchema.length) {
    throw validation('One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions');
  }
  return defs;
}

/** Billing: PROVISIONED (the default) needs both capacities, PAY_PER_REQUEST refuses them.
 *  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html#DDB-CreateTable-request-BillingMode */
function billingOf(op: Operation, fallback: TableRecord['billingMode']): { mode: TableRecord['billingMode']; provisioned?: { read: number; write: number } } {
  const mode = oneOf(op, 'BillingMode', ['PROVISIONED', 'PAY_PER_REQUEST'] as const, fallback);
  const raw = op.input.ProvisionedThroughput;
  if (mode === 'PAY_PER_REQUEST') {
    if (raw !== undefined && raw !== null) throw validation('One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
    return { mode };
  }
  if (!isObject(raw) || raw.ReadCapacityUnits === undefined || raw.WriteCapacityUnits === undefined) {
    throw validation('One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED');
  }
  const read = Number(raw.ReadCapacityUnits);
  const write = Number(raw.WriteCapacityUnits);
  if (!Number.isInteger(read) || read < 1) throw constraint('provisionedThroughput.readCapacityUnits', raw.ReadCapacityUnits, 'Member must have value greater than or equal to 1');
  if (!Number.isInteger(write) || write < 1) throw constraint('provisionedThroughput.writeCapacityUnits', raw.WriteCapacityUnits, 'Member must have value greater than or equal to 1');
  return { mode, provisioned: { read, write } };
}

/** Tags: keys 1-128, values 0-256 characters, at most 50 per resource.
 *  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Tagging.html#TaggingRestrictions */
function tagsOf(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) throw constraint('tags', raw, 'Member must be a list');
  const tags: Record<string, string> = {};
  for (const [i, t] of raw.entries()) {
    if (!isObject(t) || typeof t.Key !== 'string' || t.Key.length < 1 || t.Key.length > 128) throw constraint(`tags.${i + 1}.member.key`, isObject(t) ? t.Key : t, 'Member must have length between 1 and 128');
    if (typeof t.Value !== 'string' || t.Value.length > 256) throw constraint(`tags.${i + 1}.member.value`, t.Value, 'Member must have length less than or equal to 256');
    if (t.Key.startsWith('aws:')) throw validation('One or more parameter values were invalid: Tag keys may not start with "aws:"');
    tags[t.Key] = t.Value;
  }
  return tags;
}

function checkTagCount(tags: Record<string, string>): void {
  if (Object.keys(tags).length > 50) throw validation('One or more parameter values were invalid: Too many tags: a resource may have at most 50');
}

/** What the local cloud does not keep: refused when asked for, rather than ignored. */
function refuseUnsupported(op: Operation): void {
  const i = op.input;
  if (Array.isArray(i.GlobalSecondaryIndexes) && i.GlobalSecondaryIndexes.length > 0) throw notSupported('GlobalSecondaryIndexes');
  if (Array.isArray(i.LocalSecondaryIndexes) && i.LocalSecondaryIndexes.length > 0) throw notSupported('LocalSecondaryIndexes');
  if (Array.isArray(i.GlobalSecondaryIndexUpdates) && i.GlobalSecondaryIndexUpdates.length > 0) throw notSupported('GlobalSecondaryIndexUpdates');
  if (Array.isArray(i.ReplicaUpdates) && i.ReplicaUpdates.length > 0) throw notSupported('ReplicaUpdates (global tables)');
  if (isObject(i.StreamSpecification) && i.StreamSpecification.StreamEnabled === true) throw notSupported('DynamoDB Streams (StreamSpecification.StreamEnabled)');
  if (isObject(i.SSESpecification) && i.SSESpecification.Enabled === true) throw notSupported('SSESpecification with a KMS key (tables here are encrypted with the default owned key only)');
  for (const f of ['ResourcePolicy', 'OnDemandThroughput', 'WarmThroughput', 'MultiRegionConsistency', 'GlobalTableWitnessUpdates']) {
    if (i[f] !== undefined && i[f] !== null) throw notSupported(f);
  }
}

// ---------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------

export function createTable(op: Operation): unknown {
  const address = tableAddress(op, op.input.TableName);
  authorizeTable(op, address);
  refuseUnsupported(op);
  const keySchema = keySchemaOf(op.input.KeySchema);
  const attributeDefinitions = attributeDefinitionsOf(op.input.AttributeDefinitions, keySchema);
  const billing = billingOf(op, 'PROVISIONED');
  const tags = tagsOf(op.input.Tags);
  checkTagCount(tags);
  const tableClass = oneOf(op, 'TableClass', ['STANDARD', 'STANDARD_INFREQUENT_ACCESS'] as const, 'STANDARD');
  if (op.store.get(address)) throw resourceInUse(`Table already exists: ${address.tableName}`);
  const now = epochSeconds(op.ctx.now());
  const record: TableRecord = {
    ...address,
    tableArn: tableArnOf(address),
    tableId: randomUUID(),
    keySchema,
    attributeDefinitions,
    billingMode: billing.mode,
    ...(billing.provisioned ? { provisioned: billing.provisioned } : {}),
    createdAt: now,
    ...(billing.mode === 'PAY_PER_REQUEST' ? { lastPayPerRequestAt: now } : {}),
    deletionProtection: optionalBoolean(op, 'DeletionProtectionEnabled') ?? false,
    tableClass,
    tags,
    pitr: { enabled: false, recoveryPeriodInDays: 35 },
  };
  op.store.create(record);
  // DynamoDB answers CREATING; the table is ACTIVE by the first DescribeTable here.
  return { TableDescription: describe(op, record, 'CREATING') };
}

export function describeTable(op: Operation): unknown {
  const address = tableAddress(op, op.input.TableName);
  authorizeTable(op, address);
  const t = op.store.get(address);
  if (!t) throw resourceNotFound(`Requested resource not found: Table: ${address.tableName} not found`);
  return { Table: describe(op, t, 'ACTIVE') };
}

export function deleteTable(op: Operation): unknown {
  const t = table(op);
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection
  if (t.deletionProtection) throw validation('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
  const description = describe(op, t, 'DELETING');
  op.store.delete(t);
  return { TableDescription: description };
}

export function updateTable(op: Operation): unknown {
  const t = table(op);
  refuseUnsupported(op);
  const i = op.input;
  const changes = ['BillingMode', 'ProvisionedThroughput', 'DeletionProtectionEnabled', 'TableClass', 'StreamSpecification', 'SSESpecification']
    .filter((f) => i[f] !== undefined && i[f] !== null);
  if (changes.length === 0) {
    throw validation('At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required');
  }
  const wantsBilling = i.BillingMode !== undefined || i.ProvisionedThroughput !== undefined;
  const billing = wantsBilling ? billingOf(op, t.billingMode) : undefined;
  const tableClass = oneOf(op, 'TableClass', ['STANDARD', 'STANDARD_INFREQUENT_ACCESS'] as const, t.tableClass);
  const deletionProtection = optionalBoolean(op, 'DeletionProtectionEnabled');
  const now = epochSeconds(op.ctx.now());
  const updated = op.store.update(t, (r) => {
    if (billing) {
      if (billing.mode === 'PAY_PER_REQUEST' && r.billingMode !== 'PAY_PER_REQUEST') r.lastPayPerRequestAt = now;
      r.billingMode = billing.mode;
      if (billing.provisioned) r.provisioned = billing.provisioned;
      else delete r.provisioned;
    }
    r.tableClass = tableClass;
    if (deletionProtection !== undefined) r.deletionProtection = deletionProtection;
  });
  return { TableDescription: describe(op, updated, billing ? 'UPDATING' : 'ACTIVE') };
}

/** ListTables: resource `*` (it names no table). Limit 1-100; paged by ExclusiveStartTableName. */
export function listTables(op: Operation): unknown {
  op.ctx.authorize({ principal: op.req.principal, action: 'dynamodb:ListTables', resource: '*', resourceAccountId: op.req.principal.accountId });
  const limit = op.input.Limit === undefined ? 100 : Number(op.input.Limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw constraint('limit', op.input.Limit, 'Member must have value between 1 and 100');
  const start = op.input.ExclusiveStartTableName;
  const names = op.store.list(op.req.principal.accountId, op.req.region).map((t) => t.tableName)
    .filter((n) => typeof start !== 'string' || n > start);
  const page = names.slice(0, limit);
  return { TableNames: page, ...(names.length > limit ? { LastEvaluatedTableName: page[page.length - 1] } : {}) };
}

// -- point-in-time recovery -----------------------------------------------------------------
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html
// A missing table is TableNotFoundException here, not ResourceNotFoundException.

function backupsTable(op: Operation): TableRecord {
  const address = tableAddress(op, op.input.TableName);
  authorizeTable(op, address);
  const t = op.store.get(address);
  if (!t) throw new DynamoDbError('TableNotFoundException', `Table not found: ${address.tableName}`);
  return t;
}

function continuousBackups(op: Operation, t: TableRecord): unknown {
  const now = epochSeconds(op.ctx.now());
  return {
    ContinuousBackupsStatus: 'ENABLED',
    PointInTimeRecoveryDescription: t.pitr.enabled
      ? {
        PointInTimeRecoveryStatus: 'ENABLED',
        RecoveryPeriodInDays: t.pitr.recoveryPeriodInDays,
        EarliestRestorableDateTime: Math.max(t.pitr.enabledAt ?? now, now - t.pitr.recoveryPeriodInDays * 86400),
        LatestRestorableDateTime: now - 300,
      }
      : { PointInTimeRecoveryStatus: 'DISABLED' },
  };
}

export function describeContinuousBackups(op: Operation): unknown {
  return { ContinuousBackupsDescription: continuousBackups(op, backupsTable(op)) };
}

export function updateContinuousBackups(op: Operation): unknown {
  const t = backupsTable(op);
  const spec = op.input.PointInTimeRecoverySpecification;
  if (!isObject(spec) || typeof spec.PointInTimeRecoveryEnabled !== 'boolean') {
    throw validation("1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null");
  }
  const days = spec.RecoveryPeriodInDays;
  if (days !== undefined && days !== null) {
    if (!spec.PointInTimeRecoveryEnabled) throw validation('RecoveryPeriodInDays can only be set when PointInTimeRecoveryEnabled is true');
    if (!Number.isInteger(days) || (days as number) < 1 || (days as number) > 35) throw constraint('pointInTimeRecoverySpecification.recoveryPeriodInDays', days, 'Member must have value between 1 and 35');
  }
  const now = epochSeconds(op.ctx.now());
  const updated = op.store.update(t, (r) => {
    const wasEnabled = r.pitr.enabled;
    r.pitr = {
      enabled: spec.PointInTimeRecoveryEnabled as boolean,
      recoveryPeriodInDays: typeof days === 'number' ? days : r.pitr.recoveryPeriodInDays,
      ...(spec.PointInTimeRecoveryEnabled ? { enabledAt: wasEnabled ? r.pitr.enabledAt ?? now : now } : {}),
    };
  });
  return { ContinuousBackupsDescription: continuousBackups(op, updated) };
}

// -- time to live (kept as a setting: the local cloud does not expire items) ------------------
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html

export function describeTimeToLive(op: Operation): unknown {
  const t = table(op);
  return {
    TimeToLiveDescription: t.ttl?.enabled ? { TimeToLiveStatus: 'ENABLED', AttributeName: t.ttl.attributeName } : { TimeToLiveStatus: 'DISABLED' },
  };
}

export function updateTimeToLive(op: Operation): unknown {
  const t = table(op);
  const spec = op.input.TimeToLiveSpecification;
  if (!isObject(spec) || typeof spec.Enabled !== 'boolean' || typeof spec.AttributeName !== 'string' || spec.AttributeName.length < 1) {
    throw validation("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null");
  }
  if (spec.Enabled && t.ttl?.enabled) throw validation('TimeToLive is already enabled');
  if (!spec.Enabled && !t.ttl?.enabled) throw validation('TimeToLive is already disabled');
  op.store.update(t, (r) => { r.ttl = { attributeName: spec.AttributeName as string, enabled: spec.Enabled as boolean }; });
  return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
}

// -- tags --------------------------------------------------------------------------------------
// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html

function taggedTable(op: Operation): TableRecord {
  const arn = op.input.ResourceArn;
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) throw validation(`Invalid TableArn: Invalid ResourceArn provided as input ${String(arn)}`);
  const address = tableAddress(op, arn);
  authorizeTable(op, address);
  const t = op.store.get(address);
  if (!t) throw resourceNotFound(`Requested resource not found: ResourcArn: ${arn} not found`);
  return t;
}

export function tagResource(op: Operation): unknown {
  const t = taggedTable(op);
  const tags = tagsOf(op.input.Tags);
  if (Object.keys(tags).length === 0) throw validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
  checkTagCount({ ...t.tags, ...tags });
  op.store.update(t, (r) => { r.tags = { ...r.tags, ...tags }; });
  return {};
}

export function untagResource(op: Operation): unknown {
  const t = taggedTable(op);
  const keys = op.input.TagKeys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) throw validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
  op.store.update(t, (r) => {
    const next = { ...r.tags };
    for (const k of keys as string[]) delete next[k];
    r.tags = next;
  });
  return {};
}

export function listTagsOfResource(op: Operation): unknown {
  const t = taggedTable(op);
  return { Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) };
}
