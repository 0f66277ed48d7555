// ---------------------------------------------------------------------------
// The connector's tenant registry: tenant -> role ARN, external ID, allowed function ARNs.
// Built from config at synth time and shipped inside the connector and vend bundles as
// `registry.json`; the Lambdas parse it with `parseTenantRegistry`. Pure: no cdktf, no SDK.
// ---------------------------------------------------------------------------
import type { SidecarConfig } from '../config/schema';

export const TENANT_REGISTRY_FILE_NAME = 'registry.json';

export interface TenantRegistryEntry {
  readonly tenantId: string;
  readonly roleArn: string;
  /** Sent as STS ExternalId. A secret of the tenant: never logged. */
  readonly externalId: string;
  /** ARNs of the functions the tenant may call; the first is the default target. */
  readonly functionArns: readonly string[];
}

export interface TenantRegistry {
  readonly version: 1;
  readonly rolePrefix: string;
  readonly tenants: Readonly<Record<string, TenantRegistryEntry>>;
}

export function buildTenantRegistry(config: Pick<SidecarConfig, 'tenants' | 'rolePrefix'>): TenantRegistry {
  const tenants: Record<string, TenantRegistryEntry> = Object.create(null);
  for (const t of config.tenants) {
    tenants[t.id] = { tenantId: t.id, roleArn: t.roleArn, externalId: t.externalId, functionArns: [...t.functions] };
  }
  return { version: 1, rolePrefix: config.rolePrefix, tenants };
}
