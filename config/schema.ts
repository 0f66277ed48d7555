// ---------------------------------------------------------------------------
// The config file's shape and rules, in one place. Field rules live on the fields; rules that
// span entries (unique external IDs, tenants matching customers) live in `crossEntryRules`;
// the rules of one customer entry live in rules/customer.ts, shared with the customer stack.
// ---------------------------------------------------------------------------
import * as z from 'zod';
import { customerProblems } from '../rules/customer';
import {
  ACCOUNT_ID_PATTERN, CONNECTOR_SHARD_SUFFIX_MAX_LENGTH, DEFAULT_ROLE_PREFIX, FUNCTION_NAME_PATTERN, ROLE_NAME_MAX_LENGTH, ROLE_NAME_PATTERN,
  VENDOR_STACK_NAME, hasRolePrefix, parseFunctionArn, parseRoleArn,
} from '../rules/naming';
import { DRY_RUN_BURST, DRY_RUN_REFILL_MS } from '../rules/dry-run-limit';
import { MAX_SHARDS } from '../rules/shards';
import { DEFAULT_REGISTRY_TABLE_NAME, TABLE_NAME_PATTERN } from '../rules/registry-item';
import { externalIdSchema as externalId, functionArnListSchema, principalArnSchema, roleArnSchema, rolePrefixSchema, tenantIdSchema } from '../rules/schemas';
import { customerTenantIds, isPairedWith, tenantOwnership } from '../rules/tenant-ownership';

const accountId = z.string().regex(ACCOUNT_ID_PATTERN, 'account ID must be exactly 12 digits');
const functionName = z.string().regex(FUNCTION_NAME_PATTERN, 'function name must be 1-64 characters of letters, digits, - and _');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'region must look like us-east-1');
const roleNameShape = z.string()
  .max(ROLE_NAME_MAX_LENGTH, `role name must be at most ${ROLE_NAME_MAX_LENGTH} characters (IAM limit)`)
  .regex(ROLE_NAME_PATTERN, 'role name may contain only letters, digits and _+=,.@-');

/** Lambda keeps this much of an account's concurrency for functions without a reservation. */
export const UNRESERVED_CONCURRENCY_MINIMUM = 100;

export const vendorSchema = z.strictObject({
  accountId,
  /** `dynamic`: the connector may assume the prefixed role in any account (vendor's guide default);
   *  `configured`: only in the configured customers' accounts. */
  onboarding: z.enum(['dynamic', 'configured']).default('configured'),
  connectorFunctionName: functionName.default('sidecar-connector'),
  connectorRoleName: roleNameShape.default('sidecar-connector-exec'),
  /** The connector as a fleet of `count` functions (shards), each serving the tenants `shardOf`
   *  assigns it (rules/shards.ts), all with the one connector execution role. With
   *  `reservedConcurrency`, each shard reserves that many concurrent executions, and a noisy tenant
   *  can exhaust only its own shard. Default: one shard, the connector as it always was. */
  connectorShards: z.strictObject({
    count: z.number({ error: 'shard count must be a number' }).int('shard count must be a whole number')
      .min(1, 'shard count must be at least 1').max(MAX_SHARDS, `shard count must be at most ${MAX_SHARDS} (more is a fleet of its own: split the vendor account)`).default(1),
    /** Lambda's reserved concurrency of each shard (at least 1; Lambda keeps 100 of the account's
     *  concurrency unreserved, so count × reservedConcurrency must leave that much). @default none */
    reservedConcurrency: z.number({ error: 'reserved concurrency must be a number' }).int('reserved concurrency must be a whole number')
      .min(1, 'reserved concurrency must be at least 1 (0 would stop the shard)').max(10_000, 'reserved concurrency must be at most 10000').optional(),
  }).default({ count: 1 }),
  /** The vendor account's Lambda concurrency quota in the region ("Concurrent executions": 1,000
   *  unless raised; new accounts may start lower). Only checked against the shards' reservations:
   *  Lambda lets an account reserve up to its unreserved concurrency minus 100 ("You can reserve up
   *  to the Unreserved account concurrency value that is shown, minus 100 for functions that don't
   *  have reserved concurrency", https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html),
   *  so an over-reservation fails here, at synth, and not halfway through a deploy. */
  lambdaAccountConcurrency: z.number({ error: 'Lambda account concurrency must be a number' }).int('Lambda account concurrency must be a whole number')
    .min(1, 'Lambda account concurrency must be at least 1').default(1000),
  /** The connector's dry-run rate limit per tenant (`npm run verify`'s connection test is a dry
   *  run, and each dry run is a fresh AssumeRole): `burst` at once, then one per `refillSeconds`. */
  dryRunLimit: z.strictObject({
    burst: z.number({ error: 'dry-run burst must be a number' }).int('dry-run burst must be a whole number').min(1, 'dry-run burst must be at least 1').max(1000, 'dry-run burst must be at most 1000').default(DRY_RUN_BURST),
    refillSeconds: z.number({ error: 'dry-run refill must be a number' }).int('dry-run refill must be whole seconds').min(1, 'dry-run refill must be at least 1 second').max(3600, 'dry-run refill must be at most 3600 seconds').default(DRY_RUN_REFILL_MS / 1000),
  }).default({ burst: DRY_RUN_BURST, refillSeconds: DRY_RUN_REFILL_MS / 1000 }),
  vendFunctionName: functionName.default('sidecar-vend'),
  vendRoleName: roleNameShape.default('sidecar-vend-exec'),
  /** The DynamoDB table of the tenant registry (rules/registry-item.ts), in the vendor account and region. */
  registryTableName: z.string().regex(TABLE_NAME_PATTERN, 'table name must be 3-255 characters of letters, digits, _, . and - (DynamoDB rule)').default(DEFAULT_REGISTRY_TABLE_NAME),
  /** DynamoDB deletion protection on the registry table: `cdktf destroy` cannot delete it while on.
   *  Turn it off only where the registry is disposable (the local cloud). */
  registryDeletionProtection: z.boolean().default(true),
  /** Who may invoke vend, and for which tenants. Each caller proves who it is with a signed
   *  sts:GetCallerIdentity request (lambda/shared/caller-proof.ts). Default: nobody. */
  vendCallers: z.array(z.strictObject({
    /** An IAM role or user ARN; a caller using a role session is matched by its role's ARN. */
    principalArn: principalArnSchema,
    /** Tenant IDs it may ask vend for (in this file, or onboarded at run time); at least one. */
    tenants: z.array(tenantIdSchema).min(1, 'must list at least one tenant'),
  })).default([]),
});

export const customerSchema = z.strictObject({
  /** The stack name too, e.g. `customer-a`. */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'customer name must be lower-case letters, digits and -, starting with a letter'),
  accountId,
  roleName: roleNameShape,
  externalIds: z.strictObject({
    /** What the connector sends. */
    current: externalId,
    /** Still accepted by the trust policy during a rotation; drop it once every connector sends `current`. */
    previous: externalId.optional(),
  }),
  /** `role`: the trust lets in only the vendor's connector and vend execution roles, matched by ARN
   *  (`ArnEquals aws:PrincipalArn`, which survives the vendor re-creating them; default, strictest);
   *  `account`: any principal of the vendor account, as in the vendor's published sample. */
  trustPrincipal: z.enum(['role', 'account']).default('role'),
  /** The tenant IDs the vendor gave you with the external ID. The connector sends the tenant ID as
   *  the SourceIdentity of every AssumeRole, and your trust accepts only these. Default: the tenants
   *  in this config paired with you (your role and one of your external IDs). */
  tenantIds: z.array(tenantIdSchema).optional(),
  /** The customer's sidecar functions: the only ones the role may invoke (at least one: rules/customer.ts). */
  functions: z.array(functionName),
  /** A function deployed beside them that the connector must never reach (proves the scope-down). */
  privateFunction: functionName.default('sidecar-private'),
});

export const tenantSchema = z.strictObject({
  /** Also the SourceIdentity of every AssumeRole made for the tenant (rules/naming.ts, TENANT_ID_PATTERN). */
  id: tenantIdSchema,
  roleArn: roleArnSchema,
  externalId,
  /** Function ARNs the tenant may call; the connector takes the region from each ARN. */
  functions: functionArnListSchema,
});

/** An account of the local cloud: its root keys. Exported so the loader can explain a bad entry field by field. */
export const localAccountSchema = z.strictObject({
  accountId,
  accessKeyId: z.string().regex(/^[A-Z0-9]{16,128}$/, 'access key ID must be 16-128 upper-case letters and digits'),
  secretAccessKey: z.string().min(16, 'secret access key is too short'),
});
/** A real AWS account: how to get its credentials. Exported for the same reason. */
export const awsAccountSchema = z.strictObject({
  accountId,
  /** Named profile in ~/.aws/config for this account. */
  profile: z.string().min(1).optional(),
  /** Or a role to assume in this account from the default credentials. */
  assumeRoleArn: roleArnSchema.optional(),
});

export const configSchema = z.strictObject({
  region,
  rolePrefix: rolePrefixSchema.default(DEFAULT_ROLE_PREFIX),
  vendor: vendorSchema,
  customers: z.array(customerSchema),
  tenants: z.array(tenantSchema),
  /** How to reach each account, keyed by stack name (`vendor`, `customer-a`, ...). */
  accounts: z.record(z.string(), z.union([localAccountSchema, awsAccountSchema])),
}).superRefine((config, ctx) => crossEntryRules(config, ctx));

export type SidecarConfig = z.infer<typeof configSchema>;
export type CustomerConfig = SidecarConfig['customers'][number];
export type TenantConfig = SidecarConfig['tenants'][number];
export type VendorConfig = SidecarConfig['vendor'];
export type LocalAccount = z.infer<typeof localAccountSchema>;
export type AwsAccount = z.infer<typeof awsAccountSchema>;

type Ctx = z.RefinementCtx;

function crossEntryRules(config: SidecarConfig, ctx: Ctx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  // Customers: each entry's own rules (rules/customer.ts), and unique names.
  const customerIndex = new Map<string, number>();
  config.customers.forEach((c, i) => {
    for (const { path, rule } of customerProblems(c, config.rolePrefix)) issue(['customers', i, ...path], rule);
    if (customerIndex.has(c.name)) issue(['customers', i, 'name'], `duplicate customer name (also customers[${customerIndex.get(c.name)}])`);
    customerIndex.set(c.name, i);
  });

  // External IDs are unique per tenant: no two customers, and no two tenants, may share one.
  // A tenant may share only its own customer's ID (same role ARN): that is the honest pairing.
  const customerByExternalId = new Map<string, { i: number; key: string }>();
  config.customers.forEach((c, i) => {
    for (const key of ['current', 'previous'] as const) {
      const id = c.externalIds[key];
      if (id === undefined) continue;
      const seen = customerByExternalId.get(id);
      if (seen) issue(['customers', i, 'externalIds', key], `duplicate external ID: customers[${seen.i}] (${config.customers[seen.i].name}) uses the same one; each customer needs its own`);
      else customerByExternalId.set(id, { i, key });
    }
  });
  const tenantIds = new Map<string, number>();
  const tenantByExternalId = new Map<string, number>();
  config.tenants.forEach((t, i) => {
    if (tenantIds.has(t.id)) issue(['tenants', i, 'id'], `duplicate tenant ID (also tenants[${tenantIds.get(t.id)}])`);
    tenantIds.set(t.id, i);
    const seen = tenantByExternalId.get(t.externalId);
    if (seen !== undefined) issue(['tenants', i, 'externalId'], `duplicate external ID: tenants[${seen}] (${config.tenants[seen].id}) uses the same one; each tenant needs its own`);
    else tenantByExternalId.set(t.externalId, i);
    const owner = customerByExternalId.get(t.externalId);
    if (owner) {
      const c = config.customers[owner.i];
      const role = parseRoleArn(t.roleArn);
      if (!role || role.accountId !== c.accountId || role.roleName !== c.roleName) {
        issue(['tenants', i, 'externalId'], `external ID belongs to customer ${c.name}, but the tenant names another role; generate a new one (npm run external-id)`);
      }
    }
    const role = parseRoleArn(t.roleArn);
    if (role && !hasRolePrefix(role.roleName, config.rolePrefix)) issue(['tenants', i, 'roleArn'], `role name must start with the agreed prefix "${config.rolePrefix}"`);
    t.functions.forEach((fn, j) => {
      const parsed = parseFunctionArn(fn);
      if (role && parsed && parsed.accountId !== role.accountId) issue(['tenants', i, 'functions', j], `function is in account ${parsed.accountId}, but the tenant's role is in ${role.accountId}`);
    });
  });

  // SourceIdentity: each customer's trust accepts its tenants' IDs (rules/tenant-ownership.ts).
  // Every tenant paired with a customer must be accepted by that customer's trust, or its calls are
  // refused; a customer may not accept another's tenant, which would weaken the second guard.
  config.customers.forEach((c, i) => {
    const accepted = customerTenantIds(c, config.tenants, config.customers);
    if (accepted.length === 0) {
      issue(['customers', i, 'tenantIds'], 'no tenant ID: list under tenantIds the tenant ID the vendor gave you (the connector sends it as the SourceIdentity and your trust accepts only these), or pair a tenant with this customer');
    }
    if (c.tenantIds === undefined) return;
    const seen = new Set<string>();
    c.tenantIds.forEach((id, j) => {
      if (seen.has(id)) issue(['customers', i, 'tenantIds', j], `duplicate tenant ID "${id}"`);
      seen.add(id);
      const tenant = config.tenants.find((t) => t.id === id);
      if (tenant && !isPairedWith(tenant, c, config.customers)) {
        const ownership = tenantOwnership(tenant, config.customers);
        const whose = ownership.kind === 'paired' ? `it is customer ${ownership.customer.name}'s tenant` : 'its entry does not name this customer\'s role with one of its external IDs';
        issue(['customers', i, 'tenantIds', j], `tenant "${id}" is not this customer's (${whose}): accepting it as a SourceIdentity would weaken the guard; remove it`);
      }
    });
    for (const t of config.tenants) {
      if (isPairedWith(t, c, config.customers) && !c.tenantIds.includes(t.id)) {
        issue(['customers', i, 'tenantIds'], `tenant "${t.id}" names this customer's role with its external ID, but is not listed: the trust would refuse its calls (SourceIdentity); add it`);
      }
    }
  });

  // Vend callers: one entry per principal, no tenant twice, no role path.
  const callerIndex = new Map<string, number>();
  config.vendor.vendCallers.forEach((caller, i) => {
    const seen = callerIndex.get(caller.principalArn);
    if (seen !== undefined) issue(['vendor', 'vendCallers', i, 'principalArn'], `duplicate principal (also vendor.vendCallers[${seen}]); list all its tenants in one entry`);
    else callerIndex.set(caller.principalArn, i);
    // STS names a role session by the role's name without its path, so a path could never match.
    if (/:role\/.*\//.test(caller.principalArn)) issue(['vendor', 'vendCallers', i, 'principalArn'], 'a role with a path cannot be a vend caller (a role session\'s ARN from sts:GetCallerIdentity omits the path); use a role without a path');
    const tenants = new Set<string>();
    caller.tenants.forEach((id, j) => {
      if (tenants.has(id)) issue(['vendor', 'vendCallers', i, 'tenants', j], `duplicate tenant "${id}"`);
      tenants.add(id);
      // A tenant not in this file is allowed: it may have been onboarded at run time (npm run onboard).
    });
  });

  // Connector shards: every shard's name must still be a valid function name.
  const shards = config.vendor.connectorShards;
  if (shards.count > 1 && config.vendor.connectorFunctionName.length + CONNECTOR_SHARD_SUFFIX_MAX_LENGTH > 64) {
    issue(['vendor', 'connectorShards', 'count'], `with more than one shard each connector is named ${config.vendor.connectorFunctionName}-shard-<n>, longer than Lambda's 64 characters: shorten vendor.connectorFunctionName to at most ${64 - CONNECTOR_SHARD_SUFFIX_MAX_LENGTH} characters`);
  }

  const reserved = shards.count * (shards.reservedConcurrency ?? 0);
  const reservable = config.vendor.lambdaAccountConcurrency - UNRESERVED_CONCURRENCY_MINIMUM;
  if (reserved > 0 && reserved > reservable) {
    issue(['vendor', 'connectorShards', 'reservedConcurrency'], `${shards.count} shards × ${shards.reservedConcurrency} reserved = ${reserved} concurrent executions, more than the ${Math.max(0, reservable)} an account with a concurrency of ${config.vendor.lambdaAccountConcurrency} (vendor.lambdaAccountConcurrency) may reserve: Lambda keeps ${UNRESERVED_CONCURRENCY_MINIMUM} unreserved. Lower reservedConcurrency or the shard count, or raise the quota (Service Quotas: Lambda "Concurrent executions") and set vendor.lambdaAccountConcurrency to it`);
  }

  // Accounts: the vendor and every customer must be reachable, with matching account IDs.
  const expect = [{ stack: VENDOR_STACK_NAME, accountId: config.vendor.accountId, path: ['vendor', 'accountId'] }, ...config.customers.map((c, i) => ({ stack: c.name, accountId: c.accountId, path: ['customers', i, 'accountId'] }))];
  for (const { stack, accountId: id, path } of expect) {
    const account = config.accounts[stack];
    if (!account) issue(['accounts'], `missing an entry for stack "${stack}"`);
    else if (account.accountId !== id) issue(path as (string | number)[], `account ID ${id} differs from accounts.${stack}.accountId (${account.accountId})`);
  }
}
