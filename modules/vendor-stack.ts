// ---------------------------------------------------------------------------
// The `vendor` stack (vendor account): the connector Lambda and the vend Lambda, each with an
// execution role that may write its logs and `sts:AssumeRole` the prefixed customer roles, and
// nothing else. Both bundles ship the tenant registry, generated from config at synth time.
// ---------------------------------------------------------------------------
import { Annotations, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { Target } from '../config/load';
import type { SidecarConfig } from '../config/schema';
import { LambdaBundle } from './bundle';
import { VENDOR_STACK_NAME, parseRoleArn } from '../rules/naming';
import { assumePrefixedRolesPolicy, type AssumePrefixedRolesProps } from '../rules/policies';
import { configureTarget } from './provider';
import { SidecarFunction } from './sidecar-function';
import { StackConfigError } from './stack-config-error';
import { TENANT_REGISTRY_FILE_NAME, buildTenantRegistry } from '../rules/tenant-registry';

/** Name of the inline policy that lets the connector and vend roles assume the customer roles. */
export const ASSUME_POLICY_NAME = 'assume-sidecar-connector-roles';

export interface VendorStackProps {
  /** The validated config (see config/load.ts). */
  readonly config: SidecarConfig;
  /** Which kind of cloud the stack deploys into. */
  readonly target: Target;
  /** Environment read for LOCALCLOUD_PORT and SIDECAR_TFSTATE_DIR. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the Lambda bundles are built. @default <project>/.gen/bundles */
  readonly bundleRoot?: string;
}

export class VendorStack extends TerraformStack {
  public readonly connector: SidecarFunction;
  public readonly vend: SidecarFunction;

  constructor(scope: Construct, props: VendorStackProps) {
    super(scope, VENDOR_STACK_NAME);
    const { config } = props;
    const vendor = config.vendor;
    configureTarget(this, { config, target: props.target, stackName: VENDOR_STACK_NAME, env: props.env });

    // ---- what the execution roles may assume -------------------------------
    const assumeScope = assumableAccounts(config);
    warnAboutUnreachableTenants(this, config, assumeScope);
    const assumePolicy = assumePrefixedRolesPolicy({ rolePrefix: config.rolePrefix, accountIds: assumeScope });

    // ---- tenant registry, shipped in both bundles --------------------------
    const registryJson = `${JSON.stringify(buildTenantRegistry(config), null, 2)}\n`;
    const extraFiles = { [TENANT_REGISTRY_FILE_NAME]: registryJson };

    // ---- connector ---------------------------------------------------------
    this.connector = new SidecarFunction(this, 'connector', {
      functionName: vendor.connectorFunctionName,
      roleName: vendor.connectorRoleName,
      accountId: vendor.accountId,
      region: config.region,
      description: 'Sidecar connector: assumes a tenant\'s role with its external ID and invokes the tenant\'s function',
      bundle: new LambdaBundle(this, 'connector-bundle', { entry: 'lambda/connector/handler.ts', extraFiles, bundleRoot: props.bundleRoot }),
      inlinePolicies: { [ASSUME_POLICY_NAME]: assumePolicy },
      environment: lambdaEnvironment('sidecar-connector', config.rolePrefix),
    });

    // ---- vend --------------------------------------------------------------
    this.vend = new SidecarFunction(this, 'vend', {
      functionName: vendor.vendFunctionName,
      roleName: vendor.vendRoleName,
      accountId: vendor.accountId,
      region: config.region,
      description: 'Sidecar vend: returns temporary credentials scoped down to a tenant\'s allowed functions',
      bundle: new LambdaBundle(this, 'vend-bundle', { entry: 'lambda/vend/handler.ts', extraFiles, bundleRoot: props.bundleRoot }),
      inlinePolicies: { [ASSUME_POLICY_NAME]: assumePolicy },
      environment: lambdaEnvironment('sidecar-vend', config.rolePrefix),
    });

    // ---- outputs -----------------------------------------------------------
    new TerraformOutput(this, 'vendor_account_id', { value: vendor.accountId });
    new TerraformOutput(this, 'connector_function_name', { value: this.connector.function.functionName });
    new TerraformOutput(this, 'connector_function_arn', { value: this.connector.function.arn });
    new TerraformOutput(this, 'connector_role_arn', { value: this.connector.role.arn });
    new TerraformOutput(this, 'vend_function_name', { value: this.vend.function.functionName });
    new TerraformOutput(this, 'vend_function_arn', { value: this.vend.function.arn });
    new TerraformOutput(this, 'vend_role_arn', { value: this.vend.role.arn });
  }
}

/** The environment both vendor Lambdas read at load time. */
function lambdaEnvironment(serviceName: string, rolePrefix: string): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: serviceName,
    SIDECAR_ROLE_PREFIX: rolePrefix,
    // The bundle embeds a source map: errors in the logs then name TypeScript lines.
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** `dynamic`: any account (the vendor's guide default); `configured`: the customers' accounts. */
function assumableAccounts(config: SidecarConfig): AssumePrefixedRolesProps['accountIds'] {
  if (config.vendor.onboarding === 'dynamic') return '*';
  const accountIds = [...new Set(config.customers.map((c) => c.accountId))];
  if (accountIds.length === 0) {
    throw new StackConfigError(`stack "${VENDOR_STACK_NAME}"`, 'vendor.onboarding is "configured" but no customers are configured, so the connector could assume nothing; add a customer or set onboarding to "dynamic"');
  }
  return accountIds;
}

/** A tenant whose role is in an account the connector may not reach will be refused at run time: say so at synth. */
function warnAboutUnreachableTenants(stack: TerraformStack, config: SidecarConfig, scope: AssumePrefixedRolesProps['accountIds']): void {
  if (scope === '*') return;
  for (const tenant of config.tenants) {
    const role = parseRoleArn(tenant.roleArn);
    if (role && !scope.includes(role.accountId)) {
      Annotations.of(stack).addWarning(`tenant "${tenant.id}" names a role in account ${role.accountId}, which is not a configured customer; with onboarding "configured" the connector may not assume it`);
    }
  }
}
