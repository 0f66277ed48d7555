// ---------------------------------------------------------------------------
// A Lambda handler bundled with esbuild at synth time and zipped by a TerraformAsset.
// Everything the handler imports (the AWS SDK v3 clients included) goes into the one file, so
// the versions that run are the ones the lockfile pins, on real Lambda and in the local cloud.
//
// Cold start: what a fresh sandbox pays to load index.js grows with the file it parses, so the
// bundle is trimmed (bench part 3: bundle_load_ms_connector against node_spawn_ms):
//  - minified, and ESM-first resolution (`mainFields: module, main`): the SDK's and Smithy's ES
//    modules tree-shake, their CommonJS builds do not (about -100 KB of SDK code, and bowser);
//  - the source map is a file beside index.js (`index.js.map`, linked), not a 1.4 MB base64
//    comment inside it, and maps only the project's own sources (firstPartySourceMap): stack
//    traces still name TypeScript lines (NODE_OPTIONS=--enable-source-maps), and Node no longer
//    parses 1.2 MB of the libraries' mappings at every cold start.
//  - zod is imported as a namespace (`import * as z from 'zod'`) everywhere: `import { z }` gets
//    zod's `z` object, which esbuild must build whole, with all 60 error-message locales
//    (~260 KB); static accesses to a namespace import tree-shake to what is used. The connector's
//    index.js went from ~950 KB to ~580 KB (test/unit/stacks/bundle.test.ts keeps it so).
// What is NOT done, on purpose: marking @aws-sdk/* external to use the runtime's own SDK
// (nodejs22.x ships one; the local cloud mounts the project's at /opt/nodejs/node_modules).
// That halves the file again, but then the SDK version that signs the tenants' calls is
// whatever AWS last put in the runtime, not the one the lockfile pins and the tests ran: the
// connector's per-call signing (lambda/connector/scoped-clients.ts) relies on how the SDK
// treats a credential provider, and a runtime SDK that treated it otherwise would sign one
// tenant's call with another's session (refused by the session policy, but broken). A pinned
// SDK is worth the extra ~60 ms of an idle machine's cold start.
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { buildSync, type BuildFailure } from 'esbuild';
import { StackConfigError } from './stack-config-error';

const PROJECT_ROOT = resolve(__dirname, '..');

/** The Lambda runtime the bundles target; esbuild's target follows it. */
export const LAMBDA_RUNTIME = 'nodejs22.x';
/** The bundle's file is index.js and the handler's export is `handler`. */
export const BUNDLE_ENTRY_FILE = 'index.js';
/** The linked source map beside it. */
export const BUNDLE_MAP_FILE = 'index.js.map';
export const HANDLER_EXPORT = 'handler';
export const LAMBDA_HANDLER = `index.${HANDLER_EXPORT}`;

/** Where bundles are built before the asset zips them (`.gen/` is gitignored). */
export const DEFAULT_BUNDLE_ROOT = join(PROJECT_ROOT, '.gen', 'bundles');

const EXTRA_FILE_NAME = /^[\w.-]+$/;

export interface LambdaBundleProps {
  /** The handler's TypeScript entry file; it must export `handler`. Relative paths are from the project root. */
  readonly entry: string;
  /** Files written beside index.js in the zip, by name (e.g. `registry.json`). @default none */
  readonly extraFiles?: Readonly<Record<string, string>>;
  /** Write a source map (index.js.map, linked from index.js), so that stack traces (with NODE_OPTIONS=--enable-source-maps) name the TypeScript lines. @default true */
  readonly sourceMap?: boolean;
  /** Folder that holds the built bundles, one content-addressed folder each. @default <project>/.gen/bundles */
  readonly bundleRoot?: string;
}

/**
 * Bundles a handler at construction (synchronously: cdktf synthesizes synchronously) and exposes
 * the zip as `asset`. The build folder is named by a hash of its contents, so parallel synths
 * (jest workers) never write into a folder another one is reading.
 */
export class LambdaBundle extends Construct {
  /** The ARCHIVE asset; use `asset.path` as the function's filename. */
  public readonly asset: TerraformAsset;
  /** A hash of the bundle's contents; use it as the function's source_code_hash. */
  public readonly hash: string;
  /** The built folder (index.js plus the extra files), before zipping. */
  public readonly directory: string;
  /** The handler setting for aws_lambda_function. */
  public readonly handler = LAMBDA_HANDLER;

  constructor(scope: Construct, id: string, props: LambdaBundleProps) {
    super(scope, id);
    const where = `LambdaBundle ${this.node.path}`;
    const entry = isAbsolute(props.entry) ? props.entry : join(PROJECT_ROOT, props.entry);
    if (!existsSync(entry)) throw new StackConfigError(where, `entry ${props.entry} does not exist; point it at the handler's .ts file`);
    const extraFiles = props.extraFiles ?? {};
    for (const name of Object.keys(extraFiles)) {
      if (!EXTRA_FILE_NAME.test(name) || name === BUNDLE_ENTRY_FILE || name === BUNDLE_MAP_FILE) {
        throw new StackConfigError(where, `extra file name "${name}" must be a plain file name of [A-Za-z0-9_.-], and not ${BUNDLE_ENTRY_FILE} or ${BUNDLE_MAP_FILE}`);
      }
    }
    requireHandlerExport(entry, where);

    const files = bundle(entry, props.sourceMap ?? true, where);
    for (const [name, text] of Object.entries(extraFiles)) files.set(name, Buffer.from(text, 'utf8'));

    this.hash = contentHash(files);
    this.directory = writeContentAddressed(props.bundleRoot ?? DEFAULT_BUNDLE_ROOT, `${basename(resolve(entry, '..'))}-${this.hash.slice(0, 16)}`, files);
    this.asset = new TerraformAsset(this, 'asset', { path: this.directory, type: AssetType.ARCHIVE, assetHash: this.hash });
  }
}

// ---------------------------------------------------------------------------
// esbuild
// ---------------------------------------------------------------------------

/** Lambda calls `index.handler`; a bundle without that export deploys fine and fails on every invoke. */
function requireHandlerExport(entry: string, where: string): void {
  // An unbundled ESM transform of the entry alone is cheap and lists its exports in the metafile.
  let result;
  try {
    result = buildSync({ entryPoints: [entry], bundle: false, format: 'esm', write: false, metafile: true, outdir: '/', logLevel: 'silent' });
  } catch (e) {
    throw esbuildError(e, entry, where);
  }
  // Not named `exports`: in CommonJS output that would shadow this module's own exports object.
  const exportedNames = Object.values(result.metafile.outputs).flatMap((o) => o.exports);
  if (!exportedNames.includes(HANDLER_EXPORT)) {
    throw new StackConfigError(where, `${relative(PROJECT_ROOT, entry)} must export "${HANDLER_EXPORT}" (Lambda calls ${LAMBDA_HANDLER}); it exports: ${exportedNames.join(', ') || 'nothing'}`);
  }
}

/** index.js, and index.js.map when `sourceMap`. */
function bundle(entry: string, sourceMap: boolean, where: string): Map<string, Buffer> {
  try {
    const result = buildSync({
      entryPoints: [entry],
      absWorkingDir: PROJECT_ROOT,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      treeShaking: true,
      // ESM builds first: the SDK's ES modules tree-shake, its CommonJS builds do not.
      mainFields: ['module', 'main'],
      // A linked file, without the sources' text: stack traces get TypeScript file:line, and
      // index.js stays small (an inline map would be most of it).
      sourcemap: sourceMap ? 'linked' : false,
      sourcesContent: false,
      legalComments: 'none',
      // No externals: even @aws-sdk/* is bundled, so the runtime's SDK version never matters.
      external: [],
      write: false,
      outfile: join('/bundle', BUNDLE_ENTRY_FILE),
      logLevel: 'silent',
    });
    const files = new Map<string, Buffer>();
    for (const file of result.outputFiles) {
      if (file.path.endsWith('.map')) files.set(BUNDLE_MAP_FILE, Buffer.from(JSON.stringify(firstPartySourceMap(JSON.parse(file.text) as SourceMapV3)), 'utf8'));
      else files.set(BUNDLE_ENTRY_FILE, Buffer.from(file.contents));
    }
    return files;
  } catch (e) {
    throw esbuildError(e, entry, where);
  }
}

// ---------------------------------------------------------------------------
// The source map, first-party only
// ---------------------------------------------------------------------------

interface SourceMapV3 {
  version: 3;
  sources: string[];
  names: string[];
  mappings: string;
  [key: string]: unknown;
}

/**
 * The map narrowed to the project's own sources. With NODE_OPTIONS=--enable-source-maps, Node
 * parses the whole map when it loads index.js: the dependencies' mappings (95% of a 1.2 MB map:
 * the SDK, Powertools, zod) cost a cold start ~200 ms on a loaded machine, for stack frames
 * inside libraries nobody here debugs. Their segments become unmapped (a 1-field segment), so a
 * frame in a library is reported at its bundle position rather than at a wrong project line.
 */
export function firstPartySourceMap(map: SourceMapV3): SourceMapV3 {
  const keep = map.sources.map((source) => !/(^|[\\/])node_modules[\\/]/.test(source));
  const newIndex: number[] = [];
  const sources: string[] = [];
  map.sources.forEach((source, i) => { if (keep[i]) { newIndex[i] = sources.length; sources.push(source); } });
  // VLQ fields are deltas across the whole map (the generated column: within a line); re-encode.
  const state = { source: 0, line: 0, column: 0, name: 0 };
  const out = { source: 0, line: 0, column: 0, name: 0 };
  const names: string[] = [];
  const nameIndex = new Map<number, number>();
  const lines = map.mappings.split(';').map((line) => {
    let generatedColumn = 0;
    let outColumn = 0;
    let unmapped = true; // at a line's start nothing is mapped yet
    const segments: string[] = [];
    for (const segment of line.split(',')) {
      if (segment.length === 0) continue;
      const fields = decodeVlq(segment);
      generatedColumn += fields[0];
      if (fields.length > 1) {
        state.source += fields[1];
        state.line += fields[2];
        state.column += fields[3];
        if (fields.length >= 5) state.name += fields[4];
      }
      if (fields.length === 1 || !keep[state.source]) {
        // Unmapped from here on; a run of them is one segment.
        if (!unmapped) segments.push(encodeVlq([generatedColumn - outColumn]));
        if (!unmapped) outColumn = generatedColumn;
        unmapped = true;
        continue;
      }
      const mapped = [generatedColumn - outColumn, newIndex[state.source] - out.source, state.line - out.line, state.column - out.column];
      outColumn = generatedColumn;
      out.source = newIndex[state.source];
      out.line = state.line;
      out.column = state.column;
      if (fields.length >= 5) {
        let name = nameIndex.get(state.name);
        if (name === undefined) {
          name = names.length;
          names.push(map.names[state.name]);
          nameIndex.set(state.name, name);
        }
        mapped.push(name - out.name);
        out.name = name;
      }
      segments.push(encodeVlq(mapped));
      unmapped = false;
    }
    return segments.join(',');
  });
  return { ...map, sources, names, mappings: lines.join(';') };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -Math.floor(value / 2) : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeVlq(values: readonly number[]): string {
  let text = '';
  for (const v of values) {
    let rest = v < 0 ? -v * 2 + 1 : v * 2;
    do {
      let digit = rest % 32;
      rest = Math.floor(rest / 32);
      if (rest > 0) digit += 32;
      text += BASE64[digit];
    } while (rest > 0);
  }
  return text;
}

/** esbuild's messages, with file and line, in one StackConfigError. */
function esbuildError(e: unknown, entry: string, where: string): StackConfigError {
  const errors = (e as Partial<BuildFailure>).errors ?? [];
  const detail = errors.map((m) => `${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('; ') || (e as Error).message;
  return new StackConfigError(where, `esbuild could not bundle ${relative(PROJECT_ROOT, entry)}: ${detail}`, { cause: e });
}

// ---------------------------------------------------------------------------
// Content-addressed output
// ---------------------------------------------------------------------------

function contentHash(files: ReadonlyMap<string, Buffer>): string {
  const hash = createHash('sha256');
  for (const name of [...files.keys()].sort()) {
    hash.update(name).update('\0').update(String(files.get(name)!.length)).update('\0').update(files.get(name)!);
  }
  return hash.digest('hex');
}

/** Writes into a temp folder and renames it into place: readers only ever see a complete folder. */
function writeContentAddressed(root: string, name: string, files: ReadonlyMap<string, Buffer>): string {
  const target = join(root, name);
  if (existsSync(join(target, BUNDLE_ENTRY_FILE))) return target;
  const temp = join(root, `.tmp-${name}-${process.pid}-${Date.now()}`);
  mkdirSync(temp, { recursive: true });
  for (const [file, contents] of files) writeFileSync(join(temp, file), contents);
  try {
    renameSync(temp, target);
  } catch (e) {
    // Another process won the race with identical contents (same hash): use theirs.
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(join(target, BUNDLE_ENTRY_FILE))) throw e;
  }
  return target;
}
