/**
 * E2E: run-time onboarding on the deployed stacks, with NO vendor deploy (issue 12). In order:
 *  -  a tenant onboarded with the registry operations (as `npm run onboard` does) for a new
 *     prefixed role in customer A's account, whose function already exists; the customer applies
 *     the kit's Terraform module with the real terraform (scripts/kit/apply-terraform-kit.ts);
 *     the deployed connector serves the tenant from customer A's function;
 *  -  rotated: the customer applies the new kit (new ID + previous); still served, whichever ID
 *     the connector's registry cache holds;
 *  -  offboarded: refused as UnknownTenant "offboarded" once the registry cache (30 s TTL) lets go;
 *  -  a run-time confused deputy (customer B's role, the tenant's own fresh external ID): STS
 *     refuses it (AssumeRoleRefused);
 *  -  the tenants listing shows both with their status; the connector was never redeployed.
 * Every wait is the bounded poller (IAM propagation, the registry TTL), never a fixed sleep.
 * Writes the vendor's registry table and creates a customer role: own stacks only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { generateExternalId } from '../../rules/external-id';
import { functionArn, roleArn } from '../../rules/naming';
import type { TenantRecord } from '../../rules/registry-item';
import { DEFAULT_REGISTRY_CACHE_TTL_SECONDS } from '../../lambda/shared/env';
import { TerraformKitWorkspace } from '../../scripts/kit/apply-terraform-kit';
import { listTenants, offboardTenant, onboardTenant, rotateExternalId, type OperationDeps } from '../../scripts/registry/operations';
import { RegistryStore } from '../../scripts/registry/store';
import { kitForTenant, vendorPrincipalArns } from '../../scripts/registry/vendor-context';
import { notOwnStacks } from '../support/e2e/mode';
import { untilPropagated, untilServed } from '../support/e2e/propagation';
import { itWhen } from '../support/e2e/skip';
import { callConnector, loadWorld, type ConnectorSuccess } from '../support/e2e/world';

jest.setTimeout(300_000);

const world = loadWorld();
const owns = itWhen(world.ownsStacks, notOwnStacks('writes the vendor\'s registry table and creates a role in a customer account'));
const [owner, other] = world.config.customers;
const suffix = Date.now().toString(36);
const tenantId = `e2e-rt-${suffix}`;
const deputyId = `e2e-rt-deputy-${suffix}`;
const roleName = `${world.config.rolePrefix}-rt-${suffix}`;
const ownerFunction = functionArn(world.region, owner.accountId, owner.functions[0]);
const TTL_MS = DEFAULT_REGISTRY_CACHE_TTL_SECONDS * 1000;

let deps: OperationDeps;
let workspace: TerraformKitWorkspace;
let dir: string;
let connectorLastModified: string | undefined;
let record: TenantRecord;

const connectorConfiguration = () => world.lambda(world.adminCredentials('vendor')).send(new GetFunctionConfigurationCommand({ FunctionName: world.outputs.vendor.connector_function_name }));

/** The customer applies the kit the vendor handed over for `r` (as `npm run onboard` / `rotate` write it). */
async function customerAppliesKit(r: TenantRecord): Promise<void> {
  await workspace.apply(...kitOf(r));
}

function kitOf(r: Pick<TenantRecord, 'tenantId' | 'externalId' | 'previousExternalId' | 'roleArn' | 'functionArns'>) {
  const ctx = { config: world.config, vendorPrincipalArns: vendorPrincipalArns(world.config) };
  return [kitForTenant(r, ctx), {
    tenantId: r.tenantId, externalId: r.externalId, ...(r.previousExternalId !== undefined ? { previousExternalId: r.previousExternalId } : {}),
    vendorAccountId: world.config.vendor.accountId, vendorPrincipalArns: ctx.vendorPrincipalArns, rolePrefix: world.config.rolePrefix,
    roleArn: r.roleArn, functionArns: r.functionArns,
  }] as const;
}

beforeAll(async () => {
  if (!world.ownsStacks) return;
  const client = new DynamoDBClient({ region: world.region, credentials: world.adminCredentials('vendor'), maxAttempts: 1, ...(world.endpoint ? { endpoint: world.endpoint } : {}) });
  deps = { store: new RegistryStore({ client, table: world.config.vendor.registryTableName }), now: () => new Date(), newExternalId: generateExternalId };
  const credentials = world.adminCredentials(owner.name);
  if (typeof credentials === 'function') throw new Error(`${owner.name}'s credentials are a provider; the kit is applied with static keys (local target)`);
  dir = mkdtempSync(join(tmpdir(), 'e2e-rt-kit-'));
  workspace = new TerraformKitWorkspace(dir, { credentials, region: world.region, endpoint: world.endpoint });
  connectorLastModified = (await connectorConfiguration()).LastModified;
  // The customer's `terraform init` (the provider from the mirror; the slow part): the module is the
  // same for every tenant, so it runs here with a throwaway external ID that is never applied.
  await workspace.init(...kitOf({ tenantId, externalId: generateExternalId(), roleArn: roleArn(owner.accountId, roleName), functionArns: [ownerFunction] }));
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  // The deputy stays refused by STS anyway; offboarded, it leaves no active entry naming customer B's role.
  if (deps) await offboardTenant(deputyId, deps).catch(() => undefined);
});

describe('run-time onboarding, with no vendor deploy', () => {
  owns('a tenant onboarded at run time is served once its customer applies the kit\'s Terraform module', async () => {
    record = await onboardTenant({ tenantId, customerAccountId: owner.accountId, roleName, rolePrefix: world.config.rolePrefix, functions: [owner.functions[0]], region: world.region }, deps);
    expect(record).toMatchObject({ status: 'active', roleArn: roleArn(owner.accountId, roleName), functionArns: [ownerFunction] });

    await customerAppliesKit(record);

    const answer = await untilServed(`the connector serving ${tenantId}`, () => callConnector(world, { tenant: tenantId, payload: { step: 'onboarded' } }));
    expect(answer).toMatchObject({ ok: true, tenant: tenantId, functionArn: ownerFunction });
    expect((answer as ConnectorSuccess).payload).toMatchObject({ account: owner.accountId, echo: { step: 'onboarded' } });
  });

  owns('rotated: once the customer applies the new kit (new and previous ID), the tenant is still served', async () => {
    const before = record.externalId;
    record = await rotateExternalId(tenantId, deps);
    expect(record).toMatchObject({ previousExternalId: before });
    expect(record.externalId).not.toBe(before);

    // Until the connector falls back to previousExternalId by itself, the customer's new kit (both
    // IDs in the trust) is what keeps the tenant served through the registry cache's TTL and after.
    await customerAppliesKit(record);

    expect(await untilServed(`the connector serving ${tenantId} after its rotation`, () => callConnector(world, { tenant: tenantId }))).toMatchObject({ ok: true, tenant: tenantId });
  });

  owns('offboarded: refused as UnknownTenant "offboarded" once the connector\'s registry cache lets go', async () => {
    expect(await offboardTenant(tenantId, deps)).toMatchObject({ changed: true, record: { status: 'offboarded' } });

    // Served until the cached entry expires (the TTL), refused from the next read: polled, bounded.
    const answer = await untilPropagated(`the connector refusing ${tenantId} after offboarding`, () => callConnector(world, { tenant: tenantId }), (o) => o.ok && o.value.ok, { boundMs: TTL_MS + 30_000, firstDelayMs: 1000, maxDelayMs: 2000 });
    expect(answer).toMatchObject({ ok: false, error: { code: 'UnknownTenant', message: expect.stringContaining('offboarded') } });
  });

  owns('a run-time confused deputy (another customer\'s role, its own fresh external ID) is refused by STS', async () => {
    await onboardTenant({ tenantId: deputyId, customerAccountId: other.accountId, roleName: other.roleName, rolePrefix: world.config.rolePrefix, functions: [other.functions[0]], region: world.region }, deps);

    expect(await callConnector(world, { tenant: deputyId })).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
  });

  owns('tenants lists both with their status, and the connector was never redeployed', async () => {
    const rows = await listTenants(deps);
    expect(rows.find((r) => r.tenantId === tenantId)).toMatchObject({ status: 'offboarded', rotating: true, managedBy: 'commands', roleArn: roleArn(owner.accountId, roleName), functions: 1 });
    expect(rows.find((r) => r.tenantId === deputyId)).toMatchObject({ status: 'active', rotating: false, managedBy: 'commands', roleArn: roleArn(other.accountId, other.roleName) });
    expect((await connectorConfiguration()).LastModified).toBe(connectorLastModified);
  });
});
