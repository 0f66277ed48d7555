// ---------------------------------------------------------------------------
// Synth assertions on the app as main.ts wires it from config/local.json: one stack per account,
// no stack reading another's state, and what holds for every policy in every stack (no `*`
// action, JSON strings with a Sid per statement, no managed policies or attachments).
// ---------------------------------------------------------------------------
import { TerraformStack } from 'cdktf';
import { asList, everyPolicyStatement, localStacks, resourcesOf } from '../../support/synth';

const { local, allJson } = localStacks();

// ---------------------------------------------------------------------------
// Stacks and names
// ---------------------------------------------------------------------------

describe('the app', () => {
  test('has a vendor stack and one stack per configured customer, named after the customer', () => {
    expect(local.app.node.children.filter((c) => c instanceof TerraformStack).map((s) => s.node.id)).toEqual(['vendor', 'customer-a', 'customer-b']);
  });

  // `terraform validate` on every stack, offline with the mirror: test/unit/stacks/terraform-validate.test.ts.

  test('no stack references another stack\'s state', () => {
    for (const json of allJson) {
      expect(JSON.stringify(json)).not.toContain('terraform_remote_state');
      expect(resourcesOf(json, 'terraform_remote_state')).toEqual({});
    }
  });
});

// ---------------------------------------------------------------------------
// Policies everywhere
// ---------------------------------------------------------------------------

describe('every policy in every stack', () => {
  test('has no wildcard action', () => {
    const statements = allJson.flatMap(everyPolicyStatement);
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) for (const action of asList(statement.Action)) expect(action).not.toContain('*');
  });

  test('is passed as a JSON string, not as a policy-document data source', () => {
    for (const json of allJson) expect(JSON.stringify(json)).not.toContain('aws_iam_policy_document');
  });

  test('every statement has a Sid', () => {
    for (const statement of allJson.flatMap(everyPolicyStatement)) expect(statement.Sid).toMatch(/^[A-Za-z0-9]+$/);
  });

  test('no role gets a managed policy, inline_policy block or attachment', () => {
    for (const json of allJson) {
      expect(resourcesOf(json, 'aws_iam_policy')).toEqual({});
      expect(resourcesOf(json, 'aws_iam_role_policy_attachment')).toEqual({});
      expect(resourcesOf(json, 'aws_iam_role_policy_attachments_exclusive')).toEqual({});
      for (const role of Object.values(resourcesOf(json, 'aws_iam_role'))) {
        expect(role.inline_policy).toBeUndefined();
        expect(role.managed_policy_arns).toBeUndefined();
      }
    }
  });
});
