// ---------------------------------------------------------------------------
// The import-direction check: which top-level folder may import which. The folders show what
// depends on what (DESIGN.md, Layout): rules at the bottom importing nothing else of the
// project, the constructs, Lambdas and scripts above them, the local cloud beside them on its
// own, and production never reaching into test/.
//
// Imports are read with TypeScript's own pre-processor (`ts.preProcessFile`), which sees
// `import`, `export ... from`, `import type`, `require(...)` and `import(...)` alike; only
// relative specifiers can name a project file, so package imports are not judged here.
// ---------------------------------------------------------------------------
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/** A layer is a top-level folder; the project's root files (main.ts) form the layer `app`. */
export type Layer = string;

/**
 * Which layers each layer may import (itself included where listed). A layer missing from the
 * table is a finding too: a new top-level folder must say where it stands.
 */
export const ALLOWED_IMPORTS: Readonly<Record<Layer, readonly Layer[]>> = {
  // The ground floor: naming and ARNs, policies as data, external-ID rules, the registry's shape.
  rules: ['rules'],
  // Validated input: the config's schema is built from the rules' pieces.
  config: ['config', 'rules'],
  // The Lambdas' code ships in bundles: rules only, never the constructs that deploy them.
  lambda: ['lambda', 'rules'],
  // The cdktf constructs.
  modules: ['modules', 'rules', 'config'],
  // A library of its own: it receives accounts and settings from whoever starts it.
  localcloud: ['localcloud'],
  app: ['app', 'modules', 'config', 'rules'],
  scripts: ['scripts', 'rules', 'config', 'modules', 'lambda', 'localcloud'],
  bench: ['bench', 'scripts', 'rules', 'config', 'modules', 'lambda', 'localcloud'],
  // Tests may reach anything; nothing but tests may reach them.
  test: ['test', 'app', 'rules', 'config', 'lambda', 'modules', 'localcloud', 'scripts', 'bench'],
};

/**
 * Layers whose npm imports are limited too: the rules floor is pure (zod and Node's builtins),
 * so nothing in it can pull a construct or an SDK client into a Lambda bundle.
 */
export const ALLOWED_PACKAGES: Readonly<Record<Layer, RegExp>> = {
  rules: /^(zod|node:[\w/]+)$/,
};

export interface ImportFinding {
  /** Project-relative path of the importing file. */
  readonly file: string;
  /** The specifier as written. */
  readonly specifier: string;
  readonly fromLayer: Layer;
  /** The imported file's layer; undefined when the specifier resolves to no file. */
  readonly toLayer?: Layer;
  readonly message: string;
}

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.js', '.cjs', '.mjs'];
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', 'cdktf.out', '.localcloud', 'coverage', 'dist']);

export function layerOf(projectRelativePath: string): Layer {
  const parts = projectRelativePath.split(/[\\/]/);
  return parts.length === 1 ? 'app' : parts[0];
}

/** Every source file below `root`, project-relative, in a stable order. */
export function sourceFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory).sort()) {
      if (SKIPPED_DIRECTORIES.has(name) || name.startsWith('.')) continue;
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (SOURCE_EXTENSIONS.some((ext) => name.endsWith(ext)) && !name.endsWith('.d.ts')) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return found;
}

/** The file a relative specifier names, as TypeScript and Node would find it; undefined if none. */
function resolveSpecifier(root: string, importer: string, specifier: string): string | undefined {
  const base = resolve(root, dirname(importer), specifier);
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => base + ext), ...SOURCE_EXTENSIONS.map((ext) => join(base, `index${ext}`)), join(base, 'package.json')];
  const hit = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  return hit === undefined ? undefined : relative(root, hit).split(sep).join('/');
}

/** Every import that breaks the table, with a sentence saying which rule and what to do. */
export function checkImportDirection(
  root: string,
  allowed: Readonly<Record<Layer, readonly Layer[]>> = ALLOWED_IMPORTS,
  allowedPackages: Readonly<Record<Layer, RegExp>> = ALLOWED_PACKAGES,
): ImportFinding[] {
  const findings: ImportFinding[] = [];
  for (const file of sourceFiles(root)) {
    const fromLayer = layerOf(file);
    const mayImport = allowed[fromLayer];
    if (mayImport === undefined) {
      findings.push({ file, specifier: '', fromLayer, message: `${file}: the folder "${fromLayer}" is not in the import-direction table (test/support/import-direction.ts); add it with the layers it may import` });
      continue;
    }
    const imports = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true).importedFiles;
    for (const { fileName: specifier } of imports) {
      if (!specifier.startsWith('.')) {
        const packages = allowedPackages[fromLayer];
        if (packages !== undefined && !packages.test(specifier)) {
          findings.push({ file, specifier, fromLayer, message: `${file}: ${fromLayer}/ may not import the package "${specifier}"; it may import only packages matching ${packages}` });
        }
        continue;
      }
      const target = resolveSpecifier(root, file, specifier);
      if (target === undefined) {
        findings.push({ file, specifier, fromLayer, message: `${file}: imports "${specifier}", which names no file` });
        continue;
      }
      const toLayer = layerOf(target);
      if (target.startsWith('..') || !mayImport.includes(toLayer)) {
        findings.push({ file, specifier, fromLayer, toLayer, message: `${file}: ${fromLayer}/ may not import ${toLayer}/ ("${specifier}"); ${fromLayer}/ may import only ${mayImport.map((l) => `${l}/`).join(', ')}` });
      }
    }
  }
  return findings;
}
