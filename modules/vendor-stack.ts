// ---------------------------------------------------------------------------
// The `vendor` stack (vendor account): the connector Lambda and the vend Lambda, each with an
// execution role that may write its logs, `sts:AssumeRole` the prefixed customer roles and read
// the tenant registry (DynamoDB, seeded from config), and nothing else. No bundle carries the
// registry: the Lambdas read it at run time, so no external ID ships in a deployment package.
// Vend may be invoked only by the configured vend callers (its function policy), and checks each
// caller's proof against its vend-caller item.
// ---------------------------------------------------------------------------
import { Annotations, TerraformOutput, TerraformStack } from 'cdktf';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { Construct } from 'constructs';
import type { Target } from '../config/load';
import type { SidecarConfig } from '../config/schema';
import { LambdaBundle } from './bundle';
import { connectorShardFunctionNames } from '../rules/connector-routing';
import { VENDOR_STACK_NAME, functionArn, parseRoleArn } from '../rules/naming';
import { assumePrefixedRolesPolicy, functionLogsPolicy, registryReadPolicy, type AssumePrefixedRolesProps, type PolicyDocument } from '../rules/policies';
import type { NewTenant } from '../rules/registry-item';
import { tenantOwnership } from '../rules/tenant-ownership';
import { configureTarget } from './provider';
import { SidecarFunction } from './sidecar-function';
import { StackConfigError } from './stack-config-error';
import { TenantRegistryTable, shortHash } from './tenant-registry-table';

/** Name of the inline policy that lets the connector and vend roles assume the customer roles. */
export const ASSUME_POLICY_NAME = 'assume-sidecar-connector-roles';
/** Name of the inline policy that lets the connector and vend roles read the tenant registry. */
export const REGISTRY_READ_POLICY_NAME = 'read-tenant-registry';
/** The signed header's value every vend caller's proof must carry (lambda/shared/caller-proof.ts). */
export const VEND_AUDIENCE_ENV = 'SIDECAR_VEND_AUDIENCE';
/** Name of the inline policy that lets the shared connector role write the other shards' logs. */
export const SHARD_LOGS_POLICY_NAME = 'write-shard-logs';

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
  /** The connector; with several shards, shard 0 (the one holding the shared execution role). */
  public readonly connector: SidecarFunction;
  /** Every connector shard, shard 0 (`connector`) first; just `connector` when unsharded. */
  public readonly connectorShards: readonly SidecarFunction[];
  public readonly vend: SidecarFunction;
  public readonly registry: TenantRegistryTable;
  /** One per configured vend caller: vend's function policy. */
  public readonly vendPermissions: readonly LambdaPermission[];

  constructor(scope: Construct, props: VendorStackProps) {
    super(scope, VENDOR_STACK_NAME);
    const { config } = props;
    const vendor = config.vendor;
    configureTarget(this, { config, target: props.target, stackName: VENDOR_STACK_NAME, env: props.env });

    // ---- what the execution roles may assume -------------------------------
    const assumeScope = assumableAccounts(config);
    warnAboutUnreachableTenants(this, config, assumeScope);
    const assumePolicy = assumePrefixedRolesPolicy({ rolePrefix: config.rolePrefix, accountIds: assumeScope });

    // ---- tenant registry (DynamoDB), seeded from config ---------------------
    this.registry = new TenantRegistryTable(this, 'registry', {
      tableName: vendor.registryTableName,
      accountId: vendor.accountId,
      region: config.region,
      deletionProtection: vendor.registryDeletionProtection,
      tenants: seededTenants(config),
      vendCallers: vendor.vendCallers.map((c) => ({ principalArn: c.principalArn, tenantIds: c.tenants })),
    });
    const registryEnv = { SIDECAR_REGISTRY_TABLE: vendor.registryTableName, SIDECAR_REGISTRY_REGION: config.region };

    // ---- connector (one function, or one per shard sharing the one execution role) ----
    // The customers' trusts name the connector's execution role, so the shards share it: a shard
    // adds a function, never a role. Shard 0 holds the role; with several shards the role may also
    // write the other shards' logs.
    const shards = vendor.connectorShards;
    const shardNames = connectorShardFunctionNames(config);
    const connectorBundle = new LambdaBundle(this, 'connector-bundle', { entry: 'lambda/connector/handler.ts', bundleRoot: props.bundleRoot });
    const connectorEnv = {
      ...lambdaEnvironment('sidecar-connector', config.rolePrefix), ...registryEnv,
      SIDECAR_DRY_RUN_BURST: String(vendor.dryRunLimit.burst), SIDECAR_DRY_RUN_REFILL_SECONDS: String(vendor.dryRunLimit.refillSeconds),
    };
    const shardEnv = (index: number): Record<string, string> => (shards.count > 1
      ? { SIDECAR_SHARD_INDEX: String(index), SIDECAR_SHARD_COUNT: String(shards.count), SIDECAR_SHARD_BASE_NAME: vendor.connectorFunctionName }
      : {});
    const description = 'Sidecar connector: assumes a tenant\'s role with its external ID and invokes the tenant\'s function';
    this.connector = new SidecarFunction(this, 'connector', {
      functionName: shardNames[0],
      roleName: vendor.connectorRoleName,
      accountId: vendor.accountId,
      region: config.region,
      description: shards.count > 1 ? `${description} (shard 0 of ${shards.count})` : description,
      bundle: connectorBundle,
      inlinePolicies: {
        [ASSUME_POLICY_NAME]: assumePolicy,
        [REGISTRY_READ_POLICY_NAME]: registryReadPolicy({ tableArn: this.registry.tableArn, itemKinds: ['tenant'] }),
        ...(shards.count > 1 ? { [SHARD_LOGS_POLICY_NAME]: shardLogsPolicy(config.region, vendor.accountId, shardNames.slice(1)) } : {}),
      },
      environment: { ...connectorEnv, ...shardEnv(0) },
      reservedConcurrentExecutions: shards.reservedConcurrency,
    });
    this.connectorShards = [this.connector, ...shardNames.slice(1).map((name, i) => new SidecarFunction(this, `connector-shard-${i + 1}`, {
      functionName: name,
      roleName: vendor.connectorRoleName,
      accountId: vendor.accountId,
      region: config.region,
      description: `${description} (shard ${i + 1} of ${shards.count})`,
      bundle: connectorBundle,
      sharedRoleOf: this.connector,
      environment: { ...connectorEnv, ...shardEnv(i + 1) },
      reservedConcurrentExecutions: shards.reservedConcurrency,
    }))];

    // ---- vend --------------------------------------------------------------
    this.vend = new SidecarFunction(this, 'vend', {
      functionName: vendor.vendFunctionName,
      roleName: vendor.vendRoleName,
      accountId: vendor.accountId,
      region: config.region,
      description: 'Sidecar vend: returns temporary credentials scoped down to a tenant\'s allowed functions',
      bundle: new LambdaBundle(this, 'vend-bundle', { entry: 'lambda/vend/handler.ts', bundleRoot: props.bundleRoot }),
      inlinePolicies: {
        [ASSUME_POLICY_NAME]: assumePolicy,
        [REGISTRY_READ_POLICY_NAME]: registryReadPolicy({ tableArn: this.registry.tableArn, itemKinds: ['tenant', 'vend-caller'] }),
      },
      environment: {
        ...lambdaEnvironment('sidecar-vend', config.rolePrefix),
        ...registryEnv,
        // Its own ARN, from the naming rules (not the resource's attribute: the function cannot name itself).
        [VEND_AUDIENCE_ENV]: functionArn(config.region, vendor.accountId, vendor.vendFunctionName),
      },
    });

    // ---- who may invoke vend -------------------------------------------------
    // The function policy names each caller. Within the vendor account, an identity policy that
    // allows lambda:InvokeFunction is enough on its own, so the binding that always holds is the
    // handler's: the caller's proof and its vend-caller item (lambda/vend/caller.ts).
    this.vendPermissions = vendor.vendCallers.map((caller) => new LambdaPermission(this, `vend-caller-${shortHash(caller.principalArn)}`, {
      statementId: `AllowVendCaller-${shortHash(caller.principalArn)}`,
      action: 'lambda:InvokeFunction',
      functionName: this.vend.function.functionName,
      // The ARN as configured, an account root included: Lambda stores an account ID as the root's
      // ARN, so giving the ARN keeps the plan converged (a bare ID would be replaced on every plan).
      principal: caller.principalArn,
    }));

    // ---- outputs -----------------------------------------------------------
    new TerraformOutput(this, 'vendor_account_id', { value: vendor.accountId });
    new TerraformOutput(this, 'connector_function_name', { value: this.connector.function.functionName });
    new TerraformOutput(this, 'connector_function_arn', { value: this.connector.function.arn });
    new TerraformOutput(this, 'connector_shard_function_names', { value: this.connectorShards.map((shard) => shard.function.functionName) });
    new TerraformOutput(this, 'connector_role_arn', { value: this.connector.role.arn });
    new TerraformOutput(this, 'vend_function_name', { value: this.vend.function.functionName });
    new TerraformOutput(this, 'vend_function_arn', { value: this.vend.function.arn });
    new TerraformOutput(this, 'vend_role_arn', { value: this.vend.role.arn });
    new TerraformOutput(this, 'registry_table_name', { value: this.registry.table.name });
    new TerraformOutput(this, 'registry_table_arn', { value: this.registry.table.arn });
  }
}

/** The other shards' log groups, for the shared connector role (shard 0's own are in its logs policy). */
function shardLogsPolicy(region: string, accountId: string, functionNames: readonly string[]): PolicyDocument {
  const statements = functionNames.map((name) => functionLogsPolicy(region, accountId, name).Statement);
  const resources = (i: number) => statements.map((s) => s[i].Resource as string);
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CreateShardLogGroups', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: resources(0) },
      { Sid: 'WriteShardLogStreams', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: resources(1) },
    ],
  };
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

/** The config's tenants as registry items: a tenant paired with a customer that is rotating its
 *  external ID carries the previous one too (its reservation keeps it from ever being reused). */
function seededTenants(config: SidecarConfig): NewTenant[] {
  return config.tenants.map((t) => {
    const ownership = tenantOwnership(t, config.customers);
    const previous = ownership.kind === 'paired' && ownership.customer.externalIds.current === t.externalId ? ownership.customer.externalIds.previous : undefined;
    return { tenantId: t.id, roleArn: t.roleArn, externalId: t.externalId, functionArns: [...t.functions], ...(previous !== undefined ? { previousExternalId: previous } : {}) };
  });
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
