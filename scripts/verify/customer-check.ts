// ---------------------------------------------------------------------------
// `npm run verify -- --customer <name>`: the customer's own check, with only the customer's own
// credentials (config.accounts[<name>]) and nothing of the vendor's. It reads the customer's role,
// its trust (does it let in the vendor's connector and vend roles, is its principal still the
// vendor or a bare unique ID left by a re-created vendor role, does it require one of the
// customer's external IDs and accept its tenants as SourceIdentity) and its permissions (may it
// invoke each sidecar function, do they exist), against what the customer's config says.
// ---------------------------------------------------------------------------
import {
  GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { LoadedConfig } from '../../config/load';
import type { CustomerConfig } from '../../config/schema';
import { functionArn, roleArn } from '../../rules/naming';
import { customerTenantIds, externalIdsOf } from '../../rules/tenant-ownership';
import { accountCredentials, clientConfig } from '../lib/accounts';
import { deployCommandFor } from './diagnose';
import { resolveEndpoint, type VerifyOptions } from './endpoint';
import { allowStatements, coversAction, coversResource, parsePolicyDocument } from './policy-reading';
import { trustFindings, type TrustExpectation, type TrustFinding } from './trust-analysis';
import type { Detail, Diagnosis, Verdict } from './verdicts';

export interface CustomerFacts {
  readonly customer: string;
  readonly roleArn: string;
  readonly expectation: TrustExpectation;
  /** The sidecar functions the role must be able to invoke. */
  readonly functionArns: readonly string[];
  readonly deployCommand: string;
}

/** What the customer's account shows, read with the customer's own credentials. */
export type CustomerInspection =
  | { readonly readable: false; readonly reason: string }
  | { readonly readable: true; readonly roleExists: false }
  | {
    readonly readable: true;
    readonly roleExists: true;
    readonly trustPolicy: unknown;
    /** Every permission policy of the role: inline and attached managed (their default versions). */
    readonly permissionPolicies: readonly unknown[];
    /** Whether each sidecar function exists, by ARN. */
    readonly functionExists: Readonly<Record<string, boolean>>;
  };

// ---------------------------------------------------------------------------
// The decision: pure.
// ---------------------------------------------------------------------------

const TRUST_VERDICT: Record<TrustFinding['code'], Verdict> = {
  'trust-principal-orphaned': 'trust-principal-orphaned',
  'trust-not-vendor': 'trust-not-vendor',
  'external-id-not-required': 'external-id-not-required',
  'external-id-not-accepted': 'external-id-mismatch',
  'source-identity-not-allowed': 'source-identity-refused',
  'tenant-not-accepted': 'source-identity-refused',
  'source-identity-not-required': 'source-identity-not-required',
};

function trustSentence(facts: CustomerFacts, finding: TrustFinding): string {
  const role = `the vendor's role ${finding.role}`;
  switch (finding.code) {
    case 'trust-principal-orphaned':
      return `Your trust names the vendor by a bare unique ID (${finding.uniqueIds.join(', ')}) where a role ARN was, so it does not let ${role} in: the vendor deleted and re-created that role, and IAM keeps trusting the old one, which no longer exists.`;
    case 'trust-not-vendor':
      return `Your trust does not let ${role} in (vendor account ${facts.expectation.vendorAccountId}).`;
    case 'external-id-not-required':
      return `Your trust lets ${role} in without requiring an external ID: the confused-deputy guard is off, and another tenant of the vendor could reach your role.`;
    case 'external-id-not-accepted':
      return `Your trust does not accept ${finding.missing} of the ${finding.expected} external ID(s) in your config, for ${role}.`;
    case 'source-identity-not-allowed':
      return `Your trust does not allow sts:SetSourceIdentity for ${role}, and the vendor sets your tenant as the SourceIdentity of every AssumeRole: it is refused.`;
    case 'tenant-not-accepted':
      return `Your trust does not accept ${finding.tenants.map((t) => `"${t}"`).join(', ')} as SourceIdentity for ${role}: calls for those tenants are refused.`;
    case 'source-identity-not-required':
      return `Your trust lets ${role} set any SourceIdentity: the second guard (only your tenants) is off.`;
  }
}

export function decideCustomer(facts: CustomerFacts, inspection: CustomerInspection): Diagnosis {
  const base = { subject: facts.customer, kind: 'customer' as const };
  const redeploy = `Customer ${facts.customer}: redeploy your stack from your config (${facts.deployCommand})`;
  if (!inspection.readable) {
    return { ...base, verdict: 'customer-unreadable', summary: `Your account could not be read with the credentials in the config: ${inspection.reason}.`, fix: `Customer ${facts.customer}: check the account entry "${facts.customer}" in the config (profile or role) and that it may read IAM and Lambda in your account.` };
  }
  if (!inspection.roleExists) {
    return { ...base, verdict: 'role-missing', summary: `There is no role ${facts.roleArn} in your account.`, fix: `${redeploy}, which creates it.` };
  }
  const details: Detail[] = trustFindings(inspection.trustPolicy, facts.expectation).map((f) => ({ subject: facts.roleArn, verdict: TRUST_VERDICT[f.code], summary: trustSentence(facts, f) }));
  const statements = inspection.permissionPolicies.flatMap(allowStatements);
  for (const fn of facts.functionArns) {
    if (!statements.some((s) => coversAction(s, 'lambda:InvokeFunction') && coversResource(s, fn))) {
      details.push({ subject: fn, verdict: 'invoke-not-allowed', summary: `Your role may not invoke ${fn} (no policy of the role allows lambda:InvokeFunction on it).` });
    }
    if (inspection.functionExists[fn] === false) details.push({ subject: fn, verdict: 'function-missing', summary: `There is no function ${fn} in your account.` });
  }
  if (details.length === 0) {
    return {
      ...base, verdict: 'ok',
      summary: `All good: ${facts.roleArn} lets in the vendor's roles (${facts.expectation.mustLetIn.join(', ')}) only with your external ID(s) and your tenant(s) (${facts.expectation.tenantIds.join(', ')}) as SourceIdentity, and may invoke ${facts.functionArns.join(', ')}, which exist.`,
      fix: 'Nothing to change. (This checks your side only; the vendor runs npm run verify -- <tenant> to test the whole path.)',
    };
  }
  const [first] = details;
  const orphaned = first.verdict === 'trust-principal-orphaned'
    ? ' A trust written by hand: save it again with the vendor\'s role ARN (it then trusts the new role, until the next re-creation), or better name the vendor account with ArnEquals aws:PrincipalArn on its roles, as the stack does, which survives re-creation.'
    : '';
  return {
    ...base, verdict: first.verdict, details,
    summary: details.map((d) => d.summary).join(' '),
    fix: `${redeploy}: the stack builds the trust and the role's policy from it.${orphaned}`,
  };
}

// ---------------------------------------------------------------------------
// Gathering, with the customer's own credentials only.
// ---------------------------------------------------------------------------

/** What the customer's trust must let in and accept, from the config. */
export function customerFacts(config: LoadedConfig, customer: CustomerConfig): CustomerFacts {
  const vendor = config.vendor;
  return {
    customer: customer.name,
    roleArn: roleArn(customer.accountId, customer.roleName),
    expectation: {
      vendorAccountId: vendor.accountId,
      mustLetIn: [roleArn(vendor.accountId, vendor.connectorRoleName), roleArn(vendor.accountId, vendor.vendRoleName)],
      externalIds: externalIdsOf(customer),
      tenantIds: customerTenantIds(customer, config.tenants, config.customers),
    },
    functionArns: customer.functions.map((name) => functionArn(config.region, customer.accountId, name)),
    deployCommand: deployCommandFor(config)(customer.name),
  };
}

export async function verifyCustomer(config: LoadedConfig, customerName: string, options: VerifyOptions = {}): Promise<Diagnosis> {
  const customer = config.customers.find((c) => c.name === customerName);
  if (!customer) {
    return {
      subject: customerName, kind: 'customer', verdict: 'unknown-customer',
      summary: `The config has no customer "${customerName}" (known: ${config.customers.map((c) => c.name).join(', ') || 'none'}).`,
      fix: 'Customer: add yourself under customers in the config (see README, Onboarding a customer), or pass your customer name as it is written there.',
    };
  }
  const endpoint = await resolveEndpoint(config, options);
  const facts = customerFacts(config, customer);
  return decideCustomer(facts, await inspectCustomer(config, customer, facts, endpoint));
}

async function inspectCustomer(config: LoadedConfig, customer: CustomerConfig, facts: CustomerFacts, endpoint: string | undefined): Promise<CustomerInspection> {
  const credentials = accountCredentials(config, customer.name);
  if (!credentials) return { readable: false, reason: `the config has no account entry "${customer.name}"` };
  const iam = new IAMClient(clientConfig(config, credentials, config.region, endpoint));
  const lambda = new LambdaClient(clientConfig(config, credentials, config.region, endpoint));
  try {
    let trustPolicy: unknown;
    try {
      trustPolicy = parsePolicyDocument((await iam.send(new GetRoleCommand({ RoleName: customer.roleName }))).Role?.AssumeRolePolicyDocument);
    } catch (e) {
      if ((e as Error).name === 'NoSuchEntityException' || (e as Error).name === 'NoSuchEntity') return { readable: true, roleExists: false };
      throw e;
    }
    const permissionPolicies: unknown[] = [];
    for (const PolicyName of (await iam.send(new ListRolePoliciesCommand({ RoleName: customer.roleName }))).PolicyNames ?? []) {
      permissionPolicies.push(parsePolicyDocument((await iam.send(new GetRolePolicyCommand({ RoleName: customer.roleName, PolicyName }))).PolicyDocument));
    }
    for (const attached of (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: customer.roleName }))).AttachedPolicies ?? []) {
      const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: attached.PolicyArn }))).Policy;
      const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: attached.PolicyArn, VersionId: policy?.DefaultVersionId }));
      permissionPolicies.push(parsePolicyDocument(version.PolicyVersion?.Document));
    }
    const functionExists: Record<string, boolean> = {};
    for (const fn of facts.functionArns) {
      try {
        await lambda.send(new GetFunctionCommand({ FunctionName: fn }));
        functionExists[fn] = true;
      } catch (e) {
        if ((e as Error).name !== 'ResourceNotFoundException') throw e;
        functionExists[fn] = false;
      }
    }
    return { readable: true, roleExists: true, trustPolicy, permissionPolicies, functionExists };
  } catch (e) {
    return { readable: false, reason: `${(e as Error).name}: ${(e as Error).message}` };
  } finally {
    iam.destroy();
    lambda.destroy();
  }
}
