// ---------------------------------------------------------------------------
// The demo's run-time onboarding rows (issue 12): on the stacks the demo just deployed, with NO
// vendor deploy in between, a new tenant goes through its whole life in the registry table:
//   1. onboarded (scripts/registry/operations.ts, as `npm run onboard` does) for a role of
//      customer-a's that does not exist yet; the customer applies the kit's Terraform module with
//      the real terraform (scripts/kit/apply-terraform-kit.ts); the connector serves the tenant;
//   2. rotated: the customer applies the new kit (new ID, the previous one still accepted), and the
//      connector keeps serving it, whichever ID its registry cache holds;
//   3. offboarded: refused as UnknownTenant ("offboarded") once the connector's registry cache
//      (SIDECAR_REGISTRY_CACHE_TTL_SECONDS, 30 s by default) has let go of the tenant, polled
//      within a bound, never a blind sleep;
//   4. a run-time confused deputy: a tenant onboarded with its own fresh external ID naming
//      customer-b's role, refused by STS.
// Each run uses fresh tenant IDs and role names: the registry never reuses a tenant ID.
// ---------------------------------------------------------------------------
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { connectorFunctionFor } from '../../rules/connector-routing';
import type { LoadedConfig } from '../../config/load';
import { generateExternalId } from '../../rules/external-id';
import { parseRoleArn } from '../../rules/naming';
import { DEFAULT_REGISTRY_CACHE_TTL_SECONDS } from '../../lambda/shared/env';
import { accountCredentials, clientConfig, endpointFor } from '../lib/accounts';
import { untilPropagated, connectorRefusedNotYet } from '../lib/propagation';
import { TerraformKitWorkspace } from '../kit/apply-terraform-kit';
import { createKitRoleThroughIam, updateKitTrustThroughIam } from '../kit/iam-kit-role';
import type { CustomerKitInput } from '../kit/customer-kit';
import { offboardTenant, onboardTenant, rotateExternalId, type OperationDeps } from '../registry/operations';
import { RegistryStore } from '../registry/store';
import { kitForTenant, registryTableName, vendorPrincipalArns } from '../registry/vendor-context';
import type { TenantRecord } from '../../rules/registry-item';
import type { Scenario } from './scenarios';

type Answer = { ok: true } | { ok: false; error: { code: string; message?: string } };

export interface RuntimeOnboarding {
  readonly scenarios: Scenario[];
  /** Start the customer's `terraform init` now (the slow part), e.g. while the stacks deploy. */
  prepare(): void;
  /** Remove the customer's Terraform folder (it holds the external IDs). */
  cleanup(): void;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

export interface RuntimeOnboardingOptions {
  /** Apply the kit's Terraform module with the real terraform (about a minute per apply on a loaded
   *  machine); otherwise the customer's role is made through the IAM API with the kit's own policy
   *  builders (rules/policies.ts, as scripts/kit/kit-policies.ts uses them), named in the rows. */
  readonly terraform: boolean;
}

export function runtimeOnboardingScenarios(config: LoadedConfig, progress: (line: string) => void, options: RuntimeOnboardingOptions = { terraform: false }): RuntimeOnboarding {
  const vendor = accountCredentials(config, 'vendor');
  const owner = config.customers[0];
  const other = config.customers[1];
  if (!vendor || !owner) throw new Error('config has no vendor account or no customer');
  const ownerCredentials = accountCredentials(config, owner.name);
  if (!ownerCredentials || typeof ownerCredentials === 'function') throw new Error(`the demo applies the kit with ${owner.name}'s static keys (config accounts.${owner.name})`);

  const store = new RegistryStore({ client: new DynamoDBClient(clientConfig(config, vendor)), table: registryTableName(config) });
  const deps: OperationDeps = { store, now: () => new Date(), newExternalId: generateExternalId };
  const ctx = { config, vendorPrincipalArns: vendorPrincipalArns(config) };
  const lambda = new LambdaClient(clientConfig(config, vendor));
  const connector = async (tenant: string): Promise<Answer> => {
    const res = await lambda.send(new InvokeCommand({ FunctionName: connectorFunctionFor(tenant, config), Payload: Buffer.from(JSON.stringify({ tenant })) }));
    if (res.FunctionError) return { ok: false, error: { code: `FunctionError:${res.FunctionError}` } };
    return JSON.parse(Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8')) as Answer;
  };
  /** One timed call; `ms` is the call alone, not the steps before it. */
  const timed = async (call: () => Promise<Answer>) => {
    const t = Date.now();
    const answer = await call();
    return { answer, ms: Date.now() - t };
  };
  const asRow = (answer: Answer, ms: number) => (answer.ok ? { outcome: 'allowed' as const, code: 'ok', ms } : { outcome: 'refused' as const, code: answer.error.code, ms });

  const suffix = Date.now().toString(36);
  const tenantId = `initech-${suffix}`;
  const roleName = `${config.rolePrefix}-initech-${suffix}`;
  const deputyId = `deputy-${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-demo-kit-'));
  const workspace = new TerraformKitWorkspace(dir, { credentials: ownerCredentials, region: config.region, endpoint: endpointFor(config) });
  let record: TenantRecord | undefined;

  const kitInput = (r: Pick<TenantRecord, 'tenantId' | 'externalId' | 'previousExternalId' | 'roleArn' | 'functionArns'>): CustomerKitInput => ({
      tenantId: r.tenantId, externalId: r.externalId, ...(r.previousExternalId !== undefined ? { previousExternalId: r.previousExternalId } : {}),
      vendorAccountId: config.vendor.accountId, vendorPrincipalArns: ctx.vendorPrincipalArns, rolePrefix: config.rolePrefix,
      roleArn: r.roleArn, functionArns: r.functionArns,
  });
  // The kit's module is the same for every tenant: init may run before the tenant exists (with a
  // throwaway external ID that is never applied). A failure is reported by the first apply.
  let initialized: Promise<unknown> | undefined;
  const prepare = () => {
    if (!options.terraform) return;
    const placeholder = { tenantId, externalId: generateExternalId(), roleArn: `arn:aws:iam::${owner.accountId}:role/${roleName}`, functionArns: [sampleArn] };
    initialized ??= workspace.init(kitForTenant(placeholder, ctx), kitInput(placeholder)).then(() => undefined, (e: unknown) => e);
  };
  // The shortcut: the role the kit's module makes (same trust, same inline policy, same builders),
  // through the IAM API with customer-a's keys; seconds instead of a minute per terraform apply.
  const iam = new IAMClient(clientConfig(config, ownerCredentials));
  let roleMade = false;
  const applyThroughIam = async (r: TenantRecord): Promise<void> => {
    const input = { vendorAccountId: config.vendor.accountId, vendorPrincipalArns: ctx.vendorPrincipalArns, roleName, record: r };
    progress(`  ${owner.name} makes the kit's role for ${r.tenantId} through the IAM API (the kit's policy builders)...\n`);
    if (roleMade) return updateKitTrustThroughIam(iam, input);
    await createKitRoleThroughIam(iam, input);
    roleMade = true;
  };
  const how = options.terraform ? 'kit applied with terraform' : 'kit\'s role made via IAM API (kit policy builders)';
  const applyKit = async (r: TenantRecord): Promise<number> => {
    if (!options.terraform) {
      await applyThroughIam(r);
      return 0;
    }
    const t = Date.now();
    if (!initialized) progress(`  ${owner.name} runs terraform init for the kit's module...\n`);
    prepare();
    const failed = await initialized;
    if (failed) throw failed;
    progress(`  ${owner.name} applies the kit's Terraform module for ${r.tenantId} (terraform apply)...\n`);
    await workspace.apply(kitForTenant(r, ctx), kitInput(r));
    progress(`  ${owner.name}'s terraform apply took ${seconds(Date.now() - t)}\n`);
    return Date.now() - t;
  };
  /** A call for a tenant whose role was just made or changed: asked again while IAM propagates, within a bound. */
  const served = (tenant: string) => timed(() => untilPropagated(`the connector serving ${tenant}`, () => connector(tenant), connectorRefusedNotYet));
  const short = (arn: string) => { const p = arn.split(':'); return `${p[4]}/${p[6]}`; };
  const sampleArn = `arn:aws:lambda:${config.region}:${owner.accountId}:function:${owner.functions[0]}`;
  const caller = `${tenantId} (run time)`;

  const scenarios: Scenario[] = [
    {
      caller, target: short(sampleArn), what: `onboarded at run time, ${how}; no vendor deploy`, expect: 'allowed',
      run: async () => {
        progress(`Run-time onboarding: tenant ${tenantId}, role ${roleName} in ${owner.name}'s account (no vendor deploy)...\n`);
        record = await onboardTenant({ tenantId, customerAccountId: owner.accountId, roleName, rolePrefix: config.rolePrefix, functions: [owner.functions[0]], region: config.region }, deps);
        await applyKit(record);
        const { answer, ms } = await served(tenantId);
        return asRow(answer, ms);
      },
    },
    {
      caller, target: short(sampleArn), what: `ID rotated, customer updated the role (new + previous ID${options.terraform ? ', terraform' : ', IAM API'})`, expect: 'allowed',
      run: async () => {
        record = await rotateExternalId(tenantId, deps);
        await applyKit(record);
        const { answer, ms } = await served(tenantId);
        return asRow(answer, ms);
      },
    },
    {
      caller, target: short(sampleArn), what: 'offboarded: refused once the registry cache lets go', expect: 'refused',
      run: async () => {
        await offboardTenant(tenantId, deps);
        const ttlMs = DEFAULT_REGISTRY_CACHE_TTL_SECONDS * 1000;
        progress(`  offboarded ${tenantId}; waiting for the connector's registry cache (TTL ${seconds(ttlMs)}), asking every 2 s...\n`);
        const t = Date.now();
        const answer = await untilPropagated(`the connector refusing ${tenantId} after offboarding`, () => connector(tenantId), (o) => o.ok && o.value.ok, { boundMs: ttlMs + 30_000, firstDelayMs: 1000, maxDelayMs: 2000 });
        progress(`  refused after ${seconds(Date.now() - t)}\n`);
        if (answer.ok) return { outcome: 'allowed' as const, code: 'ok' };
        const offboarded = answer.error.code === 'UnknownTenant' && (answer.error.message ?? '').includes('offboarded');
        return { outcome: offboarded ? 'refused' as const : 'error' as const, code: offboarded ? 'UnknownTenant: offboarded' : answer.error.code };
      },
    },
  ];
  if (other) {
    const otherRole = `arn:aws:iam::${other.accountId}:role/${other.roleName}`;
    const otherArn = `arn:aws:lambda:${config.region}:${other.accountId}:function:${other.functions[0]}`;
    scenarios.push({
      caller: `${deputyId} (run time)`, target: short(otherArn), what: `confused deputy: ${other.name}'s role, its own fresh external ID`, expect: 'refused',
      run: async () => {
        await onboardTenant({ tenantId: deputyId, customerAccountId: other.accountId, roleName: parseRoleArn(otherRole)!.roleName, rolePrefix: config.rolePrefix, functions: [other.functions[0]], region: config.region }, deps);
        const { answer, ms } = await timed(() => connector(deputyId));
        // Only STS's refusal counts: any other refusal would not be the guard that held.
        if (!answer.ok && answer.error.code !== 'AssumeRoleRefused') return { outcome: 'error' as const, code: answer.error.code, ms };
        return asRow(answer, ms);
      },
    });
  }
  return { scenarios, prepare, cleanup: () => { workspace.stop(); rmSync(dir, { recursive: true, force: true }); } };
}
