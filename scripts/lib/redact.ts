// ---------------------------------------------------------------------------
// Secrets that a log must never show, and a redactor. Terraform prints each trust policy (with its
// external ID) in its plans, so every deploy log the project keeps goes through `redactSecrets`.
// The e2e log scan (test/support/e2e/secret-scan.ts) checks the same list.
// ---------------------------------------------------------------------------
import { isLocalAccount, type LoadedConfig } from '../../config/load';

export interface Secret {
  /** What the secret is, e.g. "external ID of tenant acme"; shown in findings instead of the value. */
  readonly label: string;
  readonly value: string;
}

/** Secrets shorter than this would match by accident (and none of ours is this short). */
export const MIN_SECRET_LENGTH = 8;

/** Every external ID (customers' current and previous, tenants') and every root secret key in `config`. */
export function configSecrets(config: LoadedConfig): Secret[] {
  const out: Secret[] = [];
  for (const c of config.customers) {
    out.push({ label: `current external ID of customer ${c.name}`, value: c.externalIds.current });
    if (c.externalIds.previous) out.push({ label: `previous external ID of customer ${c.name}`, value: c.externalIds.previous });
  }
  for (const t of config.tenants) out.push({ label: `external ID of tenant ${t.id}`, value: t.externalId });
  for (const [stack, account] of Object.entries(config.accounts ?? {})) {
    if (isLocalAccount(account)) out.push({ label: `root secret access key of ${stack}`, value: account.secretAccessKey });
  }
  return mergeSameValues(out);
}

/** One entry per value: a tenant shares its external ID with its customer, named together. */
function mergeSameValues(secrets: readonly Secret[]): Secret[] {
  const byValue = new Map<string, string[]>();
  for (const s of secrets) byValue.set(s.value, [...(byValue.get(s.value) ?? []), s.label]);
  return [...byValue].map(([value, labels]) => ({ label: labels.join(' = '), value }));
}

/** The secrets, after refusing any too short to replace without damaging ordinary text. */
export function usable(secrets: readonly Secret[]): Secret[] {
  const tooShort = secrets.filter((s) => s.value.length < MIN_SECRET_LENGTH);
  if (tooShort.length > 0) throw new Error(`secrets too short to scan for without false matches: ${tooShort.map((s) => s.label).join(', ')}`);
  return [...secrets];
}

/** `text` with every occurrence of each secret replaced by `[redacted: <label>]`. */
export function redactSecrets(text: string, secrets: readonly Secret[]): string {
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = usable(secrets).sort((a, b) => b.value.length - a.value.length);
  let out = text;
  for (const s of ordered) out = out.split(s.value).join(`[redacted: ${s.label}]`);
  return out;
}
