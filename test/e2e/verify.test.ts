/**
 * E2E: the connection check (`npm run verify -- <tenant>`), each diagnosis provoked for real.
 *  - all good: an honest tenant, through the deployed connector's DryRun path.
 *  - external ID does not match: the confused-deputy tenant.
 *  - trust policy does not name the vendor: customer A's trust is rewritten, then restored.
 *  - role may not invoke the function: customer A's role loses its invoke policy, then gets it back.
 *  - function missing / role missing: customer B's function, then role, are deleted; then
 *    `cdktf deploy customer-b` alone, as a customer's cloud ops would run it, repairs both.
 *  - the CLI: exit code 0 and "OK" for a good tenant, 1 and "FAIL" for a broken one.
 * Local only for the cases that break a customer's account on purpose.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  DeleteRoleCommand, DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand,
  PutRolePolicyCommand, UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { DeleteFunctionCommand } from '@aws-sdk/client-lambda';
import { accountRootArn, parseFunctionArn } from '../../rules/naming';
import { deployStacks, PROJECT_ROOT } from '../../scripts/lib/deploy';
import { verifyTenant } from '../../scripts/verify/diagnose';
import { untilPropagated } from '../support/e2e/propagation';
import { itWhen } from '../support/e2e/skip';
import { loadWorld, tenantOf } from '../support/e2e/world';

const world = loadWorld();
const local = world.target === 'local';
const BREAKS_ACCOUNTS = 'breaks a customer account on purpose to provoke the diagnosis: local target only';
const [customerA, customerB] = world.config.customers;
const verify = (tenant: string) => verifyTenant(world.config, tenant, { endpoint: world.endpoint });
/** verify's verdict once an IAM change has propagated: asked again (bounded, with backoff) while
 *  it still answers something else, as STS and Lambda see an IAM change only after a while. */
const verdictOnce = async (tenant: string, expected: string): Promise<string> =>
  (await untilPropagated(`verify ${tenant} answering ${expected}`, () => verify(tenant), (o) => o.ok && o.value.verdict !== expected)).verdict;
const deployEnv = (): NodeJS.ProcessEnv => ({ ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: world.config.file, ...JSON.parse(process.env.SIDECAR_E2E_DEPLOY_ENV ?? '{}') });

describe('diagnoses', () => {
  test('all good for an honest tenant', async () => {
    const d = await verify(tenantOf(world, customerA.name).id);
    expect(d).toMatchObject({ verdict: 'ok' });
  });

  test('external ID does not match for a tenant naming another customer\'s role', async () => {
    const honest = tenantOf(world, customerA.name);
    const attacker = world.config.tenants.find((t) => t.roleArn === honest.roleArn && t.externalId !== honest.externalId)!;
    expect((await verify(attacker.id)).verdict).toBe('external-id-mismatch');
  });

  describe(`breaking ${customerA.name}'s role`, () => {
    const iam = world.iam(world.adminCredentials(customerA.name));
    const roleName = world.outputs.customers[customerA.name].role_name;
    const tenant = tenantOf(world, customerA.name).id;

    itWhen(local, BREAKS_ACCOUNTS)('trust policy does not name the vendor', async () => {
      const original = decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!);
      const notTheVendor = JSON.parse(original);
      notTheVendor.Statement[0].Principal = { AWS: accountRootArn(customerA.accountId) };
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(notTheVendor) }));
      try {
        expect(await verdictOnce(tenant, 'trust-not-vendor')).toBe('trust-not-vendor');
      } finally {
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: original }));
      }
      expect(await verdictOnce(tenant, 'ok')).toBe('ok');
    });

    itWhen(local, BREAKS_ACCOUNTS)('role may not invoke the function', async () => {
      const names = (await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
      const saved = await Promise.all(names.map(async (PolicyName) => ({
        PolicyName, PolicyDocument: decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName }))).PolicyDocument!),
      })));
      expect(saved.length).toBeGreaterThan(0);
      for (const p of saved) await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: p.PolicyName }));
      try {
        expect(await verdictOnce(tenant, 'invoke-not-allowed')).toBe('invoke-not-allowed');
      } finally {
        for (const p of saved) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, ...p }));
      }
      expect(await verdictOnce(tenant, 'ok')).toBe('ok');
    });
  });

  describe(`breaking ${customerB?.name ?? 'a second customer'}'s account, then redeploying it`, () => {
    itWhen(local && customerB !== undefined, `${BREAKS_ACCOUNTS}; needs a second customer`)('function missing, then role missing, then repaired by cdktf deploy', async () => {
      const out = world.outputs.customers[customerB.name];
      const tenant = tenantOf(world, customerB.name).id;
      const functionArn = Object.values(out.function_arns)[0];
      const admin = world.adminCredentials(customerB.name);
      const iam = world.iam(admin);

      const env = deployEnv();
      const redeploy = () => deployStacks({ env, outDir: env.SIDECAR_CDKTF_OUT, includeVendor: false, customerStacks: [customerB.name], outputsFile: join(process.env.SIDECAR_E2E_DIR!, 'redeploy-outputs.json'), onOutput: () => undefined, onProgress: () => undefined });
      try {
        await world.lambda(admin, parseFunctionArn(functionArn)!.region).send(new DeleteFunctionCommand({ FunctionName: functionArn }));
        expect(await verdictOnce(tenant, 'function-missing')).toBe('function-missing');

        for (const PolicyName of (await iam.send(new ListRolePoliciesCommand({ RoleName: out.role_name }))).PolicyNames ?? []) {
          await iam.send(new DeleteRolePolicyCommand({ RoleName: out.role_name, PolicyName }));
        }
        await iam.send(new DeleteRoleCommand({ RoleName: out.role_name }));
        expect(await verdictOnce(tenant, 'role-missing')).toBe('role-missing');
      } finally {
        // Whatever happened above, leave the account as deployed for the other e2e files.
        await redeploy();
      }
      expect(await verdictOnce(tenant, 'ok')).toBe('ok');
    }, 240_000);
  });
});

describe('the npm run verify command', () => {
  const run = (tenant: string) => spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), [join(PROJECT_ROOT, 'scripts', 'verify.ts'), tenant], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, SIDECAR_TARGET: world.target, SIDECAR_CONFIG_FILE: world.config.file, ...JSON.parse(process.env.SIDECAR_E2E_DEPLOY_ENV ?? '{}') },
  });

  test('prints OK and exits 0 for a tenant whose connection works', () => {
    const res = run(tenantOf(world, customerA.name).id);
    expect(res.stdout).toMatch(/^OK /m);
    expect(res.status).toBe(0);
  });

  test('prints FAIL with what to change and exits 1 for a tenant whose connection is refused', () => {
    const honest = tenantOf(world, customerA.name);
    const attacker = world.config.tenants.find((t) => t.roleArn === honest.roleArn && t.externalId !== honest.externalId)!;
    const res = run(attacker.id);
    expect(res.stdout).toMatch(/^FAIL /m);
    expect(res.stdout).toMatch(/-> Customer: set externalIds\.current/);
    expect(res.status).toBe(1);
  });
});
