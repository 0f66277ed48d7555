// ---------------------------------------------------------------------------
// The function's resource-based policy: AddPermission (201, the statement as a JSON string),
// GetPolicy (the document as a JSON string, 404 once no statement is left), RemovePermission
// (204). Every change gives the function version a new RevisionId, as Lambda does.
// https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html
// ---------------------------------------------------------------------------
import { invalidParameter, resourceNotFound } from '../errors';
import { buildStatement, policyDocument, withStatement, withoutStatement } from '../function-policy';
import { checkRevision, json, noContent, policyKey, target, type Operation } from '../operation';
import { newRevisionId, type FunctionRecord } from '../store';
import { addPermissionBody, parseJsonBody } from '../validation';
import { findVersion } from '../configuration';

function bumpRevision(fn: FunctionRecord, qualifier: string | undefined): void {
  const version = findVersion(fn, qualifier);
  if (version) version.revisionId = newRevisionId();
}

export async function addPermission(op: Operation) {
  const body = parseJsonBody(addPermissionBody, op.req.body);
  const t = target(op, 'lambda:AddPermission');
  // $LATEST has no policy of its own (the unqualified function's is used); a version or alias may.
  // https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html (Qualifier)
  if (t.ref.qualifier === '$LATEST') throw invalidParameter('We currently do not support adding policies for $LATEST.');
  checkRevision(body.RevisionId, t.version.revisionId);
  const key = policyKey(t.ref.qualifier);
  const statement = buildStatement(body, t.arn, t.fn.partition);
  const statements = withStatement(t.fn.policies[key]?.statements ?? [], statement);
  op.store.update(t.fn.arn, (fn) => {
    fn.policies[key] = { statements };
    bumpRevision(fn, t.ref.qualifier);
  });
  op.ctx.log('lambda.permission.added', { functionArn: t.arn, sid: statement.Sid });
  return json(201, { Statement: JSON.stringify(statement) }, op.req.requestId);
}

export async function getPolicy(op: Operation) {
  const t = target(op, 'lambda:GetPolicy');
  const statements = t.fn.policies[policyKey(t.ref.qualifier)]?.statements ?? [];
  if (statements.length === 0) throw resourceNotFound('The resource you requested does not exist.');
  return json(200, { Policy: JSON.stringify(policyDocument(statements)), RevisionId: t.version.revisionId }, op.req.requestId);
}

export async function removePermission(op: Operation) {
  const t = target(op, 'lambda:RemovePermission');
  checkRevision(op.req.query.get('RevisionId'), t.version.revisionId);
  const key = policyKey(t.ref.qualifier);
  const statements = withoutStatement(t.fn.policies[key]?.statements ?? [], op.params.sid);
  op.store.update(t.fn.arn, (fn) => {
    if (statements.length > 0) fn.policies[key] = { statements };
    else delete fn.policies[key];
    bumpRevision(fn, t.ref.qualifier);
  });
  op.ctx.log('lambda.permission.removed', { functionArn: t.arn, sid: op.params.sid });
  return noContent(op.req.requestId);
}
