// ---------------------------------------------------------------------------
// Unpacking a deployment package, safely. A zip is attacker-controlled input: every entry
// name is checked (no `..`, no absolute paths, no drive letters, no backslashes), symlinks and
// encrypted entries are refused, and the total and per-entry expansion are capped, so nothing
// is ever written outside the destination folder and a zip bomb cannot fill the disk.
// Lambda's own limits: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
// ---------------------------------------------------------------------------
import { chmodSync, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { randomUUID } from 'node:crypto';
import * as yauzl from 'yauzl';
import { invalidParameter } from './errors';

/** Lambda's quota: 250 MB unzipped, including layers. */
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** More entries than any real function package has; bounds the work one upload can cause. */
export const MAX_ENTRIES = 20_000;
/** A large entry expanding more than this is treated as a zip bomb (source code compresses ~3-10x). */
export const MAX_EXPANSION_RATIO = 200;
const RATIO_CHECK_ABOVE_BYTES = 1_048_576;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Thrown (as the cause of an InvalidParameterValueException) when a package is unsafe or unreadable. */
export class UnsafeZipError extends Error {
  readonly code = 'UnsafeZip';
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeZipError';
  }
}

export interface ZipSummary {
  readonly files: number;
  readonly unzippedBytes: number;
}

// ---------------------------------------------------------------------------
// Entry checks
// ---------------------------------------------------------------------------

/** Why an entry name is unsafe, or undefined. yauzl checks the same (defence in depth). */
export function unsafeEntryName(name: string): string | undefined {
  if (name.length === 0) return 'has an empty name';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.includes('\0')) return 'contains a NUL character';
  if (isAbsolute(name) || /^[a-zA-Z]:/.test(name)) return 'is an absolute path';
  if (name.split('/').includes('..')) return 'climbs out of the package with ..';
  return undefined;
}

function entryProblem(entry: yauzl.Entry): string | undefined {
  const named = unsafeEntryName(entry.fileName);
  if (named) return named;
  const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (mode === S_IFLNK) return 'is a symbolic link';
  if (entry.isEncrypted()) return 'is encrypted';
  if (!entry.fileName.endsWith('/') && entry.uncompressedSize > RATIO_CHECK_ABOVE_BYTES) {
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (ratio > MAX_EXPANSION_RATIO) return `expands ${Math.round(ratio)}x (more than ${MAX_EXPANSION_RATIO}x is refused as a zip bomb)`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Extraction
// ---------------------------------------------------------------------------

/** Counts bytes as they stream and fails once an entry produces more than it declared. */
function byteLimit(limit: number, name: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(new UnsafeZipError(`entry ${name} expands beyond its declared size`));
      else done(null, chunk);
    },
  });
}

async function extractInto(zip: Buffer, root: string): Promise<ZipSummary> {
  let zipfile: yauzl.ZipFile;
  try {
    // validateEntrySizes: yauzl fails a stream whose real size differs from the declared one,
    // so the declared sizes we sum below can be trusted.
    zipfile = await yauzl.fromBufferPromise(zip, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true });
  } catch (e) {
    throw new UnsafeZipError(`not a readable zip (${(e as Error).message})`);
  }
  if (zipfile.entryCount > MAX_ENTRIES) {
    zipfile.close();
    throw new UnsafeZipError(`has ${zipfile.entryCount} entries; at most ${MAX_ENTRIES} are accepted`);
  }
  let files = 0;
  let unzippedBytes = 0;
  try {
    for await (const entry of zipfile.eachEntry()) {
      const problem = entryProblem(entry);
      if (problem) throw new UnsafeZipError(`entry ${JSON.stringify(entry.fileName)} ${problem}`);
      const target = resolve(root, entry.fileName);
      if (!isInside(root, target)) throw new UnsafeZipError(`entry ${JSON.stringify(entry.fileName)} resolves outside the package`);
      if (entry.fileName.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      unzippedBytes += entry.uncompressedSize;
      if (unzippedBytes > MAX_UNZIPPED_BYTES) throw new UnsafeZipError(`unzips to more than ${MAX_UNZIPPED_BYTES} bytes (Lambda's limit)`);
      mkdirSync(dirname(target), { recursive: true });
      const executable = ((entry.externalFileAttributes >>> 16) & 0o111) !== 0;
      const stream = await zipfile.openReadStreamPromise(entry);
      await pipeline(stream, byteLimit(entry.uncompressedSize, entry.fileName), createWriteStream(target, { flags: 'wx', mode: executable ? 0o755 : 0o644 }));
      files += 1;
    }
  } catch (e) {
    if (e instanceof UnsafeZipError) throw e;
    // yauzl's own refusals (bad names, bad sizes, corrupt data) and file-system clashes
    // (the same name twice) arrive here.
    throw new UnsafeZipError((e as Error).message);
  } finally {
    zipfile.close(); // idempotent; a buffer-backed zip is never auto-closed
  }
  return { files, unzippedBytes };
}

/**
 * Folders 0755, files 0644 (0755 when executable), whatever the local cloud's umask: an
 * isolated sandbox runs as its function's own user, not as the local cloud's, and must read its
 * code (read-only to it: the sandbox mounts it read-only).
 */
function readableByEveryUser(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readableByEveryUser(path);
    else chmodSync(path, (statSync(path).mode & 0o100) !== 0 ? 0o755 : 0o644);
  }
}

/**
 * Unpack `zip` into `destination` (created; must not exist yet), atomically: entries go to a
 * sibling temporary folder first, renamed into place only when every entry passed.
 * Throws InvalidParameterValueException (AWS's code for a bad package) with the reason.
 */
export async function extractPackage(zip: Buffer, destination: string): Promise<ZipSummary> {
  const staging = `${destination}.staging-${randomUUID()}`;
  mkdirSync(staging, { recursive: true });
  try {
    const summary = await extractInto(zip, staging);
    readableByEveryUser(staging);
    if (existsSync(destination)) rmSync(staging, { recursive: true, force: true }); // a concurrent upload of the same bytes won
    else renameSync(staging, destination);
    return summary;
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (e instanceof UnsafeZipError) {
      throw Object.assign(invalidParameter(`Could not unzip uploaded file. Please check your file, then try to upload again. (${e.message})`), { cause: e });
    }
    throw e;
  }
}

/** Whether `path` lies inside `root` (for callers that build paths from stored names). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(resolve(root), resolve(path));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
