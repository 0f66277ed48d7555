// ---------------------------------------------------------------------------
// Malformed config files, one mutation of config/local.json each, every one written to a file
// and loaded the way the tools load it (SIDECAR_CONFIG_FILE). Each must be refused with a
// ConfigError whose message names the file, the entry (index plus name, e.g.
// `customers[1] (customer-b).externalIds.current`) and the rule.
//
// test/unit/config/config.test.ts proves one failing input per rule; this table aims at what it does
// not try: wrong types and nulls where people make them, arrays where objects go, unknown fields
// at every nesting level, unicode and wildcard characters in IDs, names and the prefix, the
// shapes of the accounts union, and files that are not JSON in the ways editors break them.
// ---------------------------------------------------------------------------
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConfigError, PROJECT_ROOT, loadConfig, type Target } from '../../../config/load';

type RawConfig = Record<string, any>;

interface MalformedCase {
  /** What is wrong, in words. */
  readonly what: string;
  /** The mutation of config/local.json's parsed JSON... */
  readonly edit?: (raw: RawConfig) => void;
  /** ...or of its text, for files that are not JSON. */
  readonly text?: (text: string) => string;
  /** The entry the message must name. */
  readonly entry: string;
  /** The rule it must state. */
  readonly rule: RegExp;
  /** @default 'local' */
  readonly target?: Target;
}

const LOCAL_TEXT = readFileSync(join(PROJECT_ROOT, 'config', 'local.json'), 'utf8');
const AWS_EXAMPLE_TEXT = readFileSync(join(PROJECT_ROOT, 'config', 'aws.example.json'), 'utf8');

/** 20,000 extra tenants (about 5 MB): the loader must still name the one bad entry at the end. */
function withManyTenants(raw: RawConfig): void {
  const role = raw.tenants[0].roleArn;
  const fn = raw.tenants[0].functions[0];
  for (let i = 0; i < 20_000; i++) {
    raw.tenants.push({ id: `bulk-${i}`, roleArn: role, externalId: `sc-bulk-${i}-${'k'.repeat(160)}`, functions: [fn] });
  }
  // The last one points at a function in customer B's account with customer A's role.
  raw.tenants[raw.tenants.length - 1].functions = ['arn:aws:lambda:us-east-1:111122223333:function:sidecar-orders'];
}

const CASES: MalformedCase[] = [
  // ---- wrong types and nulls ---------------------------------------------
  { what: 'region as a number', edit: (r) => { r.region = 1; }, entry: 'region', rule: /expected string, received number/ },
  { what: 'region in upper case', edit: (r) => { r.region = 'US-EAST-1'; }, entry: 'region', rule: /region must look like us-east-1/ },
  { what: 'an account ID as a JSON number (loses nothing here, but is not a string)', edit: (r) => { r.customers[0].accountId = 444455556666; }, entry: 'customers[0] (customer-a).accountId', rule: /expected string, received number/ },
  { what: 'an account ID with surrounding spaces', edit: (r) => { r.vendor.accountId = ' 809167139867 '; r.accounts.vendor.accountId = ' 809167139867 '; }, entry: 'vendor.accountId', rule: /account ID must be exactly 12 digits/ },
  { what: 'a null role name', edit: (r) => { r.customers[1].roleName = null; }, entry: 'customers[1] (customer-b).roleName', rule: /expected string, received null/ },
  { what: 'null tenants', edit: (r) => { r.tenants = null; }, entry: 'tenants', rule: /expected array, received null/ },
  { what: 'a null customer', edit: (r) => { r.customers[0] = null; }, entry: 'customers[0]', rule: /expected object, received null/ },
  { what: 'a tenant external ID as a number', edit: (r) => { r.tenants[1].externalId = 12345678; }, entry: 'tenants[1] (globex).externalId', rule: /expected string, received number/ },
  { what: 'dryRun-style boolean as onboarding', edit: (r) => { r.vendor.onboarding = true; }, entry: 'vendor.onboarding', rule: /expected one of "dynamic"\|"configured"/ },
  { what: 'an unknown trust principal mode', edit: (r) => { r.customers[1].trustPrincipal = 'root'; }, entry: 'customers[1] (customer-b).trustPrincipal', rule: /expected one of "role"\|"account"/ },

  // ---- arrays where objects go, and the reverse ---------------------------
  { what: 'vendor as an array', edit: (r) => { r.vendor = [r.vendor]; }, entry: 'vendor', rule: /expected object, received array/ },
  { what: 'customers as an object keyed by name', edit: (r) => { r.customers = { 'customer-a': r.customers[0] }; }, entry: 'customers', rule: /expected array, received object/ },
  { what: 'accounts as an array', edit: (r) => { r.accounts = Object.values(r.accounts); }, entry: 'accounts', rule: /expected record, received array/ },
  { what: 'externalIds as a list of IDs', edit: (r) => { r.customers[0].externalIds = [r.customers[0].externalIds.current]; }, entry: 'customers[0] (customer-a).externalIds', rule: /expected object, received array/ },
  { what: 'a customer\'s functions as one string', edit: (r) => { r.customers[0].functions = 'sidecar-echo'; }, entry: 'customers[0] (customer-a).functions', rule: /expected array, received string/ },

  // ---- missing required fields ---------------------------------------------
  { what: 'no vendor', edit: (r) => { delete r.vendor; }, entry: 'vendor', rule: /expected object, received undefined/ },
  { what: 'a customer without a name', edit: (r) => { delete r.customers[0].name; }, entry: 'customers[0].name', rule: /expected string, received undefined/ },
  { what: 'a customer without a current external ID', edit: (r) => { delete r.customers[1].externalIds.current; }, entry: 'customers[1] (customer-b).externalIds.current', rule: /expected string, received undefined/ },
  { what: 'a tenant without functions', edit: (r) => { delete r.tenants[0].functions; }, entry: 'tenants[0] (acme).functions', rule: /expected array, received undefined/ },
  { what: 'a tenant with an empty function list', edit: (r) => { r.tenants[1].functions = []; }, entry: 'tenants[1] (globex).functions', rule: /list at least one function/ },

  // ---- duplicate IDs and names ---------------------------------------------
  { what: 'two customers with one name', edit: (r) => { r.customers[1].name = 'customer-a'; }, entry: 'customers[1] (customer-a).name', rule: /duplicate customer name \(also customers\[0\]\)/ },
  { what: 'two tenants with one ID', edit: (r) => { r.tenants[2].id = 'acme'; }, entry: 'tenants[2] (acme).id', rule: /duplicate tenant ID \(also tenants\[0\]\)/ },
  { what: 'a customer named like the vendor stack', edit: (r) => { r.customers[1].name = 'vendor'; }, entry: 'customers[1] (vendor).name', rule: /"vendor" is the vendor's stack name/ },
  { what: 'a function listed twice', edit: (r) => { r.customers[0].functions = ['sidecar-echo', 'sidecar-echo']; }, entry: 'customers[0] (customer-a).functions', rule: /duplicate function name/ },
  { what: 'the private function among the invocable ones', edit: (r) => { r.customers[0].functions.push('sidecar-private'); }, entry: 'customers[0] (customer-a).privateFunction', rule: /must not be one the connector may invoke/ },

  // ---- external-ID rules -----------------------------------------------------
  { what: 'an external ID with a non-ASCII letter', edit: (r) => { r.customers[0].externalIds.current = 'sc-é-7Qh2xVb9LmN4pR8tW1zY'; r.tenants[0].externalId = r.customers[0].externalIds.current; }, entry: 'customers[0] (customer-a).externalIds.current', rule: /may contain only letters, digits and the characters/ },
  { what: 'an external ID with a zero-width space', edit: (r) => { r.tenants[2].externalId = 'sc-local-m-9Gt5\u200bHy2Uj8Ik4Ol1Pa6S'; }, entry: 'tenants[2] (mallory).externalId', rule: /may contain only letters, digits and the characters/ },
  { what: 'an empty external ID', edit: (r) => { r.tenants[2].externalId = ''; }, entry: 'tenants[2] (mallory).externalId', rule: /must be 2-1224 characters long \(it has 0\)/ },
  { what: 'a tenant using customer B\'s previous external ID with customer A\'s role', edit: (r) => { r.tenants[2].externalId = r.customers[1].externalIds.previous; }, entry: 'tenants[2] (mallory).externalId', rule: /external ID belongs to customer customer-b, but the tenant names another role/ },
  { what: 'an unknown key beside current and previous', edit: (r) => { r.customers[0].externalIds.next = 'sc-next-0123456789'; }, entry: 'customers[0] (customer-a).externalIds.next', rule: /unknown field/ },

  // ---- account ID and role name rules ----------------------------------------
  { what: 'a role name with a wildcard', edit: (r) => { r.customers[0].roleName = 'tibco_sidecar_connector*'; }, entry: 'customers[0] (customer-a).roleName', rule: /role name may contain only letters, digits and _\+=,\.@-/ },
  { what: 'a role name with a path', edit: (r) => { r.customers[1].roleName = 'tibco_sidecar_connector/orders'; }, entry: 'customers[1] (customer-b).roleName', rule: /role name may contain only/ },
  { what: 'the connector\'s role name with a space', edit: (r) => { r.vendor.connectorRoleName = 'sidecar connector'; }, entry: 'vendor.connectorRoleName', rule: /role name may contain only/ },
  { what: 'the connector\'s function name with a dot', edit: (r) => { r.vendor.connectorFunctionName = 'sidecar.connector'; }, entry: 'vendor.connectorFunctionName', rule: /function name must be 1-64 characters of letters, digits, - and _/ },
  // ---- connector shards -------------------------------------------------------
  { what: 'zero connector shards', edit: (r) => { r.vendor.connectorShards = { count: 0 }; }, entry: 'vendor.connectorShards.count', rule: /shard count must be at least 1/ },
  { what: '65 connector shards', edit: (r) => { r.vendor.connectorShards = { count: 65 }; }, entry: 'vendor.connectorShards.count', rule: /shard count must be at most 64/ },
  { what: 'a fractional shard count', edit: (r) => { r.vendor.connectorShards = { count: 2.5 }; }, entry: 'vendor.connectorShards.count', rule: /shard count must be a whole number/ },
  { what: 'a zero reserved concurrency', edit: (r) => { r.vendor.connectorShards = { count: 2, reservedConcurrency: 0 }; }, entry: 'vendor.connectorShards.reservedConcurrency', rule: /reserved concurrency must be at least 1/ },
  { what: 'an unknown key in connectorShards', edit: (r) => { r.vendor.connectorShards = { count: 2, reserved: 2 }; }, entry: 'vendor.connectorShards.reserved', rule: /unknown field/ },
  { what: 'shards reserving more than the account may (local.json: 200, so at most 100)', edit: (r) => { r.vendor.connectorShards = { count: 3, reservedConcurrency: 34 }; }, entry: 'vendor.connectorShards.reservedConcurrency', rule: /3 shards × 34 reserved = 102 concurrent executions, more than the 100 an account with a concurrency of 200/ },
  { what: 'shards reserving within an account whose quota is below 100', edit: (r) => { r.vendor.lambdaAccountConcurrency = 50; r.vendor.connectorShards = { count: 2, reservedConcurrency: 1 }; }, entry: 'vendor.connectorShards.reservedConcurrency', rule: /more than the 0 an account with a concurrency of 50/ },
  { what: 'a dry-run burst of 0 (no dry run would ever pass)', edit: (r) => { r.vendor.dryRunLimit = { burst: 0, refillSeconds: 10 }; }, entry: 'vendor.dryRunLimit.burst', rule: /dry-run burst must be at least 1/ },
  { what: 'a dry-run refill in fractions of a second', edit: (r) => { r.vendor.dryRunLimit = { burst: 3, refillSeconds: 0.5 }; }, entry: 'vendor.dryRunLimit.refillSeconds', rule: /dry-run refill must be whole seconds/ },
  { what: 'an unknown key in dryRunLimit', edit: (r) => { r.vendor.dryRunLimit = { burst: 3, perMinute: 6 }; }, entry: 'vendor.dryRunLimit.perMinute', rule: /unknown field/ },
  { what: 'a fractional Lambda account concurrency', edit: (r) => { r.vendor.lambdaAccountConcurrency = 999.5; }, entry: 'vendor.lambdaAccountConcurrency', rule: /Lambda account concurrency must be a whole number/ },
  { what: 'shards of a connector name too long for the shard suffix', edit: (r) => { r.vendor.connectorFunctionName = 'c'.repeat(60); r.vendor.connectorShards = { count: 2 }; }, entry: 'vendor.connectorShards.count', rule: /shorten vendor.connectorFunctionName to at most 55 characters/ },
  { what: 'a tenant role ARN that is a user ARN', edit: (r) => { r.tenants[0].roleArn = 'arn:aws:iam::444455556666:user/tibco_sidecar_connector'; }, entry: 'tenants[0] (acme).roleArn', rule: /role ARN must look like arn:aws:iam::123456789012:role\/name/ },
  { what: 'a tenant role ARN with a wildcard account', edit: (r) => { r.tenants[0].roleArn = 'arn:aws:iam::*:role/tibco_sidecar_connector'; }, entry: 'tenants[0] (acme).roleArn', rule: /role ARN must look like/ },
  { what: 'a tenant function ARN with an alias qualifier', edit: (r) => { r.tenants[0].functions = ['arn:aws:lambda:us-east-1:444455556666:function:sidecar-echo:prod']; }, entry: 'tenants[0] (acme).functions[0]', rule: /function ARN must look like arn:aws:lambda:us-east-1:123456789012:function:name/ },
  { what: 'a tenant whose function is in another account than its role', edit: (r) => { r.tenants[0].functions = ['arn:aws:lambda:us-east-1:111122223333:function:sidecar-orders']; }, entry: 'tenants[0] (acme).functions[0]', rule: /function is in account 111122223333, but the tenant's role is in 444455556666/ },
  { what: 'a tenant ID with a zero-width joiner', edit: (r) => { r.tenants[1].id = 'glo\u200dbex'; }, entry: 'tenants[1] (glo\u200dbex).id', rule: /tenant ID must be 2-64 characters of letters, digits, \., _ and -/ },
  { what: 'a customer name in upper case', edit: (r) => { r.customers[0].name = 'Customer-A'; r.accounts['Customer-A'] = r.accounts['customer-a']; }, entry: 'customers[0] (Customer-A).name', rule: /customer name must be lower-case letters, digits and -/ },

  // ---- prefix rules ------------------------------------------------------------
  { what: 'a wildcard role prefix (it would widen the assume policy to every role)', edit: (r) => { r.rolePrefix = '*'; }, entry: 'rolePrefix', rule: /role prefix must be 1-60 characters of/ },
  { what: 'an empty role prefix', edit: (r) => { r.rolePrefix = ''; }, entry: 'rolePrefix', rule: /role prefix must be 1-60 characters of/ },
  { what: 'a role prefix of 61 characters', edit: (r) => { r.rolePrefix = 'p'.repeat(61); }, entry: 'rolePrefix', rule: /role prefix must be 1-60 characters of/ },
  { what: 'a prefix longer than the customers\' role names', edit: (r) => { r.rolePrefix = 'tibco_sidecar_connector-orders'; }, entry: 'customers[0] (customer-a).roleName', rule: /must start with the agreed prefix "tibco_sidecar_connector-orders"/ },

  // ---- unknown fields at each nesting level -------------------------------------
  { what: 'an unknown field in vendor', edit: (r) => { r.vendor.connectorRole = 'x'; }, entry: 'vendor.connectorRole', rule: /unknown field/ },
  { what: 'an unknown field in a tenant (a misspelt externalId)', edit: (r) => { r.tenants[1].externalID = r.tenants[1].externalId; }, entry: 'tenants[1] (globex).externalID', rule: /unknown field/ },
  { what: 'a __proto__ key in a tenant', text: (t) => t.replace('"id": "acme",', '"id": "acme", "__proto__": { "isAdmin": true },'), entry: 'tenants[0] (acme).__proto__', rule: /unknown field/ },
  { what: 'an unknown field in a local account entry', edit: (r) => { r.accounts.vendor.region = 'us-east-1'; }, entry: 'accounts.vendor.region', rule: /unknown field/ },
  { what: 'an access key ID in lower case', edit: (r) => { r.accounts['customer-b'].accessKeyId = 'akialocalcustb000001'; }, entry: 'accounts.customer-b.accessKeyId', rule: /access key ID must be 16-128 upper-case letters and digits/ },
  { what: 'a secret access key that is too short', edit: (r) => { r.accounts['customer-a'].secretAccessKey = 'short'; }, entry: 'accounts.customer-a.secretAccessKey', rule: /secret access key is too short/ },
  { what: 'a null account entry', edit: (r) => { r.accounts.vendor = null; }, entry: 'accounts.vendor', rule: /expected object, received null/ },
  { what: 'an aws account entry with an empty profile', target: 'aws', text: () => AWS_EXAMPLE_TEXT.replace('"profile": "sidecar-vendor"', '"profile": ""'), entry: 'accounts.vendor.profile', rule: /too small|at least 1/i },

  // ---- files that are not JSON ---------------------------------------------------
  { what: 'an empty file', text: () => '', entry: '(file)', rule: /not valid JSON: Unexpected end of JSON input/ },
  { what: 'a file of whitespace', text: () => ' \n\t\n', entry: '(file)', rule: /not valid JSON/ },
  { what: 'a trailing comma', text: (t) => t.replace(/}\s*$/, ',}'), entry: '(file)', rule: /not valid JSON/ },
  { what: 'a // comment (JSONC)', text: (t) => `// local config\n${t}`, entry: '(file)', rule: /not valid JSON/ },
  { what: 'a UTF-8 byte-order mark', text: (t) => `\uFEFF${t}`, entry: '(file)', rule: /byte-order mark.*save it as UTF-8 without one/ },
  { what: 'JSON that is an array', text: (t) => `[${t}]`, entry: '(top level)', rule: /expected object, received array/ },
  { what: 'JSON that is null', text: () => 'null', entry: '(top level)', rule: /expected object, received null/ },
  { what: 'a huge file (20,000 tenants) with one bad entry at the end', edit: withManyTenants, entry: 'tenants[20002] (bulk-19999).functions[0]', rule: /function is in account 111122223333, but the tenant's role is in 444455556666/ },
];

// ---------------------------------------------------------------------------

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sidecar-hardening-config-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Write the case's file and load it; return the ConfigError (fails if it loads). */
function refusal(c: MalformedCase, index: number): { error: ConfigError; shown: string } {
  let text: string;
  if (c.text) text = c.text(LOCAL_TEXT);
  else {
    const raw = JSON.parse(LOCAL_TEXT) as RawConfig;
    c.edit!(raw);
    text = JSON.stringify(raw, null, 2);
  }
  const file = join(dir, `malformed-${String(index).padStart(2, '0')}.json`);
  writeFileSync(file, text, 'utf8');
  try {
    loadConfig({ SIDECAR_CONFIG_FILE: file, SIDECAR_TARGET: c.target ?? 'local' });
  } catch (e) {
    if (e instanceof ConfigError) return { error: e, shown: relative(process.cwd(), file) };
    throw e;
  }
  throw new Error(`expected ${file} (${c.what}) to be refused, but it loaded`);
}

test('the table has at least 25 malformed files', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(25);
});

test.each(CASES.map((c, i) => [c.what, c, i] as const))('refused: %s', (_what, c, i) => {
  const { error, shown } = refusal(c, i);

  // The file...
  expect(error.code).toBe('ConfigInvalid');
  expect(error.file).toBe(shown);
  expect(error.message.startsWith(`${shown} is not a valid sidecar config:\n`)).toBe(true);
  // ...the entry and the rule, as one problem and as one line of the message.
  const problem = error.problems.find((p) => p.entry === c.entry);
  if (!problem) throw new Error(`no problem at "${c.entry}"; got:\n${error.message}`);
  expect(problem.rule).toMatch(c.rule);
  expect(error.message).toContain(`\n  - ${c.entry}: ${problem.rule}`);
  // Every problem names an entry and a rule in words: no bare "Invalid input".
  for (const p of error.problems) {
    expect(p.entry).not.toBe('');
    expect(p.rule).not.toMatch(/^Invalid input$/);
  }
});
