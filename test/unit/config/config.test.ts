// ---------------------------------------------------------------------------
// Config validation: every rejection rule has a failing input here, and each assertion checks
// that the message names the file, the entry and the rule. Plus the committed configs load, and
// the external-ID generator makes IDs that pass the rule and cannot be guessed.
// ---------------------------------------------------------------------------
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig, type Target } from '../../../config/load';
import { EXTERNAL_ID_MAX_LENGTH, externalIdProblem, generateExternalId } from '../../../rules/external-id';
import { DEFAULT_ACCOUNT_CONCURRENCY } from '../../../localcloud/lambda/concurrency';
import { rawConfigFile } from '../../support/synth';

const FILE = 'config/test.json';

/** Parse an edited copy of config/local.json (or aws.example.json) and return the ConfigError. */
function rejection(edit: (raw: Record<string, any>) => void, target: Target = 'local'): ConfigError {
  const raw = rawConfigFile(target === 'local' ? 'local' : 'aws.example');
  edit(raw);
  try {
    parseConfig(raw, FILE, target);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

/** The error names the file, and has a problem at `entry` whose rule matches. */
function expectProblem(error: ConfigError, entry: string, rule: RegExp): void {
  expect(error.file).toBe(FILE);
  expect(error.message).toContain(FILE);
  expect(error.problems).toContainEqual({ entry, rule: expect.stringMatching(rule) });
  expect(error.message).toContain(`${entry}: `);
}

let tempDir: string;
beforeAll(() => { tempDir = mkdtempSync(join(tmpdir(), 'sidecar-config-test-')); });
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------
// The committed configs
// ---------------------------------------------------------------------------

describe('the committed configs', () => {
  test('config/local.json loads for the local target by default', () => {
    const config = loadConfig({});
    expect(config.target).toBe('local');
    expect(config.customers.map((c) => c.name)).toEqual(['customer-a', 'customer-b']);
    expect(config.vendor.accountId).toBe('809167139867');
  });

  test('config/local.json has the confused-deputy tenant: customer A\'s role ARN with its own external ID', () => {
    const config = loadConfig({});
    const customerA = config.customers.find((c) => c.name === 'customer-a')!;
    const impostors = config.tenants.filter((t) => t.roleArn === `arn:aws:iam::${customerA.accountId}:role/${customerA.roleName}` && t.externalId !== customerA.externalIds.current);
    expect(impostors).toHaveLength(1);
  });

  test('config/aws.example.json loads for the aws target', () => {
    const config = loadConfig({ SIDECAR_TARGET: 'aws', SIDECAR_CONFIG_FILE: join(__dirname, '../../../config/aws.example.json') });
    expect(config.target).toBe('aws');
    expect(config.accounts.vendor).toEqual({ accountId: '809167139867', profile: 'sidecar-vendor' });
  });
});

// ---------------------------------------------------------------------------
// External IDs
// ---------------------------------------------------------------------------

describe('external ID rules', () => {
  test('a duplicate external ID across customers is rejected', () => {
    const error = rejection((raw) => { raw.customers[1].externalIds.current = raw.customers[0].externalIds.current; });
    expectProblem(error, 'customers[1] (customer-b).externalIds.current', /duplicate external ID: customers\[0\] \(customer-a\)/);
  });

  test('a customer\'s previous external ID equal to another customer\'s is rejected', () => {
    const error = rejection((raw) => { raw.customers[1].externalIds.previous = raw.customers[0].externalIds.current; });
    expectProblem(error, 'customers[1] (customer-b).externalIds.previous', /duplicate external ID/);
  });

  test('a duplicate external ID across tenants is rejected', () => {
    const error = rejection((raw) => { raw.tenants[2].externalId = raw.tenants[1].externalId; });
    expectProblem(error, 'tenants[2] (mallory).externalId', /duplicate external ID: tenants\[1\] \(globex\)/);
  });

  test('a tenant reusing another customer\'s external ID for a different role is rejected', () => {
    // The vendor's guide shows two customers sharing one ID: a tenant naming B's role with A's ID.
    const error = rejection((raw) => {
      raw.tenants.splice(0, 1); // drop acme, so only the tenant-vs-customer rule can fire
      raw.tenants[0].externalId = raw.customers[0].externalIds.current;
    });
    expectProblem(error, 'tenants[0] (globex).externalId', /belongs to customer customer-a, but the tenant names another role/);
  });

  test('a tenant sharing its own customer\'s external ID (same role) is accepted', () => {
    expect(() => parseConfig(rawConfigFile('local'), FILE, 'local')).not.toThrow();
  });

  test('an external ID with a character outside [\\w+=,.@:/-] is rejected', () => {
    const error = rejection((raw) => { raw.customers[0].externalIds.current = 'has space'; });
    expectProblem(error, 'customers[0] (customer-a).externalIds.current', /may contain only letters, digits and the characters _\+=,\.@:\/-/);
  });

  test('an external ID of one character is rejected as too short', () => {
    const error = rejection((raw) => { raw.tenants[0].externalId = 'x'; });
    expectProblem(error, 'tenants[0] (acme).externalId', /must be 2-1224 characters long \(it has 1\)/);
  });

  test('an external ID of 1225 characters is rejected as too long', () => {
    const error = rejection((raw) => { raw.customers[0].externalIds.current = 'a'.repeat(EXTERNAL_ID_MAX_LENGTH + 1); });
    expectProblem(error, 'customers[0] (customer-a).externalIds.current', /must be 2-1224 characters long \(it has 1225\)/);
  });

  test('external IDs of exactly 2 and exactly 1224 characters are accepted', () => {
    expect(externalIdProblem('ab')).toBeUndefined();
    expect(externalIdProblem('a'.repeat(EXTERNAL_ID_MAX_LENGTH))).toBeUndefined();
  });

  test('a previous external ID equal to the current one is rejected', () => {
    const error = rejection((raw) => { raw.customers[1].externalIds.previous = raw.customers[1].externalIds.current; });
    expectProblem(error, 'customers[1] (customer-b).externalIds.previous', /must differ from the current one/);
  });
});

// ---------------------------------------------------------------------------
// Tenant IDs: each is the SourceIdentity of its calls, and each customer's trust accepts its own
// ---------------------------------------------------------------------------

describe('tenant IDs and SourceIdentity', () => {
  test('a tenant ID of one character is rejected: STS refuses a SourceIdentity under 2 characters', () => {
    const error = rejection((raw) => { raw.tenants[0].id = 'a'; raw.customers[0].tenantIds = ['a']; });
    expectProblem(error, 'tenants[0] (a).id', /tenant ID must be 2-64 characters .*SourceIdentity/);
  });

  test('the nearest accepted tenant ID: two characters', () => {
    const raw = rawConfigFile('local');
    raw.tenants[0].id = 'ab';
    expect(parseConfig(raw, FILE, 'local').tenants[0].id).toBe('ab');
  });

  test('a tenant ID with a character SourceIdentity does not allow (a colon, as in "aws:") is rejected', () => {
    const error = rejection((raw) => { raw.tenants[0].id = 'aws:acme'; });
    expectProblem(error, 'tenants[0] (aws:acme).id', /tenant ID must be 2-64 characters/);
  });

  test('a customer with no tenant (none paired, none listed) is rejected: its trust would accept no SourceIdentity', () => {
    const error = rejection((raw) => { raw.tenants = raw.tenants.filter((t: { id: string }) => t.id !== 'globex'); });
    expectProblem(error, 'customers[1] (customer-b).tenantIds', /no tenant ID: list under tenantIds the tenant ID the vendor gave you/);
  });

  test('a customer listing the tenant ID the vendor gave it is accepted before the vendor has added the tenant (onboarding order)', () => {
    const raw = rawConfigFile('local');
    raw.tenants = raw.tenants.filter((t: { id: string }) => t.id !== 'globex');
    raw.customers[1].tenantIds = ['globex'];
    expect(parseConfig(raw, FILE, 'local').customers[1].tenantIds).toEqual(['globex']);
  });

  test('listing another customer\'s tenant is rejected: it would weaken the SourceIdentity guard', () => {
    const error = rejection((raw) => { raw.customers[0].tenantIds = ['acme', 'globex']; });
    expectProblem(error, 'customers[0] (customer-a).tenantIds[1]', /tenant "globex" is not this customer's \(it is customer customer-b's tenant\)/);
  });

  test('listing the confused-deputy tenant (this customer\'s role, an external ID it never had) is rejected', () => {
    const error = rejection((raw) => { raw.customers[0].tenantIds = ['acme', 'mallory']; });
    expectProblem(error, 'customers[0] (customer-a).tenantIds[1]', /tenant "mallory" is not this customer's/);
  });

  test('leaving out a tenant paired with this customer is rejected: the trust would refuse its calls', () => {
    const error = rejection((raw) => {
      raw.tenants.push({ ...raw.tenants[1], id: 'globex-old', externalId: raw.customers[1].externalIds.previous });
      raw.customers[1].tenantIds = ['globex'];
    });
    expectProblem(error, 'customers[1] (customer-b).tenantIds', /tenant "globex-old" names this customer's role with its external ID, but is not listed/);
  });

  test('a tenant ID listed twice is rejected', () => {
    const error = rejection((raw) => { raw.customers[0].tenantIds = ['acme', 'acme']; });
    expectProblem(error, 'customers[0] (customer-a).tenantIds[1]', /duplicate tenant ID "acme"/);
  });
});

// ---------------------------------------------------------------------------
// Accounts and roles
// ---------------------------------------------------------------------------

describe('account and role rules', () => {
  test('an account ID that is not 12 digits is rejected', () => {
    const error = rejection((raw) => { raw.customers[0].accountId = '44445555666'; });
    expectProblem(error, 'customers[0] (customer-a).accountId', /account ID must be exactly 12 digits/);
  });

  test('an account ID with a letter is rejected', () => {
    const error = rejection((raw) => { raw.vendor.accountId = '80916713986X'; });
    expectProblem(error, 'vendor.accountId', /exactly 12 digits/);
  });

  test('a role name without the agreed prefix is rejected', () => {
    const error = rejection((raw) => { raw.customers[0].roleName = 'sidecar_connector'; });
    expectProblem(error, 'customers[0] (customer-a).roleName', /must start with the agreed prefix "tibco_sidecar_connector"/);
  });

  test('a tenant role ARN without the agreed prefix is rejected', () => {
    const error = rejection((raw) => { raw.tenants[0].roleArn = 'arn:aws:iam::444455556666:role/admin'; });
    expectProblem(error, 'tenants[0] (acme).roleArn', /must start with the agreed prefix/);
  });

  test('a role name of 65 characters is rejected as too long', () => {
    const error = rejection((raw) => { raw.customers[0].roleName = `tibco_sidecar_connector-${'x'.repeat(41)}`; });
    expectProblem(error, 'customers[0] (customer-a).roleName', /at most 64 characters/);
  });

  test('a role name of exactly 64 characters is accepted', () => {
    const raw = rawConfigFile('local');
    raw.customers[0].roleName = `tibco_sidecar_connector-${'x'.repeat(40)}`;
    raw.tenants[0].roleArn = `arn:aws:iam::444455556666:role/${raw.customers[0].roleName}`;
    raw.tenants[2].roleArn = raw.tenants[0].roleArn;
    expect(() => parseConfig(raw, FILE, 'local')).not.toThrow();
  });

  test('a missing accounts entry for a customer is rejected', () => {
    const error = rejection((raw) => { delete raw.accounts['customer-b']; });
    expectProblem(error, 'accounts', /missing an entry for stack "customer-b"/);
  });

  test('a missing accounts entry for the vendor is rejected', () => {
    const error = rejection((raw) => { delete raw.accounts.vendor; });
    expectProblem(error, 'accounts', /missing an entry for stack "vendor"/);
  });

  test('an accounts entry whose account ID differs from the customer\'s is rejected', () => {
    const error = rejection((raw) => { raw.accounts['customer-a'].accountId = '999999999999'; });
    expectProblem(error, 'customers[0] (customer-a).accountId', /differs from accounts\.customer-a\.accountId \(999999999999\)/);
  });

  test('the local target refuses an account given by profile', () => {
    const error = rejection((raw) => { raw.accounts['customer-a'] = { accountId: '444455556666', profile: 'customer-a' }; });
    expectProblem(error, 'accounts.customer-a', /local target needs the local cloud root keys/);
  });

  test('the aws target refuses keys in the file', () => {
    const error = rejection((raw) => {
      raw.accounts.vendor = { accountId: '809167139867', accessKeyId: 'AKIAEXAMPLE000000001', secretAccessKey: 'not-a-real-secret-key-000' };
    }, 'aws');
    expectProblem(error, 'accounts.vendor', /aws target takes a profile or assumeRoleArn, never keys in a file/);
  });
});

// ---------------------------------------------------------------------------
// Shape
// ---------------------------------------------------------------------------

describe('shape rules', () => {
  test('an unknown field in a customer is rejected and named', () => {
    const error = rejection((raw) => { raw.customers[0].externalID = 'typo'; });
    expectProblem(error, 'customers[0] (customer-a).externalID', /unknown field/);
  });

  test('an unknown top-level field is rejected and named', () => {
    const error = rejection((raw) => { raw.regions = ['us-east-1']; });
    expectProblem(error, 'regions', /unknown field/);
  });

  test('every problem is reported at once', () => {
    const error = rejection((raw) => {
      raw.customers[0].accountId = '1';
      raw.tenants[0].externalId = 'x';
    });
    expect(error.problems.map((p) => p.entry)).toEqual(expect.arrayContaining(['customers[0] (customer-a).accountId', 'tenants[0] (acme).externalId']));
  });
});

// ---------------------------------------------------------------------------
// Target and file
// ---------------------------------------------------------------------------

describe('target and file', () => {
  test('an unknown SIDECAR_TARGET is rejected, naming the variable and the allowed values', () => {
    expect.assertions(3);
    try {
      loadConfig({ SIDECAR_TARGET: 'gcp' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).file).toBe('SIDECAR_TARGET');
      expect((e as ConfigError).problems).toEqual([{ entry: 'SIDECAR_TARGET', rule: 'must be one of local, aws (got "gcp")' }]);
    }
  });

  test('a missing file is rejected, naming the file', () => {
    const missing = join(tempDir, 'missing.json');
    expect.assertions(3);
    try {
      loadConfig({ SIDECAR_CONFIG_FILE: missing });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toContain('missing.json');
      expect((e as ConfigError).problems).toEqual([{ entry: '(file)', rule: expect.stringMatching(/^not found/) }]);
    }
  });

  test('a missing config/aws.json says how to create it', () => {
    expect(() => loadConfig({ SIDECAR_TARGET: 'aws', SIDECAR_CONFIG_FILE: join(tempDir, 'aws.json') })).toThrow(/not found \(copy config\/aws\.example\.json to config\/aws\.json/);
  });

  test('a file that is not JSON is rejected, naming the file and the parse error', () => {
    const file = join(tempDir, 'broken.json');
    writeFileSync(file, '{ "region": "us-east-1", ');
    expect.assertions(3);
    try {
      loadConfig({ SIDECAR_CONFIG_FILE: file });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).message).toContain('broken.json');
      expect((e as ConfigError).problems).toEqual([{ entry: '(file)', rule: expect.stringMatching(/^not valid JSON: /) }]);
    }
  });
});

// ---------------------------------------------------------------------------
// The external-ID generator
// ---------------------------------------------------------------------------

describe('generateExternalId', () => {
  test('makes IDs that pass AWS\'s external-ID rule', () => {
    for (let i = 0; i < 100; i++) expect(externalIdProblem(generateExternalId())).toBeUndefined();
  });

  test('makes a different ID every call', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => generateExternalId()));
    expect(ids.size).toBe(10_000);
  });

  test('carries at least 256 bits of randomness', () => {
    // sc- + base64url of the random bytes: 6 bits per character.
    const id = generateExternalId();
    const randomPart = id.replace(/^sc-/, '');
    expect(randomPart).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(randomPart, 'base64url').length * 8).toBeGreaterThanOrEqual(256);
  });

  test('a generated ID is accepted by the config loader for a new customer', () => {
    const raw = rawConfigFile('local');
    raw.customers[0].externalIds.current = generateExternalId();
    raw.tenants[0].externalId = raw.customers[0].externalIds.current;
    expect(() => parseConfig(raw, FILE, 'local')).not.toThrow();
  });
});

// ---------------------------------------------------------------------------
// The registry table and vend's callers
// ---------------------------------------------------------------------------

describe('registry table and vend callers', () => {
  test('defaults: table sidecar-tenants with deletion protection, and no vend caller', () => {
    const raw = rawConfigFile('local');
    delete raw.vendor.registryTableName;
    delete raw.vendor.registryDeletionProtection;
    delete raw.vendor.vendCallers;
    expect(parseConfig(raw, FILE, 'local').vendor).toMatchObject({ registryTableName: 'sidecar-tenants', registryDeletionProtection: true, vendCallers: [] });
  });

  test('a table name DynamoDB refuses is rejected', () => {
    expectProblem(rejection((raw) => { raw.vendor.registryTableName = 'no/slashes'; }), 'vendor.registryTableName', /table name must be 3-255 characters/);
  });

  test('a vend caller that is a role session, a wildcard or a role with a path is rejected', () => {
    expectProblem(rejection((raw) => { raw.vendor.vendCallers[0].principalArn = 'arn:aws:sts::809167139867:assumed-role/ops/me'; }), 'vendor.vendCallers[0].principalArn', /IAM role or user ARN/);
    expectProblem(rejection((raw) => { raw.vendor.vendCallers[0].principalArn = 'arn:aws:iam::809167139867:role/*'; }), 'vendor.vendCallers[0].principalArn', /IAM role or user ARN/);
    expectProblem(rejection((raw) => { raw.vendor.vendCallers[0].principalArn = 'arn:aws:iam::809167139867:role/team/ops'; }), 'vendor.vendCallers[0].principalArn', /role with a path cannot be a vend caller/);
  });

  test('a vend caller listed twice, a tenant listed twice, or no tenant is rejected', () => {
    expectProblem(rejection((raw) => { raw.vendor.vendCallers.push({ ...raw.vendor.vendCallers[0] }); }), 'vendor.vendCallers[1].principalArn', /duplicate principal/);
    expectProblem(rejection((raw) => { raw.vendor.vendCallers[0].tenants = ['acme', 'acme']; }), 'vendor.vendCallers[0].tenants[1]', /duplicate tenant "acme"/);
    expectProblem(rejection((raw) => { raw.vendor.vendCallers[0].tenants = []; }), 'vendor.vendCallers[0].tenants', /at least one tenant/);
  });

  test('a vend caller may be granted a tenant onboarded at run time (not in this file)', () => {
    const raw = rawConfigFile('local');
    raw.vendor.vendCallers[0].tenants = ['onboarded-later'];
    expect(parseConfig(raw, FILE, 'local').vendor.vendCallers[0].tenants).toEqual(['onboarded-later']);
  });
});

// ---------------------------------------------------------------------------
// Shard reservations against the account's Lambda concurrency (the allow side of the
// hostile-config rows): exactly the reservable amount is accepted, and local.json states the
// local cloud's own account concurrency, so the check there is the local cloud's limit.
// ---------------------------------------------------------------------------
describe('connector shards reserve at most the account concurrency minus 100', () => {
  it('accepts shards reserving exactly what the account may (2 × 50 of 200)', () => {
    const raw = rawConfigFile('local');
    raw.vendor.connectorShards = { count: 2, reservedConcurrency: 50 };
    const config = parseConfig(raw, FILE, 'local');
    expect(config.vendor.connectorShards).toEqual({ count: 2, reservedConcurrency: 50 });
  });

  it('defaults the account concurrency to AWS\'s 1,000 when the config does not say', () => {
    const raw = rawConfigFile('aws.example');
    delete raw.vendor.lambdaAccountConcurrency;
    raw.vendor.connectorShards = { count: 9, reservedConcurrency: 100 };
    expect(parseConfig(raw, FILE, 'aws').vendor.lambdaAccountConcurrency).toBe(1000);
  });

  it('local.json states the local cloud\'s account concurrency', () => {
    expect(rawConfigFile('local').vendor.lambdaAccountConcurrency).toBe(DEFAULT_ACCOUNT_CONCURRENCY);
  });
});
