// ---------------------------------------------------------------------------
// A customer's kit: everything a customer who does not use this repo needs to create the prefixed
// role in their own account, in one folder:
//   customer-role.template.json   the CloudFormation template (./cloudformation.ts)
//   terraform/*.tf.json           the Terraform module (./terraform-module.ts)
//   external-id.txt               their external ID (a secret: written 0600, never in the README)
//   README.md                     their values, the quick-create link, both ways step by step
// Written by `npm run kit`, and by `npm run onboard` / `npm run rotate` for the tenant they change.
// ---------------------------------------------------------------------------
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFunctionArn, parseRoleArn } from '../../rules/naming';
import { CFN, cloudFormationTemplate } from './cloudformation';
import { TF, terraformModule } from './terraform-module';

export const TEMPLATE_FILE = 'customer-role.template.json';
export const TERRAFORM_DIR = 'terraform';
export const EXTERNAL_ID_FILE = 'external-id.txt';
export const README_FILE = 'README.md';

export interface CustomerKitInput {
  /** The tenant: the customer's trust accepts it as SourceIdentity. */
  readonly tenantId: string;
  /** The tenant's current external ID (a secret). */
  readonly externalId: string;
  /** During a rotation: the ID the customer's trust still accepts. */
  readonly previousExternalId?: string;
  readonly vendorAccountId: string;
  /** The vendor's connector and vend execution-role ARNs. */
  readonly vendorPrincipalArns: readonly string[];
  readonly rolePrefix: string;
  /** The role the vendor's registry names for the tenant (its name must start with the prefix). */
  readonly roleArn: string;
  /** The customer's existing functions the vendor may invoke. */
  readonly functionArns: readonly string[];
  /** Where the template is hosted (an S3 URL CloudFormation can read); no quick-create link without it. */
  readonly templateUrl?: string;
}

// ---------------------------------------------------------------------------
// Quick-create link
// ---------------------------------------------------------------------------

/**
 * The CloudFormation console's quick-create link: templateURL, stackName and `param_<Name>` for
 * each parameter. The console IGNORES NoEcho parameters given in the link (and a link is no place
 * for a secret), so the external IDs are never in it: the customer types them in the console.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-console-create-stacks-quick-create-links.html
 */
export function quickCreateUrl(props: { region: string; templateUrl: string; stackName: string; parameters: Readonly<Record<string, string>> }): string {
  const query = [
    `templateURL=${encodeURIComponent(props.templateUrl)}`,
    `stackName=${encodeURIComponent(props.stackName)}`,
    ...Object.entries(props.parameters).map(([name, value]) => `param_${name}=${encodeURIComponent(value)}`),
  ].join('&');
  return `https://console.aws.amazon.com/cloudformation/home?region=${encodeURIComponent(props.region)}#/stacks/quickcreate?${query}`;
}

/** A stack name from the tenant: letters, digits and hyphens, starting with a letter, at most 128. */
export function stackNameFor(tenantId: string): string {
  return `sidecar-connector-${tenantId.replace(/[^a-zA-Z0-9-]/g, '-')}`.slice(0, 128);
}

/** Thrown when a kit's input cannot make a working role (the message names the value and the rule). */
export class KitInputError extends Error {
  readonly code = 'KitInput';
  constructor(message: string) {
    super(message);
    this.name = 'KitInputError';
  }
}

// ---------------------------------------------------------------------------
// The kit
// ---------------------------------------------------------------------------

export interface CustomerKit {
  /** Relative path -> content. */
  readonly files: Readonly<Record<string, string>>;
  /** The quick-create link, when a template URL was given. */
  readonly quickCreateUrl?: string;
  readonly customerAccountId: string;
  readonly roleName: string;
  readonly region: string;
}

export function buildCustomerKit(input: CustomerKitInput): CustomerKit {
  const role = parseRoleArn(input.roleArn);
  if (!role) throw new KitInputError(`role ARN ${input.roleArn} is not an IAM role ARN`);
  if (!role.roleName.startsWith(input.rolePrefix)) throw new KitInputError(`role ${role.roleName} does not start with the agreed prefix ${input.rolePrefix}; the connector may not assume it`);
  if (input.functionArns.length === 0) throw new KitInputError(`tenant ${input.tenantId} has no function: the role would have nothing to invoke`);
  const functions = input.functionArns.map((arn) => ({ arn, parsed: parseFunctionArn(arn) }));
  const bad = functions.find((f) => !f.parsed);
  if (bad) throw new KitInputError(`function ${bad.arn} is not an unqualified Lambda function ARN`);
  const foreign = functions.find((f) => f.parsed!.accountId !== role.accountId);
  if (foreign) throw new KitInputError(`function ${foreign.arn} is not in the role's account ${role.accountId}; a customer's role invokes its own functions`);
  const region = functions[0].parsed!.region;

  const p = CFN.params;
  const linkParameters: Record<string, string> = {
    [p.vendorAccountId]: input.vendorAccountId,
    [p.vendorPrincipalArns]: input.vendorPrincipalArns.join(','),
    [p.tenantIds]: input.tenantId,
    [p.functionArns]: input.functionArns.join(','),
    [p.roleName]: role.roleName,
  };
  const link = input.templateUrl ? quickCreateUrl({ region, templateUrl: input.templateUrl, stackName: stackNameFor(input.tenantId), parameters: linkParameters }) : undefined;

  const files: Record<string, string> = {
    [TEMPLATE_FILE]: `${JSON.stringify(cloudFormationTemplate({ rolePrefix: input.rolePrefix }), null, 2)}\n`,
    [EXTERNAL_ID_FILE]: `${input.externalId}\n${input.previousExternalId ? `${input.previousExternalId}\n` : ''}`,
    [README_FILE]: readme(input, { accountId: role.accountId, roleName: role.roleName, region, link }),
  };
  for (const [name, content] of Object.entries(terraformModule({ rolePrefix: input.rolePrefix }))) files[`${TERRAFORM_DIR}/${name}`] = `${JSON.stringify(content, null, 2)}\n`;
  return { files, quickCreateUrl: link, customerAccountId: role.accountId, roleName: role.roleName, region };
}

/** Write the kit under `dir` (created); the external-ID file is readable by its owner only. */
export function writeCustomerKit(dir: string, kit: CustomerKit): string[] {
  const written: string[] = [];
  for (const [name, content] of Object.entries(kit.files)) {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content, { mode: name === EXTERNAL_ID_FILE ? 0o600 : 0o644 });
    if (name === EXTERNAL_ID_FILE) chmodSync(path, 0o600); // an existing file keeps its mode otherwise
    written.push(path);
  }
  return written;
}

// ---------------------------------------------------------------------------
// README for the customer
// ---------------------------------------------------------------------------

function readme(input: CustomerKitInput, where: { accountId: string; roleName: string; region: string; link?: string }): string {
  const v = TF.vars;
  const p = CFN.params;
  const list = (items: readonly string[]) => items.map((i) => `"${i}"`).join(', ');
  const rotation = input.previousExternalId !== undefined;
  return `# Sidecar connector: your role (tenant \`${input.tenantId}\`)

The vendor's connector calls STS AssumeRole on a role in **your** account (${where.accountId}) and
invokes your Lambda functions with it. This kit creates that role and nothing else: its trust lets
in only the vendor's two roles, only with **your external ID**, only for **your tenant ID** (sent
as the SourceIdentity), and it may only invoke the functions listed below.

## Your values

| what | value | parameter (CloudFormation) | variable (Terraform) |
| --- | --- | --- | --- |
| external ID | in \`${EXTERNAL_ID_FILE}\` (a secret: never put it in a ticket, a link or a repository)${rotation ? '; its second line is your previous ID, still accepted during the rotation' : ''} | \`${p.externalId}\`${rotation ? `, \`${p.previousExternalId}\`` : ''} | \`${v.externalId}\`${rotation ? `, \`${v.previousExternalId}\`` : ''} |
| vendor account | \`${input.vendorAccountId}\` | \`${p.vendorAccountId}\` | \`${v.vendorAccountId}\` |
| vendor principals | ${input.vendorPrincipalArns.map((a) => `\`${a}\``).join('<br>')} | \`${p.vendorPrincipalArns}\` | \`${v.vendorPrincipalArns}\` |
| tenant ID (SourceIdentity) | \`${input.tenantId}\` | \`${p.tenantIds}\` | \`${v.tenantIds}\` |
| your functions | ${input.functionArns.map((a) => `\`${a}\``).join('<br>')} | \`${p.functionArns}\` | \`${v.functionArns}\` |
| role name | \`${where.roleName}\` (must start with \`${input.rolePrefix}\`) | \`${p.roleName}\` | \`${v.roleName}\` |

The functions must already exist. Once the role exists, tell the vendor its ARN
(\`arn:aws:iam::${where.accountId}:role/${where.roleName}\`, the output \`RoleArn\` / \`role_arn\`).

## Either: CloudFormation

${where.link ? `Open this link signed in to account ${where.accountId} (it fills in everything but the external ID,
which the console never takes from a link): paste the first line of \`${EXTERNAL_ID_FILE}\` into
\`${p.externalId}\`${rotation ? ` and the second into \`${p.previousExternalId}\`` : ''}, tick "I acknowledge that AWS CloudFormation might create IAM
resources with custom names", and create the stack.

${where.link}

Or with the AWS CLI, from the file:
` : `The vendor did not give a hosted template URL; create the stack from the file with the AWS CLI:`}

\`\`\`sh
aws cloudformation create-stack --region ${where.region} --stack-name ${stackNameFor(input.tenantId)} \\
  --template-body file://${TEMPLATE_FILE} --capabilities CAPABILITY_NAMED_IAM \\
  --parameters ParameterKey=${p.externalId},ParameterValue="$(head -1 ${EXTERNAL_ID_FILE})" \\
${rotation ? `    ParameterKey=${p.previousExternalId},ParameterValue="$(sed -n 2p ${EXTERNAL_ID_FILE})" \\\n` : ''}    ParameterKey=${p.vendorAccountId},ParameterValue=${input.vendorAccountId} \\
    ParameterKey=${p.vendorPrincipalArns},ParameterValue='${input.vendorPrincipalArns.join('\\,')}' \\
    ParameterKey=${p.tenantIds},ParameterValue=${input.tenantId} \\
    ParameterKey=${p.functionArns},ParameterValue='${input.functionArns.join('\\,')}' \\
    ParameterKey=${p.roleName},ParameterValue=${where.roleName}
\`\`\`

## Or: Terraform

Copy \`${TERRAFORM_DIR}/\` into your configuration and call it as a module (your own \`aws\` provider, for account ${where.accountId}):

\`\`\`hcl
module "sidecar_connector_role" {
  source                = "./${TERRAFORM_DIR}"
  ${v.externalId}           = var.sidecar_external_id   # the first line of ${EXTERNAL_ID_FILE}; e.g. TF_VAR_sidecar_external_id
${rotation ? `  ${v.previousExternalId}  = var.sidecar_previous_external_id\n` : ''}  ${v.vendorAccountId}     = "${input.vendorAccountId}"
  ${v.vendorPrincipalArns} = [${list(input.vendorPrincipalArns)}]
  ${v.tenantIds}            = ["${input.tenantId}"]
  ${v.functionArns}         = [${list(input.functionArns)}]
  ${v.roleName}             = "${where.roleName}"
}

output "sidecar_connector_role_arn" { value = module.sidecar_connector_role.${TF.output} }
\`\`\`

## When the vendor rotates your external ID

You get a new kit: set the new ID as \`${p.externalId}\` / \`${v.externalId}\` and the old one as
\`${p.previousExternalId}\` / \`${v.previousExternalId}\`, update the stack; when the vendor says
the rotation is finished, empty the previous one and update again.
`;
}
