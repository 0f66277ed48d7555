/**
 * E2E: the connection check (`npm run verify`), each diagnosis provoked for real on the deployed
 * accounts, asserted on its verdict code and on what it tells people to do; then repaired.
 *  Tenant mode (as the vendor):
 *  - ok for an honest tenant; every function of a tenant is checked (a config listing a second
 *    function the deployed registry lacks: registry-out-of-date on that one, ok on the first).
 *  - confused-deputy for the tenant naming customer A's role with its own external ID: refuse the
 *    tenant, never change a trust; confused-deputy-accepted if A's trust is made to accept it.
 *  - trust-not-vendor, external-id-mismatch, source-identity-refused: customer A's trust rewritten.
 *  - vendor-cannot-assume: A's trust is right but the connector's role lost sts:SetSourceIdentity.
 *  - assume-refused: a refusal verify cannot explain without the customer's credentials.
 *  - invoke-not-allowed: A's role loses its invoke policy. function-missing, role-missing:
 *    customer B's function, then role, deleted; `cdktf deploy customer-b` alone repairs both.
 *  - unknown-tenant (in the config, and in the deployed registry), connector-unreachable.
 *  - trust-principal-orphaned: provoked by re-creating the vendor's roles, in vendor-recreated.test.ts.
 *  Customer mode (`--customer`, the customer's own credentials only): ok, and each of its findings
 *  on the same provocations, plus external-id-not-required, source-identity-not-required,
 *  customer-unreadable, unknown-customer.
 *  The CLI: the local cloud found from its own server.json (no LOCALCLOUD_PORT), a cloud that is
 *  not running said to be so with the command to start it, --all, --customer, --json, --help, an
 *  unknown option refused; exit codes 0, 1 and 2.
 * Local only for the cases that break an account on purpose.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand,
  PutRolePolicyCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import type { LoadedConfig } from '../../config/load';
import { ASSUME_POLICY_NAME } from '../../modules/vendor-stack';
import { accountRootArn, parseFunctionArn, roleArn } from '../../rules/naming';
import { assumePrefixedRolesPolicy, crossAccountTrustPolicy } from '../../rules/policies';
import { PROJECT_ROOT } from '../../scripts/lib/deploy';
import { verifyCustomer } from '../../scripts/verify/customer-check';
import { verifyTenant } from '../../scripts/verify/diagnose';
import type { Diagnosis } from '../../scripts/verify/verdicts';
import { untilVerdict } from '../support/e2e/propagation';
import { notOwnStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { redeploy } from '../support/e2e/stacks';
import { loadWorld, tenantIdsOf, tenantOf } from '../support/e2e/world';

const world = loadWorld();
const local = world.target === 'local';
const BREAKS_ACCOUNTS = notOwnStacks('breaks an account on purpose to provoke the diagnosis');
const [customerA, customerB] = world.config.customers;
const vendor = world.config.vendor;
const options = { endpoint: world.endpoint };
const verify = (tenant: string, config: LoadedConfig = world.config) => verifyTenant(config, tenant, options);
const verifyAsCustomer = (name: string, config: LoadedConfig = world.config) => verifyCustomer(config, name, options);
/**
 * A check's answer once the IAM change just made has reached STS and Lambda: asked again (bounded,
 * with backoff) while it still gives another verdict than `expected`, as on AWS a trust or policy
 * edit takes effect only after a while. Past the bound it fails, naming the last verdict.
 */
const settled = <A extends unknown[]>(check: (...args: A) => Promise<Diagnosis>, expected: Diagnosis['verdict'], ...args: A): Promise<Diagnosis> =>
  untilVerdict(`verify${(check as unknown) === verify ? '' : ' --customer'} ${String(args[0])}`, () => check(...args), expected);
/** Verify's calls (one DryRun per function, IAM reads) with a cold connector on a loaded machine. */
const CHECK_TIMEOUT_MS = 120_000;

const acme = tenantOf(world, customerA.name);
const deputy = world.config.tenants.find((t) => t.roleArn === acme.roleArn && t.externalId !== acme.externalId)!;
const iamA = world.iam(world.adminCredentials(customerA.name));
const roleNameA = world.outputs.customers[customerA.name].role_name;
const connectorRoleArn = roleArn(vendor.accountId, vendor.connectorRoleName);
const vendRoleArn = roleArn(vendor.accountId, vendor.vendRoleName);

/** The config with an edit, as an operator's differently-edited copy would load. */
const editedConfig = (edit: (c: LoadedConfig & Record<string, any>) => void): LoadedConfig => {
  const copy = structuredClone(world.config) as LoadedConfig & Record<string, any>;
  edit(copy);
  return copy;
};

/** Customer A's trust replaced by `doc` while `check` runs, then put back as it was. */
async function withTrustOfA(doc: object, check: () => Promise<void>): Promise<void> {
  const original = decodeURIComponent((await iamA.send(new GetRoleCommand({ RoleName: roleNameA }))).Role!.AssumeRolePolicyDocument!);
  await iamA.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleNameA, PolicyDocument: JSON.stringify(doc) }));
  try {
    await check();
  } finally {
    await iamA.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleNameA, PolicyDocument: original }));
  }
  expect((await settled(verify, 'ok', acme.id)).verdict).toBe('ok');
}

/** Customer A's trust as its stack builds it, with edits. */
const trustOfA = (edit: { externalIds?: string[]; tenantIds?: string[] } = {}) => crossAccountTrustPolicy({
  vendorAccountId: vendor.accountId,
  ...(customerA.trustPrincipal === 'role' ? { vendorRoleArns: [connectorRoleArn, vendRoleArn] } : {}),
  externalIds: edit.externalIds ?? [customerA.externalIds.current, ...(customerA.externalIds.previous ? [customerA.externalIds.previous] : [])],
  tenantIds: edit.tenantIds ?? tenantIdsOf(world, customerA.name),
});
/** Its one statement, edited. */
const trustOfAWith = (edit: (s: Record<string, any>) => Record<string, any>) => {
  const doc = trustOfA();
  return { ...doc, Statement: doc.Statement.map((s) => edit(structuredClone(s) as Record<string, any>)) };
};

const expectNoTrustChangeAdvice = (d: Diagnosis) => {
  expect(d.fix).not.toMatch(/set externalIds\.current|externalIds\.previous|tenantIds/);
  expect(d.fix).not.toMatch(/redeploy your stack/);
};

describe('tenant mode: config and connector', () => {
  test('ok for an honest tenant, through the deployed connector\'s DryRun path', async () => {
    const d = await verify(acme.id);
    expect(d).toMatchObject({ subject: acme.id, kind: 'tenant', verdict: 'ok' });
    expect(d.summary).toContain(`"${acme.id}" as SourceIdentity`);
  }, CHECK_TIMEOUT_MS);

  test('every function of a tenant is checked: a second function the deployed registry lacks fails the tenant', async () => {
    const second = world.outputs.customers[customerA.name].private_function_arn;
    const config = editedConfig((c) => { c.tenants.find((t: { id: string }) => t.id === acme.id)!.functions.push(second); });
    const d = await verify(acme.id, config);
    expect(d.verdict).toBe('registry-out-of-date');
    expect(d.details).toEqual([
      expect.objectContaining({ subject: config.tenants.find((t) => t.id === acme.id)!.functions[0], verdict: 'ok' }),
      expect.objectContaining({ subject: second, verdict: 'registry-out-of-date' }),
    ]);
    expect(d.fix).toMatch(/redeploy the vendor stack/);
  }, CHECK_TIMEOUT_MS);

  test('the confused deputy: a tenant pointing at a role it does not own is to be refused, and no trust is to change', async () => {
    const d = await verify(deputy.id);
    expect(d.verdict).toBe('confused-deputy');
    expect(d.summary).toMatch(new RegExp(`names ${acme.roleArn}, the role customer ${customerA.name} configured`));
    expect(d.summary).toMatch(/points at a role it does not own/);
    expect(d.summary).toMatch(/STS refused the connector, as it must/);
    expect(d.fix).toMatch(/^Vendor: refuse this tenant/);
    expect(d.fix).toMatch(new RegExp(`Do NOT ask ${customerA.name} to change its trust`));
    expectNoTrustChangeAdvice(d);
  }, CHECK_TIMEOUT_MS);

  test('unknown tenant: not in the config', async () => {
    expect(await verify('no-such-tenant')).toMatchObject({ verdict: 'unknown-tenant', summary: expect.stringContaining('The config has no tenant "no-such-tenant"') });
  }, CHECK_TIMEOUT_MS);

  test('unknown tenant: in the config, but not in the deployed connector\'s registry', async () => {
    const config = editedConfig((c) => { c.tenants.push({ ...c.tenants.find((t: { id: string }) => t.id === acme.id)!, id: 'acme-newcomer' }); });
    expect(await verify('acme-newcomer', config)).toMatchObject({ verdict: 'unknown-tenant', summary: expect.stringContaining('The deployed connector has no tenant') });
  }, CHECK_TIMEOUT_MS);

  test('connector unreachable: no such connector function', async () => {
    const config = editedConfig((c) => { c.vendor.connectorFunctionName = 'sidecar-connector-not-deployed'; });
    expect(await verify(acme.id, config)).toMatchObject({ verdict: 'connector-unreachable', summary: expect.stringContaining('ResourceNotFoundException') });
  }, CHECK_TIMEOUT_MS);
});

describe(`breaking ${customerA.name}'s trust and role`, () => {
  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('confused deputy accepted: if A\'s trust is made to accept the deputy\'s external ID and tenant, verify says the guard failed', async () => {
    await withTrustOfA(trustOfA({ externalIds: [customerA.externalIds.current, deputy.externalId], tenantIds: [acme.id, deputy.id] }), async () => {
      const d = await settled(verify, 'confused-deputy-accepted', deputy.id);
      expect(d.verdict).toBe('confused-deputy-accepted');
      expect(d.summary).toMatch(/guard is NOT holding/);
      expect(d.fix).toMatch(/refuse this tenant now/);
      expect(d.fix).toMatch(new RegExp(`Customer ${customerA.name}: redeploy your stack from your own config`));
    });
  }, CHECK_TIMEOUT_MS);

  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('trust does not name the vendor (tenant and customer mode)', async () => {
    await withTrustOfA(trustOfAWith((s) => ({ ...s, Principal: { AWS: accountRootArn(customerA.accountId) } })), async () => {
      expect(await settled(verify, 'trust-not-vendor', acme.id)).toMatchObject({ verdict: 'trust-not-vendor', fix: expect.stringMatching(new RegExp(`Customer ${customerA.name}: redeploy your stack from the config`)) });
      expect((await settled(verifyAsCustomer, 'trust-not-vendor', customerA.name)).verdict).toBe('trust-not-vendor');
    });
  }, CHECK_TIMEOUT_MS);

  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('external ID mismatch (tenant and customer mode); and, without the customer\'s credentials, a refusal verify does not guess at', async () => {
    await withTrustOfA(trustOfA({ externalIds: ['sc-e2e-not-the-configured-id'] }), async () => {
      const d = await settled(verify, 'external-id-mismatch', acme.id);
      expect(d.verdict).toBe('external-id-mismatch');
      expect(d.fix).toMatch(/redeploy your stack from the config/);
      expect(`${d.summary} ${d.fix}`).not.toContain(acme.externalId);
      expect((await settled(verifyAsCustomer, 'external-id-mismatch', customerA.name)).verdict).toBe('external-id-mismatch');

      const vendorOnly = editedConfig((c) => { delete c.accounts[customerA.name]; });
      const blind = await settled(verify, 'assume-refused', acme.id, vendorOnly);
      expect(blind.verdict).toBe('assume-refused');
      expect(blind.fix).toMatch(new RegExp(`npm run verify -- --customer ${customerA.name}`));
    });
  }, CHECK_TIMEOUT_MS);

  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('external ID not required (customer mode): the connector gets in, but the guard is off', async () => {
    await withTrustOfA(trustOfAWith((s) => ({ ...s, Condition: { ...s.Condition, StringEquals: { 'sts:SourceIdentity': s.Condition.StringEquals['sts:SourceIdentity'] } } })), async () => {
      expect((await settled(verify, 'ok', acme.id)).verdict).toBe('ok');
      expect(await settled(verifyAsCustomer, 'external-id-not-required', customerA.name)).toMatchObject({ verdict: 'external-id-not-required', summary: expect.stringMatching(/confused-deputy guard is off/) });
    });
  }, CHECK_TIMEOUT_MS);

  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('source identity refused: the trust accepts another tenant only (tenant and customer mode)', async () => {
    await withTrustOfA(trustOfA({ tenantIds: ['someone-else'] }), async () => {
      expect(await settled(verify, 'source-identity-refused', acme.id)).toMatchObject({ verdict: 'source-identity-refused', summary: expect.stringContaining(`not "${acme.id}"`) });
      expect((await settled(verifyAsCustomer, 'source-identity-refused', customerA.name)).verdict).toBe('source-identity-refused');
    });
  }, CHECK_TIMEOUT_MS);

  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('source identity refused: the trust does not allow sts:SetSourceIdentity', async () => {
    await withTrustOfA(trustOfAWith((s) => ({ ...s, Action: 'sts:AssumeRole', Condition: { ...s.Condition, StringEquals: { 'sts:ExternalId': s.Condition.StringEquals['sts:ExternalId'] } } })), async () => {
      expect(await settled(verify, 'source-identity-refused', acme.id)).toMatchObject({ verdict: 'source-identity-refused', summary: expect.stringMatching(/does not allow sts:SetSourceIdentity/) });
      expect((await settled(verifyAsCustomer, 'source-identity-refused', customerA.name)).verdict).toBe('source-identity-refused');
    });
  }, CHECK_TIMEOUT_MS);

  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('source identity not required (customer mode): any tenant would pass the trust', async () => {
    await withTrustOfA(trustOfAWith((s) => ({ ...s, Condition: { ...s.Condition, StringEquals: { 'sts:ExternalId': s.Condition.StringEquals['sts:ExternalId'] } } })), async () => {
      expect((await settled(verify, 'ok', acme.id)).verdict).toBe('ok');
      expect((await settled(verifyAsCustomer, 'source-identity-not-required', customerA.name)).verdict).toBe('source-identity-not-required');
    });
  }, CHECK_TIMEOUT_MS);

  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('role may not invoke the function (tenant and customer mode)', async () => {
    const names = (await iamA.send(new ListRolePoliciesCommand({ RoleName: roleNameA }))).PolicyNames ?? [];
    const saved = await Promise.all(names.map(async (PolicyName) => ({
      PolicyName, PolicyDocument: decodeURIComponent((await iamA.send(new GetRolePolicyCommand({ RoleName: roleNameA, PolicyName }))).PolicyDocument!),
    })));
    expect(saved.length).toBeGreaterThan(0);
    for (const p of saved) await iamA.send(new DeleteRolePolicyCommand({ RoleName: roleNameA, PolicyName: p.PolicyName }));
    try {
      expect((await settled(verify, 'invoke-not-allowed', acme.id)).verdict).toBe('invoke-not-allowed');
      expect((await settled(verifyAsCustomer, 'invoke-not-allowed', customerA.name)).verdict).toBe('invoke-not-allowed');
    } finally {
      for (const p of saved) await iamA.send(new PutRolePolicyCommand({ RoleName: roleNameA, ...p }));
    }
    expect((await settled(verify, 'ok', acme.id)).verdict).toBe('ok');
  }, CHECK_TIMEOUT_MS);
});

describe('breaking the vendor\'s side', () => {
  itWhen(world.ownsStacks, BREAKS_ACCOUNTS)('the trust is right but the connector\'s role may not set the source identity: the vendor is told, the customer is not', async () => {
    const vendorIam = world.iam(world.adminCredentials('vendor'));
    const original = decodeURIComponent((await vendorIam.send(new GetRolePolicyCommand({ RoleName: vendor.connectorRoleName, PolicyName: ASSUME_POLICY_NAME }))).PolicyDocument!);
    const assumeOnly = { ...JSON.parse(original), Statement: JSON.parse(original).Statement.map((s: Record<string, unknown>) => ({ ...s, Action: 'sts:AssumeRole' })) };
    await vendorIam.send(new PutRolePolicyCommand({ RoleName: vendor.connectorRoleName, PolicyName: ASSUME_POLICY_NAME, PolicyDocument: JSON.stringify(assumeOnly) }));
    try {
      const d = await settled(verify, 'vendor-cannot-assume', acme.id);
      expect(d.verdict).toBe('vendor-cannot-assume');
      expect(d.fix).toMatch(/^Vendor: .*sts:SetSourceIdentity.*redeploy the vendor stack/);
      expect((await settled(verifyAsCustomer, 'ok', customerA.name)).verdict).toBe('ok');
    } finally {
      await vendorIam.send(new PutRolePolicyCommand({ RoleName: vendor.connectorRoleName, PolicyName: ASSUME_POLICY_NAME, PolicyDocument: original }));
    }
    // What was put back is what the stack deploys.
    expect(JSON.parse(original)).toEqual(assumePrefixedRolesPolicy({ rolePrefix: world.config.rolePrefix, accountIds: vendor.onboarding === 'dynamic' ? '*' : [...new Set(world.config.customers.map((c) => c.accountId))] }));
    expect((await settled(verify, 'ok', acme.id)).verdict).toBe('ok');
  }, CHECK_TIMEOUT_MS);
});

describe(`breaking ${customerB?.name ?? 'a second customer'}'s account, then redeploying it`, () => {
  itWhen(world.ownsStacks && customerB !== undefined, `${BREAKS_ACCOUNTS}; needs a second customer`)('function missing, then role missing (tenant and customer mode), then repaired by cdktf deploy', async () => {
    const out = world.outputs.customers[customerB.name];
    const tenant = tenantOf(world, customerB.name).id;
    const fn = Object.values(out.function_arns)[0];
    const admin = world.adminCredentials(customerB.name);
    const iam = world.iam(admin);
    try {
      await world.lambda(admin, parseFunctionArn(fn)!.region).send(new DeleteFunctionCommand({ FunctionName: fn }));
      expect((await settled(verify, 'function-missing', tenant)).verdict).toBe('function-missing');
      expect((await settled(verifyAsCustomer, 'function-missing', customerB.name)).verdict).toBe('function-missing');

      for (const PolicyName of (await iam.send(new ListRolePoliciesCommand({ RoleName: out.role_name }))).PolicyNames ?? []) {
        await iam.send(new DeleteRolePolicyCommand({ RoleName: out.role_name, PolicyName }));
      }
      await iam.send(new DeleteRoleCommand({ RoleName: out.role_name }));
      expect((await settled(verify, 'role-missing', tenant)).verdict).toBe('role-missing');
      expect((await settled(verifyAsCustomer, 'role-missing', customerB.name)).verdict).toBe('role-missing');
    } finally {
      // Whatever happened above, leave the account as deployed for the other e2e files.
      await redeploy(world, { vendor: false, customers: [customerB.name] });
    }
    expect((await settled(verify, 'ok', tenant)).verdict).toBe('ok');
    expect((await settled(verifyAsCustomer, 'ok', customerB.name)).verdict).toBe('ok');
  }, 600_000);
});

describe('customer mode: the customer\'s own credentials only', () => {
  test.each(world.config.customers.map((c) => [c.name]))('ok for %s as deployed', async (name) => {
    const d = await verifyAsCustomer(name);
    expect(d).toMatchObject({ subject: name, kind: 'customer', verdict: 'ok' });
  }, CHECK_TIMEOUT_MS);

  test('it needs no vendor credentials', async () => {
    const customerOnly = editedConfig((c) => { for (const stack of Object.keys(c.accounts)) if (stack !== customerA.name) delete c.accounts[stack]; });
    expect((await verifyAsCustomer(customerA.name, customerOnly)).verdict).toBe('ok');
  }, CHECK_TIMEOUT_MS);

  itWhen(local, 'needs the local cloud to refuse a made-up key')('customer unreadable: credentials the account refuses', async () => {
    const wrongKey = editedConfig((c) => { c.accounts[customerA.name] = { ...c.accounts[customerA.name], secretAccessKey: 'not-the-secret-of-this-key-0000' }; });
    const d = await verifyAsCustomer(customerA.name, wrongKey);
    expect(d.verdict).toBe('customer-unreadable');
    expect(d.summary).toMatch(/could not be read with the credentials in the config/);
  }, CHECK_TIMEOUT_MS);

  test('unknown customer', async () => {
    expect(await verifyAsCustomer('customer-z')).toMatchObject({ verdict: 'unknown-customer', summary: expect.stringContaining('The config has no customer "customer-z"') });
  }, CHECK_TIMEOUT_MS);
});

describe('the npm run verify command', () => {
  /** A LOCALCLOUD_HOME of the test's own, holding the running cloud's server.json as `npm run local:up` writes it; and an empty one. */
  let home: string;
  let emptyHome: string;
  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'verify-cli-home-'));
    emptyHome = mkdtempSync(join(tmpdir(), 'verify-cli-empty-'));
    if (world.endpoint) {
      const { pid } = (await (await fetch(`${world.endpoint}/_localcloud/health`)).json()) as { pid: number };
      writeFileSync(join(home, 'server.json'), JSON.stringify({ pid, port: Number(new URL(world.endpoint).port), url: world.endpoint }));
    }
  }, CHECK_TIMEOUT_MS);
  afterAll(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(emptyHome, { recursive: true, force: true });
  });

  /** The CLI as a person runs it; on the local target the cloud is found from `localCloudHome`'s server.json, LOCALCLOUD_PORT unset. */
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const base: NodeJS.ProcessEnv = { ...process.env, SIDECAR_TARGET: world.target, SIDECAR_CONFIG_FILE: world.config.file, LOCALCLOUD_HOME: home, ...env };
    delete base.LOCALCLOUD_PORT;
    if (env.LOCALCLOUD_PORT) base.LOCALCLOUD_PORT = env.LOCALCLOUD_PORT;
    return spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join(PROJECT_ROOT, 'scripts', 'verify.ts'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 110_000, env: base });
  };
  const LOCAL_STATE = 'finds the test\'s local cloud through a server.json of its own: local target only';

  itWhen(local, LOCAL_STATE)('OK and exit 0 for a tenant whose connection works, the local cloud found from its own state', () => {
    const res = run([acme.id]);
    expect(res.stdout).toMatch(new RegExp(`^OK   ${acme.id} \\[ok\\]: `, 'm'));
    expect(res.status).toBe(0);
  }, CHECK_TIMEOUT_MS);

  itWhen(local, LOCAL_STATE)('the confused deputy: FAIL, refuse the tenant, never "set externalIds.current", exit 1', () => {
    const res = run([deputy.id]);
    expect(res.stdout).toMatch(new RegExp(`^FAIL ${deputy.id} \\[confused-deputy\\]: `, 'm'));
    expect(res.stdout).toMatch(/-> Vendor: refuse this tenant/);
    expect(res.stdout).not.toMatch(/set externalIds\.current/);
    expect(res.status).toBe(1);
  }, CHECK_TIMEOUT_MS);

  itWhen(local, LOCAL_STATE)('--all checks every tenant of the config', () => {
    const res = run(['--all', '--json']);
    const verdicts = Object.fromEntries(res.stdout.trim().split('\n').map((line) => JSON.parse(line) as Diagnosis).map((d) => [d.subject, d.verdict]));
    expect(verdicts).toEqual(Object.fromEntries(world.config.tenants.map((t) => [t.id, t.id === deputy.id ? 'confused-deputy' : 'ok'])));
    expect(res.status).toBe(1);
  }, CHECK_TIMEOUT_MS);

  itWhen(local, LOCAL_STATE)('--customer: OK with the customer\'s own check, exit 0', () => {
    const res = run(['--customer', customerA.name]);
    expect(res.stdout).toMatch(new RegExp(`^OK   ${customerA.name} \\[ok\\]: `, 'm'));
    expect(res.status).toBe(0);
  }, CHECK_TIMEOUT_MS);

  itWhen(local, 'the local target\'s cloud')('a local cloud that is not running is said to be so, with the command to start it, not a redeploy', () => {
    const res = run([acme.id], { LOCALCLOUD_HOME: emptyHome });
    expect(res.stdout).toMatch(/^FAIL local cloud \[local-cloud-not-running\]: The local cloud is not running: no local cloud is running \(\S+server\.json does not exist\)/m);
    expect(res.stdout).toMatch(/-> Start it: npm run local:up/);
    expect(res.stdout).not.toMatch(/redeploy|cdktf deploy/);
    expect(res.status).toBe(1);
  }, CHECK_TIMEOUT_MS);

  itWhen(local, 'the local target\'s cloud')('LOCALCLOUD_PORT naming a port nothing answers on: not running, naming the port', () => {
    const res = run(['--customer', customerA.name], { LOCALCLOUD_PORT: '1' });
    expect(res.stdout).toMatch(/\[local-cloud-not-running\]: The local cloud is not running: nothing answers as a local cloud at http:\/\/127\.0\.0\.1:1 \(LOCALCLOUD_PORT=1\)/);
    expect(res.status).toBe(1);
  }, CHECK_TIMEOUT_MS);

  test('--help prints the usage, exit 0', () => {
    const res = run(['--help']);
    expect(res.stdout).toMatch(/^usage: npm run verify -- <tenant>/);
    expect(res.stdout).toContain('--customer <customer>');
    expect(res.status).toBe(0);
  }, CHECK_TIMEOUT_MS);

  test('an unknown option is refused with the usage, exit 2, nothing checked', () => {
    const res = run([acme.id, '--tenant-id=x']);
    expect(res.stderr).toMatch(/^verify: Unknown option '--tenant-id'/);
    expect(res.stderr).toContain('usage: npm run verify');
    expect(res.stdout).toBe('');
    expect(res.status).toBe(2);
  }, CHECK_TIMEOUT_MS);
});
