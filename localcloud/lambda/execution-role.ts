// ---------------------------------------------------------------------------
// The execution role: checked when a function is created or its role changes (the caller may
// pass it, it exists, it is in the function's account, Lambda may assume it), and assumed by
// lambda.amazonaws.com, through the same trust evaluation STS applies, for every sandbox.
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
// ---------------------------------------------------------------------------
import { AwsError, type Principal, type ServiceContext, type TemporaryCredentials } from '../contracts';
import { parseRoleArn } from '../core/arns';
import { invalidParameter } from './errors';

export const LAMBDA_SERVICE_PRINCIPAL = 'lambda.amazonaws.com';

/**
 * Lambda's answer for a role that is missing, does not trust Lambda, or (with the IAM propagation
 * delay on) was created or re-trusted too recently for Lambda to see: IAM is eventually consistent,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
 * Clients retry on exactly these words. The Terraform AWS provider (5.x, `aws_lambda_function`,
 * internal/service/lambda/function.go `retryFunctionOp`, used by resourceFunctionCreate and by
 * resourceFunctionUpdate for UpdateFunctionConfiguration) retries an InvalidParameterValueException
 * whose message contains "The role defined for the function cannot be assumed by Lambda" (as it does
 * "The provided execution role does not have permissions", "throttled by EC2" and a
 * ResourceConflictException) through tfresource.RetryWhen for `lambdaPropagationTimeout`,
 * 5 minutes in internal/service/lambda/consts.go, then tries once more. So a `terraform apply` that
 * creates the role and the function together rides out any delay well under 5 minutes.
 */
const CANNOT_ASSUME = 'The role defined for the function cannot be assumed by Lambda.';

export interface FunctionIdentity {
  readonly accountId: string;
  readonly functionName: string;
  /** Unqualified function ARN: the aws:SourceArn Lambda presents to STS. */
  readonly arn: string;
}

/** RoleSessionName must be 2-64 characters; Lambda names the session after the function. */
function sessionName(functionName: string): string {
  return functionName.length >= 2 ? functionName : `${functionName}_`;
}

/** Credentials of the role, as Lambda obtains them. Throws InvalidParameterValueException when
 *  the role is gone or its trust policy no longer lets Lambda in, as far as IAM has propagated
 *  (`ctx` reads IAM as the services see it). */
export function assumeExecutionRole(ctx: ServiceContext, roleArn: string, fn: FunctionIdentity): TemporaryCredentials {
  if (!ctx.roleExists(roleArn)) throw invalidParameter(CANNOT_ASSUME);
  try {
    return ctx.assumeRoleAsService(roleArn, LAMBDA_SERVICE_PRINCIPAL, { sourceAccount: fn.accountId, sourceArn: fn.arn }, sessionName(fn.functionName));
  } catch (e) {
    if (e instanceof AwsError) throw Object.assign(invalidParameter(CANNOT_ASSUME), { cause: e });
    throw e;
  }
}

/** Create/UpdateFunctionConfiguration's role checks, in AWS's order. */
export function checkExecutionRole(ctx: ServiceContext, principal: Principal, roleArn: string, fn: FunctionIdentity): void {
  const role = parseRoleArn(roleArn);
  if (!role) throw invalidParameter(CANNOT_ASSUME);
  // Passing a role to a service is itself an authorized action of the caller.
  if (role.accountId !== fn.accountId) {
    throw new AwsError('AccessDeniedException', 'Cross-account pass role is not allowed.', 403);
  }
  ctx.authorize({
    principal,
    action: 'iam:PassRole',
    resource: roleArn,
    resourceAccountId: role.accountId,
    context: { 'iam:PassedToService': LAMBDA_SERVICE_PRINCIPAL },
  });
  assumeExecutionRole(ctx, roleArn, fn);
}
