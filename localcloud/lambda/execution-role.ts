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
 *  the role is gone or its trust policy no longer lets Lambda in. */
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
