// ---------------------------------------------------------------------------
// Deployment packages are hostile input. Through the real SDK, a zip that would write outside
// its folder, link elsewhere, or expand like a bomb is refused with InvalidParameterValueException,
// and nothing of it lands on disk; the nearest honest package is accepted and runs. Cases:
//   ../ and a/../../ entry names, absolute names, backslashes, symlinks  -> refused, nothing written
//   highly compressible large entry (zip bomb)                          -> refused
//   large incompressible entry, nested folders                          -> accepted, runs
//   a refused upload leaves no staging folder and keeps the old code (UpdateFunctionCode)
// ---------------------------------------------------------------------------
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { buildZip, handlerZip, zipSlipZip } from '../../support/localcloud-zips';
import { useLambdaCloud } from '../../support/lambda-cloud';

/** The suite's cloud, customer-a's clients (where packages are uploaded) and an execution role there. */
const fx = useLambdaCloud('pkg-exec');
let names = 0;

function create(zip: Buffer, name = `pkg-${++names}`) {
  return fx.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs22.x', Role: fx.roleArn, Handler: 'index.handler', Code: { ZipFile: zip } }));
}

async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { name: string; message: string };
  }
  throw new Error('expected the upload to be refused, but it was accepted');
}

/** Every file name under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true }).map((d) => join(d.parentPath, d.name));
}

/** Patch a same-length placeholder entry name in both zip headers (yazl refuses to write bad names). */
async function zipWithEntryName(hostileName: string, content = 'module.exports = 1;'): Promise<Buffer> {
  const placeholder = 'p'.repeat(hostileName.length);
  const zip = await buildZip({ [placeholder]: content, 'index.js': 'exports.handler = async () => "ok";' });
  return Buffer.from(zip.toString('latin1').split(placeholder).join(hostileName), 'latin1');
}

// ---------------------------------------------------------------------------
// Refused
// ---------------------------------------------------------------------------

describe('refused packages', () => {
  test('an entry named ../evil.js is refused and nothing is written', async () => {
    const e = await refusal(create(await zipSlipZip('../evil.js')));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain('Could not unzip uploaded file');
    expect(filesUnder(fx.cloud.stateDir).filter((f) => f.endsWith('evil.js'))).toEqual([]);
  });

  test('an entry that climbs out from a subfolder (a/../../evil2.js) is refused', async () => {
    const e = await refusal(create(await zipSlipZip('a/../../evil2.js')));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(filesUnder(fx.cloud.stateDir).filter((f) => f.endsWith('evil2.js'))).toEqual([]);
  });

  test('an absolute entry name is refused and the file is not created', async () => {
    const target = `/tmp/lc-abs-${randomUUID().slice(0, 8)}.js`;
    const e = await refusal(create(await zipWithEntryName(target)));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(existsSync(target)).toBe(false);
  });

  test('an entry name with a backslash is refused', async () => {
    const e = await refusal(create(await zipWithEntryName('..\\evil3.js')));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(filesUnder(fx.cloud.stateDir).filter((f) => f.includes('evil3'))).toEqual([]);
  });

  test('a symbolic link entry is refused', async () => {
    const zip = await buildZip([
      { name: 'index.js', content: 'exports.handler = async () => 1;' },
      { name: 'passwd', content: '/etc/passwd', mode: 0o120777 },
    ]);
    const e = await refusal(create(zip));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain('symbolic link');
  });

  test('an entry that expands more than 200x past 1 MB (a zip bomb) is refused', async () => {
    const zip = await buildZip([{ name: 'index.js', content: 'exports.handler = async () => 1;' }, { name: 'zeros.bin', content: Buffer.alloc(20 * 1024 * 1024) }]);
    expect(zip.length).toBeLessThan(200 * 1024);
    const e = await refusal(create(zip));
    expect(e.name).toBe('InvalidParameterValueException');
    expect(e.message).toContain('zip bomb');
  });

  test('a refused upload leaves no staging folder behind', async () => {
    await refusal(create(await zipSlipZip('../evil4.js')));
    const codeDir = join(fx.cloud.stateDir, 'lambda', 'code');
    expect(readdirSync(codeDir).filter((n) => n.includes('.staging-'))).toEqual([]);
  });

  test('UpdateFunctionCode with a hostile zip is refused and the function keeps its code', async () => {
    const name = `pkg-${++names}`;
    const created = await create(await handlerZip('exports.handler = async () => "original";'), name);
    const e = await refusal(fx.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await zipSlipZip('../evil5.js') })));
    expect(e.name).toBe('InvalidParameterValueException');
    const read = await fx.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(read.CodeSha256).toBe(created.CodeSha256);
  });
});

// ---------------------------------------------------------------------------
// Accepted (the nearest honest packages)
// ---------------------------------------------------------------------------

describe('accepted packages', () => {
  test('a large entry that does not compress (2 MB of random bytes) is accepted', async () => {
    const zip = await buildZip([{ name: 'index.js', content: 'exports.handler = async () => require("fs").statSync(__dirname + "/blob.bin").size;' }, { name: 'blob.bin', content: randomBytes(2 * 1024 * 1024) }]);
    const name = `pkg-${++names}`;
    await create(zip, name);
    const out = await fx.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toBe(2 * 1024 * 1024);
  });

  test('nested folders, a file named with leading dots and a ../-looking but safe name unpack in place', async () => {
    const zip = await buildZip({
      'index.js': 'const fs = require("fs"); exports.handler = async () => [fs.readFileSync(__dirname + "/lib/deep/x.txt", "utf8"), fs.readFileSync(__dirname + "/..data", "utf8")];',
      'lib/deep/x.txt': 'deep',
      '..data': 'dots',
    });
    const name = `pkg-${++names}`;
    await create(zip, name);
    const out = await fx.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual(['deep', 'dots']);
  });
});
