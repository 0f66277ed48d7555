// ---------------------------------------------------------------------------
// A short negative cache of AssumeRole refusals, per sandbox.
//
// Why: a tenant STS refuses (AccessDenied: the trust policy, the external ID or the
// SourceIdentity does not match; the confused deputy retrying in a loop) would otherwise cost
// one AssumeRole per call. For REFUSAL_TTL_MS after a refusal, the same (tenant, role, external
// ID) is answered AssumeRoleRefused from memory, saying it is a remembered refusal and until
// when, so it costs at most one AssumeRole per TTL per sandbox.
//
// The trade-off: a customer who fixes the role's trust (onboarding) is served within the TTL,
// not at once. 30 s is short against how long a person takes to notice and fix a refusal, and
// long against a client's retry loop; `npm run verify` is not delayed at all, because dry runs
// always ask STS (rate-limited instead, dry-run-limit.ts) and a successful one clears the entry.
// Only AccessDenied is remembered: throttling and 5xx are about STS, not the tenant, and the
// next call must try again. The key includes the role and the external ID sent, so a registry
// change for the tenant is tried at once.
//
// During a rotation each of the tenant's two IDs has its own entry: a remembered refusal of the
// CURRENT ID sends the next AssumeRole straight to the previous one without asking STS about the
// current one again (the sequence and its cost are written down in scoped-clients.ts, at
// `assumeRole`); a remembered refusal of both is AssumeRoleRefused without any STS call.
// ---------------------------------------------------------------------------
import type { TenantRegistryEntry } from '../../rules/tenant-registry';
import { externalIdOf, type ExternalIdUsed } from '../shared/assume-role-input';
import { AssumeRoleRefusedError } from '../shared/errors';

/** How long a refusal is answered from memory. */
export const REFUSAL_TTL_MS = 30_000;

export interface RefusalCacheOptions {
  readonly ttlMs: number;
  /** Bound on remembered refusals (the oldest goes first). */
  readonly maxEntries: number;
  readonly now: () => number;
}

export class RefusalCache {
  /** key -> when the refusal stops being answered from memory (epoch ms); insertion-ordered. */
  private readonly until = new Map<string, number>();
  /** Calls answered from memory instead of STS. */
  answered = 0;

  constructor(private readonly options: RefusalCacheOptions) {}

  /** Throws the remembered refusal of (tenant, its role, the `which` external ID) while it lasts. */
  throwIfRefused(tenant: TenantRegistryEntry, which: ExternalIdUsed = 'current'): void {
    const key = refusalKey(tenant, which);
    const until = this.until.get(key);
    if (until === undefined) return;
    if (until <= this.options.now()) {
      this.until.delete(key);
      return;
    }
    this.answered += 1;
    const id = tenant.previousExternalId === undefined ? '' : ` with the ${which} external ID`;
    throw new AssumeRoleRefusedError(tenant.tenantId, tenant.roleArn, {
      context: `remembered: STS refused it${id} less than ${Math.round(this.options.ttlMs / 1000)} s ago; STS is asked again after ${new Date(until).toISOString()}`,
    });
  }

  remember(tenant: TenantRegistryEntry, which: ExternalIdUsed = 'current'): void {
    if (this.options.ttlMs <= 0) return;
    const key = refusalKey(tenant, which);
    this.until.delete(key);
    this.until.set(key, this.options.now() + this.options.ttlMs);
    while (this.until.size > this.options.maxEntries) this.until.delete(this.until.keys().next().value as string);
  }

  clear(tenant: TenantRegistryEntry, which: ExternalIdUsed = 'current'): void {
    if (this.until.size > 0) this.until.delete(refusalKey(tenant, which));
  }
}

/** A refusal is about the role's trust, not the function: one entry covers all of a tenant's
 *  functions. Keyed by the ID itself (not by "current"/"previous"): after a rotation the old
 *  current is the new previous, and what STS said about that ID still holds. */
function refusalKey(tenant: TenantRegistryEntry, which: ExternalIdUsed): string {
  return `${tenant.tenantId}\n${tenant.roleArn}\n${externalIdOf(tenant, which)}`;
}
