// ---------------------------------------------------------------------------
// The kit's CloudFormation template (JSON): the prefixed role only, for a customer who does not use
// this repo, with its trust and its inline invoke permission on functions the customer ALREADY has.
//
// One definition of each policy: the trust and the invoke policy are built by rules/policies.ts
// (the customer stack's builders) with placeholders (./kit-policies.ts), and each placeholder is
// swapped for a parameter reference:
//   - the external IDs          -> Fn::If [HasPreviousExternalId, [Ref ExternalId, Ref PreviousExternalId], Ref ExternalId]
//   - the vendor principal ARNs -> Ref VendorPrincipalArns   (CommaDelimitedList: a Ref is a list)
//   - the tenant IDs            -> Ref TenantIds             (same)
//   - the function ARNs         -> Ref FunctionArns          (same)
//   - the vendor account in an ARN -> Fn::Sub "arn:aws:iam::${VendorAccountId}:root"
// A list parameter always yields a list where the builder writes a lone string for one value: the
// same policy to IAM (a condition or Resource of one value). The template does not depend on the
// tenant: every customer of a vendor gets the same file, and their values as parameters.
// Parameters: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
// ---------------------------------------------------------------------------
import { ACCOUNT_ID_PATTERN, FUNCTION_ARN_PATTERN, ROLE_ARN_PATTERN, ROLE_NAME_MAX_LENGTH, TENANT_ID_PATTERN } from '../../rules/naming';
import { EXTERNAL_ID_MAX_LENGTH, EXTERNAL_ID_MIN_LENGTH } from '../../rules/external-id';
import { INVOKE_POLICY_NAME } from '../../modules/customer-stack';
import { PLACEHOLDER, placeholderPolicies, substitutePlaceholders, type Substitution } from './kit-policies';

/** The template's logical IDs and parameter names (the quick-create link and the tests use them). */
export const CFN = {
  role: 'ConnectorRole',
  hasPrevious: 'HasPreviousExternalId',
  params: {
    externalId: 'ExternalId',
    previousExternalId: 'PreviousExternalId',
    vendorAccountId: 'VendorAccountId',
    vendorPrincipalArns: 'VendorPrincipalArns',
    tenantIds: 'TenantIds',
    functionArns: 'FunctionArns',
    roleName: 'RoleName',
  },
  output: 'RoleArn',
} as const;

export interface CloudFormationKitProps {
  /** The agreed role-name prefix: RoleName must start with it (AllowedPattern). */
  readonly rolePrefix: string;
}

/** A JS regex's source as a CloudFormation AllowedPattern (Java regex, matched against the whole value). */
const pattern = (re: RegExp): string => re.source.replace(/^\^/, '').replace(/\$$/, '');
const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');

/** The template, as an object (write it with JSON.stringify). */
export function cloudFormationTemplate(props: CloudFormationKitProps): Record<string, unknown> {
  const p = CFN.params;
  const ref = (name: string) => ({ Ref: name });
  const rules: Substitution = {
    whole: [
      {
        value: [PLACEHOLDER.currentExternalId, PLACEHOLDER.previousExternalId],
        replacement: { 'Fn::If': [CFN.hasPrevious, [ref(p.externalId), ref(p.previousExternalId)], ref(p.externalId)] },
      },
      { value: PLACEHOLDER.vendorPrincipalArn, replacement: ref(p.vendorPrincipalArns) },
      { value: PLACEHOLDER.tenantId, replacement: ref(p.tenantIds) },
      { value: PLACEHOLDER.functionArn, replacement: ref(p.functionArns) },
    ],
    inString: [{ placeholder: PLACEHOLDER.vendorAccountId, reference: `\${${p.vendorAccountId}}` }],
    template: (text) => ({ 'Fn::Sub': text }),
    // In Fn::Sub, a literal "${" is written "${!".
    escapeLiteral: (text) => text.split('${').join('${!'),
  };
  const policies = placeholderPolicies();
  const trust = substitutePlaceholders(policies.trust, rules);
  const invoke = substitutePlaceholders(policies.invoke, rules);
  const roleNameRest = ROLE_NAME_MAX_LENGTH - props.rolePrefix.length;

  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `Sidecar connector: the role ${props.rolePrefix}* that the vendor's connector assumes (external ID and tenant source identity required) to invoke your existing sidecar functions, and nothing else.`,
    Metadata: {
      'AWS::CloudFormation::Interface': {
        ParameterGroups: [
          { Label: { default: 'From the vendor' }, Parameters: [p.externalId, p.previousExternalId, p.vendorAccountId, p.vendorPrincipalArns, p.tenantIds] },
          { Label: { default: 'Yours' }, Parameters: [p.functionArns, p.roleName] },
        ],
      },
    },
    Parameters: {
      [p.externalId]: {
        Type: 'String', NoEcho: true,
        MinLength: EXTERNAL_ID_MIN_LENGTH, MaxLength: EXTERNAL_ID_MAX_LENGTH, AllowedPattern: '[\\w+=,.@:/-]+',
        Description: 'The external ID the vendor gave you (a secret of your tenant; the vendor sends it on every AssumeRole).',
        ConstraintDescription: `must be ${EXTERNAL_ID_MIN_LENGTH}-${EXTERNAL_ID_MAX_LENGTH} characters of letters, digits and _+=,.@:/-`,
      },
      [p.previousExternalId]: {
        Type: 'String', NoEcho: true, Default: '',
        MaxLength: EXTERNAL_ID_MAX_LENGTH, AllowedPattern: '[\\w+=,.@:/-]*',
        Description: 'During a rotation only: the external ID you had before, accepted until the vendor says the rotation is finished. Leave empty otherwise.',
        ConstraintDescription: 'must be empty, or letters, digits and _+=,.@:/-',
      },
      [p.vendorAccountId]: {
        Type: 'String', AllowedPattern: pattern(ACCOUNT_ID_PATTERN),
        Description: 'The vendor\'s AWS account ID.', ConstraintDescription: 'must be 12 digits',
      },
      [p.vendorPrincipalArns]: {
        Type: 'CommaDelimitedList', AllowedPattern: pattern(ROLE_ARN_PATTERN),
        Description: 'The vendor\'s connector and vend role ARNs, comma-separated: only these principals of the vendor account may assume your role.',
        ConstraintDescription: 'each must be an IAM role ARN of the vendor account',
      },
      [p.tenantIds]: {
        Type: 'CommaDelimitedList', AllowedPattern: pattern(TENANT_ID_PATTERN),
        Description: 'Your tenant ID(s) at the vendor, comma-separated: the vendor sends it as the SourceIdentity of every AssumeRole.',
        ConstraintDescription: 'each must be 2-64 letters, digits, ., _ and -',
      },
      [p.functionArns]: {
        Type: 'CommaDelimitedList', AllowedPattern: pattern(FUNCTION_ARN_PATTERN),
        Description: 'ARNs of your existing Lambda functions the vendor may invoke, comma-separated (no version or alias). Nothing else is reachable.',
        ConstraintDescription: 'each must be an unqualified Lambda function ARN',
      },
      [p.roleName]: {
        Type: 'String', Default: props.rolePrefix, MaxLength: ROLE_NAME_MAX_LENGTH,
        AllowedPattern: `${escapeRegex(props.rolePrefix)}[\\w+=,.@-]{0,${roleNameRest}}`,
        Description: `The role's name: it must start with ${props.rolePrefix}, the prefix the vendor's connector may assume.`,
        ConstraintDescription: `must start with ${props.rolePrefix} and be at most ${ROLE_NAME_MAX_LENGTH} characters of letters, digits and _+=,.@-`,
      },
    },
    Conditions: {
      [CFN.hasPrevious]: { 'Fn::Not': [{ 'Fn::Equals': [ref(p.previousExternalId), ''] }] },
    },
    Resources: {
      [CFN.role]: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: ref(p.roleName),
          Description: 'Assumed by the sidecar vendor\'s connector (external ID and tenant source identity required) to invoke this account\'s sidecar functions',
          // AWS's default and maximum for a role-chained session (the connector's Lambda credentials).
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: trust,
          Policies: [{ PolicyName: INVOKE_POLICY_NAME, PolicyDocument: invoke }],
        },
      },
    },
    Outputs: {
      [CFN.output]: { Description: 'Give this ARN to the vendor.', Value: { 'Fn::GetAtt': [CFN.role, 'Arn'] } },
    },
  };
}
