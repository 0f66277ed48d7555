// ---------------------------------------------------------------------------
// The tenant registry table, as the onboarding commands read and write it: every write is
// conditional (rules/registry-item.ts says which condition), and every DynamoDB refusal becomes a
// typed error that says what happened and what to do (./errors.ts). The client is passed in (a
// real DynamoDBClient for the commands, aws-sdk-client-mock in the tests).
// ---------------------------------------------------------------------------
import {
  ConditionalCheckFailedException, GetItemCommand, PutItemCommand, ResourceNotFoundException, ScanCommand,
  type AttributeValue as SdkAttributeValue, type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  TENANT_KEY_PREFIX, REGISTRY_PARTITION_KEY, createItemCondition, externalIdReservationItem, marshalTenantRecord, parseTenantItem,
  tenantKey, tenantVersionCondition, type TenantRecord,
} from '../../rules/registry-item';
import { ExternalIdTakenError, RegistryTableNotFoundError, RegistryUnavailableError, TenantExistsError, VersionConflictError } from './errors';

export interface RegistryStoreDeps {
  readonly client: Pick<DynamoDBClient, 'send'>;
  readonly table: string;
}

type Item = Record<string, SdkAttributeValue>;

export class RegistryStore {
  constructor(private readonly deps: RegistryStoreDeps) {}

  get table(): string {
    return this.deps.table;
  }

  /** The tenant, read consistently (a write follows), or undefined. */
  async getTenant(tenantId: string): Promise<TenantRecord | undefined> {
    const out = await this.call('GetItem', () => this.deps.client.send(new GetItemCommand({ TableName: this.table, Key: tenantKey(tenantId), ConsistentRead: true })));
    return out.Item ? parseTenantItem(out.Item, `${this.table} ${TENANT_KEY_PREFIX}${tenantId}`) : undefined;
  }

  /** Reserve an external ID for a tenant (attribute_not_exists): an ID is never used twice. */
  async reserveExternalId(externalId: string, tenantId: string, now: Date): Promise<void> {
    await this.call('PutItem', () => this.deps.client.send(new PutItemCommand({
      TableName: this.table, Item: externalIdReservationItem(externalId, tenantId, now) as Item, ...createItemCondition() as object,
    })), () => new ExternalIdTakenError(tenantId));
  }

  /** Write a new tenant (attribute_not_exists). An existing one: TenantExistsError naming its status. */
  async createTenant(record: TenantRecord): Promise<void> {
    try {
      await this.call('PutItem', () => this.deps.client.send(new PutItemCommand({
        TableName: this.table, Item: marshalTenantRecord(record) as Item, ...createItemCondition() as object,
      })), () => new TenantExistsError(record.tenantId, undefined));
    } catch (e) {
      if (!(e instanceof TenantExistsError)) throw e;
      const existing = await this.getTenant(record.tenantId).catch(() => undefined);
      throw new TenantExistsError(record.tenantId, existing?.status);
    }
  }

  /** Replace a tenant with its next version, only if the stored version is still `expectedVersion`. */
  async replaceTenant(next: TenantRecord, expectedVersion: number): Promise<void> {
    await this.call('PutItem', () => this.deps.client.send(new PutItemCommand({
      TableName: this.table, Item: marshalTenantRecord(next) as Item, ...tenantVersionCondition(expectedVersion) as object,
    })), () => new VersionConflictError(next.tenantId, expectedVersion));
  }

  /** Every tenant item, following LastEvaluatedKey to the last page (a Scan page holds at most 1 MB). */
  async scanTenants(): Promise<TenantRecord[]> {
    const tenants: TenantRecord[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.call('Scan', () => this.deps.client.send(new ScanCommand({
        TableName: this.table,
        FilterExpression: 'begins_with(#pk, :tenant)',
        ExpressionAttributeNames: { '#pk': REGISTRY_PARTITION_KEY },
        ExpressionAttributeValues: { ':tenant': { S: TENANT_KEY_PREFIX } },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      })));
      for (const item of out.Items ?? []) tenants.push(parseTenantItem(item, `${this.table} ${item.pk?.S ?? '(no pk)'}`));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return tenants.sort((a, b) => a.tenantId.localeCompare(b.tenantId));
  }

  /** Run one call; a failed condition becomes `onConditionFailed()`, a missing table and the rest typed errors. */
  private async call<T>(operation: string, send: () => Promise<T>, onConditionFailed?: () => Error): Promise<T> {
    try {
      return await send();
    } catch (e) {
      if (onConditionFailed && (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException')) throw onConditionFailed();
      if (e instanceof ResourceNotFoundException || (e as Error).name === 'ResourceNotFoundException') throw new RegistryTableNotFoundError(this.table, e);
      throw new RegistryUnavailableError(operation, (e as Error).name || 'Error', e);
    }
  }
}
