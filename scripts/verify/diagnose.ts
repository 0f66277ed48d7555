// ---------------------------------------------------------------------------
// "Test the connection" for one tenant. First what the config alone knows: a tenant that names a
// role it does not own (another customer's role, or a role in another customer's account, with an
// external ID that customer never had) is the confused deputy, and the answer is to refuse the
// tenant, never to change a trust to fit it. Then the connector's own path for EVERY function of
// the tenant (the deployed connector assumes the tenant's role with its external ID and its tenant
// ID as SourceIdentity, then makes a DryRun invoke, so the customer's code never runs) and, when STS
// refuses, the customer's side (if this operator can read that account) to say which cause it is.
// AWS answers AccessDenied for all of them on purpose, so from the vendor's side alone they cannot
// be told apart.
// ---------------------------------------------------------------------------
import { setTimeout as sleep } from 'node:timers/promises';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LoadedConfig } from '../../config/load';
import { connectorFunctionFor } from '../../rules/connector-routing';
import { parseRoleArn, roleArn as buildRoleArn } from '../../rules/naming';
import { tenantOwnership, type TenantOwnership } from '../../rules/tenant-ownership';
import { accountCredentials, clientConfig, stackOfAccount } from '../lib/accounts';
import { resolveEndpoint, type VerifyOptions } from './endpoint';
import { parsePolicyDocument } from './policy-reading';
import { REFUSING_FINDINGS, trustFindings, type TrustFinding } from './trust-analysis';
import type { Detail, Diagnosis, Verdict } from './verdicts';

export type { VerifyOptions } from './endpoint';

/** What the connector answered to `{ tenant, function, dryRun: true }`. */
export type ConnectorAnswer = { ok: true; functionArn: string; timings?: { externalIdUsed?: 'current' | 'previous' } } | { ok: false; error: { code: string; message: string; retryAfterSeconds?: number } };

/** What the customer's role looks like, when this operator may read the customer's account. */
export type RoleInspection =
  | { readable: false; reason?: string }
  | { readable: true; exists: false }
  | { readable: true; exists: true; trustPolicy: unknown };

export interface TenantFacts {
  readonly tenantId: string;
  readonly roleArn: string;
  readonly externalId: string;
  /** Every function the tenant may call: each is checked. */
  readonly functionArns: readonly string[];
  readonly vendorAccountId: string;
  /** The connector's execution role: what the customer's trust must let in. */
  readonly connectorRoleArn: string;
  /** Who owns the tenant's role, as the config can tell (rules/tenant-ownership.ts). */
  readonly ownership: TenantOwnership;
  /** How a customer deploys their stack in this target, e.g. "cdktf deploy customer-a". */
  readonly deployCommand: (stack: string) => string;
}

export interface FunctionAnswer {
  readonly functionArn: string;
  readonly answer: ConnectorAnswer;
}

// ---------------------------------------------------------------------------
// The decision: pure, so every verdict has a unit test as well as an e2e test that provokes it.
// ---------------------------------------------------------------------------

type Verdicted = Pick<Diagnosis, 'verdict' | 'summary' | 'fix'>;

export function decide(facts: TenantFacts, answers: readonly FunctionAnswer[], role: RoleInspection): Diagnosis {
  const base = { subject: facts.tenantId, kind: 'tenant' as const };
  const deputy = confusedDeputy(facts, answers);
  if (deputy) return { ...base, ...deputy };

  const perFunction = answers.map(({ functionArn, answer }) => ({ functionArn, ...decideOne(facts, functionArn, answer, role) }));
  const details: Detail[] = perFunction.map((f) => ({ subject: f.functionArn, verdict: f.verdict, summary: f.summary }));
  const failed = perFunction.find((f) => f.verdict !== 'ok');
  if (!failed) {
    const names = facts.functionArns.join(', ');
    // During a rotation the connector falls back to the previous external ID when the customer's
    // trust does not accept the new one yet: working, but not finished.
    const onPrevious = answers.some(({ answer }) => answer.ok && answer.timings?.externalIdUsed === 'previous');
    return {
      ...base, verdict: 'ok', details,
      summary: onPrevious
        ? `Working, on the PREVIOUS external ID: the connector assumed ${facts.roleArn} with "${facts.tenantId}" as SourceIdentity only after the current ID was refused, so the customer's role does not accept the new ID yet; it may invoke ${names} (DryRun: no function ran).`
        : `All good: the connector assumed ${facts.roleArn} with the tenant's current external ID and "${facts.tenantId}" as SourceIdentity, and may invoke ${names} (DryRun: no function ran).`,
      fix: onPrevious
        ? `Customer: apply the new kit from the rotation (it accepts both IDs). Vendor: do not run \`npm run rotate -- --tenant ${facts.tenantId} --finish\` until verify says the current ID is in use.`
        : 'Nothing to change.',
    };
  }
  return { ...base, verdict: failed.verdict, summary: failed.summary, fix: failed.fix, details };
}

/** Who must act on the customer's side, and with what command. */
function ownerWords(facts: TenantFacts): { who: string; redeploy: string } {
  const owner = facts.ownership.kind === 'paired' ? facts.ownership.customer.name : undefined;
  if (owner) return { who: `Customer ${owner}`, redeploy: `redeploy your stack from the config (${facts.deployCommand(owner)})` };
  return { who: `The customer of account ${parseRoleArn(facts.roleArn)?.accountId ?? '(unknown)'}`, redeploy: 'redeploy your customer stack' };
}

/** The config's verdict on a tenant that names a role it does not own; undefined for the others. */
function confusedDeputy(facts: TenantFacts, answers: readonly FunctionAnswer[]): Verdicted | undefined {
  const { ownership } = facts;
  if (ownership.kind !== 'foreign-role' && ownership.kind !== 'foreign-account') return undefined;
  const owner = ownership.owner.name;
  const whose = ownership.kind === 'foreign-role' ? `the role customer ${owner} configured` : `a role in customer ${owner}'s account ${ownership.owner.accountId}`;
  const pointing = `Tenant "${facts.tenantId}" names ${facts.roleArn}, ${whose}, with an external ID that ${owner} never had: this tenant points at a role it does not own (the confused deputy).`;
  if (answers.some((a) => a.answer.ok)) {
    return {
      verdict: 'confused-deputy-accepted',
      summary: `${pointing} And the connector got in: ${owner}'s deployed trust accepts this tenant's external ID and tenant ID, so the guard is NOT holding for this role.`,
      fix: `Vendor: refuse this tenant now (remove it from tenants in the config and redeploy the vendor stack) and find out who asked for it. Customer ${owner}: redeploy your stack from your own config (${facts.deployCommand(owner)}) so that your trust accepts only your own external IDs and tenants; never add an ID the vendor did not give you for your own tenant.`,
    };
  }
  const refusals = [...new Set(answers.map((a) => (a.answer.ok ? 'ok' : a.answer.error.code)))];
  const held = refusals.every((code) => code === 'AssumeRoleRefused');
  return {
    verdict: 'confused-deputy',
    summary: `${pointing} ${held ? 'STS refused the connector, as it must: the guard is holding.' : `(The connector answered ${refusals.join(', ')}.)`}`,
    fix: `Vendor: refuse this tenant: remove it from tenants in the config, redeploy the vendor stack, and find out who asked for it. Do NOT ask ${owner} to change its trust or external ID to fit this tenant: that would hand ${owner}'s role to whoever controls "${facts.tenantId}".`,
  };
}

function decideOne(facts: TenantFacts, functionArn: string, answer: ConnectorAnswer, role: RoleInspection): Verdicted {
  const { who, redeploy } = ownerWords(facts);
  if (answer.ok) return { verdict: 'ok', summary: `may invoke ${functionArn}`, fix: 'Nothing to change.' };
  switch (answer.error.code) {
    case 'UnknownTenant':
      return { verdict: 'unknown-tenant', summary: `The deployed connector has no tenant "${facts.tenantId}" in its registry (or it was offboarded).`, fix: 'Vendor: redeploy the vendor stack (cdktf deploy vendor), which seeds the registry table with the config\'s tenants, or onboard the tenant (npm run onboard); the connector reads the table at run time, within its cache TTL.' };
    case 'FunctionNotAllowed':
      return { verdict: 'registry-out-of-date', summary: `The config lists ${functionArn} for tenant "${facts.tenantId}", but the deployed connector's registry does not.`, fix: 'Vendor: redeploy the vendor stack (cdktf deploy vendor), which rewrites the tenant\'s item in the registry table from the config; the connector reads it at run time, within its cache TTL.' };
    case 'InvokeRefused':
      return { verdict: 'invoke-not-allowed', summary: `The connector assumed ${facts.roleArn}, but the role may not invoke ${functionArn}.`, fix: `${who}: the role's policy must allow lambda:InvokeFunction on ${functionArn}: list the function under "functions" in your customer config and ${redeploy}.` };
    case 'FunctionNotFound':
      return { verdict: 'function-missing', summary: `The connector assumed ${facts.roleArn}, but there is no function ${functionArn}.`, fix: `${who}: ${redeploy}, which deploys the function; or vendor: fix the function ARN in the tenant entry.` };
    case 'AssumeRoleRefused':
      return diagnoseRefusal(facts, role);
    default:
      return { verdict: 'connector-unreachable', summary: `The connector did not get as far as the customer's account: ${answer.error.code}: ${answer.error.message}`, fix: 'Vendor: check the connector is deployed and healthy (cdktf deploy vendor), then run verify again.' };
  }
}

const FINDING_VERDICT: Partial<Record<TrustFinding['code'], Verdict>> = {
  'trust-principal-orphaned': 'trust-principal-orphaned',
  'trust-not-vendor': 'trust-not-vendor',
  'external-id-not-accepted': 'external-id-mismatch',
  'source-identity-not-allowed': 'source-identity-refused',
  'tenant-not-accepted': 'source-identity-refused',
};

function diagnoseRefusal(facts: TenantFacts, role: RoleInspection): Verdicted {
  const { who, redeploy } = ownerWords(facts);
  const account = parseRoleArn(facts.roleArn)?.accountId;
  if (!role.readable) {
    const customer = facts.ownership.kind === 'paired' ? facts.ownership.customer.name : '<your customer name>';
    return {
      verdict: 'assume-refused',
      summary: `STS refused to let the connector assume ${facts.roleArn}. From the vendor's side AWS does not say why: the role may be missing, its trust may not let the vendor in, or may not accept this tenant's external ID or "${facts.tenantId}" as SourceIdentity${role.reason ? ` (the customer's account could not be read: ${role.reason})` : ''}.`,
      fix: `${who}: run "npm run verify -- --customer ${customer}" with credentials of account ${account} to find out which.`,
    };
  }
  if (!role.exists) {
    return { verdict: 'role-missing', summary: `There is no role ${facts.roleArn}.`, fix: `${who}: ${redeploy}, which creates the role; or vendor: fix the role ARN in the tenant entry.` };
  }
  const finding = trustFindings(role.trustPolicy, {
    vendorAccountId: facts.vendorAccountId, mustLetIn: [facts.connectorRoleArn], externalIds: [facts.externalId], tenantIds: [facts.tenantId],
  }).find((f) => REFUSING_FINDINGS.has(f.code));
  if (!finding) {
    return {
      verdict: 'vendor-cannot-assume',
      summary: `The trust policy of ${facts.roleArn} lets the connector's role in with this tenant's external ID and "${facts.tenantId}" as SourceIdentity, yet STS refused: the refusal is on the vendor's side.`,
      fix: 'Vendor: the connector\'s execution role must allow sts:AssumeRole and sts:SetSourceIdentity on the prefixed roles of this account (the role-name prefix and, in "configured" onboarding, the customer\'s account in config): redeploy the vendor stack (cdktf deploy vendor).',
    };
  }
  const verdict = FINDING_VERDICT[finding.code]!;
  switch (finding.code) {
    case 'trust-principal-orphaned':
      return {
        verdict,
        summary: `The trust policy of ${facts.roleArn} names the vendor by a bare unique ID (${finding.uniqueIds.join(', ')}) where a role ARN was: the vendor's role it named was deleted and re-created (cdktf destroy + deploy vendor, or a replacement), and IAM keeps trusting the old role, which no longer exists.`,
        fix: `${who}: ${redeploy}: its trust names the vendor account with ArnEquals aws:PrincipalArn on the vendor's roles, which survives the vendor re-creating them. A trust written by hand: save it again with the vendor's role ARN (it then trusts the new role, until the next re-creation) or, better, in that form.`,
      };
    case 'trust-not-vendor':
      return { verdict, summary: `The trust policy of ${facts.roleArn} does not let the connector's role ${facts.connectorRoleArn} in: no statement allows sts:AssumeRole to the vendor account ${facts.vendorAccountId} for that role.`, fix: `${who}: ${redeploy}: its trust lets in the vendor's connector and vend roles.` };
    case 'external-id-not-accepted':
      return {
        verdict,
        summary: `The trust policy of ${facts.roleArn} lets the vendor in, but not with the external ID the config pairs with tenant "${facts.tenantId}".`,
        fix: `${who}: ${redeploy}: the config pairs this tenant with your role and one of your external IDs, and the deployed trust is older than that. (During a rotation keep the old ID as externalIds.previous until the vendor's tenant entry has the new one.)`,
      };
    default:
      return {
        verdict,
        summary: finding.code === 'source-identity-not-allowed'
          ? `The trust policy of ${facts.roleArn} lets the vendor in, but does not allow sts:SetSourceIdentity, and the connector sets "${facts.tenantId}" as the SourceIdentity of every AssumeRole.`
          : `The trust policy of ${facts.roleArn} lets the vendor in and set a source identity, but not "${facts.tenantId}", which the connector sets for this tenant.`,
        fix: `${who}: ${redeploy}: its trust allows sts:SetSourceIdentity and accepts your tenants (tenantIds in your customer config, or the tenants the config pairs with you).`,
      };
  }
}

// ---------------------------------------------------------------------------
// Gathering the facts: the connector's DryRun path for each function, then the customer's role if readable.
// ---------------------------------------------------------------------------

/** How a stack is deployed in this target, for the fix texts. */
export function deployCommandFor(config: Pick<LoadedConfig, 'target'>): (stack: string) => string {
  return config.target === 'aws' ? (stack) => `npm run deploy:aws -- ${stack}` : (stack) => `npm run cdktf -- deploy ${stack}`;
}

export async function verifyTenant(config: LoadedConfig, tenantId: string, options: VerifyOptions = {}): Promise<Diagnosis> {
  const tenant = config.tenants.find((t) => t.id === tenantId);
  if (!tenant) {
    return {
      subject: tenantId, kind: 'tenant', verdict: 'unknown-tenant',
      summary: `The config has no tenant "${tenantId}" (known: ${config.tenants.map((t) => t.id).join(', ') || 'none'}).`,
      fix: 'Vendor: onboard the tenant (tenants in the config, with the role ARN and external ID agreed with its customer) and redeploy the vendor stack.',
    };
  }
  const facts: TenantFacts = {
    tenantId,
    roleArn: tenant.roleArn,
    externalId: tenant.externalId,
    functionArns: tenant.functions,
    vendorAccountId: config.vendor.accountId,
    connectorRoleArn: buildRoleArn(config.vendor.accountId, config.vendor.connectorRoleName),
    ownership: tenantOwnership(tenant, config.customers),
    deployCommand: deployCommandFor(config),
  };
  const endpoint = await resolveEndpoint(config, options);
  const answers: FunctionAnswer[] = [];
  for (const functionArn of tenant.functions) answers.push({ functionArn, answer: await askConnector(config, tenantId, functionArn, endpoint) });
  const refused = answers.some((a) => !a.answer.ok && a.answer.error.code === 'AssumeRoleRefused');
  const role = refused ? await inspectRole(config, tenant.roleArn, endpoint) : { readable: false as const };
  return decide(facts, answers, role);
}

/** A dry run held back by the connector's rate limit is asked again after the wait it names, this
 *  many times at most, and only for waits up to DRY_RUN_MAX_WAIT_S (the limit is one per 10 s). */
const DRY_RUN_RETRIES = 2;
const DRY_RUN_MAX_WAIT_S = 30;

/** The connector's answer to a dry run of `functionArn` for `tenantId`, waiting out its rate limit. */
export async function askConnector(config: LoadedConfig, tenantId: string, functionArn: string, endpoint: string | undefined): Promise<ConnectorAnswer> {
  for (let attempt = 0; ; attempt++) {
    const answer = await askConnectorOnce(config, tenantId, functionArn, endpoint);
    const retryAfter = !answer.ok && answer.error.code === 'DryRunRateLimited' ? answer.error.retryAfterSeconds : undefined;
    if (retryAfter === undefined || attempt >= DRY_RUN_RETRIES || retryAfter > DRY_RUN_MAX_WAIT_S) return answer;
    await sleep(retryAfter * 1000);
  }
}

async function askConnectorOnce(config: LoadedConfig, tenantId: string, functionArn: string, endpoint: string | undefined): Promise<ConnectorAnswer> {
  const vendor = accountCredentials(config, 'vendor');
  if (!vendor) return { ok: false, error: { code: 'NoVendorCredentials', message: 'config has no account entry for the vendor stack' } };
  const lambda = new LambdaClient(clientConfig(config, vendor, config.region, endpoint));
  try {
    const res = await lambda.send(new InvokeCommand({ FunctionName: connectorFunctionFor(tenantId, config), Payload: Buffer.from(JSON.stringify({ tenant: tenantId, function: functionArn, dryRun: true })) }));
    const text = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
    if (res.FunctionError) return { ok: false, error: { code: 'ConnectorFailed', message: text } };
    return JSON.parse(text) as ConnectorAnswer;
  } catch (e) {
    return { ok: false, error: { code: (e as Error).name, message: (e as Error).message } };
  } finally {
    lambda.destroy();
  }
}

/** The customer's role, read with the credentials the config has for its account (if any). */
export async function inspectRole(config: LoadedConfig, roleArn: string, endpoint: string | undefined): Promise<RoleInspection> {
  const parsed = parseRoleArn(roleArn);
  const stack = parsed && stackOfAccount(config, parsed.accountId);
  const credentials = stack ? accountCredentials(config, stack) : undefined;
  if (!parsed || !credentials) return { readable: false, reason: `the config has no credentials for account ${parsed?.accountId ?? roleArn}` };
  const iam = new IAMClient(clientConfig(config, credentials, config.region, endpoint));
  try {
    const res = await iam.send(new GetRoleCommand({ RoleName: parsed.roleName }));
    return { readable: true, exists: true, trustPolicy: parsePolicyDocument(res.Role?.AssumeRolePolicyDocument) };
  } catch (e) {
    const name = (e as Error).name;
    if (name === 'NoSuchEntityException' || name === 'NoSuchEntity') return { readable: true, exists: false };
    return { readable: false, reason: `${name}: ${(e as Error).message}` };
  } finally {
    iam.destroy();
  }
}
