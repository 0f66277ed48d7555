// ---------------------------------------------------------------------------
// `npm run onboard`: a new tenant in the run-time registry (the vendor account's DynamoDB table),
// with a fresh external ID, and the customer's kit. See scripts/registry/operations.ts for the
// order of the writes and what a failure leaves behind.
// ---------------------------------------------------------------------------
import { generateExternalId } from '../rules/external-id';
import { readCommandLine, UsageError } from './lib/cli';
import { onboardTenant } from './registry/operations';
import { checkTemplateUrl, defaultKitDir, kitForTenant, runCommand, vendorContext, writeKitAndDescribe } from './registry/vendor-context';

const { values } = readCommandLine({
  name: 'onboard',
  usage: ['npm run onboard -- --tenant <id> --customer-account <account> --role-name <name> --function <arn>... [options]'],
  summary: 'add a tenant to the run-time registry with a fresh external ID, and write the customer\'s kit',
  description: [
    'Add a tenant to the registry table in the vendor account: generate its external ID (256 random',
    'bits), reserve it (an ID is never used twice), write the tenant (refused when the tenant exists,',
    'whatever its status), then print what the customer needs and write their kit (CloudFormation',
    'template, Terraform module, README) to a folder. The connector serves the tenant once the',
    'customer has created the role. Target: SIDECAR_TARGET (local: the running local cloud).',
  ].join('\n'),
  options: {
    tenant: { type: 'string', valueName: 'id', description: 'the tenant ID (also the SourceIdentity of every AssumeRole)' },
    'customer-account': { type: 'string', valueName: 'account', description: 'the customer\'s 12-digit AWS account ID' },
    'role-name': { type: 'string', valueName: 'name', description: 'the role the customer creates; must start with the agreed prefix' },
    function: { type: 'string', valueName: 'arn', multiple: true, description: 'a function the tenant may call (ARN, or name in --region); repeat for more' },
    region: { type: 'string', valueName: 'region', description: 'region of functions given by name, and of the registry (default: the config\'s)' },
    'template-url': { type: 'string', valueName: 'url', description: 'where you host customer-role.template.json (S3, https): makes the quick-create link' },
    'kit-dir': { type: 'string', valueName: 'dir', description: 'where to write the kit (default .gen/kits/<tenant>)' },
    table: { type: 'string', valueName: 'name', description: 'the registry table (default: config vendor.registryTableName, else sidecar-tenants)' },
  },
  examples: [
    { command: 'npm run onboard -- --tenant initech --customer-account 123456789012 --role-name tibco_sidecar_connector --function arn:aws:lambda:us-east-1:123456789012:function:orders', says: 'onboard initech' },
  ],
});

void runCommand('onboard', async () => {
  const required = { tenant: values.tenant, 'customer-account': values['customer-account'], 'role-name': values['role-name'] };
  for (const [option, value] of Object.entries(required)) if (value === undefined) throw new UsageError(`option '--${option}' is required`);
  if (values.function.length === 0) throw new UsageError('option \'--function\' is required (repeat it for each function the tenant may call)');
  const templateUrl = checkTemplateUrl(values['template-url']);
  const ctx = await vendorContext({ table: values.table, region: values.region });
  const record = await onboardTenant({
    tenantId: values.tenant!, customerAccountId: values['customer-account']!, roleName: values['role-name']!,
    rolePrefix: ctx.config.rolePrefix, functions: values.function, region: ctx.region,
  }, { store: ctx.store, now: () => new Date(), newExternalId: generateExternalId });
  const kitDir = values['kit-dir'] ?? defaultKitDir(record.tenantId);
  const kit = kitForTenant(record, ctx, templateUrl);
  const lines = [
    `Tenant ${record.tenantId} onboarded in ${ctx.store.table} (status ${record.status}, version ${record.version}).`,
    '',
    'What the customer needs (also in the kit\'s README):',
    `  vendor account           ${ctx.config.vendor.accountId}`,
    `  vendor principal ARNs    ${ctx.vendorPrincipalArns.join(', ')}`,
    `  external ID              ${record.externalId}   (a secret of this tenant)`,
    `  tenant ID (SourceIdentity) ${record.tenantId}`,
    `  role                     ${record.roleArn}   (name must start with ${ctx.config.rolePrefix})`,
    `  functions                ${record.functionArns.join(', ')}`,
    '',
    ...writeKitAndDescribe(kit, kitDir),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
});
