// ---------------------------------------------------------------------------
// Matching a request against a statement's Action, Resource and Principal elements.
// Pure string work: wildcards, ARN shapes and the principal forms AWS accepts.
// ---------------------------------------------------------------------------
import { asList, isPlainObject, type StatementJson } from './policy-document';
import type { EvaluationPrincipal } from './policy-types';

// ---------------------------------------------------------------------------
// Wildcards
// ---------------------------------------------------------------------------

const globCache = new Map<string, RegExp>();

/** `*` matches any run of characters (also none), `?` exactly one; everything else is literal.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards */
export function globMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = globCache.get(cacheKey);
  if (!regex) {
    const body = pattern.replace(/[.+^${}()|[\]\\*?]/g, (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : `\\${ch}`));
    regex = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (globCache.size > 5000) globCache.clear(); // bounded: policies are few, requests many
    globCache.set(cacheKey, regex);
  }
  return regex.test(value);
}

// ---------------------------------------------------------------------------
// Action and Resource
// ---------------------------------------------------------------------------

/** Action names are case-insensitive ("s3:getobject" is s3:GetObject).
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html */
export function actionMatches(statement: StatementJson, action: string): boolean {
  if (statement.Action !== undefined) return asList(statement.Action).some((p) => globMatch(p, action, true));
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some((p) => globMatch(p, action, true));
  return false;
}

/** Resource ARNs are case-sensitive. A statement with neither Resource nor NotResource (a trust
 *  policy's) applies to the resource it is attached to.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html */
export function resourceMatches(statement: StatementJson, resource: string): boolean {
  if (statement.Resource !== undefined) return asList(statement.Resource).some((p) => resourcePatternMatches(p, resource));
  if (statement.NotResource !== undefined) return !asList(statement.NotResource).some((p) => resourcePatternMatches(p, resource));
  return true;
}

const arnPatternCache = new Map<string, RegExp>();

/**
 * One Resource (or NotResource) entry against a resource ARN. `*` alone is every resource.
 * Otherwise the entry is an ARN whose colon-separated segments each take wildcards: `?` is one
 * character and `*` any run of characters, both within the segment, except a `*` that is the last
 * character of its segment, which may expand beyond the colon boundaries. The service segment takes
 * no wildcard at all: its `*` and `?` are literal characters.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 */
export function resourcePatternMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  if (!pattern.startsWith('arn:')) return globMatch(pattern, resource, false);
  let regex = arnPatternCache.get(pattern);
  if (!regex) {
    const literal = (ch: string) => ch.replace(/[.+^${}()|[\]\\*?]/g, (c) => `\\${c}`);
    const segments = pattern.split(':').map((segment, index) => {
      if (index === 2) return literal(segment);
      let out = '';
      for (let i = 0; i < segment.length; i++) {
        const ch = segment[i];
        if (ch === '*') out += i === segment.length - 1 ? '.*' : '[^:]*';
        else if (ch === '?') out += '[^:]';
        else out += literal(ch);
      }
      return out;
    });
    regex = new RegExp(`^${segments.join(':')}$`, 's');
    if (arnPatternCache.size > 5000) arnPatternCache.clear(); // bounded: policies are few, requests many
    arnPatternCache.set(pattern, regex);
  }
  return regex.test(resource);
}

// ---------------------------------------------------------------------------
// ARNs
// ---------------------------------------------------------------------------

export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** Splits `arn:partition:service:region:account:resource`; the resource part may hold colons. */
export function parseArn(arn: string): ArnParts | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(':') };
}

/** ArnLike / ArnEquals: each of the six colon-separated parts matched on its own, with wildcards.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN */
export function arnLike(pattern: string, value: string): boolean {
  const p = parseArn(pattern);
  const v = parseArn(value);
  if (!p || !v) return false;
  return (
    globMatch(p.partition, v.partition, false) &&
    globMatch(p.service, v.service, false) &&
    globMatch(p.region, v.region, false) &&
    globMatch(p.account, v.account, false) &&
    globMatch(p.resource, v.resource, false)
  );
}

// ---------------------------------------------------------------------------
// Principal
// ---------------------------------------------------------------------------

/**
 * How a Principal entry named the caller. The kind decides what the grant is worth:
 * - `session`: the exact assumed-role session ARN: added after the session exists, so session
 *   policies do not limit it;
 * - `role` / `user` / `everyone`: the identity itself; for a session, still limited by its session policy;
 * - `account`: the account ID or root ARN: delegates to the account, whose identity policies must allow;
 * - `service`: a service principal such as lambda.amazonaws.com.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
 */
export type PrincipalMatchKind = 'everyone' | 'account' | 'user' | 'role' | 'session' | 'service';

const ACCOUNT_ID = /^\d{12}$/;

function matchAwsEntry(entry: string, principal: EvaluationPrincipal): PrincipalMatchKind | undefined {
  if (entry === '*') return 'everyone';
  if (principal.kind === 'service') return undefined;
  if (ACCOUNT_ID.test(entry)) return entry === principal.accountId ? 'account' : undefined;
  if (entry.startsWith('arn:') && entry.endsWith(`:iam::${principal.accountId}:root`) && entry.split(':').length === 6) return 'account';
  // A trust policy names users and roles by unique ID once stored, so a user or role deleted and
  // re-created under the same name is someone else. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles
  if (principal.uniqueId !== undefined && entry === principal.uniqueId) return principal.kind === 'user' ? 'user' : 'role';
  if (principal.kind === 'user' && entry === principal.arn) return 'user';
  if (principal.kind === 'assumed-role') {
    if (entry === principal.arn) return 'session';
    if (principal.roleArn !== undefined && entry === principal.roleArn) return 'role';
  }
  return undefined;
}

/** Every way the statement's Principal element names the caller (empty: it does not). */
export function principalMatches(statement: StatementJson, principal: EvaluationPrincipal): PrincipalMatchKind[] {
  if (statement.Principal !== undefined) return principalElementMatches(statement.Principal, principal);
  if (statement.NotPrincipal !== undefined) {
    // NotPrincipal: the statement applies to everyone the element does not name.
    return principalElementMatches(statement.NotPrincipal, principal).length === 0 ? ['everyone'] : [];
  }
  return [];
}

function principalElementMatches(element: unknown, principal: EvaluationPrincipal): PrincipalMatchKind[] {
  if (element === '*') return ['everyone'];
  if (!isPlainObject(element)) return [];
  const kinds: PrincipalMatchKind[] = [];
  for (const entry of asList(element.AWS)) {
    const kind = matchAwsEntry(entry, principal);
    if (kind) kinds.push(kind);
  }
  if (principal.kind === 'service') {
    const name = principal.servicePrincipal ?? principal.arn;
    if (asList(element.Service).includes(name)) kinds.push('service');
  }
  return kinds;
}
