// ---------------------------------------------------------------------------
// `npm run kit`: a tenant's customer kit (CloudFormation template + quick-create link, Terraform
// module, README, external-ID file) for a customer who does not use this repo. The tenant comes
// from the run-time registry (DynamoDB, the default) or from the config file (--from config).
// onboard and rotate write the kit themselves; this command re-writes it at any time.
// ---------------------------------------------------------------------------
import { loadConfig } from '../config/load';
import { tenantOwnership } from '../rules/tenant-ownership';
import { readCommandLine, UsageError } from './lib/cli';
import { TenantNotFoundError } from './registry/errors';
import { checkTemplateUrl, kitForTenant, registryTableName, runCommand, vendorContext, vendorPrincipalArns, writeKitAndDescribe } from './registry/vendor-context';

const { values } = readCommandLine({
  name: 'kit',
  usage: ['npm run kit -- --tenant <id> --out <dir> [--template-url <url>] [--from registry|config]'],
  summary: 'write a tenant\'s customer kit: CloudFormation template and quick-create link, Terraform module, README',
  description: [
    'Write the kit a customer who does not use this repo needs to create the prefixed role in their',
    'account: customer-role.template.json (CloudFormation), terraform/ (a module), README.md (their',
    'values, both ways step by step) and external-id.txt (their secret, mode 0600). Both are generated',
    'from the same policy builders as the customer stacks. The template does not depend on the tenant:',
    'host it once (S3, https) and pass its URL to get the quick-create link.',
  ].join('\n'),
  options: {
    tenant: { type: 'string', valueName: 'id', description: 'the tenant' },
    out: { type: 'string', valueName: 'dir', description: 'the folder to write the kit to (created)' },
    'template-url': { type: 'string', valueName: 'url', description: 'where you host customer-role.template.json (S3, https): makes the quick-create link' },
    from: { type: 'string', valueName: 'source', default: 'registry', description: 'where the tenant is read: registry (DynamoDB) or config (the target\'s config file)' },
    table: { type: 'string', valueName: 'name', description: 'the registry table (default: config vendor.registryTableName, else sidecar-tenants)' },
  },
  examples: [
    { command: 'npm run kit -- --tenant acme --out /tmp/acme-kit --from config', says: 'acme\'s kit from config/local.json' },
    { command: 'npm run kit -- --tenant initech --out kits/initech --template-url https://my-bucket.s3.amazonaws.com/customer-role.template.json', says: 'with the quick-create link' },
  ],
});

void runCommand('kit', async () => {
  if (values.tenant === undefined) throw new UsageError('option \'--tenant\' is required');
  if (values.out === undefined) throw new UsageError('option \'--out\' is required');
  if (values.from !== 'registry' && values.from !== 'config') throw new UsageError(`option '--from' must be registry or config (got '${values.from}')`);
  const templateUrl = checkTemplateUrl(values['template-url']);
  let lines: string[];
  if (values.from === 'config') {
    const config = loadConfig();
    const tenant = config.tenants.find((t) => t.id === values.tenant);
    if (!tenant) throw new TenantNotFoundError(values.tenant, `the tenants of ${config.file}`);
    const ownership = tenantOwnership(tenant, config.customers);
    // The previous ID, when the config's customer is rotating and this tenant sends its current one.
    const previous = ownership.kind === 'paired' && ownership.customer.externalIds.current === tenant.externalId ? ownership.customer.externalIds.previous : undefined;
    const record = { tenantId: tenant.id, roleArn: tenant.roleArn, externalId: tenant.externalId, functionArns: tenant.functions, ...(previous ? { previousExternalId: previous } : {}) };
    registryTableName(config, values.table); // the option is checked even when unused
    lines = writeKitAndDescribe(kitForTenant(record, { config, vendorPrincipalArns: vendorPrincipalArns(config) }, templateUrl), values.out);
  } else {
    const ctx = await vendorContext({ table: values.table });
    const record = await ctx.store.getTenant(values.tenant);
    if (!record) throw new TenantNotFoundError(values.tenant, `the registry table ${ctx.store.table}`);
    if (record.status !== 'active') lines = [`Note: tenant ${record.tenantId} is ${record.status}; the connector refuses it.`];
    else lines = [];
    lines.push(...writeKitAndDescribe(kitForTenant(record, ctx, templateUrl), values.out));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
});
