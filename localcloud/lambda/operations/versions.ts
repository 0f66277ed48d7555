// ---------------------------------------------------------------------------
// Versions: PublishVersion snapshots $LATEST (code and configuration) under the next number;
// ListVersionsByFunction lists $LATEST first, then the versions in order, and omits NextMarker
// on the last page (the Terraform provider fails on an empty one: PROVIDER-API.md).
// https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html
// ---------------------------------------------------------------------------
import { functionConfiguration } from '../configuration';
import { invalidParameter } from '../errors';
import { checkRevision, json, pageSize, target, type Operation } from '../operation';
import { lambdaTimestamp, newRevisionId, type FunctionRecord, type FunctionVersionRecord } from '../store';
import { parseJsonBody, publishVersionBody } from '../validation';

/** The configuration that makes two snapshots the same version (Lambda does not publish twice). */
function snapshotKey(v: FunctionVersionRecord): string {
  const { version: _v, lastModified: _l, revisionId: _r, description: _d, ...rest } = v;
  return JSON.stringify(rest);
}

/**
 * Publish $LATEST in place on `fn` (called inside a store update). When $LATEST is unchanged
 * since the newest version, that version stands and nothing is added, as Lambda does.
 */
export function publishFrom(fn: FunctionRecord, description: string | undefined, now: Date): void {
  const newest = fn.versions[fn.versions.length - 1];
  if (newest && snapshotKey(newest) === snapshotKey(fn.latest)) return;
  fn.versions.push({
    ...fn.latest,
    environment: { ...fn.latest.environment },
    architectures: [...fn.latest.architectures],
    version: String(fn.nextVersion),
    description: description ?? fn.latest.description,
    lastModified: lambdaTimestamp(now),
    revisionId: newRevisionId(),
  });
  fn.nextVersion += 1;
}

export async function publishVersion(op: Operation) {
  const body = parseJsonBody(publishVersionBody, op.req.body);
  const t = target(op, 'lambda:PublishVersion');
  if (t.ref.qualifier !== undefined) throw invalidParameter('PublishVersion publishes $LATEST; remove the qualifier.');
  checkRevision(body.RevisionId, t.fn.latest.revisionId);
  if (body.CodeSha256 && body.CodeSha256 !== t.fn.latest.codeSha256) {
    throw invalidParameter(`CodeSHA256 (${body.CodeSha256}) is different from current CodeSHA256 in $LATEST (${t.fn.latest.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`);
  }
  const updated = op.store.update(t.fn.arn, (fn) => publishFrom(fn, body.Description, op.ctx.now()));
  return json(201, functionConfiguration(updated, updated.versions[updated.versions.length - 1]), op.req.requestId);
}

export async function listVersionsByFunction(op: Operation) {
  const t = target(op, 'lambda:ListVersionsByFunction');
  const maxItems = pageSize(op.req.query.get('MaxItems'), 50);
  const all = [t.fn.latest, ...t.fn.versions];
  const marker = op.req.query.get('Marker');
  const start = marker ? all.findIndex((v) => v.version === marker) + 1 : 0;
  if (marker && start === 0) throw invalidParameter(`Invalid marker: ${marker}`);
  const page = all.slice(start, start + maxItems);
  const more = start + maxItems < all.length;
  return json(200, {
    Versions: page.map((v) => functionConfiguration(t.fn, v, { qualifiedArn: true })),
    ...(more ? { NextMarker: page[page.length - 1].version } : {}),
  }, op.req.requestId);
}
