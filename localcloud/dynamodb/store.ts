// ---------------------------------------------------------------------------
// What DynamoDB remembers: the tables of every account and region (namespace `dynamodb`), and each
// table's items in a document of its own (`dynamodb-items-<tableId>`), so a write costs the size of
// one table, not of every table. Both are written through the core's state store (temp file +
// rename: a crash never leaves half a document) and survive a restart. A re-created table gets a
// new TableId, hence an empty document: no item of its namesake comes back.
// ---------------------------------------------------------------------------
import type { StateStore } from '../contracts';
import type { AttributeValue, Item } from './attribute-values';

export const STATE_NAMESPACE = 'dynamodb';

export interface KeySchemaElement { readonly AttributeName: string; readonly KeyType: 'HASH' | 'RANGE' }
export interface AttributeDefinition { readonly AttributeName: string; readonly AttributeType: 'S' | 'N' | 'B' }

export interface TableRecord {
  readonly accountId: string;
  readonly region: string;
  readonly tableName: string;
  readonly tableArn: string;
  readonly tableId: string;
  readonly keySchema: readonly KeySchemaElement[];
  readonly attributeDefinitions: readonly AttributeDefinition[];
  billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  provisioned?: { read: number; write: number };
  /** Epoch seconds, as DynamoDB's CreationDateTime. */
  readonly createdAt: number;
  lastPayPerRequestAt?: number;
  deletionProtection: boolean;
  tableClass: 'STANDARD' | 'STANDARD_INFREQUENT_ACCESS';
  tags: Record<string, string>;
  pitr: { enabled: boolean; recoveryPeriodInDays: number; enabledAt?: number };
  ttl?: { attributeName: string; enabled: boolean };
}

interface TablesState {
  tables: Record<string, TableRecord>;
}

interface ItemsState {
  items: Record<string, Item>;
}

/** The identity of a table: its account, region and name. */
export interface TableAddress { readonly accountId: string; readonly region: string; readonly tableName: string }

function addressKey(a: TableAddress): string {
  return `${a.accountId}/${a.region}/${a.tableName}`;
}

function itemsNamespace(tableId: string): string {
  return `dynamodb-items-${tableId}`;
}

export class TableStore {
  constructor(private readonly state: StateStore) {}

  private read(): TablesState {
    return this.state.read<TablesState>(STATE_NAMESPACE) ?? { tables: {} };
  }

  get(address: TableAddress): TableRecord | undefined {
    const tables = this.read().tables;
    const key = addressKey(address);
    return Object.prototype.hasOwnProperty.call(tables, key) ? tables[key] : undefined;
  }

  /** The tables of one account and region, by name (ListTables' order). */
  list(accountId: string, region: string): TableRecord[] {
    return Object.values(this.read().tables)
      .filter((t) => t.accountId === accountId && t.region === region)
      .sort((a, b) => (a.tableName < b.tableName ? -1 : a.tableName > b.tableName ? 1 : 0));
  }

  /** A new table: its (empty) items document first, so a crash between the two writes leaves no table without one. */
  create(record: TableRecord): void {
    this.state.write<ItemsState>(itemsNamespace(record.tableId), { items: {} });
    const state = this.read();
    state.tables[addressKey(record)] = record;
    this.state.write(STATE_NAMESPACE, state);
  }

  /** Read-modify-write of one table; the callback runs synchronously, so no request interleaves. */
  update(record: TableRecord, change: (t: TableRecord) => void): TableRecord {
    const state = this.read();
    const current = state.tables[addressKey(record)];
    change(current);
    this.state.write(STATE_NAMESPACE, state);
    return current;
  }

  /** Forget a table, then empty its items document. */
  delete(record: TableRecord): void {
    const state = this.read();
    delete state.tables[addressKey(record)];
    this.state.write(STATE_NAMESPACE, state);
    this.state.write<ItemsState>(itemsNamespace(record.tableId), { items: {} });
  }

  // -- items --------------------------------------------------------------------------------

  items(table: TableRecord): Record<string, Item> {
    return this.state.read<ItemsState>(itemsNamespace(table.tableId))?.items ?? {};
  }

  getItem(table: TableRecord, key: Item): Item | undefined {
    const items = this.items(table);
    const k = itemKey(table, key);
    return Object.prototype.hasOwnProperty.call(items, k) ? items[k] : undefined;
  }

  /** Store (or, with undefined, remove) the item under `key`: one atomic write of the table's document. */
  putItem(table: TableRecord, key: Item, item: Item | undefined): void {
    const items = { ...this.items(table) };
    const k = itemKey(table, key);
    if (item) items[k] = item;
    else delete items[k];
    this.state.write<ItemsState>(itemsNamespace(table.tableId), { items });
  }
}

/** The primary key's attributes of an item, in key-schema order. */
export function keyOf(table: TableRecord, item: Item): Item {
  return Object.fromEntries(table.keySchema.map((k) => [k.AttributeName, item[k.AttributeName]]));
}

/** A stable string for a primary key (values are normalized when checked, so equal keys give equal strings). */
export function itemKey(table: TableRecord, key: Item): string {
  return JSON.stringify(table.keySchema.map((k) => key[k.AttributeName] as AttributeValue));
}
