// ---------------------------------------------------------------------------
// What every onboarding command needs from the vendor's side: the config of the target
// (SIDECAR_TARGET), a DynamoDB client with the VENDOR account's credentials (local target: the
// local cloud's vendor root keys and the running cloud's endpoint, found as `npm run local:status`
// finds it; aws target: the vendor's profile or role from config/aws.json), the registry table's
// name, the vendor principals a customer's trust names, and the kit for a tenant. Also the one
// runner that turns each command's typed errors into one line on stderr and an exit code.
// ---------------------------------------------------------------------------
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError, PROJECT_ROOT, loadConfig, type LoadedConfig } from '../../config/load';
import { roleArn } from '../../rules/naming';
import { DEFAULT_REGISTRY_TABLE_NAME, RegistryItemError, TABLE_NAME_PATTERN, type TenantRecord } from '../../rules/registry-item';
import { accountCredentials } from '../lib/accounts';
import { LocalCloudNotRunningError, requireRunningCloud } from '../lib/local-cloud-state';
import { UsageError } from '../lib/cli';
import { buildCustomerKit, writeCustomerKit, KitInputError, type CustomerKit } from '../kit/customer-kit';
import { KitGenerationError } from '../kit/kit-policies';
import { RegistryCommandError } from './errors';
import { RegistryStore } from './store';

/** Where a tenant's kit goes unless the command is told otherwise (gitignored: it holds the external ID). */
export function defaultKitDir(tenantId: string): string {
  return join(PROJECT_ROOT, '.gen', 'kits', tenantId);
}

export interface VendorContext {
  readonly config: LoadedConfig;
  readonly store: RegistryStore;
  readonly region: string;
  /** The connector's and vend's execution roles: the principals every customer's trust names. */
  readonly vendorPrincipalArns: readonly string[];
}

/** The registry table's name: --table, else config vendor.registryTableName, else the default. */
export function registryTableName(config: Pick<LoadedConfig, 'vendor'>, option?: string): string {
  const name = option ?? (config.vendor as { registryTableName?: string }).registryTableName ?? DEFAULT_REGISTRY_TABLE_NAME;
  if (!TABLE_NAME_PATTERN.test(name)) throw new UsageError(`table name '${name}' must be 3-255 characters of letters, digits, _ . and -`);
  return name;
}

export function vendorPrincipalArns(config: Pick<LoadedConfig, 'vendor'>): string[] {
  return [roleArn(config.vendor.accountId, config.vendor.connectorRoleName), roleArn(config.vendor.accountId, config.vendor.vendRoleName)];
}

/** The vendor's side for the current target; throws ConfigError / LocalCloudNotRunningError saying what to do. */
export async function vendorContext(options: { table?: string; region?: string } = {}, env: NodeJS.ProcessEnv = process.env): Promise<VendorContext> {
  const config = loadConfig(env);
  const table = registryTableName(config, options.table);
  const credentials = accountCredentials(config, 'vendor');
  if (!credentials) throw new ConfigError(config.file, [{ entry: 'accounts.vendor', rule: 'missing: the onboarding commands write the registry with the vendor account\'s credentials' }]);
  const endpoint = config.target === 'local' ? (await requireRunningCloud(env)).url : undefined;
  const region = options.region ?? config.region;
  const client = new DynamoDBClient({ region, credentials, maxAttempts: 1, ...(endpoint ? { endpoint } : {}) });
  return { config, store: new RegistryStore({ client, table }), region, vendorPrincipalArns: vendorPrincipalArns(config) };
}

/** The kit for a tenant as the registry has it. */
export function kitForTenant(record: Pick<TenantRecord, 'tenantId' | 'roleArn' | 'externalId' | 'previousExternalId' | 'functionArns'>, ctx: Pick<VendorContext, 'config' | 'vendorPrincipalArns'>, templateUrl?: string): CustomerKit {
  return buildCustomerKit({
    tenantId: record.tenantId,
    externalId: record.externalId,
    ...(record.previousExternalId !== undefined ? { previousExternalId: record.previousExternalId } : {}),
    vendorAccountId: ctx.config.vendor.accountId,
    vendorPrincipalArns: ctx.vendorPrincipalArns,
    rolePrefix: ctx.config.rolePrefix,
    roleArn: record.roleArn,
    functionArns: record.functionArns,
    ...(templateUrl ? { templateUrl } : {}),
  });
}

/** Write the kit and say where, and how to host the template for the quick-create link. */
export function writeKitAndDescribe(kit: CustomerKit, dir: string): string[] {
  writeCustomerKit(dir, kit);
  return [
    `Kit for the customer written to ${dir}/ (README.md, customer-role.template.json, terraform/, external-id.txt).`,
    kit.quickCreateUrl
      ? `Quick-create link (in the README too; the customer types the external ID in the console): ${kit.quickCreateUrl}`
      : 'No quick-create link: upload customer-role.template.json to an S3 bucket the customer can read and pass --template-url <its URL>.',
    'external-id.txt is a secret of the tenant: send it to the customer over a secure channel, never with the link.',
  ];
}

/** A --template-url the console can load: https only. */
export function checkTemplateUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`option '--template-url' must be a URL (got '${url}')`);
  }
  if (parsed.protocol !== 'https:') throw new UsageError(`option '--template-url' must be an https URL (an S3 object URL the customer can read; got '${url}')`);
  return url;
}

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly exit: (code: number) => never;
}

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** Run a command's body; a known error is one line `<name>: <message>` on stderr and exit 1 (2 for usage). */
export async function runCommand(name: string, body: () => Promise<void>, io: CommandIo = processIo): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${name}: ${e.message}; see --help (npm run ${name} -- --help)\n`);
      return io.exit(UsageError.EXIT_CODE);
    }
    if (e instanceof RegistryCommandError || e instanceof ConfigError || e instanceof LocalCloudNotRunningError || e instanceof KitInputError || e instanceof KitGenerationError || e instanceof RegistryItemError) {
      io.stderr(`${name}: [${e.code}] ${e.message}\n`);
      return io.exit(1);
    }
    io.stderr(`${name}: unexpected ${(e as Error).name ?? 'error'}: ${(e as Error).message}\n`);
    return io.exit(1);
  }
}
