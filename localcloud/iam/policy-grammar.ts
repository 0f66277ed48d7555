// ---------------------------------------------------------------------------
// Policy grammar: what IAM and STS accept as a document, refused with AWS's own messages.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// Message texts are the ones IAM returns (MalformedPolicyDocument), as reported against the
// real API in public issue threads (e.g. "Policy document should not specify a principal.",
// "Has prohibited field Resource", "Actions/Conditions must be prefaced by a vendor, ...").
// ---------------------------------------------------------------------------
import { AwsError } from '../contracts';
import { parseDate, parseNumber, parseOperator, policyValuesOf } from './policy-conditions';
import { asList, isPlainObject, statementsOf } from './policy-document';
import { globMatch } from './policy-match';
import type { PolicyDocumentJson, PolicyKind } from './policy-types';

// ---------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------

export const SYNTAX_ERRORS = 'Syntax errors in policy.';
export const LEGACY_PARSING = 'The policy failed legacy parsing';
/** CreateRole / UpdateAssumeRolePolicy answer unparsable JSON with this text (CreatePolicy says SYNTAX_ERRORS). */
export const INVALID_JSON = 'This policy contains invalid Json';
export const PRINCIPAL_NOT_ALLOWED = 'Policy document should not specify a principal.';
export const PRINCIPAL_REQUIRED = 'Missing required field Principal';
export const ACTIONS_REQUIRED = 'Policy statement must contain actions.';
export const RESOURCES_REQUIRED = 'Policy statement must contain resources.';
export const ACTION_VENDOR = 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.';
export const ACTION_ONE_COLON = 'Actions/Condition can contain only one colon.';
export const DUPLICATE_SID = 'Statement IDs (SID) in a single policy must be unique.';
/** IAM's Sid: ASCII letters and digits only.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html */
export const NON_ALPHANUMERIC_SID = 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*';
const IAM_SID_PATTERN = /^[0-9A-Za-z]*$/;
export const TRUST_ACTIONS_ONLY = 'AssumeRole policy may only specify STS AssumeRole actions.';
/** IAM's validator names an element a document's kind does not take ("Has prohibited field Resource"). */
export const TRUST_NOT_PRINCIPAL = 'Has prohibited field NotPrincipal';

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message);
}

// ---------------------------------------------------------------------------
// Elements
// ---------------------------------------------------------------------------

const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
/** 2008-10-17 is the older language version; IAM still accepts it (and assumes it when Version is absent).
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html */
const VERSIONS = new Set(['2012-10-17', '2008-10-17']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
/** What a trust policy may grant: the AssumeRole family and the session extras that go with it.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html (trust policy) */
const TRUST_ACTIONS = ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:SetContext'];

/** A principal ARN IAM can resolve: account root, user, role, or an assumed-role session. */
const AWS_PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam::\d{12}:(root|user\/.+|role\/.+)|sts::\d{12}:assumed-role\/[^/]+\/.+)$/;
const IAM_IDENTITY_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(user|role)\/.+$/;
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;

/** A list element: a string, or a non-empty array of strings. Anything else is a syntax error. */
function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw malformed(SYNTAX_ERRORS);
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/**
 * Parses and validates a policy document the way IAM does for its kind of use:
 * - `identity`: a user's or role's permissions (inline or managed); no Principal; Resource required;
 * - `session`: an inline session policy passed to AssumeRole; same rules as identity;
 * - `trust`: a role's trust policy; Principal required; Resource prohibited; only STS AssumeRole actions;
 * - `resource`: a resource-based policy (a function policy); Principal and Resource required.
 * Throws AwsError('MalformedPolicyDocument', <AWS's message>) on the first problem found.
 * Does NOT check that named principals exist: callers do that with `principalArnsOf`.
 */
export function validatePolicyDocument(json: string, kind: PolicyKind): PolicyDocumentJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw malformed(kind === 'trust' ? INVALID_JSON : SYNTAX_ERRORS);
  }
  if (!isPlainObject(parsed)) throw malformed(SYNTAX_ERRORS);
  for (const element of Object.keys(parsed)) if (!TOP_LEVEL.has(element)) throw malformed(SYNTAX_ERRORS);
  if (parsed.Version !== undefined && (typeof parsed.Version !== 'string' || !VERSIONS.has(parsed.Version))) throw malformed(SYNTAX_ERRORS);
  if (parsed.Id !== undefined && typeof parsed.Id !== 'string') throw malformed(SYNTAX_ERRORS);

  const statement = parsed.Statement;
  if (statement === undefined) throw malformed(SYNTAX_ERRORS);
  const rawStatements = Array.isArray(statement) ? statement : [statement];
  if (rawStatements.length === 0 || !rawStatements.every(isPlainObject)) throw malformed(SYNTAX_ERRORS);

  const sids = new Set<string>();
  for (const raw of rawStatements as Record<string, unknown>[]) {
    validateStatement(raw, kind);
    if (typeof raw.Sid === 'string' && raw.Sid !== '') {
      if (sids.has(raw.Sid)) throw malformed(DUPLICATE_SID);
      sids.add(raw.Sid);
    }
  }
  return parsed as unknown as PolicyDocumentJson;
}

function validateStatement(statement: Record<string, unknown>, kind: PolicyKind): void {
  for (const element of Object.keys(statement)) if (!STATEMENT_ELEMENTS.has(element)) throw malformed(SYNTAX_ERRORS);
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') throw malformed(SYNTAX_ERRORS);
  // The Sid rule is IAM's (identity and trust documents); session and resource policies of other services differ.
  if ((kind === 'identity' || kind === 'trust') && typeof statement.Sid === 'string' && !IAM_SID_PATTERN.test(statement.Sid)) throw malformed(NON_ALPHANUMERIC_SID);
  validateEffect(statement.Effect);
  validatePrincipal(statement, kind);
  validateActions(statement, kind);
  validateResources(statement, kind);
  if (statement.Condition !== undefined) validateCondition(statement.Condition);
}

function validateEffect(effect: unknown): void {
  if (effect === 'Allow' || effect === 'Deny') return;
  // IAM tells a mis-cased effect ("allow", "denY") apart from a wrong one.
  if (typeof effect === 'string' && ['allow', 'deny'].includes(effect.toLowerCase())) throw malformed(LEGACY_PARSING);
  throw malformed(SYNTAX_ERRORS);
}

function validatePrincipal(statement: Record<string, unknown>, kind: PolicyKind): void {
  const hasPrincipal = statement.Principal !== undefined;
  const hasNotPrincipal = statement.NotPrincipal !== undefined;
  if (hasPrincipal && hasNotPrincipal) throw malformed(SYNTAX_ERRORS);
  if (kind === 'identity' || kind === 'session') {
    // Identity policies are attached to the principal; naming one is a mistake IAM refuses.
    if (hasPrincipal || hasNotPrincipal) throw malformed(PRINCIPAL_NOT_ALLOWED);
    return;
  }
  // NotPrincipal is for some resource-based policies only, never a role's trust policy.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
  if (kind === 'trust' && hasNotPrincipal) throw malformed(TRUST_NOT_PRINCIPAL);
  if (!hasPrincipal && !hasNotPrincipal) throw malformed(PRINCIPAL_REQUIRED);
  validatePrincipalElement(hasPrincipal ? statement.Principal : statement.NotPrincipal);
}

function validatePrincipalElement(element: unknown): void {
  if (element === '*') return;
  if (!isPlainObject(element) || Object.keys(element).length === 0) throw malformed(SYNTAX_ERRORS);
  for (const [type, raw] of Object.entries(element)) {
    if (!PRINCIPAL_TYPES.has(type)) throw malformed(SYNTAX_ERRORS);
    for (const value of stringList(raw)) {
      if (type === 'AWS' && !(value === '*' || /^\d{12}$/.test(value) || AWS_PRINCIPAL_ARN.test(value))) {
        throw malformed(`Invalid principal in policy: "AWS":"${value}"`);
      }
      if (type === 'Service' && !(value === '*' || SERVICE_PRINCIPAL.test(value))) {
        throw malformed(`Invalid principal in policy: "SERVICE":"${value}"`);
      }
    }
  }
}

function validateActions(statement: Record<string, unknown>, kind: PolicyKind): void {
  if (statement.Action !== undefined && statement.NotAction !== undefined) throw malformed(SYNTAX_ERRORS);
  const raw = statement.Action ?? statement.NotAction;
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) throw malformed(ACTIONS_REQUIRED);
  const actions = stringList(raw);
  for (const action of actions) validateActionName(action);
  if (kind === 'trust') {
    if (statement.NotAction !== undefined) throw malformed(TRUST_ACTIONS_ONLY);
    for (const action of actions) {
      if (action !== '*' && !TRUST_ACTIONS.some((allowed) => globMatch(action, allowed, true))) throw malformed(TRUST_ACTIONS_ONLY);
    }
  }
}

/** `service:Action`, with wildcards allowed in the action part; `*` alone means every action. */
function validateActionName(action: string): void {
  if (action === '*') return;
  const parts = action.split(':');
  if (parts.length === 1) throw malformed(ACTION_VENDOR);
  if (parts.length > 2) throw malformed(ACTION_ONE_COLON);
  if (!/^[a-zA-Z0-9\-.*?]+$/.test(parts[0])) throw malformed(`Vendor ${parts[0]} is not valid`);
}

function validateResources(statement: Record<string, unknown>, kind: PolicyKind): void {
  const hasResource = statement.Resource !== undefined;
  const hasNotResource = statement.NotResource !== undefined;
  if (kind === 'trust') {
    // A trust policy is attached to the role it protects: the resource is implied.
    if (hasResource) throw malformed('Has prohibited field Resource');
    if (hasNotResource) throw malformed('Has prohibited field NotResource');
    return;
  }
  if (hasResource && hasNotResource) throw malformed(SYNTAX_ERRORS);
  const raw = hasResource ? statement.Resource : statement.NotResource;
  if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) throw malformed(RESOURCES_REQUIRED);
  for (const resource of stringList(raw)) {
    if (resource !== '*' && !resource.startsWith('arn:')) throw malformed(`Resource ${resource} must be in ARN format or "*".`);
  }
}

function validateCondition(condition: unknown): void {
  if (!isPlainObject(condition)) throw malformed(SYNTAX_ERRORS);
  for (const [operatorName, keys] of Object.entries(condition)) {
    const operator = parseOperator(operatorName);
    if (!operator || !isPlainObject(keys)) throw malformed(SYNTAX_ERRORS);
    for (const raw of Object.values(keys)) {
      const values = policyValuesOf(raw);
      if (!values) throw malformed(SYNTAX_ERRORS);
      // IAM parses date and number literals when the policy is stored, not when it is evaluated.
      if (operator.base.family === 'Date' && values.some((v) => parseDate(v) === undefined)) throw malformed(LEGACY_PARSING);
      if (operator.base.family === 'Numeric' && values.some((v) => parseNumber(v) === undefined)) throw malformed(LEGACY_PARSING);
    }
  }
}

// ---------------------------------------------------------------------------
// Principals the caller must check
// ---------------------------------------------------------------------------

/**
 * The IAM user and role ARNs a document names under Principal/NotPrincipal "AWS", in order, once
 * each. IAM refuses a document naming one that does not exist
 * (`MalformedPolicyDocument: Invalid principal in policy: "AWS":"<arn>"`); the caller checks.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
 */
export function principalArnsOf(doc: PolicyDocumentJson): string[] {
  const arns = new Set<string>();
  for (const statement of statementsOf(doc)) {
    for (const element of [statement.Principal, statement.NotPrincipal]) {
      if (!isPlainObject(element)) continue;
      for (const value of asList(element.AWS)) if (IAM_IDENTITY_ARN.test(value)) arns.add(value);
    }
  }
  return [...arns];
}
