// ---------------------------------------------------------------------------
// What is wrong with a customer role's trust policy, for the vendor's roles that must get in, read
// from the document GetRole returns. Pure: verify's tenant mode (why STS refused the connector)
// and its customer mode (is my trust what the vendor needs) share it.
// ---------------------------------------------------------------------------
import { accountRootArn } from '../../rules/naming';
import {
  UNIQUE_PRINCIPAL_ID, allowStatements, awsPrincipalsOf, conditionAccepts, coversAction, hasCondition, type Statement,
} from './policy-reading';

export interface TrustExpectation {
  readonly vendorAccountId: string;
  /** The vendor's roles that must be let in: the connector's (tenant mode), and vend's (customer mode). */
  readonly mustLetIn: readonly string[];
  /** External IDs the trust must accept. Secrets: a finding counts them, never shows them. */
  readonly externalIds: readonly string[];
  /** Tenant IDs the trust must accept as the session's SourceIdentity. */
  readonly tenantIds: readonly string[];
}

export type TrustFinding =
  /** No statement lets the role in, and the trust names a principal by a bare unique ID: a role or
   *  user it named by ARN was deleted (and maybe re-created, which the ID does not follow). */
  | { readonly code: 'trust-principal-orphaned'; readonly role: string; readonly uniqueIds: readonly string[] }
  /** No statement lets the role in at all. */
  | { readonly code: 'trust-not-vendor'; readonly role: string }
  /** A statement lets the role in without any sts:ExternalId condition: the confused-deputy guard is off. */
  | { readonly code: 'external-id-not-required'; readonly role: string }
  /** Some expected external IDs are not accepted. */
  | { readonly code: 'external-id-not-accepted'; readonly role: string; readonly missing: number; readonly expected: number }
  /** No statement that lets the role in allows sts:SetSourceIdentity. */
  | { readonly code: 'source-identity-not-allowed'; readonly role: string }
  /** sts:SetSourceIdentity is allowed, but not with these tenants as sts:SourceIdentity. */
  | { readonly code: 'tenant-not-accepted'; readonly role: string; readonly tenants: readonly string[] }
  /** A statement lets the role set any source identity: the second guard is off. */
  | { readonly code: 'source-identity-not-required'; readonly role: string };

/** Findings that make STS refuse the role (the others weaken a guard without refusing anyone). */
export const REFUSING_FINDINGS: ReadonlySet<TrustFinding['code']> = new Set([
  'trust-principal-orphaned', 'trust-not-vendor', 'external-id-not-accepted', 'source-identity-not-allowed', 'tenant-not-accepted',
]);

/** Whether `statement` lets `roleArn` (a role of the vendor account) call sts:AssumeRole, principal and aws:PrincipalArn considered. */
function letsIn(statement: Statement, roleArn: string, vendorAccountId: string): boolean {
  if (!coversAction(statement, 'sts:AssumeRole')) return false;
  const principals = awsPrincipalsOf(statement);
  const named = principals.some((p) => p === roleArn || p === accountRootArn(vendorAccountId) || p === vendorAccountId || p === '*');
  return named && conditionAccepts(statement, 'aws:PrincipalArn', roleArn);
}

/** Every finding for every role that must get in, in a fixed order per role: who, then external ID, then source identity. */
export function trustFindings(policy: unknown, expectation: TrustExpectation): TrustFinding[] {
  const findings: TrustFinding[] = [];
  const allows = allowStatements(policy);
  for (const role of expectation.mustLetIn) {
    const letIn = allows.filter((s) => letsIn(s, role, expectation.vendorAccountId));
    if (letIn.length === 0) {
      const uniqueIds = [...new Set(allows.flatMap(awsPrincipalsOf).filter((p) => UNIQUE_PRINCIPAL_ID.test(p)))];
      findings.push(uniqueIds.length > 0 ? { code: 'trust-principal-orphaned', role, uniqueIds } : { code: 'trust-not-vendor', role });
      continue;
    }
    if (letIn.some((s) => !hasCondition(s, 'sts:ExternalId'))) findings.push({ code: 'external-id-not-required', role });
    const missing = expectation.externalIds.filter((id) => !letIn.some((s) => conditionAccepts(s, 'sts:ExternalId', id)));
    if (missing.length > 0) findings.push({ code: 'external-id-not-accepted', role, missing: missing.length, expected: expectation.externalIds.length });

    const setting = letIn.filter((s) => coversAction(s, 'sts:SetSourceIdentity'));
    if (setting.length === 0) {
      findings.push({ code: 'source-identity-not-allowed', role });
      continue;
    }
    const tenants = expectation.tenantIds.filter((t) => !setting.some((s) => conditionAccepts(s, 'sts:SourceIdentity', t)));
    if (tenants.length > 0) findings.push({ code: 'tenant-not-accepted', role, tenants });
    if (setting.some((s) => !hasCondition(s, 'sts:SourceIdentity'))) findings.push({ code: 'source-identity-not-required', role });
  }
  return findings;
}
