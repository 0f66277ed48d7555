// ---------------------------------------------------------------------------
// rules/ is the ground floor: it imports only its own files, zod and Node's builtins, never the
// config, the constructs, the Lambdas, the scripts or the local cloud, so that everything above
// can use it and nothing in it can pull a stack or an SDK into a Lambda bundle.
// ---------------------------------------------------------------------------
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../config/load';

const RULES_DIR = join(PROJECT_ROOT, 'rules');
const ALLOWED = /^(\.\/[\w-]+|zod|node:[\w/]+)$/;

function importsOf(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...source.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
}

const files = readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts'));

test('rules/ has files to check', () => {
  expect(files.length).toBeGreaterThan(0);
});

test.each(files)('rules/%s imports nothing else of the project', (file) => {
  const imports = importsOf(readFileSync(join(RULES_DIR, file), 'utf8'));

  expect(imports.filter((spec) => !ALLOWED.test(spec))).toEqual([]);
});

test('the check catches an import from outside rules/', () => {
  expect(importsOf("import { loadConfig } from '../config/load';").filter((spec) => !ALLOWED.test(spec))).toEqual(['../config/load']);
});
