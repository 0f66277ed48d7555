// ---------------------------------------------------------------------------
// Fixtures for the local cloud's Lambda suites (test/localcloud/*.test.ts): real deployment
// packages built with yazl (a dev dependency), hostile ones for the unpacker's refusals, a
// Lambda execution role, and the refusal helper. Test-only, so it lives under test/support/,
// never under localcloud/.
// ---------------------------------------------------------------------------
import { CreateRoleCommand, type IAMClient } from '@aws-sdk/client-iam';
import { ZipFile } from 'yazl';

// ---------------------------------------------------------------------------
// Packages
// ---------------------------------------------------------------------------

export interface ZipEntry {
  readonly name: string;
  readonly content: string | Buffer;
  /** Unix mode, e.g. 0o120777 for a symbolic link. */
  readonly mode?: number;
  /** Store uncompressed (for size-accurate packages). @default false */
  readonly store?: boolean;
}

/** A zip with these entries, as a Buffer. */
export function buildZip(entries: readonly ZipEntry[] | Record<string, string>): Promise<Buffer> {
  const list: readonly ZipEntry[] = Array.isArray(entries) ? entries : Object.entries(entries).map(([name, content]) => ({ name, content }));
  const zip = new ZipFile();
  for (const e of list) {
    zip.addBuffer(Buffer.isBuffer(e.content) ? e.content : Buffer.from(e.content, 'utf8'), e.name, { mode: e.mode, compress: !e.store });
  }
  zip.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

/** A one-file package: `index.js` with this source. */
export function handlerZip(source: string): Promise<Buffer> {
  return buildZip({ 'index.js': source });
}

/**
 * A zip whose entry escapes the package (`../<name>`). yazl refuses to write such a name, so the
 * zip is built with a same-length placeholder and the name is patched in both headers: exactly
 * what a hostile upload looks like.
 */
export async function zipSlipZip(escapingName = '../evil.js'): Promise<Buffer> {
  const placeholder = 'x'.repeat(escapingName.length);
  const zip = await buildZip({ [placeholder]: 'module.exports = "escaped";', 'index.js': 'exports.handler = async () => "ok";' });
  const text = zip.toString('latin1');
  const patched = text.split(placeholder).join(escapingName);
  if (patched === text) throw new Error('placeholder not found in the zip');
  return Buffer.from(patched, 'latin1');
}

// ---------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------

/** The trust policy of a Lambda execution role. */
export const LAMBDA_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

/** Create an IAM role with `trustPolicy` (default: Lambda may assume it); answers its ARN. */
export async function createRole(iam: IAMClient, roleName: string, trustPolicy: string = LAMBDA_TRUST_POLICY): Promise<string> {
  const out = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trustPolicy }));
  if (!out.Role?.Arn) throw new Error(`CreateRole ${roleName} answered no ARN`);
  return out.Role.Arn;
}

/** What the SDK throws for a refused call: its name, message and HTTP status. */
export interface SdkError { name: string; message: string; $metadata: { httpStatusCode?: number } }

/** The error a call was refused with; fails the test when the call succeeds instead. */
export async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}
