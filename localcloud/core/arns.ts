// ---------------------------------------------------------------------------
// The ARNs the local cloud reads back: IAM roles (a function's execution role) and Lambda
// functions (tags are addressed by the unqualified function ARN). Nothing here builds ARNs for
// callers; each service writes its own.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
// https://docs.aws.amazon.com/lambda/latest/api/API_TagResource.html (Resource)
// ---------------------------------------------------------------------------

/** `arn:aws:iam::123456789012:role/[path/]name`: the name is the last segment, 1-64 of [\w+=,.@-]. */
const ROLE_ARN_PATTERN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/;
/** `arn:aws:lambda:us-east-1:123456789012:function:name`, unqualified. */
const FUNCTION_ARN_PATTERN = /^arn:(aws[a-z-]*):lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:([a-zA-Z0-9_-]{1,64})$/;

export interface RoleArnParts { readonly partition: string; readonly accountId: string; readonly roleName: string }
export interface FunctionArnParts { readonly partition: string; readonly region: string; readonly accountId: string; readonly functionName: string }

/** The parts of a role ARN, or undefined when it is not one. */
export function parseRoleArn(arn: string): RoleArnParts | undefined {
  const m = ROLE_ARN_PATTERN.exec(arn);
  return m ? { partition: m[1], accountId: m[2], roleName: m[3] } : undefined;
}

/** The parts of an unqualified function ARN, or undefined when it is not one. */
export function parseFunctionArn(arn: string): FunctionArnParts | undefined {
  const m = FUNCTION_ARN_PATTERN.exec(arn);
  return m ? { partition: m[1], region: m[2], accountId: m[3], functionName: m[4] } : undefined;
}
