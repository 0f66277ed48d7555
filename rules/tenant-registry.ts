// ---------------------------------------------------------------------------
// The connector's tenant registry: tenant -> role ARN, external ID, allowed function ARNs.
// The entry type is what the Lambdas' lookups use (lambda/shared/tenants.ts); at run time the
// entries come from DynamoDB (rules/registry-item.ts is the item contract), and nothing of this
// ships in a bundle any more. `buildTenantRegistry` (from config) still feeds the vendor stack's
// seeded items, the benchmarks' in-process connector and the tests. Pure: no cdktf, no SDK.
// ---------------------------------------------------------------------------
import * as z from 'zod';
import { externalIdSchema, functionArnListSchema, roleArnSchema, tenantIdSchema } from './schemas';

export interface TenantRegistryEntry {
  /** Also the SourceIdentity of every AssumeRole made for the tenant. */
  readonly tenantId: string;
  readonly roleArn: string;
  /** Sent as STS ExternalId. A secret of the tenant: never logged. */
  readonly externalId: string;
  /** During a rotation (`npm run rotate`, until `--finish`): the ID the customer's trust may still
   *  require. Sent only after STS refused `externalId` with AccessDenied (the connector's and
   *  vend's one fallback), so calls keep working until the customer applies the new kit. Also a
   *  secret: never logged. Absent outside a rotation (and in registries built from config). */
  readonly previousExternalId?: string;
  /** ARNs of the functions the tenant may call; the first is the default target. */
  readonly functionArns: readonly string[];
}

export interface TenantRegistry {
  readonly version: 1;
  readonly rolePrefix: string;
  readonly tenants: Readonly<Record<string, TenantRegistryEntry>>;
}

/** What a registry is built from: the config's tenants and prefix, or any object of that shape. */
export interface TenantRegistrySource {
  readonly rolePrefix: string;
  readonly tenants: readonly {
    readonly id: string;
    readonly roleArn: string;
    readonly externalId: string;
    readonly functions: readonly string[];
  }[];
}

export function buildTenantRegistry(config: TenantRegistrySource): TenantRegistry {
  const tenants: Record<string, TenantRegistryEntry> = Object.create(null);
  for (const t of config.tenants) {
    tenants[t.id] = { tenantId: t.id, roleArn: t.roleArn, externalId: t.externalId, functionArns: [...t.functions] };
  }
  return { version: 1, rolePrefix: config.rolePrefix, tenants };
}

// ---------------------------------------------------------------------------
// Parsing a registry object from elsewhere (a file a tool reads): the same rules as the config.
// ---------------------------------------------------------------------------

/** Thrown when an object is not a valid TenantRegistry; the message lists every problem. */
export class TenantRegistryError extends Error {
  readonly code = 'RegistryInvalid';
  constructor(readonly source: string, readonly problems: readonly string[]) {
    super(`Tenant registry ${source} is invalid (rebuild it from the config):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TenantRegistryError';
  }
}

const registryEntrySchema = z.strictObject({
  tenantId: tenantIdSchema,
  roleArn: roleArnSchema,
  externalId: externalIdSchema,
  functionArns: functionArnListSchema,
});

const registrySchema = z.strictObject({
  version: z.literal(1),
  rolePrefix: z.string().min(1),
  tenants: z.record(z.string(), registryEntrySchema),
}).superRefine((registry, ctx) => {
  for (const [key, entry] of Object.entries(registry.tenants)) {
    if (entry.tenantId !== key) ctx.addIssue({ code: 'custom', path: ['tenants', key, 'tenantId'], message: `must equal its key "${key}"` });
  }
});

/** Validate a parsed registry object; `source` names it in the error. The result has no prototype
 *  behind `tenants`, so a tenant called "constructor" or "__proto__" finds nothing. */
export function parseTenantRegistry(raw: unknown, source: string): TenantRegistry {
  const result = registrySchema.safeParse(raw);
  if (!result.success) {
    throw new TenantRegistryError(source, result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`));
  }
  const tenants: Record<string, TenantRegistryEntry> = Object.create(null);
  for (const [key, entry] of Object.entries(result.data.tenants)) tenants[key] = entry;
  return { version: 1, rolePrefix: result.data.rolePrefix, tenants };
}
