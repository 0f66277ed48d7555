// ---------------------------------------------------------------------------
// The kit's standalone Terraform module (JSON syntax, *.tf.json): the prefixed role only, with its
// trust and its inline invoke permission on functions the customer ALREADY has. Files as a module
// of terraform-aws-modules has them: versions, variables, main, outputs.
//
// One definition of each policy: built by rules/policies.ts with placeholders (./kit-policies.ts),
// each placeholder swapped for a Terraform reference in `locals`, and the locals jsonencode'd into
// the resources:
//   - the external IDs          -> "${local.external_ids}" (compact([current, previous]))
//   - the vendor principal ARNs -> "${var.vendor_principal_arns}"
//   - the tenant IDs            -> "${var.tenant_ids}"
//   - the function ARNs         -> "${var.function_arns}"
//   - the vendor account in an ARN -> "arn:aws:iam::${var.vendor_account_id}:root"
// A string that is ONE interpolation yields the value itself (a list stays a list):
// https://developer.hashicorp.com/terraform/language/expressions/strings#interpolation
// JSON syntax (property names are literal unless they hold a template):
// https://developer.hashicorp.com/terraform/language/syntax/json
// ---------------------------------------------------------------------------
import { ACCOUNT_ID_PATTERN, FUNCTION_ARN_PATTERN, ROLE_ARN_PATTERN, ROLE_NAME_MAX_LENGTH, ROLE_NAME_PATTERN, TENANT_ID_PATTERN } from '../../rules/naming';
import { EXTERNAL_ID_MAX_LENGTH, EXTERNAL_ID_MIN_LENGTH, EXTERNAL_ID_PATTERN } from '../../rules/external-id';
import { INVOKE_POLICY_NAME } from '../../modules/customer-stack';
import { PLACEHOLDER, placeholderPolicies, substitutePlaceholders, type Substitution } from './kit-policies';

/** The module's variables and outputs (the tests and the README use them). */
export const TF = {
  vars: {
    externalId: 'external_id',
    previousExternalId: 'previous_external_id',
    vendorAccountId: 'vendor_account_id',
    vendorPrincipalArns: 'vendor_principal_arns',
    tenantIds: 'tenant_ids',
    functionArns: 'function_arns',
    roleName: 'role_name',
  },
  role: 'connector',
  policy: 'invoke',
  output: 'role_arn',
} as const;

export interface TerraformKitProps {
  /** The agreed role-name prefix: role_name must start with it (a variable validation). */
  readonly rolePrefix: string;
}

/** An HCL quoted string literal (JSON's escapes are HCL's; a "${" would start a template). */
const hcl = (text: string): string => JSON.stringify(text).split('${').join('$${').split('%{').join('%%{');
/** `can(regex(...))` over every element, for a list variable. */
const allMatch = (variable: string, re: RegExp): string => `\${alltrue([for v in var.${variable} : can(regex(${hcl(re.source)}, v))])}`;

/** The module's files: name -> content (JSON objects; write them with JSON.stringify). */
export function terraformModule(props: TerraformKitProps): Record<string, Record<string, unknown>> {
  const v = TF.vars;
  const rules: Substitution = {
    whole: [
      { value: [PLACEHOLDER.currentExternalId, PLACEHOLDER.previousExternalId], replacement: '${local.external_ids}' },
      { value: PLACEHOLDER.vendorPrincipalArn, replacement: `\${var.${v.vendorPrincipalArns}}` },
      { value: PLACEHOLDER.tenantId, replacement: `\${var.${v.tenantIds}}` },
      { value: PLACEHOLDER.functionArn, replacement: `\${var.${v.functionArns}}` },
    ],
    inString: [{ placeholder: PLACEHOLDER.vendorAccountId, reference: `\${var.${v.vendorAccountId}}` }],
    template: (text) => text,
    // In a Terraform string, a literal "${" is "$${" and a literal "%{" is "%%{".
    escapeLiteral: (text) => text.split('${').join('$${').split('%{').join('%%{'),
  };
  const policies = placeholderPolicies();
  const trust = substitutePlaceholders(policies.trust, rules);
  const invoke = substitutePlaceholders(policies.invoke, rules);
  const nonEmpty = (variable: string, what: string) => ({ condition: `\${length(var.${variable}) > 0}`, error_message: `${what} must not be empty.` });

  return {
    'versions.tf.json': {
      terraform: {
        // startswith() in role_name's validation needs Terraform 1.5.
        required_version: '>= 1.5.0',
        required_providers: { aws: { source: 'hashicorp/aws', version: '>= 5.0' } },
      },
    },
    'variables.tf.json': {
      variable: {
        [v.externalId]: {
          type: 'string', sensitive: true,
          description: 'The external ID the vendor gave you (a secret of your tenant; the vendor sends it on every AssumeRole).',
          validation: [{
            condition: `\${length(var.${v.externalId}) >= ${EXTERNAL_ID_MIN_LENGTH} && length(var.${v.externalId}) <= ${EXTERNAL_ID_MAX_LENGTH} && can(regex(${hcl(EXTERNAL_ID_PATTERN.source)}, var.${v.externalId}))}`,
            error_message: `The external ID must be ${EXTERNAL_ID_MIN_LENGTH}-${EXTERNAL_ID_MAX_LENGTH} characters of letters, digits and _+=,.@:/-.`,
          }],
        },
        [v.previousExternalId]: {
          type: 'string', sensitive: true, default: '',
          description: 'During a rotation only: the external ID you had before, accepted until the vendor says the rotation is finished. Leave empty otherwise.',
          validation: [{
            condition: `\${var.${v.previousExternalId} == "" || (length(var.${v.previousExternalId}) <= ${EXTERNAL_ID_MAX_LENGTH} && can(regex(${hcl(EXTERNAL_ID_PATTERN.source)}, var.${v.previousExternalId})))}`,
            error_message: 'The previous external ID must be empty, or letters, digits and _+=,.@:/-.',
          }],
        },
        [v.vendorAccountId]: {
          type: 'string', description: 'The vendor\'s AWS account ID.',
          validation: [{ condition: `\${can(regex(${hcl(ACCOUNT_ID_PATTERN.source)}, var.${v.vendorAccountId}))}`, error_message: 'The vendor account ID must be 12 digits.' }],
        },
        [v.vendorPrincipalArns]: {
          type: 'list(string)', description: 'The vendor\'s connector and vend role ARNs: only these principals of the vendor account may assume your role.',
          validation: [
            nonEmpty(v.vendorPrincipalArns, 'vendor_principal_arns'),
            { condition: allMatch(v.vendorPrincipalArns, ROLE_ARN_PATTERN), error_message: 'Each vendor principal must be an IAM role ARN (arn:aws:iam::<vendor account>:role/<name>).' },
          ],
        },
        [v.tenantIds]: {
          type: 'list(string)', description: 'Your tenant ID(s) at the vendor: the vendor sends it as the SourceIdentity of every AssumeRole.',
          validation: [
            nonEmpty(v.tenantIds, 'tenant_ids'),
            { condition: allMatch(v.tenantIds, TENANT_ID_PATTERN), error_message: 'Each tenant ID must be 2-64 letters, digits, ., _ and -.' },
          ],
        },
        [v.functionArns]: {
          type: 'list(string)', description: 'ARNs of your existing Lambda functions the vendor may invoke (no version or alias). Nothing else is reachable.',
          validation: [
            nonEmpty(v.functionArns, 'function_arns'),
            { condition: allMatch(v.functionArns, FUNCTION_ARN_PATTERN), error_message: 'Each function must be an unqualified Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>).' },
          ],
        },
        [v.roleName]: {
          type: 'string', default: props.rolePrefix,
          description: `The role's name: it must start with ${props.rolePrefix}, the prefix the vendor's connector may assume.`,
          validation: [{
            condition: `\${startswith(var.${v.roleName}, ${hcl(props.rolePrefix)}) && length(var.${v.roleName}) <= ${ROLE_NAME_MAX_LENGTH} && can(regex(${hcl(ROLE_NAME_PATTERN.source)}, var.${v.roleName}))}`,
            error_message: `The role name must start with ${props.rolePrefix} and be at most ${ROLE_NAME_MAX_LENGTH} characters of letters, digits and _+=,.@-.`,
          }],
        },
      },
    },
    'main.tf.json': {
      locals: {
        // The current external ID and, during a rotation, the previous one.
        external_ids: `\${compact([var.${v.externalId}, var.${v.previousExternalId}])}`,
        // ---- trust policy (rules/policies.ts crossAccountTrustPolicy) ----
        trust_policy: trust,
        // ---- permissions (rules/policies.ts invokeFunctionsPolicy) -------
        invoke_policy: invoke,
      },
      resource: {
        aws_iam_role: {
          [TF.role]: {
            name: `\${var.${v.roleName}}`,
            description: 'Assumed by the sidecar vendor\'s connector (external ID and tenant source identity required) to invoke this account\'s sidecar functions',
            max_session_duration: 3600,
            assume_role_policy: '${jsonencode(local.trust_policy)}',
          },
        },
        aws_iam_role_policy: {
          [TF.policy]: {
            name: INVOKE_POLICY_NAME,
            role: `\${aws_iam_role.${TF.role}.id}`,
            policy: '${jsonencode(local.invoke_policy)}',
          },
        },
      },
    },
    'outputs.tf.json': {
      output: {
        [TF.output]: { description: 'Give this ARN to the vendor.', value: `\${aws_iam_role.${TF.role}.arn}` },
        role_name: { description: 'The role\'s name.', value: `\${aws_iam_role.${TF.role}.name}` },
      },
    },
  };
}
