// ---------------------------------------------------------------------------
// An in-memory state store for unit tests of the local cloud's stores: it keeps what it is given
// as JSON text, as the file store does, so records that do not survive JSON (prototype keys,
// undefined) are lost here exactly as they would be on disk.
// ---------------------------------------------------------------------------
import type { StateStore } from '../../localcloud/contracts';

export function jsonStore(initial?: string): StateStore & { text(): string } {
  let text = initial;
  return {
    read: <T>() => (text === undefined ? undefined : (JSON.parse(text) as T)),
    write: (_ns, value) => { text = JSON.stringify(value); },
    appendRecord: () => undefined,
    readRecords: () => [],
    rewriteRecords: () => undefined,
    text: () => text ?? '',
  };
}
