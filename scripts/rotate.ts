// ---------------------------------------------------------------------------
// `npm run rotate`: a tenant's new external ID (reserved, never reused); the current one stays
// accepted as previousExternalId until `--finish`. The customer's kit is regenerated either way.
// Seamless: the connector and vend try the new ID first and fall back to the previous one only
// when STS refuses the new one (lambda/shared/assume-role-input.ts), so no call fails meanwhile.
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
    'current one as previousExternalId. From their next registry read the connector and vend try the',
    'NEW ID first and, only when STS refuses it (AccessDenied), the previous one: calls keep working.',
    'Send the customer the regenerated kit (its template and module accept both IDs); they apply it',
    'whenever. When `npm run verify` shows the current ID in use (and the connector\'s metric',
    'PreviousExternalIdUsed stays at 0 for the tenant), run --finish: it drops the previous ID and',
    'regenerates the kit without it. Every write is conditional on the version read.',
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
      'Calls keep working: the connector and vend try the new ID first and fall back to the previous one while the customer\'s role refuses the new one.',
      'Next: send the customer the new kit (both IDs accepted), to apply whenever; once `npm run verify` shows the current ID in use',
      `(metric PreviousExternalIdUsed at 0 for the tenant), end the rotation: npm run rotate -- --tenant ${record.tenantId} --finish`,
    ];
  process.stdout.write(`${[...lines, '', ...writeKitAndDescribe(kitForTenant(record, ctx, templateUrl), values['kit-dir'] ?? defaultKitDir(record.tenantId))].join('\n')}\n`);
});
