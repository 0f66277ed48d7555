// ---------------------------------------------------------------------------
// A function's resource-based policy, built one AddPermission at a time, in the exact shape
// Lambda writes it (the Terraform provider parses it back: Action a string, Resource the
// function ARN, Principal {"Service":...} or {"AWS":...}, Condition values strings).
// https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
// https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
// ---------------------------------------------------------------------------
import { AwsError, type PolicyDocumentJson } from '../contracts';
import { invalidParameter, resourceConflict, resourceNotFound } from './errors';
import type { AddPermissionBody } from './validation';

export interface PolicyStatementJson {
  Sid: string;
  Effect: 'Allow';
  Principal: '*' | { AWS: string } | { Service: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/** Lambda caps a function policy at 20 KB. */
export const POLICY_MAX_BYTES = 20_480;

// ---------------------------------------------------------------------------
// Principal
// ---------------------------------------------------------------------------

const ACCOUNT_ID = /^\d{12}$/;
const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/;
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;

/** AddPermission's Principal, as Lambda stores it: an account ID becomes its root ARN. */
export function statementPrincipal(principal: string, partition: string): PolicyStatementJson['Principal'] {
  if (principal === '*') return '*';
  if (ACCOUNT_ID.test(principal)) return { AWS: `arn:${partition}:iam::${principal}:root` };
  if (IAM_PRINCIPAL_ARN.test(principal)) return { AWS: principal };
  if (SERVICE_PRINCIPAL.test(principal)) return { Service: principal };
  throw invalidParameter('The provided principal was invalid. Please check the principal and try again.');
}

// ---------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------

/** The statement AddPermission adds. Condition keys are spelled as Lambda spells them. */
export function buildStatement(input: AddPermissionBody, resource: string, partition: string): PolicyStatementJson {
  const stringEquals: Record<string, string> = {};
  if (input.SourceAccount) stringEquals['AWS:SourceAccount'] = input.SourceAccount;
  if (input.PrincipalOrgID) stringEquals['aws:PrincipalOrgID'] = input.PrincipalOrgID;
  if (input.EventSourceToken) stringEquals['lambda:EventSourceToken'] = input.EventSourceToken;
  if (input.FunctionUrlAuthType) stringEquals['lambda:FunctionUrlAuthType'] = input.FunctionUrlAuthType;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(stringEquals).length > 0) condition.StringEquals = stringEquals;
  if (input.SourceArn) condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
  if (input.InvokedViaFunctionUrl) condition.Bool = { 'lambda:InvokedViaFunctionUrl': 'true' };
  return {
    Sid: input.StatementId,
    Effect: 'Allow',
    Principal: statementPrincipal(input.Principal, partition),
    Action: input.Action,
    Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

export function policyDocument(statements: readonly PolicyStatementJson[]): PolicyDocumentJson & { Id: string; Version: string } {
  return { Version: '2012-10-17', Id: 'default', Statement: [...statements] };
}

/** The statements after adding one; refuses a repeated Sid and a policy over 20 KB. */
export function withStatement(statements: readonly PolicyStatementJson[], statement: PolicyStatementJson): PolicyStatementJson[] {
  if (statements.some((s) => s.Sid === statement.Sid)) {
    throw resourceConflict(`The statement id (${statement.Sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
  }
  const next = [...statements, statement];
  const size = Buffer.byteLength(JSON.stringify(policyDocument(next)), 'utf8');
  if (size > POLICY_MAX_BYTES) {
    throw new AwsError('PolicyLengthExceededException', `The final policy size (${size}) is bigger than the limit (${POLICY_MAX_BYTES}).`, 400);
  }
  return next;
}

/** The statements after removing `sid`; a missing Sid is ResourceNotFoundException. */
export function withoutStatement(statements: readonly PolicyStatementJson[], sid: string): PolicyStatementJson[] {
  if (!statements.some((s) => s.Sid === sid)) throw resourceNotFound(`Statement ${sid} is not found in resource policy.`);
  return statements.filter((s) => s.Sid !== sid);
}
