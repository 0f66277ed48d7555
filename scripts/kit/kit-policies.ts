// ---------------------------------------------------------------------------
// The customer role's two policies for the kit (a CloudFormation template and a Terraform module
// for customers who do not use this repo), built by the SAME builders as the customer stack
// (rules/policies.ts: crossAccountTrustPolicy, invokeFunctionsPolicy), so that there is one
// definition of each policy and no hand-written copy.
//
// The builders take concrete values and return concrete JSON; a template or a module has
// parameters instead. So the policies are built once with PLACEHOLDERS (valid inputs the builders
// accept, which no real policy contains), and each generator swaps every placeholder for its own
// reference: a whole value (a list, or a string that stands for a list) for a `Ref` / a Terraform
// variable, a string that contains a placeholder for an `Fn::Sub` / a Terraform template.
// `substitutePlaceholders` refuses to finish while a placeholder is left anywhere, so a builder
// that changes shape fails the kit's generation (and its tests) instead of shipping a policy that
// names a placeholder.
// ---------------------------------------------------------------------------
import { roleArn, functionArn } from '../../rules/naming';
import { crossAccountTrustPolicy, invokeFunctionsPolicy, type PolicyDocument } from '../../rules/policies';

/** What a kit's parameters are; each generator names them its own way. */
export type KitParameter = 'externalIds' | 'vendorAccountId' | 'vendorPrincipalArns' | 'tenantIds' | 'functionArns';

/** The placeholder values. Valid for the builders, and never found in a real policy. */
export const PLACEHOLDER = {
  /** 12 digits (the builders require an account ID); appears inside ARNs. */
  vendorAccountId: '000000000000',
  currentExternalId: 'kit-placeholder-external-id-current',
  previousExternalId: 'kit-placeholder-external-id-previous',
  tenantId: 'kit-placeholder-tenant-id',
  vendorPrincipalArn: roleArn('000000000000', 'kit-placeholder-vendor-principal'),
  functionArn: functionArn('xx-placeholder-0', '000000000000', 'kit-placeholder-function'),
} as const;

/** The customer role's trust and invoke policies, with placeholders where the kit has parameters. */
export function placeholderPolicies(): { trust: PolicyDocument; invoke: PolicyDocument } {
  return {
    trust: crossAccountTrustPolicy({
      vendorAccountId: PLACEHOLDER.vendorAccountId,
      vendorRoleArns: [PLACEHOLDER.vendorPrincipalArn],
      // Two: the current ID and, during a rotation, the previous one (the template drops the
      // second when it is empty; see the generators).
      externalIds: [PLACEHOLDER.currentExternalId, PLACEHOLDER.previousExternalId],
      tenantIds: [PLACEHOLDER.tenantId],
    }),
    invoke: invokeFunctionsPolicy([PLACEHOLDER.functionArn]),
  };
}

/** Thrown when a placeholder is left after substitution: a builder changed shape (a bug here). */
export class KitGenerationError extends Error {
  readonly code = 'KitGeneration';
  constructor(message: string) {
    super(message);
    this.name = 'KitGenerationError';
  }
}

export interface Substitution {
  /** Values (compared as JSON) replaced whole: `value` -> `replacement`. */
  readonly whole: readonly { readonly value: unknown; readonly replacement: unknown }[];
  /** Placeholders inside strings: each becomes a reference in the string's template. */
  readonly inString: readonly { readonly placeholder: string; readonly reference: string }[];
  /** Turn a string with references into the target's template value (`Fn::Sub`, `${...}`). */
  readonly template: (text: string) => unknown;
  /** Escape what the target would read as a reference in a literal string. */
  readonly escapeLiteral: (text: string) => string;
}

const ALL_PLACEHOLDERS: readonly string[] = [
  PLACEHOLDER.currentExternalId, PLACEHOLDER.previousExternalId, PLACEHOLDER.tenantId,
  PLACEHOLDER.vendorPrincipalArn, PLACEHOLDER.functionArn, PLACEHOLDER.vendorAccountId,
];

/** `doc` with every placeholder swapped per `rules`; throws KitGenerationError when one is left. */
export function substitutePlaceholders(doc: unknown, rules: Substitution): unknown {
  const walk = (node: unknown): unknown => {
    const json = JSON.stringify(node);
    const whole = rules.whole.find((w) => JSON.stringify(w.value) === json);
    if (whole) return whole.replacement;
    if (typeof node === 'string') {
      const hits = rules.inString.filter((s) => node.includes(s.placeholder));
      if (hits.length === 0) return node;
      let text = rules.escapeLiteral(node);
      for (const s of hits) text = text.split(s.placeholder).join(s.reference);
      return rules.template(text);
    }
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  const result = walk(doc);
  const text = JSON.stringify(result);
  const left = ALL_PLACEHOLDERS.find((p) => text.includes(p));
  if (left) throw new KitGenerationError(`placeholder "${left}" is left in a generated policy: the policy builders changed shape; update scripts/kit/kit-policies.ts`);
  return result;
}
