// ---------------------------------------------------------------------------
// The tenant registry's DynamoDB table (vendor account), and the items seeded from config:
// one per configured tenant, the reservation of each of its external IDs, and one per vend
// caller. The item shapes are rules/registry-item.ts's; the connector and vend read them at run
// time, the onboarding commands write the tenants that are not in config. Seeding from config
// keeps review by pull request working: a tenant added to config/<target>.json shows up in the
// plan as an item.
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table';
import { DynamodbTableItem } from '@cdktf/provider-aws/lib/dynamodb-table-item';
import { dynamodbTableArn } from '../rules/naming';
import {
  REGISTRY_PARTITION_KEY, externalIdReservationItem, marshalTenantRecord, newTenantRecord, vendCallerItem,
  type AttributeMap, type NewTenant, type VendCaller,
} from '../rules/registry-item';
import { StackConfigError } from './stack-config-error';

/**
 * createdAt/updatedAt of a seeded item. Terraform writes an item only when it changes, and a
 * synth-time clock would change every item on every plan; the history of a seeded tenant is the
 * config file's git history, so its items carry this fixed instant and `managedBy: config`.
 */
export const CONFIG_SEED_TIMESTAMP = new Date('2000-01-01T00:00:00.000Z');

export interface TenantRegistryTableProps {
  /** The table's name (config `vendor.registryTableName`). */
  readonly tableName: string;
  /** The vendor account and region: the table's ARN is built from them. */
  readonly accountId: string;
  readonly region: string;
  /** Whether `cdktf destroy` may delete the table. @default true */
  readonly deletionProtection?: boolean;
  /** Tenants seeded from config, each with its previous external ID during a rotation. @default none */
  readonly tenants?: readonly NewTenant[];
  /** Vend callers seeded from config. @default none */
  readonly vendCallers?: readonly VendCaller[];
}

export class TenantRegistryTable extends Construct {
  public readonly table: DynamodbTable;
  /** Built from the account, region and name, so policies never wait on the resource. */
  public readonly tableArn: string;
  public readonly items: readonly DynamodbTableItem[];

  constructor(scope: Construct, id: string, props: TenantRegistryTableProps) {
    super(scope, id);
    const where = `TenantRegistryTable ${this.node.path}`;
    this.tableArn = dynamodbTableArn(props.region, props.accountId, props.tableName);

    // ---- table -------------------------------------------------------------
    this.table = new DynamodbTable(this, 'table', {
      name: props.tableName,
      // One read per tenant per cache TTL per sandbox: spiky and small, so on demand.
      billingMode: 'PAY_PER_REQUEST',
      hashKey: REGISTRY_PARTITION_KEY,
      attribute: [{ name: REGISTRY_PARTITION_KEY, type: 'S' }],
      // A bad write (or an offboarding by mistake) can be undone to any second of the last 35 days.
      pointInTimeRecovery: { enabled: true },
      // server_side_encryption left out on purpose: DynamoDB encrypts every table at rest with an
      // AWS owned key by default. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html
      deletionProtectionEnabled: props.deletionProtection ?? true,
    });

    // ---- seeded items ------------------------------------------------------
    const items: DynamodbTableItem[] = [];
    const seenKeys = new Map<string, string>();
    const add = (constructId: string, owner: string, item: AttributeMap) => {
      const pk = item[REGISTRY_PARTITION_KEY] as { S: string };
      const other = seenKeys.get(pk.S);
      if (other !== undefined) throw new StackConfigError(where, `${owner} and ${other} would write the same registry item (${pk.S.startsWith('external-id#') ? 'the same external ID' : pk.S}); each tenant needs its own external IDs`);
      seenKeys.set(pk.S, owner);
      items.push(new DynamodbTableItem(this, constructId, {
        tableName: this.table.name,
        hashKey: this.table.hashKey,
        item: JSON.stringify(item),
      }));
    };
    for (const tenant of props.tenants ?? []) {
      const record = newTenantRecord(tenant, CONFIG_SEED_TIMESTAMP, 'config');
      add(`tenant-${tenant.tenantId}`, `tenant "${tenant.tenantId}"`, marshalTenantRecord(record));
      const ids = [['current', tenant.externalId], ...(tenant.previousExternalId !== undefined ? [['previous', tenant.previousExternalId]] : [])];
      for (const [which, externalId] of ids) {
        add(`external-id-${tenant.tenantId}-${which}`, `tenant "${tenant.tenantId}" (${which} external ID)`, externalIdReservationItem(externalId, tenant.tenantId, CONFIG_SEED_TIMESTAMP));
      }
    }
    for (const caller of props.vendCallers ?? []) {
      add(`vend-caller-${shortHash(caller.principalArn)}`, `vend caller ${caller.principalArn}`, vendCallerItem(caller));
    }
    this.items = items;
  }
}

/** A construct ID for a value that may hold characters IDs should not (`:` and `/` in ARNs). */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}
