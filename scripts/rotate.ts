// ---------------------------------------------------------------------------
// `npm run rotate`: a tenant's new external ID (reserved, never reused); the current one stays
// accepted as previousExternalId until `--finish`. The customer's kit is regenerated either way.
// ---------------------------------------------------------------------------
import { generateExternalId } from '../rules/external-id';
import { readCommandLine, UsageError } from './lib/cli';
import { finishRotation, rotateExternalId } from './registry/operations';
import { checkTemplateUrl, defaultKitDir, kitForTenant, runCommand, vendorContext, writeKitAndDescribe } from './registry/vendor-context';

const { values } = readCommandLine({
  name: 'rotate',
  usage: ['npm run rotate -- --tenant <id> [--finish] [options]'],
  summary: 'give a tenant a new external ID (the old one stays accepted until --finish)',
  description: [
    'Start a rotation: generate and reserve a new external ID for the tenant; the registry keeps the',
    'current one as previousExternalId. The connector sends the NEW ID from its next registry read, so',
    'send the customer the regenerated kit first-thing: their role must accept the new ID (the kit\'s',
    'template and module take both). With --finish: drop the previous ID once the customer\'s role no',
    'longer needs it, and regenerate the kit without it. Every write is conditional on the version read.',
  ].join('\n'),
  options: {
    tenant: { type: 'string', valueName: 'id', description: 'the tenant' },
    finish: { type: 'boolean', description: 'end the rotation: drop the previous external ID' },
    'template-url': { type: 'string', valueName: 'url', description: 'where you host customer-role.template.json (S3, https): makes the quick-create link' },
    'kit-dir': { type: 'string', valueName: 'dir', description: 'where to write the kit (default .gen/kits/<tenant>)' },
    table: { type: 'string', valueName: 'name', description: 'the registry table (default: config vendor.registryTableName, else sidecar-tenants)' },
    region: { type: 'string', valueName: 'region', description: 'region of the registry (default: the config\'s)' },
  },
  examples: [
    { command: 'npm run rotate -- --tenant initech', says: 'start a rotation, write the new kit' },
    { command: 'npm run rotate -- --tenant initech --finish', says: 'the customer updated their role: drop the old ID' },
  ],
});

void runCommand('rotate', async () => {
  if (values.tenant === undefined) throw new UsageError('option \'--tenant\' is required');
  const templateUrl = checkTemplateUrl(values['template-url']);
  const ctx = await vendorContext({ table: values.table, region: values.region });
  const deps = { store: ctx.store, now: () => new Date(), newExternalId: generateExternalId };
  const record = values.finish ? await finishRotation(values.tenant, deps) : await rotateExternalId(values.tenant, deps);
  const lines = values.finish
    ? [`Rotation of tenant ${record.tenantId} finished: only its current external ID is accepted now (version ${record.version}).`]
    : [
      `Tenant ${record.tenantId} rotated (version ${record.version}): new external ID ${record.externalId}; the previous one stays in the registry until --finish.`,
      'The connector sends the new ID from its next registry read: the customer must update their role with the new kit (both IDs accepted) now.',
    ];
  process.stdout.write(`${[...lines, '', ...writeKitAndDescribe(kitForTenant(record, ctx, templateUrl), values['kit-dir'] ?? defaultKitDir(record.tenantId))].join('\n')}\n`);
});
