// ---------------------------------------------------------------------------
// verify's command line, parsed with node:util parseArgs in strict mode: an unknown option, or a
// value where none belongs, is refused rather than read as a tenant.
// ---------------------------------------------------------------------------
import { parseArgs } from 'node:util';
import { VerifyUsageError } from './verdicts';

export const VERIFY_USAGE = `usage: npm run verify -- <tenant> [<tenant> ...] [--json]
       npm run verify -- --all [--json]
       npm run verify -- --customer <customer> [--customer <customer> ...] [--json]
       npm run verify -- --help

  <tenant>               test the connection for these tenants, as the vendor: the deployed
                         connector assumes each tenant's role and makes a DryRun invoke of every
                         function of the tenant; a refusal is explained with the customer's side
                         when the config has that account's credentials
  --all                  every tenant in the config
  --customer <customer>  check a customer's own side with only that customer's credentials: its
                         role, its trust (the vendor's roles, external IDs, tenants as
                         SourceIdentity) and its permissions; nothing of the vendor's is needed
  --json                 one JSON diagnosis per line instead of text
  -h, --help             this help

  The config is config/<SIDECAR_TARGET>.json (local by default) or SIDECAR_CONFIG_FILE. On the
  local target verify talks to the running local cloud, found from its own state
  (.localcloud/server.json, or LOCALCLOUD_HOME); LOCALCLOUD_PORT names another one.
  Exit code: 0 all good, 1 a diagnosis is not ok (or the local cloud is not running), 2 bad usage
  or config.`;

export type VerifyCommand =
  | { readonly mode: 'help' }
  | { readonly mode: 'tenants'; readonly tenants: readonly string[]; readonly json: boolean }
  | { readonly mode: 'all'; readonly json: boolean }
  | { readonly mode: 'customers'; readonly customers: readonly string[]; readonly json: boolean };

/** The command `argv` asks for; throws VerifyUsageError naming what is wrong. */
export function parseVerifyArgs(argv: readonly string[]): VerifyCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        all: { type: 'boolean' },
        customer: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new VerifyUsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { mode: 'help' };
  const json = values.json === true;
  const customers = values.customer ?? [];
  const modes = [positionals.length > 0 ? 'tenants' : undefined, values.all ? '--all' : undefined, customers.length > 0 ? '--customer' : undefined].filter(Boolean);
  if (modes.length === 0) throw new VerifyUsageError('name a tenant, --all, or --customer <customer>');
  if (modes.length > 1) throw new VerifyUsageError(`choose one of tenants, --all and --customer (got ${modes.join(' and ')})`);
  for (const value of [...positionals, ...customers]) {
    if (value.trim() === '') throw new VerifyUsageError('an empty tenant or customer name');
  }
  if (values.all) return { mode: 'all', json };
  if (customers.length > 0) return { mode: 'customers', customers, json };
  return { mode: 'tenants', tenants: positionals, json };
}
