// ---------------------------------------------------------------------------
// The Lambda bundles, as a full synth writes them: the connector and vend zips hold index.js only
// (the registry is read from DynamoDB at run time), no file of any synthesized asset holds a
// configured external ID, every zip loads as CommonJS exporting handler, a changed registry
// leaves the code's hash alone; and LambdaBundle's guards.
// ---------------------------------------------------------------------------
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { LambdaBundle, firstPartySourceMap } from '../../../modules/bundle';
import {
  localConfig, localStacks, readZip, resourceWhere, resourcesOf, synthApp, synthJson, type SynthesizedStack,
} from '../../support/synth';

const { config, customerA, vendorJson } = localStacks();

// ---------------------------------------------------------------------------
// The bundles
// ---------------------------------------------------------------------------

describe('bundles', () => {
  let outdir: string;
  let synthesized: ReturnType<typeof synthApp>;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'sidecar-stacks-fullsynth-'));
    synthesized = synthApp({ config, outdir });
    synthesized.app.synth();
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const zipOf = (stack: string, functionName: string) => {
    const json = synthJson(stack === 'vendor' ? synthesized.vendor : synthesized.customers.find((c) => c.node.id === stack)!);
    const fn = resourceWhere(json, 'aws_lambda_function', 'function_name', functionName).attrs;
    return readZip(join(outdir, 'stacks', stack, fn.filename));
  };

  test.each([[config.vendor.connectorFunctionName], [config.vendor.vendFunctionName]])('the %s zip holds index.js only: no registry.json any more', async (functionName) => {
    const files = await zipOf('vendor', functionName);
    expect([...files.keys()].sort()).toEqual(['index.js', 'index.js.map']);
    expect(files.get('index.js')!.length).toBeGreaterThan(100);
  });

  test('no file of any synthesized asset holds a configured external ID (tenants\', customers\' current and previous)', async () => {
    const secrets = [...new Set([
      ...config.tenants.map((t) => t.externalId),
      ...config.customers.flatMap((c) => [c.externalIds.current, ...(c.externalIds.previous ? [c.externalIds.previous] : [])]),
    ])];
    const zips = (readdirSync(outdir, { recursive: true }) as string[]).filter((f) => f.endsWith('.zip')).map((f) => join(outdir, f));
    // Every function's package is among them (identical bundles share one asset).
    const stacks: [string, TerraformStack][] = [['vendor', synthesized.vendor], ...synthesized.customers.map((c): [string, TerraformStack] => [c.node.id, c])];
    const packages = stacks.flatMap(([name, stack]) => Object.values(resourcesOf(synthJson(stack), 'aws_lambda_function')).map((f) => join(outdir, 'stacks', name, f.filename as string)));
    expect(packages.length).toBeGreaterThanOrEqual(2 + config.customers.length);
    for (const p of packages) expect(zips).toContain(p);
    const functions = new Set(packages).size;
    let filesRead = 0;
    for (const zip of zips) {
      for (const [name, contents] of await readZip(zip)) {
        filesRead += 1;
        const text = contents.toString('utf8');
        for (const secret of secrets) {
          if (text.includes(secret)) throw new Error(`${zip} holds ${name} with a configured external ID: it must come from the registry table at run time`);
        }
      }
    }
    expect(filesRead).toBeGreaterThanOrEqual(functions);
  });

  test('a customer\'s zip holds the sample code and no registry (other tenants\' external IDs never leave the vendor)', async () => {
    const files = await zipOf('customer-a', customerA.functions[0]);
    expect([...files.keys()].sort()).toEqual(['index.js', 'index.js.map']);
    const code = files.get('index.js')!.toString('utf8');
    for (const tenant of config.tenants) expect(code).not.toContain(tenant.externalId);
  });

  test('the connector\'s index.js is trimmed: linked first-party source map, no CommonJS-only SDK helpers', async () => {
    const files = await zipOf('vendor', config.vendor.connectorFunctionName);
    const code = files.get('index.js')!.toString('utf8');
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    expect(code).not.toContain('sourceMappingURL=data:');
    // bowser: only the SDK's CommonJS builds pull it in (ESM-first resolution leaves it out).
    expect(code).not.toMatch(/bowser/i);
    const map = JSON.parse(files.get('index.js.map')!.toString('utf8'));
    expect(map).toMatchObject({ version: 3, sources: expect.arrayContaining([expect.stringContaining('lambda/connector/connect.ts')]) });
    // First-party only: Node parses the whole map at load (NODE_OPTIONS=--enable-source-maps).
    expect(map.sources.filter((source: string) => source.includes('node_modules'))).toEqual([]);
    expect(files.get('index.js.map')!.length).toBeLessThan(100_000);
  });

  test.each(['vend', 'connector'])('the %s\'s index.js holds none of zod\'s 60 error-message locales (`import * as z`, not `import { z }`)', async (which) => {
    const files = await zipOf('vendor', which === 'vend' ? config.vendor.vendFunctionName : config.vendor.connectorFunctionName);
    const code = files.get('index.js')!.toString('utf8');
    // Dutch and Indonesian messages of zod/v4/locales (ASCII: esbuild escapes other characters):
    // only the `z` namespace object drags them in.
    expect(code).not.toContain('Ongeldige invoer');
    expect(code).not.toContain('Input tidak valid');
    // ...while the schemas still run: zod's English messages are in.
    expect(code).toContain('Invalid input');
  });

  test('firstPartySourceMap keeps the project\'s segments where they were and unmaps the libraries\'', () => {
    // Prepare: line 0: col 0 -> lib.js 0:0, col 5 -> app.ts 3:2 (name "go"), col 9 -> lib.js 4:0, col 12 -> app.ts 5:0.
    // Segments (deltas): AAAA = [0,0,0,0]; KCGEA = [5,+1,+3,+2,0]; IDCF = [4,-1,+1,-2]; GCCA = [3,+1,+1,0].
    const map = { version: 3 as const, sources: ['../node_modules/lib/lib.js', '../lambda/app.ts'], names: ['go'], mappings: 'AAAA,KCGEA,IDCF,GCCA' };

    // Act
    const trimmed = firstPartySourceMap(map);

    // Assess: app.ts is source 0 now; col 5 -> 3:2 "go" ([5,0,3,2,0] = KAGEA), col 9 unmapped ([4] = I), col 12 -> 5:0 ([3,0,2,-2] = GAEF).
    expect(trimmed).toEqual({ version: 3, sources: ['../lambda/app.ts'], names: ['go'], mappings: 'KAGEA,I,GAEF' });
  });

  test.each([
    ['vendor', config.vendor.connectorFunctionName], ['vendor', config.vendor.vendFunctionName], ['customer-a', customerA.functions[0]],
  ])('the %s zip of %s loads as CommonJS exporting handler (with the environment the stack gives it)', async (stack, functionName) => {
    const files = await zipOf(stack, functionName);
    const dir = mkdtempSync(join(tmpdir(), 'sidecar-bundle-'));
    try {
      for (const [name, contents] of files) writeFileSync(join(dir, name), contents);
      // Load it in a child process, not in jest's module system, exactly as a Lambda runtime would.
      const { execFileSync } = await import('node:child_process');
      const out = execFileSync(process.execPath, ['-e', `process.stdout.write(typeof require(${JSON.stringify(join(dir, 'index.js'))}).handler)`], {
        env: {
          PATH: process.env.PATH, POWERTOOLS_SERVICE_NAME: 'test', SIDECAR_ROLE_PREFIX: 'tibco_sidecar_connector', AWS_REGION: 'us-east-1',
          SIDECAR_REGISTRY_TABLE: 'sidecar-tenants', SIDECAR_VEND_AUDIENCE: 'arn:aws:lambda:us-east-1:809167139867:function:sidecar-vend',
        },
        encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a changed registry leaves the connector\'s source_code_hash alone: a tenant change is data, not a code deploy', () => {
    const changed = synthApp({ config: localConfig((raw) => { raw.tenants.pop(); raw.vendor.vendCallers[0].tenants.pop(); }) });
    const hashOf = (json: SynthesizedStack) => resourceWhere(json, 'aws_lambda_function', 'function_name', config.vendor.connectorFunctionName).attrs.source_code_hash;
    expect(hashOf(synthJson(changed.vendor))).toBe(hashOf(vendorJson));
  });
});

// ---------------------------------------------------------------------------
// Guards: each refusal of the construct
// ---------------------------------------------------------------------------

describe('guards', () => {
  const app = () => Testing.app();

  describe('LambdaBundle', () => {
    let dir: string;
    beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'sidecar-bundle-guards-')); });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const stack = () => new TerraformStack(app(), 'test');

    test('a missing entry file is refused', () => {
      expect(() => new LambdaBundle(stack(), 'b', { entry: 'lambda/nope/handler.ts', bundleRoot: dir })).toThrow('entry lambda/nope/handler.ts does not exist');
    });

    test('an entry that does not export handler is refused', () => {
      const entry = join(dir, 'no-handler.ts');
      writeFileSync(entry, 'export const main = async () => 1;\n');
      expect(() => new LambdaBundle(stack(), 'b', { entry, bundleRoot: dir })).toThrow(/must export "handler" \(Lambda calls index\.handler\); it exports: main/);
    });

    test('an entry that does not compile is refused with esbuild\'s message', () => {
      const entry = join(dir, 'broken.ts');
      writeFileSync(entry, 'export const handler = async () => { import "missing-module-xyz"; };\n');
      expect(() => new LambdaBundle(stack(), 'b', { entry, bundleRoot: dir })).toThrow(/esbuild could not bundle .*broken\.ts:1: /);
    });

    test('an entry importing a module that does not exist is refused', () => {
      const entry = join(dir, 'bad-import.ts');
      writeFileSync(entry, 'import { x } from "./not-there";\nexport const handler = async () => x;\n');
      expect(() => new LambdaBundle(stack(), 'b', { entry, bundleRoot: dir })).toThrow(/esbuild could not bundle .*Could not resolve "\.\/not-there"/);
    });

    test('an extra file name with a path is refused', () => {
      expect(() => new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { '../x.json': '{}' } })).toThrow('extra file name "../x.json" must be a plain file name');
    });

    test('an extra file that would replace index.js is refused', () => {
      expect(() => new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { 'index.js': '' } })).toThrow('and not index.js');
    });

    test('the build folder is content-addressed: same input, same folder; other input, other folder', () => {
      const a = new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { 'x.json': '1' } });
      const b = new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { 'x.json': '1' } });
      const c = new LambdaBundle(stack(), 'b', { entry: 'lambda/sample/handler.ts', bundleRoot: dir, extraFiles: { 'x.json': '2' } });
      expect(b.directory).toBe(a.directory);
      expect(c.directory).not.toBe(a.directory);
      expect(existsSync(join(a.directory, 'index.js'))).toBe(true);
    });
  });
});
