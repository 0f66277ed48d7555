// ---------------------------------------------------------------------------
// The rules of one customer entry: what makes a customer's role and functions safe to deploy.
// The config loader reports every broken rule (config/schema.ts); the customer stack, which can
// be built from any object, refuses the first one (modules/customer-stack.ts). One list, so the
// two cannot drift.
// ---------------------------------------------------------------------------
import { VENDOR_STACK_NAME, hasRolePrefix } from './naming';

/** The fields of a customer entry these rules read (config's CustomerConfig has them all). */
export interface CustomerRuleInput {
  readonly name: string;
  readonly roleName: string;
  readonly functions: readonly string[];
  readonly privateFunction: string;
  readonly externalIds: { readonly current: string; readonly previous?: string };
}

/** One broken rule: the field it concerns (relative to the entry) and the rule, in words a person can act on. */
export interface RuleProblem {
  readonly path: readonly (string | number)[];
  readonly rule: string;
}

/** Every rule the customer entry breaks, in a fixed order; empty when it breaks none. */
export function customerProblems(customer: CustomerRuleInput, rolePrefix: string): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const problem = (path: RuleProblem['path'], rule: string) => problems.push({ path, rule });

  if (customer.name === VENDOR_STACK_NAME) problem(['name'], `"${VENDOR_STACK_NAME}" is the vendor's stack name; rename the customer`);
  if (!hasRolePrefix(customer.roleName, rolePrefix)) {
    problem(['roleName'], `roleName "${customer.roleName}" must start with the agreed prefix "${rolePrefix}": the connector may assume only prefixed roles`);
  }
  if (customer.functions.length === 0) problem(['functions'], 'functions must list at least one function the connector may invoke');
  if (customer.functions.includes(customer.privateFunction)) {
    problem(['privateFunction'], `privateFunction "${customer.privateFunction}" is also in functions: the private function must not be one the connector may invoke`);
  }
  if (new Set(customer.functions).size !== customer.functions.length) problem(['functions'], 'duplicate function name');
  if (customer.externalIds.previous !== undefined && customer.externalIds.previous === customer.externalIds.current) {
    problem(['externalIds', 'previous'], 'previous external ID must differ from the current one');
  }
  return problems;
}
