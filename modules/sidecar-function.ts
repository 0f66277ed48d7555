// ---------------------------------------------------------------------------
// A Lambda function with its own execution role: trusted by the Lambda service of this account
// only, allowed to write its own logs, plus exactly the inline policies the caller names.
// Used by both stacks, so every function of the project gets the same narrow shape.
// ---------------------------------------------------------------------------
import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { FUNCTION_NAME_PATTERN, ROLE_NAME_MAX_LENGTH, ROLE_NAME_PATTERN } from '../rules/naming';
import { functionLogsPolicy, lambdaServiceTrustPolicy, type PolicyDocument } from '../rules/policies';
import { LAMBDA_RUNTIME, type LambdaBundle } from './bundle';
import { StackConfigError } from './stack-config-error';

/** Inline policy names: IAM allows 1-128 characters of [\w+=,.@-].
 *  https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePolicy.html */
const POLICY_NAME_PATTERN = /^[\w+=,.@-]{1,128}$/;
/** The name of the logs policy every execution role gets. */
export const LOGS_POLICY_NAME = 'write-own-logs';

export interface SidecarFunctionProps {
  /** The function's name (1-64 of letters, digits, - and _). */
  readonly functionName: string;
  /** The execution role's name (IAM: at most 64 characters of [\w+=,.@-]). */
  readonly roleName: string;
  /** The account the function lives in: the Lambda trust is limited to it (aws:SourceAccount). */
  readonly accountId: string;
  /** The region the function lives in: its log group ARN names it. */
  readonly region: string;
  /** The built code. */
  readonly bundle: LambdaBundle;
  /** Inline policies beyond logs, by policy name. @default none */
  readonly inlinePolicies?: Readonly<Record<string, PolicyDocument>>;
  /** Environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Seconds before Lambda stops an invocation (1-900). @default 30 */
  readonly timeoutSeconds?: number;
  /** Memory in MB (128-10240). @default 256 */
  readonly memorySize?: number;
  /** Shown in the console. @default none */
  readonly description?: string;
  /** Lambda's reserved concurrency (reserved_concurrent_executions). @default none: the account's pool */
  readonly reservedConcurrentExecutions?: number;
  /** Run as another SidecarFunction's execution role instead of creating one (the connector's
   *  shards share the connector's role: the customers' trusts name that role). That role's
   *  policies must already cover this function (its logs included); `roleName` and
   *  `inlinePolicies` are then ignored. @default a role of its own */
  readonly sharedRoleOf?: SidecarFunction;
}

export class SidecarFunction extends Construct {
  public readonly role: IamRole;
  public readonly function: LambdaFunction;
  /** Every inline policy attached to the role, the logs policy first. */
  public readonly rolePolicies: readonly IamRolePolicy[];

  constructor(scope: Construct, id: string, props: SidecarFunctionProps) {
    super(scope, id);
    validate(`SidecarFunction ${this.node.path}`, props);
    const inline = props.inlinePolicies ?? {};

    if (props.sharedRoleOf) {
      this.role = props.sharedRoleOf.role;
      this.rolePolicies = [];
      this.function = this.lambdaFunction(props, props.sharedRoleOf.rolePolicies);
      return;
    }

    // ---- execution role ----------------------------------------------------
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: `Execution role of the ${props.functionName} Lambda function`,
      assumeRolePolicy: JSON.stringify(lambdaServiceTrustPolicy(props.accountId)),
    });
    const policies: Record<string, PolicyDocument> = {
      [LOGS_POLICY_NAME]: functionLogsPolicy(props.region, props.accountId, props.functionName),
      ...inline,
    };
    this.rolePolicies = Object.entries(policies).map(([name, document]) => new IamRolePolicy(this, `policy-${name}`, {
      role: this.role.name,
      name,
      policy: JSON.stringify(document),
    }));

    // ---- function ----------------------------------------------------------
    this.function = this.lambdaFunction(props, this.rolePolicies);
  }

  private lambdaFunction(props: SidecarFunctionProps, rolePolicies: readonly IamRolePolicy[]): LambdaFunction {
    return new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      handler: props.bundle.handler,
      filename: props.bundle.asset.path,
      sourceCodeHash: props.bundle.hash,
      timeout: props.timeoutSeconds ?? 30,
      memorySize: props.memorySize ?? 256,
      environment: props.environment && Object.keys(props.environment).length > 0 ? { variables: { ...props.environment } } : undefined,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      // The first invocation may write logs: the permissions must exist before the function does.
      dependsOn: [...rolePolicies],
    });
  }
}

function validate(where: string, props: SidecarFunctionProps): void {
  if (!FUNCTION_NAME_PATTERN.test(props.functionName)) {
    throw new StackConfigError(where, `functionName "${props.functionName}" must be 1-64 characters of letters, digits, - and _`);
  }
  if (props.roleName.length > ROLE_NAME_MAX_LENGTH) {
    throw new StackConfigError(where, `roleName "${props.roleName}" is ${props.roleName.length} characters; IAM allows at most ${ROLE_NAME_MAX_LENGTH}. Use a shorter function or role name`);
  }
  if (!ROLE_NAME_PATTERN.test(props.roleName)) {
    throw new StackConfigError(where, `roleName "${props.roleName}" may contain only letters, digits and _+=,.@-`);
  }
  const timeout = props.timeoutSeconds ?? 30;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900) throw new StackConfigError(where, `timeoutSeconds must be a whole number 1-900 (got ${timeout})`);
  const reserved = props.reservedConcurrentExecutions;
  if (reserved !== undefined && (!Number.isInteger(reserved) || reserved < 0)) throw new StackConfigError(where, `reservedConcurrentExecutions must be a whole number, 0 or more (got ${reserved})`);
  const memory = props.memorySize ?? 256;
  if (!Number.isInteger(memory) || memory < 128 || memory > 10240) throw new StackConfigError(where, `memorySize must be a whole number of MB 128-10240 (got ${memory})`);
  for (const name of Object.keys(props.inlinePolicies ?? {})) {
    if (name === LOGS_POLICY_NAME) throw new StackConfigError(where, `inline policy name "${name}" is reserved for the logs policy every function gets`);
    if (!POLICY_NAME_PATTERN.test(name)) throw new StackConfigError(where, `inline policy name "${name}" must be 1-128 characters of [\\w+=,.@-]`);
  }
}
