// ---------------------------------------------------------------------------
// Resolving `{Fn}`: a function arrives as a name, a full ARN, a partial ARN
// (`123456789012:function:name`), any of those with a `:qualifier`, optionally also as
// `?Qualifier=`. A function given by name lives in the caller's account; one given by ARN
// lives in the account the ARN names.
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html (FunctionName)
// ---------------------------------------------------------------------------
import { invalidParameter, validationError } from './errors';

/** Lambda's modelled FunctionName pattern (Invoke, GetFunction, ...). */
const FUNCTION_REF_PATTERN =
  /^(?:arn:(aws[a-zA-Z-]*):lambda:)?(?:([a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$/;

/** Lambda's FunctionName length limit for ARNs (140 characters). */
const FUNCTION_REF_MAX_LENGTH = 170;

export interface FunctionRef {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly functionName: string;
  /** `undefined` means the unqualified function ($LATEST for reads and Invoke). */
  readonly qualifier?: string;
}

export interface CallerScope {
  readonly accountId: string;
  readonly region: string;
}

/**
 * Parse `{Fn}` (already percent-decoded) and the optional `?Qualifier=`.
 * Throws ValidationException for a malformed reference and InvalidParameterValueException when
 * the two qualifiers disagree or the ARN names another region.
 */
export function parseFunctionRef(raw: string, queryQualifier: string | null | undefined, caller: CallerScope): FunctionRef {
  const m = raw.length <= FUNCTION_REF_MAX_LENGTH ? FUNCTION_REF_PATTERN.exec(raw) : null;
  if (!m) {
    throw validationError('functionName', raw, `Member must satisfy regular expression pattern: ${FUNCTION_REF_PATTERN.source}`);
  }
  const [, partition, region, accountId, functionName, pathQualifier] = m;
  // A name like `arn` alone matched as a bare name is fine; a half-ARN with a region but no
  // account is not something Lambda accepts.
  if (region && !accountId) throw validationError('functionName', raw, 'Member must include the account ID when it includes a region');
  if (region && region !== caller.region) {
    throw invalidParameter(`Functions from '${region}' are not reachable in this region ('${caller.region}')`);
  }
  const queried = queryQualifier ?? undefined;
  if (queried !== undefined && !/^(\$LATEST|[a-zA-Z0-9_-]{1,128})$/.test(queried)) {
    throw validationError('qualifier', queried, 'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)');
  }
  if (pathQualifier && queried && pathQualifier !== queried) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  return {
    partition: partition ?? 'aws',
    region: caller.region,
    accountId: accountId ?? caller.accountId,
    functionName,
    qualifier: pathQualifier ?? queried,
  };
}

/** `arn:aws:lambda:us-east-1:123456789012:function:name` */
export function unqualifiedArn(ref: Pick<FunctionRef, 'partition' | 'region' | 'accountId' | 'functionName'>): string {
  return `arn:${ref.partition}:lambda:${ref.region}:${ref.accountId}:function:${ref.functionName}`;
}

/** The ARN IAM evaluates: qualified for a version, unqualified for $LATEST and no qualifier. */
export function resourceArn(ref: FunctionRef): string {
  return ref.qualifier && ref.qualifier !== '$LATEST' ? `${unqualifiedArn(ref)}:${ref.qualifier}` : unqualifiedArn(ref);
}
