// ---------------------------------------------------------------------------
// `npm run offboard`: a tenant's status becomes offboarded. The item is kept (never deleted), so its
// tenant ID and external IDs are never handed out again; the connector refuses the tenant from its
// next registry read (within its registry cache TTL).
// ---------------------------------------------------------------------------
import { readCommandLine, UsageError } from './lib/cli';
import { offboardTenant } from './registry/operations';
import { runCommand, vendorContext } from './registry/vendor-context';

const { values } = readCommandLine({
  name: 'offboard',
  usage: ['npm run offboard -- --tenant <id> [options]'],
  summary: 'mark a tenant offboarded: the connector refuses it within its registry cache TTL',
  description: [
    'Set the tenant\'s status to offboarded (a write conditional on the version read). The connector',
    'and vend refuse it from their next registry read, i.e. within their registry cache TTL. The item',
    'stays, so neither the tenant ID nor its external IDs are ever reused. Already offboarded: nothing',
    'is written. Tell the customer they may delete their role.',
  ].join('\n'),
  options: {
    tenant: { type: 'string', valueName: 'id', description: 'the tenant' },
    table: { type: 'string', valueName: 'name', description: 'the registry table (default: config vendor.registryTableName, else sidecar-tenants)' },
    region: { type: 'string', valueName: 'region', description: 'region of the registry (default: the config\'s)' },
  },
  examples: [{ command: 'npm run offboard -- --tenant initech', says: 'stop serving initech' }],
});

void runCommand('offboard', async () => {
  if (values.tenant === undefined) throw new UsageError('option \'--tenant\' is required');
  const ctx = await vendorContext({ table: values.table, region: values.region });
  const { record, changed } = await offboardTenant(values.tenant, { store: ctx.store, now: () => new Date(), newExternalId: () => { throw new Error('offboard generates no external ID'); } });
  process.stdout.write(changed
    ? `Tenant ${record.tenantId} offboarded (version ${record.version}); the connector refuses it within its registry cache TTL. The customer may now delete their role ${record.roleArn}.\n`
    : `Tenant ${record.tenantId} was already offboarded (since ${record.updatedAt}); nothing written.\n`);
});
