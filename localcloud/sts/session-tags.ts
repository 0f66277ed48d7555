// ---------------------------------------------------------------------------
// Session tags of AssumeRole: what the trust policy sees of them, what the new session carries
// (passed tags plus the transitive ones of the calling session), and the packed size they take.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
// ---------------------------------------------------------------------------
import { AwsError, type ContextValue, type Principal } from '../contracts';
import { SESSION_POLICY_MAX, type SessionTagInput } from './validation';

export interface SessionTags {
  /** The new session's tags: the passed ones, then the inherited transitive ones. */
  readonly tags: SessionTagInput[];
  /** Keys of `tags` that pass on again: the passed transitive keys and the inherited ones. */
  readonly transitiveTagKeys: string[];
  /** Whether the request sets any session tag, passed or inherited (then the trust must allow sts:TagSession). */
  readonly tagging: boolean;
}

/** The calling session's transitive tags, which every session it creates inherits.
 *  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_role-chaining */
export function inheritedTags(caller: Principal): SessionTagInput[] {
  if (caller.kind !== 'assumed-role' || !caller.transitiveTagKeys?.length) return [];
  const transitive = new Set(caller.transitiveTagKeys.map((k) => k.toLowerCase()));
  return (caller.sessionTags ?? []).filter((t) => transitive.has(t.Key.toLowerCase()));
}

/**
 * The tags of the session being created. A passed tag may not replace an inherited transitive one
 * (same key, whatever the case): AWS refuses the call with this message.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (Tags: "If you pass a session tag with the same key as an inherited tag, the operation fails")
 */
export function resolveSessionTags(caller: Principal, passed: readonly SessionTagInput[], passedTransitive: readonly string[]): SessionTags {
  const inherited = inheritedTags(caller);
  const inheritedKeys = new Set(inherited.map((t) => t.Key.toLowerCase()));
  if (passed.some((t) => inheritedKeys.has(t.Key.toLowerCase()))) {
    throw new AwsError('InvalidParameterValue', "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.");
  }
  const transitive = new Map<string, string>();
  for (const key of passedTransitive) transitive.set(key.toLowerCase(), passed.find((t) => t.Key.toLowerCase() === key.toLowerCase())!.Key);
  for (const tag of inherited) transitive.set(tag.Key.toLowerCase(), tag.Key);
  return { tags: [...passed, ...inherited], transitiveTagKeys: [...transitive.values()], tagging: passed.length + inherited.length > 0 };
}

/**
 * The keys the trust policy is evaluated with: aws:RequestTag/<key> for each passed tag, aws:TagKeys
 * (multivalued) and sts:TransitiveTagKeys (multivalued) when any are passed.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html#id_session-tags_permissions-required
 */
export function requestTagContext(passed: readonly SessionTagInput[], passedTransitive: readonly string[]): Record<string, ContextValue> {
  const context: Record<string, ContextValue> = {};
  for (const tag of passed) context[`aws:RequestTag/${tag.Key}`] = tag.Value;
  if (passed.length > 0) context['aws:TagKeys'] = passed.map((t) => t.Key);
  if (passedTransitive.length > 0) context['sts:TransitiveTagKeys'] = [...passedTransitive];
  return context;
}

/** aws:ResourceTag/<key> for the role being assumed: the trust may test the role's own tags. */
export function roleTagContext(roleTags: readonly SessionTagInput[]): Record<string, ContextValue> {
  return Object.fromEntries(roleTags.map((t) => [`aws:ResourceTag/${t.Key}`, t.Value]));
}

// ---------------------------------------------------------------------------
// Packed size
// ---------------------------------------------------------------------------

/**
 * PackedPolicySize: the percentage of the allotted space that the session policy and the passed
 * session tags take together (transitive status does not count). AWS packs them into a binary
 * format it does not document; this approximates it by their plain text (policy characters, and
 * each tag's key and value) against the 2,048-character budget of session policies.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (PackedPolicySize, TransitiveTagKeys)
 */
export function packedPolicySize(policy: string | undefined, tags: readonly SessionTagInput[]): number | undefined {
  if (policy === undefined && tags.length === 0) return undefined;
  const chars = (policy?.length ?? 0) + tags.reduce((n, t) => n + t.Key.length + t.Value.length, 0);
  return Math.max(1, Math.ceil((chars / SESSION_POLICY_MAX) * 100));
}

/** Over 100%: PackedPolicyTooLarge, in AWS's words (for tags as reported in github.com/aws-actions/configure-aws-credentials/issues/1803). */
export function checkPackedSize(percent: number | undefined, tags: readonly SessionTagInput[]): void {
  if (percent === undefined || percent <= 100) return;
  const message = tags.length > 0 ? `Packed size of session tags consumes ${percent}% of allotted space.` : `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`;
  throw new AwsError('PackedPolicyTooLarge', message);
}
