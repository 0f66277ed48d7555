// ---------------------------------------------------------------------------
// The zod pieces for values that more than one reader checks: the config file
// (config/schema.ts), the registry shipped in the bundles (rules/tenant-registry.ts) and the
// Lambdas' environment (lambda/shared/env.ts). One piece per rule, so the readers cannot drift.
// ---------------------------------------------------------------------------
import * as z from 'zod';
import { externalIdProblem } from './external-id';
import { ROLE_PREFIX_PATTERN, TENANT_ID_PATTERN, TENANT_ID_RULE, parseFunctionArn, parseRoleArn } from './naming';

// ---- external ID -----------------------------------------------------------

/** An external ID STS accepts. The value is a secret: the message names the rule, never the value. */
export const externalIdSchema = z.string().superRefine((value, ctx) => {
  const problem = externalIdProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `external ID ${problem}` });
});

// ---- tenant ID -------------------------------------------------------------

/** A tenant ID, which is also the SourceIdentity of every AssumeRole made for the tenant. */
export const tenantIdSchema = z.string().regex(TENANT_ID_PATTERN, `tenant ID ${TENANT_ID_RULE}`);

// ---- ARNs ------------------------------------------------------------------

/** An IAM role ARN (a path is allowed; a wildcard is not). */
export const roleArnSchema = z.string().refine((v) => parseRoleArn(v) !== undefined, 'role ARN must look like arn:aws:iam::123456789012:role/name');

/** An unqualified Lambda function ARN (no version or alias). */
export const functionArnSchema = z.string().refine((v) => parseFunctionArn(v) !== undefined, 'function ARN must look like arn:aws:lambda:us-east-1:123456789012:function:name');

/** The functions a tenant may call: at least one. */
export const functionArnListSchema = z.array(functionArnSchema).min(1, 'must list at least one function');

// ---- role prefix -----------------------------------------------------------

/** The rule of ROLE_PREFIX_PATTERN in words, for messages that name the value their own way. */
export const ROLE_PREFIX_RULE = 'must be 1-60 characters of [\\w+=,.@-]';

export const rolePrefixSchema = z.string().regex(ROLE_PREFIX_PATTERN, `role prefix ${ROLE_PREFIX_RULE}`);

// ---- principals ------------------------------------------------------------

/** An IAM role or user ARN (a path is allowed; a wildcard is not), or an account's root: who may
 *  call vend, as sts:GetCallerIdentity names it. A role session's ARN
 *  (arn:aws:sts::...:assumed-role/...) is mapped to its role's ARN before lookup. */
export const PRINCIPAL_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:(?:root|(?:role|user)\/(?:[\w+=,.@/-]*\/)?[\w+=,.@-]{1,64})$/;

export const principalArnSchema = z.string().regex(PRINCIPAL_ARN_PATTERN, 'principal ARN must be an IAM role or user ARN (or an account root), e.g. arn:aws:iam::123456789012:role/name');
