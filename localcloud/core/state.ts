// ---------------------------------------------------------------------------
// Persisted state: one JSON file per namespace under the state directory, written atomically
// (temp file + rename) so a crash never leaves half a file. Loaded lazily and cached; every
// write goes through to disk, so the state survives a restart.
// ---------------------------------------------------------------------------
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateStore } from '../contracts';

/** Thrown when a state file exists but is not JSON (hand-edited or from another tool). */
export class StateFileError extends Error {
  readonly code = 'StateFileInvalid';
  constructor(readonly file: string, cause: unknown) {
    super(`${file} is not valid JSON. Fix it, or wipe the local cloud's state with \`npx tsx localcloud/cli.ts reset\`.`, { cause });
    this.name = 'StateFileError';
  }
}

const NAMESPACE_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export class FileStateStore implements StateStore {
  private readonly cache = new Map<string, unknown>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  read<T>(namespace: string): T | undefined {
    if (this.cache.has(namespace)) return this.cache.get(namespace) as T;
    const file = this.fileOf(namespace);
    if (!existsSync(file)) return undefined;
    let value: T;
    try {
      value = JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch (e) {
      throw new StateFileError(file, e);
    }
    this.cache.set(namespace, value);
    return value;
  }

  write<T>(namespace: string, value: T): void {
    const file = this.fileOf(namespace);
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(value));
    renameSync(temp, file);
    this.cache.set(namespace, value);
  }

  private fileOf(namespace: string): string {
    // Namespaces come from code, never from requests; the pattern keeps them inside `dir`.
    if (!NAMESPACE_PATTERN.test(namespace)) throw new Error(`invalid state namespace "${namespace}"`);
    return join(this.dir, `${namespace}.json`);
  }
}

/** Remove every state file in `dir` (the CLI's `reset`). */
export function wipeState(dir: string): number {
  if (!existsSync(dir)) return 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.tmp'));
  for (const f of files) rmSync(join(dir, f), { force: true });
  return files.length;
}
