// ---------------------------------------------------------------------------
// `npm run tenants`: the registry's tenants (a paginated Scan), as a table or JSON. External IDs
// are never printed unless asked for with --show-external-ids.
// ---------------------------------------------------------------------------
import { readCommandLine } from './lib/cli';
import { formatTable } from './lib/table';
import { listTenants } from './registry/operations';
import { runCommand, vendorContext } from './registry/vendor-context';

const { values } = readCommandLine({
  name: 'tenants',
  usage: ['npm run tenants [-- --json] [--show-external-ids]'],
  summary: 'list the registry\'s tenants: id, status, role, functions, last update',
  description: 'List every tenant of the registry table (all pages of a Scan): tenant ID, status, role ARN, number of functions, whether a rotation is in progress, who manages it (config or commands) and when it last changed. External IDs are secrets: shown only with --show-external-ids.',
  options: {
    json: { type: 'boolean', description: 'print JSON (one array) instead of a table' },
    'show-external-ids': { type: 'boolean', description: 'include each tenant\'s external ID(s): secrets, mind where the output goes' },
    table: { type: 'string', valueName: 'name', description: 'the registry table (default: config vendor.registryTableName, else sidecar-tenants)' },
    region: { type: 'string', valueName: 'region', description: 'region of the registry (default: the config\'s)' },
  },
  examples: [
    { command: 'npm run tenants', says: 'a table of the tenants' },
    { command: 'npm run -s tenants -- --json | jq .', says: 'the same as JSON' },
  ],
});

void runCommand('tenants', async () => {
  const ctx = await vendorContext({ table: values.table, region: values.region });
  const rows = await listTenants({ store: ctx.store }, { showExternalIds: values['show-external-ids'] });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const headers = ['tenant', 'status', 'role', 'functions', 'rotating', 'managed by', 'updated', ...(values['show-external-ids'] ? ['external ID', 'previous'] : [])];
  const cells = rows.map((r) => [
    r.tenantId, r.status, r.roleArn, String(r.functions), r.rotating ? 'yes' : 'no', r.managedBy, r.updatedAt,
    ...(values['show-external-ids'] ? [r.externalId ?? '', r.previousExternalId ?? ''] : []),
  ]);
  process.stdout.write(`${formatTable(headers, cells)}\n${rows.length} tenant${rows.length === 1 ? '' : 's'} in ${ctx.store.table}\n`);
});
