// ---------------------------------------------------------------------------
// Function lifecycle: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
// UpdateFunctionConfiguration, UpdateFunctionCode, DeleteFunction.
// https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { AwsError } from '../../contracts';
import { functionConfiguration } from '../configuration';
import { invalidParameter, resourceConflict } from '../errors';
import { checkExecutionRole } from '../execution-role';
import { unqualifiedArn } from '../function-ref';
import { RuntimeUnavailableError } from '../runtimes';
import { checkRevision, json, noContent, pageSize, target, type Operation } from '../operation';
import {
  lambdaTimestamp, newRevisionId, packageZipPath, storePackage, type FunctionRecord, type FunctionVersionRecord,
} from '../store';
import {
  MEMORY_RANGE, TIMEOUT_RANGE, checkEnvironment, checkRuntime, checkTags, checkUnsupportedConfiguration, createFunctionBody,
  parseJsonBody, updateCodeBody, updateConfigurationBody, zipBytes,
} from '../validation';
import { publishFrom } from './versions';

/** A zip uploaded inline may be at most 50 MB (Lambda quotas). */
export const MAX_ZIPPED_BYTES = 52_428_800;

function checkZipSize(zip: Buffer, operation: string): void {
  if (zip.length > MAX_ZIPPED_BYTES) {
    throw new AwsError('RequestEntityTooLargeException', `Zipped file size (${zip.length}) exceeds the ${MAX_ZIPPED_BYTES} byte limit for the ${operation} operation.`, 413);
  }
}

/** A runtime AWS offers but this machine has no Node.js for is refused when declared, not at the first Invoke. */
function checkRuntimeInstalled(op: Operation, runtime: string): void {
  try {
    op.host.runtimes.executableFor(runtime);
  } catch (e) {
    if (e instanceof RuntimeUnavailableError) throw invalidParameter(e.message);
    throw e;
  }
}

// ---------------------------------------------------------------------------
// CreateFunction
// ---------------------------------------------------------------------------

export async function createFunction(op: Operation) {
  const body = parseJsonBody(createFunctionBody, op.req.body);
  const { principal } = op.req;
  const arn = unqualifiedArn({ partition: 'aws', region: op.req.region, accountId: principal.accountId, functionName: body.FunctionName });
  op.ctx.authorize({ principal, action: 'lambda:CreateFunction', resource: arn, resourceAccountId: principal.accountId });

  if (body.PackageType === 'Image') throw invalidParameter('Container images are not supported by the local cloud; use PackageType Zip.');
  if (!body.Runtime || !body.Handler) throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  checkRuntime(body.Runtime);
  checkRuntimeInstalled(op, body.Runtime);
  checkEnvironment(body.Environment?.Variables ?? {});
  checkTags(body.Tags ?? {});
  checkUnsupportedConfiguration(body);
  if (body.CodeSigningConfigArn) throw invalidParameter('CodeSigningConfigArn is not supported by the local cloud\'s Lambda service; remove it from the request.');
  if (op.store.get(arn)) throw resourceConflict(`Function already exist: ${body.FunctionName}`);
  const identity = { accountId: principal.accountId, functionName: body.FunctionName, arn };
  checkExecutionRole(op.ctx, principal, body.Role, identity);

  const zip = zipBytes(body.Code);
  checkZipSize(zip, 'CreateFunction');
  const stored = await storePackage(op.ctx.stateDir, zip);
  // Another request may have created it while the package was unpacked.
  if (op.store.get(arn)) throw resourceConflict(`Function already exist: ${body.FunctionName}`);

  const latest: FunctionVersionRecord = {
    version: '$LATEST',
    runtime: body.Runtime,
    role: body.Role,
    handler: body.Handler,
    description: body.Description ?? '',
    timeout: body.Timeout ?? TIMEOUT_RANGE.default,
    memorySize: body.MemorySize ?? MEMORY_RANGE.default,
    environment: { ...(body.Environment?.Variables ?? {}) },
    architectures: body.Architectures ?? ['x86_64'],
    tracingMode: body.TracingConfig?.Mode ?? 'PassThrough',
    ephemeralStorageSize: body.EphemeralStorage?.Size ?? 512,
    logFormat: body.LoggingConfig?.LogFormat ?? 'Text',
    codeSha256: stored.codeSha256,
    codeSize: stored.codeSize,
    lastModified: lambdaTimestamp(op.ctx.now()),
    revisionId: newRevisionId(),
  };
  const record: FunctionRecord = {
    arn, partition: 'aws', region: op.req.region, accountId: principal.accountId, functionName: body.FunctionName,
    latest, versions: [], nextVersion: 1, policies: {}, tags: { ...(body.Tags ?? {}) },
  };
  op.store.put(record);
  op.ctx.log('lambda.function.created', { functionArn: arn, codeSha256: stored.codeSha256 });
  if (body.Publish) {
    const published = op.store.update(arn, (fn) => publishFrom(fn, undefined, op.ctx.now()));
    return json(201, functionConfiguration(published, published.versions[published.versions.length - 1]), op.req.requestId);
  }
  return json(201, functionConfiguration(record, latest), op.req.requestId);
}

// ---------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------

export async function getFunction(op: Operation) {
  const t = target(op, 'lambda:GetFunction');
  const body: Record<string, unknown> = {
    Configuration: functionConfiguration(t.fn, t.version, { qualifiedArn: t.ref.qualifier !== undefined }),
    // Lambda answers a presigned S3 URL; the local cloud has no S3, so it names the stored zip.
    Code: { RepositoryType: 'S3', Location: pathToFileURL(packageZipPath(op.ctx.stateDir, t.version.codeSha256)).href },
  };
  if (Object.keys(t.fn.tags).length > 0) body.Tags = { ...t.fn.tags };
  if (t.fn.reservedConcurrency !== undefined) body.Concurrency = { ReservedConcurrentExecutions: t.fn.reservedConcurrency };
  return json(200, body, op.req.requestId);
}

export async function getFunctionConfiguration(op: Operation) {
  const t = target(op, 'lambda:GetFunctionConfiguration');
  return json(200, functionConfiguration(t.fn, t.version, { qualifiedArn: t.ref.qualifier !== undefined }), op.req.requestId);
}

/** ListFunctions: the caller's account, this region, by name; Marker is the last name returned. */
export async function listFunctions(op: Operation) {
  const { principal } = op.req;
  op.ctx.authorize({ principal, action: 'lambda:ListFunctions', resource: '*', resourceAccountId: principal.accountId });
  // At most 50 per page, even when MaxItems asks for more: https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html (MaxItems)
  const maxItems = Math.min(pageSize(op.req.query.get('MaxItems'), 50), 50);
  const marker = op.req.query.get('Marker');
  const allVersions = op.req.query.get('FunctionVersion') === 'ALL';
  const rows = op.store.list(principal.accountId, op.req.region).flatMap((fn) => {
    const versions = allVersions ? [fn.latest, ...fn.versions] : [fn.latest];
    return versions.map((v) => ({ key: `${fn.functionName}:${v.version}`, config: functionConfiguration(fn, v, { qualifiedArn: allVersions }) }));
  });
  const start = marker ? rows.findIndex((r) => r.key === marker) + 1 : 0;
  if (marker && start === 0) throw invalidParameter(`Invalid marker: ${marker}`);
  const page = rows.slice(start, start + maxItems);
  const more = start + maxItems < rows.length;
  return json(200, { Functions: page.map((r) => r.config), ...(more ? { NextMarker: page[page.length - 1].key } : {}) }, op.req.requestId);
}

// ---------------------------------------------------------------------------
// Updates
// ---------------------------------------------------------------------------

function requireLatest(qualifier: string | undefined, operation: string): void {
  if (qualifier !== undefined && qualifier !== '$LATEST') {
    throw invalidParameter(`${operation} applies to $LATEST only; published versions are immutable. Remove the qualifier.`);
  }
}

export async function updateFunctionConfiguration(op: Operation) {
  const body = parseJsonBody(updateConfigurationBody, op.req.body);
  const t = target(op, 'lambda:UpdateFunctionConfiguration');
  requireLatest(t.ref.qualifier, 'UpdateFunctionConfiguration');
  checkRevision(body.RevisionId, t.fn.latest.revisionId);
  if (body.Runtime !== undefined) {
    checkRuntime(body.Runtime);
    checkRuntimeInstalled(op, body.Runtime);
  }
  if (body.Environment?.Variables) checkEnvironment(body.Environment.Variables);
  checkUnsupportedConfiguration(body);
  if (body.Role !== undefined && body.Role !== t.fn.latest.role) {
    checkExecutionRole(op.ctx, op.req.principal, body.Role, { accountId: t.fn.accountId, functionName: t.fn.functionName, arn: t.fn.arn });
  }
  const updated = op.store.update(t.fn.arn, (fn) => {
    const v = fn.latest;
    if (body.Role !== undefined) v.role = body.Role;
    if (body.Runtime !== undefined) v.runtime = body.Runtime;
    if (body.Handler !== undefined) v.handler = body.Handler;
    if (body.Description !== undefined) v.description = body.Description;
    if (body.Timeout !== undefined) v.timeout = body.Timeout;
    if (body.MemorySize !== undefined) v.memorySize = body.MemorySize;
    if (body.Environment !== undefined) v.environment = { ...(body.Environment.Variables ?? {}) };
    if (body.TracingConfig?.Mode !== undefined) v.tracingMode = body.TracingConfig.Mode;
    if (body.EphemeralStorage !== undefined) v.ephemeralStorageSize = body.EphemeralStorage.Size;
    if (body.LoggingConfig?.LogFormat !== undefined) v.logFormat = body.LoggingConfig.LogFormat;
    v.lastModified = lambdaTimestamp(op.ctx.now());
    v.revisionId = newRevisionId();
  });
  // New configuration, new sandboxes (the pool also notices by fingerprint; this frees them now).
  op.pool.retire(`${t.fn.arn}:$LATEST`);
  return json(200, functionConfiguration(updated, updated.latest), op.req.requestId);
}

export async function updateFunctionCode(op: Operation) {
  const body = parseJsonBody(updateCodeBody, op.req.body);
  const t = target(op, 'lambda:UpdateFunctionCode');
  requireLatest(t.ref.qualifier, 'UpdateFunctionCode');
  checkRevision(body.RevisionId, t.fn.latest.revisionId);
  const zip = zipBytes(body);
  checkZipSize(zip, 'UpdateFunctionCode');
  if (body.DryRun) {
    // Validate without changing anything: the answer shows the configuration the code would get.
    const codeSha256 = createHash('sha256').update(zip).digest('base64');
    await storePackage(op.ctx.stateDir, zip);
    return json(200, functionConfiguration(t.fn, { ...t.fn.latest, codeSha256, codeSize: zip.length }), op.req.requestId);
  }
  const stored = await storePackage(op.ctx.stateDir, zip);
  checkRevision(body.RevisionId, op.store.get(t.fn.arn)?.latest.revisionId ?? '');
  let updated = op.store.update(t.fn.arn, (fn) => {
    fn.latest.codeSha256 = stored.codeSha256;
    fn.latest.codeSize = stored.codeSize;
    if (body.Architectures) fn.latest.architectures = body.Architectures;
    fn.latest.lastModified = lambdaTimestamp(op.ctx.now());
    fn.latest.revisionId = newRevisionId();
  });
  op.pool.retire(`${t.fn.arn}:$LATEST`);
  op.ctx.log('lambda.function.code-updated', { functionArn: t.fn.arn, codeSha256: stored.codeSha256 });
  if (body.Publish) {
    updated = op.store.update(t.fn.arn, (fn) => publishFrom(fn, undefined, op.ctx.now()));
    return json(200, functionConfiguration(updated, updated.versions[updated.versions.length - 1]), op.req.requestId);
  }
  return json(200, functionConfiguration(updated, updated.latest), op.req.requestId);
}

// ---------------------------------------------------------------------------
// DeleteFunction
// ---------------------------------------------------------------------------

export async function deleteFunction(op: Operation) {
  const t = target(op, 'lambda:DeleteFunction');
  const qualifier = t.ref.qualifier;
  if (qualifier === '$LATEST') throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
  if (qualifier !== undefined) {
    op.store.update(t.fn.arn, (fn) => {
      fn.versions = fn.versions.filter((v) => v.version !== qualifier);
      delete fn.policies[qualifier];
    });
    op.pool.retire(`${t.fn.arn}:${qualifier}`);
  } else {
    op.store.delete(t.fn.arn);
    op.pool.retire(t.fn.arn);
  }
  op.ctx.log('lambda.function.deleted', { functionArn: t.arn });
  return noContent(op.req.requestId);
}
