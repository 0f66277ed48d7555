// ---------------------------------------------------------------------------
// The onboarding commands end to end against a local cloud's DynamoDB (the real SDK, the real
// conditions): the registry table in the vendor account, written with the vendor's root keys and
// the endpoint found the way `npm run local:status` finds a running cloud (a server file under
// LOCALCLOUD_HOME). Cases:
//   - onboard writes the reservation and the tenant; onboard again is refused naming the status;
//   - rotate moves the current ID to previous; a second rotate is refused; --finish drops it;
//   - offboard marks it; tenants lists it, without external IDs, from the command line too;
//   - a reserved external ID cannot be reserved again (never reused), even for another tenant.
// ---------------------------------------------------------------------------
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { ExternalIdTakenError, RotationInProgressError, TenantExistsError } from '../../../scripts/registry/errors';
import { finishRotation, listTenants, offboardTenant, onboardTenant, rotateExternalId } from '../../../scripts/registry/operations';
import { vendorContext, type VendorContext } from '../../../scripts/registry/vendor-context';
import { DEFAULT_REGISTRY_TABLE_NAME } from '../../../rules/registry-item';
import { generateExternalId } from '../../../rules/external-id';
import { runScript } from '../../support/scripts';


jest.setTimeout(180_000);

describe('the registry commands against a local cloud\'s DynamoDB', () => {
  let cloud: TestCloud;
  let env: NodeJS.ProcessEnv;
  let ctx: VendorContext;
  const deps = () => ({ store: ctx.store, now: () => new Date(), newExternalId: generateExternalId });
  const customer = '123456789012';
  const fn = `arn:aws:lambda:us-east-1:${customer}:function:orders`;

  beforeAll(async () => {
    cloud = await startTestCloud();
    // A "running local cloud" for the commands: the server file `npm run local:up` would write.
    const home = mkdtempSync(join(tmpdir(), 'registry-home-'));
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'server.json'), JSON.stringify({ pid: cloud.pid, port: cloud.port, url: cloud.url }));
    env = { ...process.env, SIDECAR_TARGET: 'local', LOCALCLOUD_HOME: home };
    delete env.SIDECAR_CONFIG_FILE;
    const ddb = new DynamoDBClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
    await ddb.send(new CreateTableCommand({
      TableName: DEFAULT_REGISTRY_TABLE_NAME, BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }));
    ctx = await vendorContext({}, env);
  });

  afterAll(async () => {
    await cloud?.close();
  });

  const input = { tenantId: 'initech', customerAccountId: customer, roleName: 'tibco_sidecar_connector-initech', rolePrefix: 'tibco_sidecar_connector', functions: [fn], region: 'us-east-1' };

  test('onboard writes the tenant; onboarding it again is refused, naming its status', async () => {
    const record = await onboardTenant(input, deps());
    expect(await ctx.store.getTenant('initech')).toEqual(record);
    const error = await onboardTenant(input, deps()).catch((e) => e);
    expect(error).toBeInstanceOf(TenantExistsError);
    expect(error.message).toContain('tenant initech already exists (status active)');
  });

  test('a reserved external ID is never reserved again, not even for another tenant', async () => {
    const { externalId } = (await ctx.store.getTenant('initech'))!;
    await expect(ctx.store.reserveExternalId(externalId, 'someone-else', new Date())).rejects.toBeInstanceOf(ExternalIdTakenError);
  });

  test('rotate keeps the current ID as previous; a second rotate is refused; --finish drops it', async () => {
    const before = (await ctx.store.getTenant('initech'))!;
    const rotated = await rotateExternalId('initech', deps());
    expect(rotated).toMatchObject({ previousExternalId: before.externalId, version: before.version + 1 });
    expect(rotated.externalId).not.toBe(before.externalId);
    await expect(rotateExternalId('initech', deps())).rejects.toBeInstanceOf(RotationInProgressError);
    const finished = await finishRotation('initech', deps());
    expect(finished.previousExternalId).toBeUndefined();
    expect(await ctx.store.getTenant('initech')).toEqual(finished);
  });

  test('offboard marks the tenant; tenants lists it without its external ID', async () => {
    await onboardTenant({ ...input, tenantId: 'globex', roleName: 'tibco_sidecar_connector-globex' }, deps());
    const { changed } = await offboardTenant('initech', deps());
    expect(changed).toBe(true);
    const rows = await listTenants({ store: ctx.store });
    expect(rows.map((r) => [r.tenantId, r.status])).toEqual([['globex', 'active'], ['initech', 'offboarded']]);
    expect(JSON.stringify(rows)).not.toContain('sc-');
  });

  test('npm run tenants -- --json, as an operator runs it, finds the running cloud and lists the same', async () => {
    const res = await runScript('scripts/tenants.ts', ['--json'], { env });
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).map((r: { tenantId: string }) => r.tenantId)).toEqual(['globex', 'initech']);
    expect(res.stdout).not.toContain('sc-');
  });
});
