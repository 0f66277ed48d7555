// ---------------------------------------------------------------------------
// A least-privilege checker for synthesized Terraform JSON. Pure functions: the caller hands in
// the parsed stacks and gets back a list of violations, each naming the rule, the resource and
// what is wrong. Policies are read with the local cloud's own policy engine (grammar, document
// shape, matching, evaluation), so the checker and the local cloud agree on what a document says.
//
//   inventoryOf          every IAM role with its trust policy, its identity policies (inline,
//                        managed, attachments) and the functions that run as it; Lambda permissions
//   wildcardActions      `*` (or `?`) in any Action, and any NotAction
//   wildcardResources    `*` in any Resource unless an explicit allowance names it for that role
//   trustPolicies        a non-service principal without an `sts:ExternalId` StringEquals; `*` principals
//   assumeScope          the policy evaluator decides which role ARNs each role may assume
//   permissionsVsNeeds   each role's granted actions against what its handlers' code needs
//                        (test/support/handler-needs.ts reads those from the handlers' code)
//   lambdaPermissions    function policies open to everyone, or to a service without a source
// ---------------------------------------------------------------------------
import { AwsError } from '../../localcloud/contracts';
import { policyValuesOf } from '../../localcloud/iam/policy-conditions';
import { asList, isPlainObject, sidOf, statementsOf, type StatementJson } from '../../localcloud/iam/policy-document';
import { evaluate } from '../../localcloud/iam/policy-evaluator';
import { validatePolicyDocument } from '../../localcloud/iam/policy-grammar';
import { globMatch, principalMatches } from '../../localcloud/iam/policy-match';
import type { EvaluationPrincipal, PolicyDocumentJson, PolicyKind } from '../../localcloud/iam/policy-types';

export type ViolationRule =
  | 'unreadable-policy'
  | 'wildcard-action'
  | 'wildcard-resource'
  | 'open-principal'
  | 'trust-without-external-id'
  | 'assume-outside-scope'
  | 'assume-in-scope-refused'
  | 'unused-permission'
  | 'missing-permission'
  | 'role-without-purpose'
  | 'open-lambda-permission';

export interface Violation {
  readonly rule: ViolationRule;
  /** `stack/type.logicalId` (and the role's name). */
  readonly where: string;
  readonly detail: string;
}

/** The synthesized JSON of one stack (what `cdktf synth` writes as cdk.tf.json). */
export interface StackJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface AttachedPolicy {
  /** `stack/type.logicalId` of the resource that carries the document. */
  readonly source: string;
  readonly document: PolicyDocumentJson;
}

export interface RoleFacts {
  readonly stack: string;
  readonly logicalId: string;
  readonly name: string;
  readonly where: string;
  readonly trustPolicy?: PolicyDocumentJson;
  readonly identityPolicies: AttachedPolicy[];
  /** Names of the Lambda functions whose execution role this is. */
  readonly functionNames: string[];
}

export interface LambdaPermissionFacts {
  readonly where: string;
  readonly action: unknown;
  readonly principal: unknown;
  readonly sourceArn?: unknown;
  readonly sourceAccount?: unknown;
}

export interface Inventory {
  readonly roles: RoleFacts[];
  /** Managed policies attached to no role of the stack: still checked for wildcards. */
  readonly unattachedPolicies: AttachedPolicy[];
  readonly lambdaPermissions: LambdaPermissionFacts[];
  /** What could not be read (a policy passed as a reference, an AWS-managed ARN...): unprovable, so refused. */
  readonly violations: Violation[];
}

// ---------------------------------------------------------------------------
// Inventory
// ---------------------------------------------------------------------------

/** `${aws_iam_role.some_id.name}` -> `some_id` (for the given type and one of the attributes). */
function referencedId(value: unknown, type: string, attributes: readonly string[]): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^\$\{([\w-]+)\.([\w-]+)\.([\w-]+)\}$/.exec(value);
  return m && m[1] === type && attributes.includes(m[3]) ? m[2] : undefined;
}

/**
 * A policy given as a JSON string, parsed and validated by the local cloud's grammar for its kind
 * of use (as IAM would on deploy); anything else (a data source, a jsonencode reference) or a
 * document IAM would refuse is unreadable.
 */
function parseDocument(value: unknown, kind: PolicyKind, where: string, violations: Violation[]): PolicyDocumentJson | undefined {
  if (typeof value !== 'string') {
    violations.push({ rule: 'unreadable-policy', where, detail: `the policy is not a literal JSON document (${JSON.stringify(value)?.slice(0, 120)}): it cannot be checked, so it is refused` });
    return undefined;
  }
  try {
    return validatePolicyDocument(value, kind);
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    violations.push({ rule: 'unreadable-policy', where, detail: `IAM would refuse the policy (${e.code}: ${e.message}) (${value.slice(0, 120)}): it cannot be checked, so it is refused` });
    return undefined;
  }
}

/** Every role, policy, attachment, function role and Lambda permission of the stacks. */
export function inventoryOf(stacks: Readonly<Record<string, StackJson>>): Inventory {
  const roles: RoleFacts[] = [];
  const unattachedPolicies: AttachedPolicy[] = [];
  const lambdaPermissions: LambdaPermissionFacts[] = [];
  const violations: Violation[] = [];

  for (const [stack, json] of Object.entries(stacks)) {
    const of = (type: string) => Object.entries(json.resource?.[type] ?? {});
    const byId = new Map<string, RoleFacts>();
    const byName = new Map<string, RoleFacts>();

    for (const [id, attrs] of of('aws_iam_role')) {
      const where = `${stack}/aws_iam_role.${id}`;
      const role: RoleFacts = {
        stack, logicalId: id, name: String(attrs.name ?? `(unnamed ${id})`), where: `${where} (${String(attrs.name)})`,
        trustPolicy: parseDocument(attrs.assume_role_policy, 'trust', `${where} assume_role_policy`, violations),
        identityPolicies: [], functionNames: [],
      };
      for (const [i, inline] of asArray(attrs.inline_policy).entries()) {
        const document = parseDocument((inline as Record<string, unknown>).policy, 'identity', `${where} inline_policy[${i}]`, violations);
        if (document) role.identityPolicies.push({ source: `${where} inline_policy[${i}]`, document });
      }
      roles.push(role);
      byId.set(id, role);
      byName.set(role.name, role);
    }
    const roleOf = (value: unknown): RoleFacts | undefined => {
      const id = referencedId(value, 'aws_iam_role', ['name', 'id']);
      return id !== undefined ? byId.get(id) : typeof value === 'string' ? byName.get(value) : undefined;
    };

    for (const [id, attrs] of of('aws_iam_role_policy')) {
      const where = `${stack}/aws_iam_role_policy.${id}`;
      const document = parseDocument(attrs.policy, 'identity', where, violations);
      const role = roleOf(attrs.role);
      if (!role) violations.push({ rule: 'unreadable-policy', where, detail: `attached to ${JSON.stringify(attrs.role)}, not a role of this stack` });
      else if (document) role.identityPolicies.push({ source: where, document });
    }

    const managed = new Map<string, AttachedPolicy>();
    for (const [id, attrs] of of('aws_iam_policy')) {
      const where = `${stack}/aws_iam_policy.${id}`;
      const document = parseDocument(attrs.policy, 'identity', where, violations);
      if (document) managed.set(id, { source: where, document });
    }
    const attached = new Set<string>();
    const attach = (role: RoleFacts, policyArn: unknown, where: string) => {
      const id = referencedId(policyArn, 'aws_iam_policy', ['arn', 'id']);
      const policy = id !== undefined ? managed.get(id) : undefined;
      if (!policy) {
        violations.push({ rule: 'unreadable-policy', where, detail: `attaches ${JSON.stringify(policyArn)}, which is not a policy of this stack (an AWS-managed policy grants what AWS decides): write the statements out` });
        return;
      }
      attached.add(id!);
      role.identityPolicies.push(policy);
    };
    for (const [id, attrs] of of('aws_iam_role_policy_attachment')) {
      const where = `${stack}/aws_iam_role_policy_attachment.${id}`;
      const role = roleOf(attrs.role);
      if (!role) violations.push({ rule: 'unreadable-policy', where, detail: `attached to ${JSON.stringify(attrs.role)}, not a role of this stack` });
      else attach(role, attrs.policy_arn, where);
    }
    for (const role of roles.filter((r) => r.stack === stack)) {
      const attrs = json.resource!.aws_iam_role[role.logicalId];
      for (const arn of asArray(attrs.managed_policy_arns)) attach(role, arn, `${role.where} managed_policy_arns`);
    }
    for (const [id, policy] of managed) if (!attached.has(id)) unattachedPolicies.push(policy);

    for (const [id, attrs] of of('aws_lambda_function')) {
      const roleId = referencedId(attrs.role, 'aws_iam_role', ['arn']);
      const role = roleId !== undefined ? byId.get(roleId) : undefined;
      if (role) role.functionNames.push(String(attrs.function_name));
      else violations.push({ rule: 'unreadable-policy', where: `${stack}/aws_lambda_function.${id}`, detail: `runs as ${JSON.stringify(attrs.role)}, not a role of this stack` });
    }

    for (const [id, attrs] of of('aws_lambda_permission')) {
      lambdaPermissions.push({ where: `${stack}/aws_lambda_permission.${id}`, action: attrs.action, principal: attrs.principal, sourceArn: attrs.source_arn, sourceAccount: attrs.source_account });
    }
  }
  return { roles, unattachedPolicies, lambdaPermissions, violations };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Every document of the inventory with where it comes from. */
function everyDocument(inventory: Inventory): { where: string; document: PolicyDocumentJson; trust: boolean }[] {
  const docs: { where: string; document: PolicyDocumentJson; trust: boolean }[] = [];
  const seen = new Set<string>();
  for (const role of inventory.roles) {
    if (role.trustPolicy) docs.push({ where: `${role.where} trust policy`, document: role.trustPolicy, trust: true });
    for (const p of role.identityPolicies) {
      if (seen.has(p.source)) continue; // a managed policy attached to two roles is checked once
      seen.add(p.source);
      docs.push({ where: p.source, document: p.document, trust: false });
    }
  }
  for (const p of inventory.unattachedPolicies) docs.push({ where: p.source, document: p.document, trust: false });
  return docs;
}

const hasWildcard = (text: string) => text.includes('*') || text.includes('?');

/** ` statement <Sid>` for a statement that has one, to say where a violation is. */
const inStatement = (s: StatementJson) => (sidOf(s) ? ` statement ${sidOf(s)}` : '');

// ---------------------------------------------------------------------------
// Wildcard actions and resources
// ---------------------------------------------------------------------------

/** A `*` or `?` in any Action (including `*` alone), and any NotAction (it allows all but a few). */
export function wildcardActions(inventory: Inventory): Violation[] {
  const found: Violation[] = [];
  for (const { where, document } of everyDocument(inventory)) {
    for (const s of statementsOf(document)) {
      const sid = inStatement(s);
      for (const action of asList(s.Action).filter(hasWildcard)) found.push({ rule: 'wildcard-action', where: `${where}${sid}`, detail: `Action "${action}"` });
      if (s.NotAction !== undefined) found.push({ rule: 'wildcard-action', where: `${where}${sid}`, detail: `NotAction ${JSON.stringify(s.NotAction)} allows every other action` });
    }
  }
  for (const p of inventory.lambdaPermissions) {
    if (typeof p.action !== 'string' || hasWildcard(p.action)) found.push({ rule: 'wildcard-action', where: p.where, detail: `action ${JSON.stringify(p.action)}` });
  }
  return found;
}

/** A resource with a wildcard that a role may hold, and why it cannot be narrower. */
export interface WildcardAllowance {
  /** The exact resource string, wildcard included. */
  readonly resource: string;
  /** The role (by name) that may hold it. */
  readonly roleName: string;
  readonly why: string;
}

/** A `*` or `?` in a Resource that no allowance names for that role; any NotResource. */
export function wildcardResources(inventory: Inventory, allowances: readonly WildcardAllowance[]): Violation[] {
  const found: Violation[] = [];
  const check = (where: string, document: PolicyDocumentJson, roleNames: readonly string[]) => {
    for (const s of statementsOf(document)) {
      const sid = inStatement(s);
      for (const resource of asList(s.Resource).filter(hasWildcard)) {
        const allowed = roleNames.length > 0 && roleNames.every((name) => allowances.some((a) => a.resource === resource && a.roleName === name));
        if (!allowed) found.push({ rule: 'wildcard-resource', where: `${where}${sid}`, detail: `Resource "${resource}" is not in the allow-list for ${roleNames.join(', ') || 'an unattached policy'}` });
      }
      if (s.NotResource !== undefined) found.push({ rule: 'wildcard-resource', where: `${where}${sid}`, detail: `NotResource ${JSON.stringify(s.NotResource)} matches every other resource` });
    }
  };
  const holders = new Map<string, string[]>();
  for (const role of inventory.roles) for (const p of role.identityPolicies) holders.set(p.source, [...(holders.get(p.source) ?? []), role.name]);
  const seen = new Set<string>();
  for (const role of inventory.roles) {
    for (const p of role.identityPolicies) {
      if (seen.has(p.source)) continue;
      seen.add(p.source);
      check(p.source, p.document, holders.get(p.source) ?? []);
    }
  }
  for (const p of inventory.unattachedPolicies) check(p.source, p.document, []);
  return found;
}

// ---------------------------------------------------------------------------
// Trust policies
// ---------------------------------------------------------------------------

const PRINCIPAL_KINDS_NEEDING_EXTERNAL_ID = ['AWS', 'Federated', 'CanonicalUser'];

/** The values of a StringEquals `sts:ExternalId` condition (condition keys are case-insensitive). */
function externalIdValues(condition: StatementJson['Condition']): string[] {
  const block = isPlainObject(condition) ? condition.StringEquals : undefined;
  const entry = Object.entries(isPlainObject(block) ? block : {}).find(([key]) => key.toLowerCase() === 'sts:externalid');
  return entry ? policyValuesOf(entry[1]) ?? [] : [];
}

/** Someone in an account nobody configured: a statement whose Principal names them trusts everyone. */
const STRANGER: EvaluationPrincipal = { kind: 'user', accountId: '000000000000', arn: 'arn:aws:iam::000000000000:user/stranger' };

/**
 * Every Allow statement of a trust policy: `*` principals (or NotPrincipal) are refused outright;
 * a principal that is not a service (an account, role or user: the vendor) needs a StringEquals
 * `sts:ExternalId` with literal, non-empty values. StringLike, IfExists, ForAnyValue and the like
 * do not count: they can be satisfied by a missing or guessed ID.
 */
export function trustPolicies(inventory: Inventory): Violation[] {
  const found: Violation[] = [];
  for (const role of inventory.roles) {
    if (!role.trustPolicy) continue;
    for (const s of statementsOf(role.trustPolicy)) {
      if (s.Effect !== 'Allow') continue;
      const where = `${role.where} trust policy${inStatement(s)}`;
      if (s.NotPrincipal !== undefined) {
        found.push({ rule: 'open-principal', where, detail: 'NotPrincipal trusts everyone but a few' });
        continue;
      }
      const principal = s.Principal;
      if (principalMatches(s, STRANGER).includes('everyone')) {
        found.push({ rule: 'open-principal', where, detail: 'Principal "*" trusts every AWS account' });
        continue;
      }
      const kinds = isPlainObject(principal) ? Object.keys(principal) : [];
      if (!kinds.some((k) => PRINCIPAL_KINDS_NEEDING_EXTERNAL_ID.includes(k))) continue;
      const values = externalIdValues(s.Condition);
      if (values.length === 0) found.push({ rule: 'trust-without-external-id', where, detail: `trusts ${JSON.stringify(principal)} without a StringEquals sts:ExternalId condition` });
      else if (values.some((v) => v.length === 0 || hasWildcard(v))) found.push({ rule: 'trust-without-external-id', where, detail: `the sts:ExternalId condition has an empty or wildcard value: ${JSON.stringify(values)}` });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// What each role may assume, decided by the policy evaluator
// ---------------------------------------------------------------------------

export interface AssumeScope {
  readonly rolePrefix: string;
  /** The accounts whose prefixed roles may be assumed, or `*` (dynamic onboarding). */
  readonly accounts: readonly string[] | '*';
  /** The configured customers' accounts: probed in both modes. */
  readonly customerAccounts: readonly string[];
  /** An account that is no customer's, to probe with. */
  readonly unconfiguredAccount: string;
  /** The roles (by name) that must be able to assume in scope: the connector's and vend's. */
  readonly mustAssume: readonly string[];
  /** The account the roles live in. */
  readonly roleAccount: (role: RoleFacts) => string;
}

/** Role ARNs outside the scope: other names, the prefix not at the start, a path, a shorter prefix,
 *  and (configured onboarding) a prefixed role in an account that is no customer's. */
export function outOfScopeProbes(scope: AssumeScope): string[] {
  const p = scope.rolePrefix;
  const accounts = [...scope.customerAccounts, scope.unconfiguredAccount];
  const probes = accounts.flatMap((a) => [
    `arn:aws:iam::${a}:role/other`, `arn:aws:iam::${a}:role/admin`, `arn:aws:iam::${a}:role/x-${p}`, `arn:aws:iam::${a}:role/${p.slice(0, -1)}`,
    `arn:aws:iam::${a}:role/path/${p}-x`, `arn:aws:iam::${a}:user/${p}`, `arn:aws:iam::${a}:root`,
  ]);
  if (scope.accounts !== '*') probes.push(`arn:aws:iam::${scope.unconfiguredAccount}:role/${p}-anything`);
  return probes;
}

/** Prefixed role ARNs that must be assumable. */
export function inScopeProbes(scope: AssumeScope): string[] {
  const accounts = scope.accounts === '*' ? [...scope.customerAccounts, scope.unconfiguredAccount] : scope.accounts;
  return accounts.flatMap((a) => [`arn:aws:iam::${a}:role/${scope.rolePrefix}`, `arn:aws:iam::${a}:role/${scope.rolePrefix}-anything`]);
}

/**
 * Ask the evaluator whether each role's identity policies allow sts:AssumeRole on each probe. The
 * probe's trust policy trusts the role outright and the request is evaluated as cross-account
 * (both sides must allow), so the identity side alone decides; in the role's own account a trust
 * naming the role would allow by itself, which is the target's choice, not this role's policy.
 * Every role is probed outside the scope; the `mustAssume` ones inside too.
 */
export function assumeScope(inventory: Inventory, scope: AssumeScope): Violation[] {
  const found: Violation[] = [];
  for (const role of inventory.roles) {
    const account = scope.roleAccount(role);
    const roleArn = `arn:aws:iam::${account}:role/${role.name}`;
    const allowed = (target: string) => {
      const targetAccount = /^arn:aws:iam::([^:]*):/.exec(target)?.[1] ?? '';
      return evaluate({
        principal: { kind: 'assumed-role', accountId: account, arn: `arn:aws:sts::${account}:assumed-role/${role.name}/least-privilege-probe`, roleArn },
        action: 'sts:AssumeRole',
        resource: target,
        resourceAccountId: targetAccount === account ? `not-${account}` : targetAccount,
        identityPolicies: role.identityPolicies.map((p) => p.document),
        resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: roleArn }, Action: 'sts:AssumeRole' }] },
        resourcePolicyKind: 'trust',
      }).decision === 'Allow';
    };
    for (const probe of outOfScopeProbes(scope)) {
      if (allowed(probe)) found.push({ rule: 'assume-outside-scope', where: role.where, detail: `may sts:AssumeRole on ${probe}, outside "${scope.rolePrefix}*" in ${scope.accounts === '*' ? 'any account' : scope.accounts.join(', ')}` });
    }
    if (scope.mustAssume.includes(role.name)) {
      for (const probe of inScopeProbes(scope)) {
        if (!allowed(probe)) found.push({ rule: 'assume-in-scope-refused', where: role.where, detail: `may not sts:AssumeRole on ${probe}, which its handler must reach` });
      }
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// Granted against needed
// ---------------------------------------------------------------------------

/** Every action a role's identity policies allow (as written: patterns stay patterns). */
export function grantedActions(role: RoleFacts): string[] {
  const actions = role.identityPolicies.flatMap((p) => statementsOf(p.document).filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action)));
  return [...new Set(actions)];
}

/**
 * Each role's granted actions against `needs` (role name -> actions its code uses). A granted
 * action no needed one matches is unused; a needed action no granted pattern covers is missing.
 * A role that is in no entry of `needs` has no purpose the checker knows of.
 */
export function permissionsVsNeeds(inventory: Inventory, needs: ReadonlyMap<string, ReadonlySet<string>>): Violation[] {
  const found: Violation[] = [];
  for (const role of inventory.roles) {
    const needed = needs.get(role.name);
    if (!needed) {
      found.push({ rule: 'role-without-purpose', where: role.where, detail: 'neither a function\'s execution role nor a tenant role: no handler needs it' });
      continue;
    }
    const granted = grantedActions(role);
    for (const action of granted) {
      if (![...needed].some((n) => globMatch(action, n, true))) found.push({ rule: 'unused-permission', where: role.where, detail: `grants ${action}, which no handler running as it ever calls (needs: ${[...needed].sort().join(', ') || 'nothing'})` });
    }
    for (const action of needed) {
      if (!granted.some((g) => globMatch(g, action, true))) found.push({ rule: 'missing-permission', where: role.where, detail: `does not grant ${action}, which its handler calls` });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// Lambda permissions (function policies)
// ---------------------------------------------------------------------------

/** A function policy for `*`, or for a service principal without source_arn/source_account
 *  (any account's use of that service could invoke the function: the service's confused deputy). */
export function lambdaPermissions(inventory: Inventory): Violation[] {
  const found: Violation[] = [];
  for (const p of inventory.lambdaPermissions) {
    const principal = String(p.principal);
    if (principal === '*' || hasWildcard(principal)) found.push({ rule: 'open-lambda-permission', where: p.where, detail: `principal ${JSON.stringify(p.principal)} lets anyone invoke the function` });
    else if (principal.endsWith('.amazonaws.com') && p.sourceArn === undefined && p.sourceAccount === undefined) {
      found.push({ rule: 'open-lambda-permission', where: p.where, detail: `service principal ${principal} without source_arn or source_account` });
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// Everything at once
// ---------------------------------------------------------------------------

export interface LeastPrivilegeInputs {
  readonly stacks: Readonly<Record<string, StackJson>>;
  readonly allowances: readonly WildcardAllowance[];
  readonly scope: AssumeScope;
  readonly needs: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Every violation of every rule, in one list. */
export function checkLeastPrivilege(inputs: LeastPrivilegeInputs): Violation[] {
  const inventory = inventoryOf(inputs.stacks);
  return [
    ...inventory.violations,
    ...wildcardActions(inventory),
    ...wildcardResources(inventory, inputs.allowances),
    ...trustPolicies(inventory),
    ...assumeScope(inventory, inputs.scope),
    ...permissionsVsNeeds(inventory, inputs.needs),
    ...lambdaPermissions(inventory),
  ];
}
