// ---------------------------------------------------------------------------
// Persisted state: one JSON file per namespace under the state directory, written atomically
// (temp file + rename) so a crash never leaves half a file. Loaded lazily and cached; every
// write goes through to disk, so the state survives a restart.
// Journals (`<namespace>.jsonl`, one JSON record a line) serve data written on a hot path
// (role sessions): an append costs the same however much is stored, where rewriting a whole
// document costs its size on every write.
// ---------------------------------------------------------------------------
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateStore } from '../contracts';

/** Thrown when a state file exists but is not JSON (hand-edited or from another tool). */
export class StateFileError extends Error {
  readonly code = 'StateFileInvalid';
  constructor(readonly file: string, cause: unknown) {
    super(`${file} is not valid JSON. Fix it, or wipe the local cloud's state folder (wipeState; in this project \`npm run local:reset\`).`, { cause });
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

  appendRecord<T>(namespace: string, record: T): void {
    appendFileSync(this.fileOf(namespace, 'jsonl'), `${JSON.stringify(record)}\n`);
  }

  /**
   * Every complete line. A kill in the middle of an append leaves a last line without its
   * newline: that write was never acknowledged, so it is skipped here, and the owner's next
   * `rewriteRecords` (compaction at start-up) drops it before anything is appended after it.
   */
  readRecords<T>(namespace: string): T[] {
    const file = this.fileOf(namespace, 'jsonl');
    if (!existsSync(file)) return [];
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.pop(); // '' after the last newline, or the torn tail of an unacknowledged append
    return lines.filter((line) => line !== '').map((line) => {
      try {
        return JSON.parse(line) as T;
      } catch (e) {
        throw new StateFileError(file, e);
      }
    });
  }

  rewriteRecords<T>(namespace: string, records: readonly T[]): void {
    const file = this.fileOf(namespace, 'jsonl');
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    renameSync(temp, file);
  }

  private fileOf(namespace: string, extension: 'json' | 'jsonl' = 'json'): string {
    // Namespaces come from code, never from requests; the pattern keeps them inside `dir`.
    if (!NAMESPACE_PATTERN.test(namespace)) throw new Error(`invalid state namespace "${namespace}"`);
    return join(this.dir, `${namespace}.${extension}`);
  }
}

/** Remove every state file in `dir` (the project CLI's `reset`). */
export function wipeState(dir: string): number {
  if (!existsSync(dir)) return 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') || f.endsWith('.jsonl') || f.endsWith('.tmp'));
  for (const f of files) rmSync(join(dir, f), { force: true });
  return files.length;
}
