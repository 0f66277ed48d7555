// ---------------------------------------------------------------------------
// The rules of one customer entry (rules/customer.ts), which both the config loader and the
// customer stack enforce: a valid entry breaks none; each rule names the field it concerns;
// every broken rule is reported, in a fixed order (the stack refuses the first).
// config.test.ts and stacks.test.ts prove the same rules through the loader and the construct.
// ---------------------------------------------------------------------------
import { customerProblems, type CustomerRuleInput } from '../../../rules/customer';

const PREFIX = 'tibco_sidecar_connector';
const VALID: CustomerRuleInput = {
  name: 'customer-a',
  roleName: PREFIX,
  functions: ['sidecar-echo'],
  privateFunction: 'sidecar-private',
  externalIds: { current: 'sc-current', previous: 'sc-previous' },
};

test('a valid customer entry breaks no rule', () => {
  expect(customerProblems(VALID, PREFIX)).toEqual([]);
});

test.each<[string, Partial<CustomerRuleInput>, (string | number)[], RegExp]>([
  ['a customer named like the vendor stack', { name: 'vendor' }, ['name'], /"vendor" is the vendor's stack name/],
  ['a role name without the agreed prefix', { roleName: 'admin' }, ['roleName'], /roleName "admin" must start with the agreed prefix "tibco_sidecar_connector"/],
  ['no sidecar functions', { functions: [] }, ['functions'], /functions must list at least one function/],
  ['the private function among the invocable ones', { functions: ['sidecar-echo', 'sidecar-private'] }, ['privateFunction'], /must not be one the connector may invoke/],
  ['a function listed twice', { functions: ['sidecar-echo', 'sidecar-echo'] }, ['functions'], /duplicate function name/],
  ['a previous external ID equal to the current one', { externalIds: { current: 'sc-same', previous: 'sc-same' } }, ['externalIds', 'previous'], /must differ from the current one/],
])('%s is refused, naming the field', (_what, edit, path, rule) => {
  const problems = customerProblems({ ...VALID, ...edit }, PREFIX);

  expect(problems).toEqual([{ path, rule: expect.stringMatching(rule) }]);
});

test('every broken rule is reported, in the order the stack checks them', () => {
  const problems = customerProblems({ ...VALID, name: 'vendor', roleName: 'admin', functions: ['sidecar-private'] }, PREFIX);

  expect(problems.map((p) => p.path.join('.'))).toEqual(['name', 'roleName', 'privateFunction']);
});
