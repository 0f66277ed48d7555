// The folders show what depends on what, and this suite keeps it so:
//   - the project as it is breaks no rule of the import-direction table;
//   - each rule DESIGN.md's layout names is caught on a scratch tree that breaks it: the rules
//     floor importing anything else, the local cloud importing the app, production importing
//     test/, lambda/ importing constructs; plus a specifier that names no file and a folder the
//     table does not know;
//   - the rules floor importing a package other than zod and Node's builtins;
//   - the nearest allowed neighbour of each is not reported.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { checkImportDirection, layerOf, sourceFiles } from '../../support/import-direction';

const PROJECT_ROOT = resolve(__dirname, '../../..');

describe('the project', () => {
  it('breaks no rule of the import-direction table', () => {
    // Act
    const findings = checkImportDirection(PROJECT_ROOT);

    // Assess: the messages, so a failure says which file and which rule.
    expect(findings.map((f) => f.message)).toEqual([]);
  });

  it('is read whole: every production folder has files the check looked at', () => {
    const layers = new Set(sourceFiles(PROJECT_ROOT).map(layerOf));
    for (const layer of ['app', 'rules', 'config', 'modules', 'lambda', 'localcloud', 'scripts', 'bench', 'test']) expect(layers).toContain(layer);
  });
});

describe('a scratch tree', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'import-direction-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const messages = (): string[] => checkImportDirection(root).map((f) => f.message);

  beforeEach(() => {
    write('rules/naming.ts', 'export const prefix = "p";\n');
    write('rules/policies.ts', "import { prefix } from './naming';\nexport const p = prefix;\n");
    write('config/schema.ts', "import { prefix } from '../rules/naming';\nexport const s = prefix;\n");
    write('modules/stack.ts', "import { s } from '../config/schema';\nexport const t = s;\n");
    write('lambda/shared/env.ts', "import { prefix } from '../../rules/naming';\nexport const e = prefix;\n");
    write('localcloud/core/sigv4.ts', 'export const sign = 1;\n');
    write('localcloud/server.ts', "import { sign } from './core/sigv4';\nexport const x = sign;\n");
    write('scripts/demo.ts', "import { t } from '../modules/stack';\nimport { x } from '../localcloud/server';\nexport const d = [t, x];\n");
    write('test/support/helper.ts', 'export const h = 1;\n');
    write('test/unit/a.test.ts', "import { h } from '../support/helper';\nimport { d } from '../../scripts/demo';\nexport const a = [h, d];\n");
    write('main.ts', "import { t } from './modules/stack';\nexport default t;\n");
  });

  it('with every import pointing down has no findings', () => {
    expect(messages()).toEqual([]);
  });

  it('catches the rules floor importing anything else of the project, and allows it its own files', () => {
    write('rules/tenant-registry.ts', "import type { s } from '../config/schema';\nimport { prefix } from './naming';\nexport type R = typeof s | typeof prefix;\n");
    expect(messages()).toEqual([expect.stringMatching(/^rules\/tenant-registry\.ts: rules\/ may not import config\/ \("\.\.\/config\/schema"\); rules\/ may import only rules\/$/)]);
  });

  it('catches the rules floor importing a package other than zod and Node builtins', () => {
    write('rules/schemas.ts', "import * as z from 'zod';\nimport { createHash } from 'node:crypto';\nimport { STSClient } from '@aws-sdk/client-sts';\nexport const s = [z, createHash, STSClient];\n");
    expect(messages()).toEqual([expect.stringContaining('rules/schemas.ts: rules/ may not import the package "@aws-sdk/client-sts"')]);
  });

  it('catches the local cloud importing the app through any form of import, and allows its own floor', () => {
    write('localcloud/core/accounts.ts', "import './sigv4';\nconst config = require('../../config/schema');\nexport const a = config;\n");
    write('localcloud/lambda/role.ts', "export async function f() { return import('../../rules/naming'); }\n");
    expect(messages()).toEqual([
      expect.stringContaining('localcloud/core/accounts.ts: localcloud/ may not import config/'),
      expect.stringContaining('localcloud/lambda/role.ts: localcloud/ may not import rules/'),
    ]);
  });

  it('catches production importing test/, in every production folder, and lets tests import each other', () => {
    write('scripts/soak.ts', "export { h } from '../test/support/helper';\n");
    write('bench/world.ts', "import { h } from '../test/support/helper';\nexport const w = h;\n");
    write('test/e2e/b.test.ts', "import { h } from '../support/helper';\nexport const b = h;\n");
    expect(messages()).toEqual([
      expect.stringContaining('bench/world.ts: bench/ may not import test/'),
      expect.stringContaining('scripts/soak.ts: scripts/ may not import test/'),
    ]);
  });

  it('catches lambda/ importing constructs (type-only imports too), and allows the rules', () => {
    write('lambda/vend/vend.ts', "import type { t } from '../../modules/stack';\nimport { prefix } from '../../rules/naming';\nexport const v: typeof t = prefix;\n");
    expect(messages()).toEqual([expect.stringContaining('lambda/vend/vend.ts: lambda/ may not import modules/')]);
  });

  it('reports an import that names no file, and a folder the table does not know', () => {
    write('modules/broken.ts', "import { gone } from '../rules/gone';\nexport const b = gone;\n");
    write('tools/x.ts', 'export const x = 1;\n');
    expect(messages()).toEqual([
      expect.stringContaining('modules/broken.ts: imports "../rules/gone", which names no file'),
      expect.stringContaining('tools/x.ts: the folder "tools" is not in the import-direction table'),
    ]);
  });

  it('resolves a folder import to its index file and judges it by that file', () => {
    write('test/support/index.ts', 'export const i = 1;\n');
    write('lambda/shared/uses-test.ts', "import { i } from '../../test/support';\nexport const u = i;\n");
    expect(messages()).toEqual([expect.stringContaining('lambda/shared/uses-test.ts: lambda/ may not import test/')]);
  });
});
