// ---------------------------------------------------------------------------
// "Test the connection" for one tenant. It walks the connector's own path (the deployed connector
// assumes the tenant's role with the tenant's external ID, then makes a DryRun invoke, so the
// customer's code never runs) and, when STS refuses, looks at the customer's side (if this
// operator can read that account) to say which of the causes it is. AWS answers AccessDenied for
// all of them on purpose, so from the vendor's side alone they cannot be told apart.
// ---------------------------------------------------------------------------
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LoadedConfig } from '../../config/load';
import { accountRootArn, parseRoleArn, roleArn as buildRoleArn } from '../../rules/naming';
import { accountCredentials, clientConfig, endpointFor, stackOfAccount } from '../lib/accounts';

export type Verdict =
  | 'ok'
  | 'unknown-tenant'
  | 'role-missing'
  | 'trust-not-vendor'
  | 'external-id-mismatch'
  | 'assume-refused'
  | 'invoke-not-allowed'
  | 'function-missing'
  | 'connector-unreachable';

export interface Diagnosis {
  readonly tenant: string;
  readonly verdict: Verdict;
  /** What was found, in plain words. */
  readonly summary: string;
  /** What to change, and who changes it. */
  readonly fix: string;
}

/** What the connector answered to `{ tenant, dryRun: true }`. */
export type ConnectorAnswer = { ok: true; functionArn: string } | { ok: false; error: { code: string; message: string } };

/** What the customer's role looks like, when this operator may read the customer's account. */
export type RoleInspection =
  | { readable: false }
  | { readable: true; exists: false }
  | { readable: true; exists: true; trustPolicy: unknown };

export interface TenantFacts {
  readonly tenantId: string;
  readonly roleArn: string;
  readonly externalId: string;
  readonly functionArn: string;
  /** Principals the trust may name to let the vendor in: the connector's role ARN, the vendor root, the vendor account ID. */
  readonly vendorPrincipals: readonly string[];
}

// ---------------------------------------------------------------------------
// The decision: pure, so every verdict has a unit test as well as an e2e test that provokes it.
// ---------------------------------------------------------------------------

export function decide(facts: TenantFacts, answer: ConnectorAnswer, role: RoleInspection): Diagnosis {
  const d = (verdict: Verdict, summary: string, fix: string): Diagnosis => ({ tenant: facts.tenantId, verdict, summary, fix });
  if (answer.ok) {
    return d('ok', `All good: the connector assumed ${facts.roleArn} with the tenant's external ID, and may invoke ${answer.functionArn} (DryRun: the function did not run).`, 'Nothing to change.');
  }
  switch (answer.error.code) {
    case 'UnknownTenant':
      return d('unknown-tenant', `The deployed connector has no tenant "${facts.tenantId}" in its registry.`, 'Vendor: add the tenant to config (tenants) and redeploy the vendor stack (cdktf deploy vendor).');
    case 'InvokeRefused':
      return d('invoke-not-allowed', `The connector assumed ${facts.roleArn}, but the role may not invoke ${facts.functionArn}.`, `Customer: allow lambda:InvokeFunction on ${facts.functionArn} in the role's policy (list the function under "functions" in your customer config and redeploy your stack).`);
    case 'FunctionNotFound':
      return d('function-missing', `The connector assumed ${facts.roleArn}, but there is no function ${facts.functionArn}.`, 'Customer: deploy the function (cdktf deploy <your stack>), or vendor: fix the function ARN in the tenant entry.');
    case 'AssumeRoleRefused':
      return diagnoseRefusal(facts, role, d);
    default:
      return d('connector-unreachable', `The connector did not get as far as the customer's account: ${answer.error.code}: ${answer.error.message}`, 'Vendor: check the connector is deployed and healthy (cdktf deploy vendor), then run verify again.');
  }
}

function diagnoseRefusal(facts: TenantFacts, role: RoleInspection, d: (v: Verdict, s: string, f: string) => Diagnosis): Diagnosis {
  if (!role.readable) {
    return d('assume-refused', `STS refused to let the connector assume ${facts.roleArn}. From the vendor's side AWS does not say why: the role may be missing, its trust policy may not name the vendor, or the external ID may not match.`,
      `Customer: run "npm run verify -- ${facts.tenantId}" with credentials of account ${parseRoleArn(facts.roleArn)?.accountId} to find out which.`);
  }
  if (!role.exists) {
    return d('role-missing', `There is no role ${facts.roleArn}.`, 'Customer: deploy your stack (cdktf deploy <your stack>), or vendor: fix the role ARN in the tenant entry.');
  }
  const vendorStatements = allowStatementsFor(role.trustPolicy, facts.vendorPrincipals);
  if (vendorStatements.length === 0) {
    return d('trust-not-vendor', `The trust policy of ${facts.roleArn} does not let the vendor in: no statement allows sts:AssumeRole to ${facts.vendorPrincipals[0]}.`,
      `Customer: trust ${facts.vendorPrincipals[0]} (trustPrincipal "role") or ${facts.vendorPrincipals[1]} (trustPrincipal "account"), then redeploy your stack.`);
  }
  if (!vendorStatements.some((s) => externalIdsOf(s).includes(facts.externalId))) {
    return d('external-id-mismatch', `The trust policy of ${facts.roleArn} names the vendor, but not with this tenant's external ID.`,
      'Customer: set externalIds.current to the external ID the vendor gave you for this tenant, then redeploy your stack. Vendor: if the customer is right, the tenant entry holds the wrong external ID.');
  }
  return d('assume-refused', `The trust policy of ${facts.roleArn} looks right, yet STS refused.`, 'Vendor: check the connector\'s role may assume this role (the role-name prefix and, in "configured" onboarding, the customer\'s account ID in config).');
}

type Statement = { Effect?: string; Action?: unknown; Principal?: unknown; Condition?: Record<string, Record<string, unknown>> };

function asArray(value: unknown): unknown[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function allowStatementsFor(policy: unknown, principals: readonly string[]): Statement[] {
  const statements = asArray((policy as { Statement?: unknown })?.Statement) as Statement[];
  return statements.filter((s) => s.Effect === 'Allow'
    && asArray(s.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*')
    && asArray((s.Principal as { AWS?: unknown })?.AWS).some((p) => principals.includes(String(p))));
}

function externalIdsOf(statement: Statement): string[] {
  const equals = Object.entries(statement.Condition ?? {}).filter(([op]) => op === 'StringEquals');
  return equals.flatMap(([, keys]) => Object.entries(keys).filter(([k]) => k.toLowerCase() === 'sts:externalid').flatMap(([, v]) => asArray(v).map(String)));
}

// ---------------------------------------------------------------------------
// Gathering the facts: the connector's DryRun path, then the customer's role if readable.
// ---------------------------------------------------------------------------

export interface VerifyOptions {
  /** Where to send requests. @default the config's target (the local cloud, or AWS) */
  readonly endpoint?: string;
}

export async function verifyTenant(config: LoadedConfig, tenantId: string, options: VerifyOptions = {}): Promise<Diagnosis> {
  const tenant = config.tenants.find((t) => t.id === tenantId);
  if (!tenant) {
    return { tenant: tenantId, verdict: 'unknown-tenant', summary: `config has no tenant "${tenantId}" (known: ${config.tenants.map((t) => t.id).join(', ') || 'none'}).`, fix: 'Vendor: add the tenant to config (tenants) and redeploy the vendor stack.' };
  }
  const facts: TenantFacts = {
    tenantId,
    roleArn: tenant.roleArn,
    externalId: tenant.externalId,
    functionArn: tenant.functions[0],
    vendorPrincipals: [
      buildRoleArn(config.vendor.accountId, config.vendor.connectorRoleName),
      accountRootArn(config.vendor.accountId),
      config.vendor.accountId,
    ],
  };
  const answer = await askConnector(config, tenantId, options);
  const role = answer.ok || answer.error.code !== 'AssumeRoleRefused' ? { readable: false as const } : await inspectRole(config, tenant.roleArn, options);
  return decide(facts, answer, role);
}

async function askConnector(config: LoadedConfig, tenantId: string, options: VerifyOptions): Promise<ConnectorAnswer> {
  const vendor = accountCredentials(config, 'vendor');
  if (!vendor) return { ok: false, error: { code: 'NoVendorCredentials', message: 'config has no account entry for the vendor stack' } };
  const lambda = new LambdaClient(clientConfig(config, vendor, config.region, options.endpoint ?? endpointFor(config)));
  try {
    const res = await lambda.send(new InvokeCommand({ FunctionName: config.vendor.connectorFunctionName, Payload: Buffer.from(JSON.stringify({ tenant: tenantId, dryRun: true })) }));
    const text = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
    if (res.FunctionError) return { ok: false, error: { code: 'ConnectorFailed', message: text } };
    return JSON.parse(text) as ConnectorAnswer;
  } catch (e) {
    return { ok: false, error: { code: (e as Error).name, message: (e as Error).message } };
  }
}

async function inspectRole(config: LoadedConfig, roleArn: string, options: VerifyOptions): Promise<RoleInspection> {
  const parsed = parseRoleArn(roleArn);
  const stack = parsed && stackOfAccount(config, parsed.accountId);
  const credentials = stack ? accountCredentials(config, stack) : undefined;
  if (!parsed || !credentials) return { readable: false };
  const iam = new IAMClient(clientConfig(config, credentials, config.region, options.endpoint ?? endpointFor(config)));
  try {
    const res = await iam.send(new GetRoleCommand({ RoleName: parsed.roleName }));
    return { readable: true, exists: true, trustPolicy: JSON.parse(decodeURIComponent(res.Role?.AssumeRolePolicyDocument ?? '{}')) };
  } catch (e) {
    if ((e as Error).name === 'NoSuchEntityException' || (e as Error).name === 'NoSuchEntity') return { readable: true, exists: false };
    return { readable: false };
  }
}
