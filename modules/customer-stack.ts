// ---------------------------------------------------------------------------
// A `customer-<name>` stack (that customer's account): the prefixed role the connector assumes,
// trusted only by the vendor's principals, only with the customer's external ID and only for the
// customer's tenants (SourceIdentity), allowed to invoke the customer's sidecar functions and
// nothing else; the sample function(s); and a private function beside them that the role must
// never reach.
// Every vendor value comes from config and naming rules: no reference to the vendor's state.
// ---------------------------------------------------------------------------
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { Target } from '../config/load';
import type { CustomerConfig, SidecarConfig } from '../config/schema';
import { customerProblems } from '../rules/customer';
import { functionArn, hasRolePrefix, roleArn } from '../rules/naming';
import { crossAccountTrustPolicy, invokeFunctionsPolicy, type PolicyDocument } from '../rules/policies';
import { customerTenantIds, externalIdsOf } from '../rules/tenant-ownership';
import { LambdaBundle } from './bundle';
import { configureTarget } from './provider';
import { SidecarFunction } from './sidecar-function';
import { StackConfigError } from './stack-config-error';

/** Name of the customer role's only permission policy. */
export const INVOKE_POLICY_NAME = 'invoke-sidecar-functions';
/** Suffix of each function's own execution role name. */
export const EXECUTION_ROLE_SUFFIX = '-exec';

export interface CustomerStackProps {
  /** The validated config (see config/load.ts). */
  readonly config: SidecarConfig;
  /** Which kind of cloud the stack deploys into. */
  readonly target: Target;
  /** The customer's `name` in config; also the stack's name (e.g. `customer-a`). */
  readonly customerName: string;
  /** Environment read for LOCALCLOUD_PORT and SIDECAR_TFSTATE_DIR. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the Lambda bundles are built. @default <project>/.gen/bundles */
  readonly bundleRoot?: string;
}

export class CustomerStack extends TerraformStack {
  /** The prefixed role the connector assumes. */
  public readonly role: IamRole;
  /** The sidecar functions the role may invoke, by name. */
  public readonly functions: Readonly<Record<string, SidecarFunction>>;
  /** The function the role must not reach. */
  public readonly privateFunction: SidecarFunction;

  constructor(scope: Construct, props: CustomerStackProps) {
    super(scope, props.customerName);
    const { config } = props;
    const customer = findCustomer(config, props.customerName);
    validateCustomer(config, customer);
    configureTarget(this, { config, target: props.target, stackName: customer.name, env: props.env });

    // ---- trust policy: the vendor, with the external ID, for this customer's tenants ----
    this.role = new IamRole(this, 'connector-role', {
      name: customer.roleName,
      description: 'Assumed by the sidecar vendor\'s connector (external ID and tenant source identity required) to invoke this account\'s sidecar functions',
      assumeRolePolicy: JSON.stringify(customerTrustPolicy(config, customer)),
      // AWS's default and maximum for a role-chained session (the connector's Lambda credentials).
      maxSessionDuration: 3600,
    });

    // ---- permissions: invoke the sidecar functions, only those -------------
    const sidecarArns = customer.functions.map((name) => functionArn(config.region, customer.accountId, name));
    new IamRolePolicy(this, 'connector-role-invoke', {
      role: this.role.name,
      name: INVOKE_POLICY_NAME,
      policy: JSON.stringify(invokeFunctionsPolicy(sidecarArns)),
    });

    // ---- functions: the sidecar ones and the private one ------------------
    const sample = new LambdaBundle(this, 'sample-bundle', { entry: 'lambda/sample/handler.ts', bundleRoot: props.bundleRoot });
    const makeFunction = (name: string, purpose: string) => new SidecarFunction(this, `function-${name}`, {
      functionName: name,
      roleName: `${name}${EXECUTION_ROLE_SUFFIX}`,
      accountId: customer.accountId,
      region: config.region,
      bundle: sample,
      description: purpose,
      environment: { POWERTOOLS_SERVICE_NAME: name, NODE_OPTIONS: '--enable-source-maps' },
    });
    const functions: Record<string, SidecarFunction> = {};
    for (const name of customer.functions) functions[name] = makeFunction(name, 'Sidecar function: the connector may invoke it');
    this.functions = functions;
    this.privateFunction = makeFunction(customer.privateFunction, 'Private function: the connector must never reach it');

    // ---- outputs -----------------------------------------------------------
    new TerraformOutput(this, 'account_id', { value: customer.accountId });
    new TerraformOutput(this, 'role_arn', { value: this.role.arn });
    new TerraformOutput(this, 'role_name', { value: this.role.name });
    new TerraformOutput(this, 'function_arns', { value: Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, fn.function.arn])) });
    new TerraformOutput(this, 'private_function_arn', { value: this.privateFunction.function.arn });
    // The customer needs it to check their trust policy; it is a secret, so never printed by default.
    new TerraformOutput(this, 'external_id', { value: customer.externalIds.current, sensitive: true });
  }
}

// ---------------------------------------------------------------------------
// Config checks and the vendor principal
// ---------------------------------------------------------------------------

function findCustomer(config: SidecarConfig, name: string): CustomerConfig {
  const customer = config.customers.find((c) => c.name === name);
  if (!customer) {
    const known = config.customers.map((c) => c.name).join(', ') || 'none';
    throw new StackConfigError(`stack "${name}"`, `no customer named "${name}" in config.customers (configured: ${known})`);
  }
  return customer;
}

/**
 * The customer entry's rules (rules/customer.ts, which the config loader enforces too: the
 * construct re-checks because it can be built from any object), then the construct's own.
 */
function validateCustomer(config: SidecarConfig, customer: CustomerConfig): void {
  const where = `stack "${customer.name}"`;
  const [first] = customerProblems(customer, config.rolePrefix);
  if (first) throw new StackConfigError(where, first.rule);
  if (customerTenantIds(customer, config.tenants, config.customers).length === 0) {
    throw new StackConfigError(where, 'no tenant ID for the trust\'s SourceIdentity condition: list the tenant ID the vendor gave you under tenantIds, or pair a tenant with this customer');
  }
  for (const name of [...customer.functions, customer.privateFunction]) {
    const execRole = `${name}${EXECUTION_ROLE_SUFFIX}`;
    // Prefixed names are the connector's: a function's execution role must not be one of them.
    if (hasRolePrefix(execRole, config.rolePrefix)) {
      throw new StackConfigError(where, `function "${name}" would get the execution role "${execRole}", which starts with the connector's prefix "${config.rolePrefix}"; rename the function`);
    }
  }
}

/**
 * The customer role's trust (rules/policies.ts): the vendor account as principal; in `role` mode
 * narrowed to the connector's and vend's execution roles by ARN (which survives the vendor
 * re-creating them); the customer's external IDs; this customer's tenant IDs as SourceIdentity.
 */
export function customerTrustPolicy(config: SidecarConfig, customer: CustomerConfig): PolicyDocument {
  const vendor = config.vendor;
  return crossAccountTrustPolicy({
    vendorAccountId: vendor.accountId,
    ...(customer.trustPrincipal === 'role' ? { vendorRoleArns: [roleArn(vendor.accountId, vendor.connectorRoleName), roleArn(vendor.accountId, vendor.vendRoleName)] } : {}),
    externalIds: externalIdsOf(customer),
    tenantIds: customerTenantIds(customer, config.tenants, config.customers),
  });
}
