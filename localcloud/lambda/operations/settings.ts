// ---------------------------------------------------------------------------
// Per-function settings the Terraform provider reads or writes besides the configuration:
// reserved concurrency, tags, and the code-signing config (always none here).
// https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html
// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConcurrency.html (GET /2019-09-30/...)
// https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunctionConcurrency.html
// https://docs.aws.amazon.com/lambda/latest/api/API_TagResource.html
// https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionCodeSigningConfig.html
// ---------------------------------------------------------------------------
import { parseFunctionArn } from '../../core/arns';
import { reservationFits, unreservedMinimumMessage } from '../concurrency';
import { invalidParameter, resourceNotFound } from '../errors';
import { policyDocument } from '../function-policy';
import { json, noContent, target, type Operation } from '../operation';
import { checkTags, parseJsonBody, putConcurrencyBody, tagResourceBody } from '../validation';

// ---------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------

function noQualifier(qualifier: string | undefined, operation: string): void {
  if (qualifier !== undefined) throw invalidParameter(`${operation} applies to the function, not to a version; remove the qualifier.`);
}

export async function putFunctionConcurrency(op: Operation) {
  const body = parseJsonBody(putConcurrencyBody, op.req.body);
  const t = target(op, 'lambda:PutFunctionConcurrency');
  noQualifier(t.ref.qualifier, 'PutFunctionConcurrency');
  const reservedElsewhere = op.store.list(t.fn.accountId, t.fn.region)
    .filter((f) => f.arn !== t.fn.arn)
    .reduce((sum, f) => sum + (f.reservedConcurrency ?? 0), 0);
  // At least 100 of the account's concurrency stays unreserved (all of it below 100):
  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
  if (!reservationFits(op.pool.accountConcurrency, reservedElsewhere, body.ReservedConcurrentExecutions)) {
    throw invalidParameter(unreservedMinimumMessage(op.pool.accountConcurrency));
  }
  op.store.update(t.fn.arn, (fn) => {
    fn.reservedConcurrency = body.ReservedConcurrentExecutions;
  });
  return json(200, { ReservedConcurrentExecutions: body.ReservedConcurrentExecutions }, op.req.requestId);
}

export async function getFunctionConcurrency(op: Operation) {
  const t = target(op, 'lambda:GetFunctionConcurrency');
  noQualifier(t.ref.qualifier, 'GetFunctionConcurrency');
  const reserved = t.fn.reservedConcurrency;
  return json(200, reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved }, op.req.requestId);
}

export async function deleteFunctionConcurrency(op: Operation) {
  const t = target(op, 'lambda:DeleteFunctionConcurrency');
  noQualifier(t.ref.qualifier, 'DeleteFunctionConcurrency');
  op.store.update(t.fn.arn, (fn) => {
    delete fn.reservedConcurrency;
  });
  return noContent(op.req.requestId);
}

// ---------------------------------------------------------------------------
// Code signing: the local cloud has no signing profiles; the provider only needs the empty answer.
// ---------------------------------------------------------------------------

export async function getFunctionCodeSigningConfig(op: Operation) {
  const t = target(op, 'lambda:GetFunctionCodeSigningConfig');
  return json(200, { CodeSigningConfigArn: '', FunctionName: t.fn.functionName }, op.req.requestId);
}

// ---------------------------------------------------------------------------
// Tags: addressed by the unqualified function ARN.
// ---------------------------------------------------------------------------

function taggedFunction(op: Operation, action: string) {
  const arn = op.params.arn;
  const parsed = parseFunctionArn(arn);
  if (!parsed) throw invalidParameter(`${arn} is not a valid Lambda function ARN (tags belong to the unqualified function ARN).`);
  const fn = op.store.get(arn);
  const statements = fn?.policies.$LATEST?.statements ?? [];
  op.ctx.authorize({
    principal: op.req.principal,
    action,
    resource: arn,
    resourceAccountId: parsed.accountId,
    resourcePolicy: statements.length > 0 ? policyDocument(statements) : undefined,
  });
  if (!fn || parsed.region !== op.req.region) throw resourceNotFound(`Function not found: ${arn}`);
  return fn;
}

export async function listTags(op: Operation) {
  const fn = taggedFunction(op, 'lambda:ListTags');
  return json(200, { Tags: { ...fn.tags } }, op.req.requestId);
}

export async function tagResource(op: Operation) {
  const body = parseJsonBody(tagResourceBody, op.req.body);
  const fn = taggedFunction(op, 'lambda:TagResource');
  const merged = { ...fn.tags, ...body.Tags };
  checkTags(merged);
  op.store.update(fn.arn, (f) => {
    f.tags = merged;
  });
  return noContent(op.req.requestId);
}

export async function untagResource(op: Operation) {
  const fn = taggedFunction(op, 'lambda:UntagResource');
  const keys = op.req.query.getAll('tagKeys');
  if (keys.length === 0) throw invalidParameter('tagKeys must name at least one tag key.');
  op.store.update(fn.arn, (f) => {
    for (const key of keys) delete f.tags[key];
  });
  return noContent(op.req.requestId);
}
