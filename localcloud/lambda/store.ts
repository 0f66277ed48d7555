// ---------------------------------------------------------------------------
// What the Lambda service remembers, per function: $LATEST, published versions, resource
// policies, tags and reserved concurrency. Kept in the core's state store under the namespace
// `lambda` (write-through, survives restarts); deployment packages live beside it as files,
// content-addressed by their SHA-256: `<stateDir>/lambda/code/<hex>.zip` and the unpacked
// tree `<stateDir>/lambda/code/<hex>/`.
// ---------------------------------------------------------------------------
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateStore } from '../contracts';
import type { PolicyStatementJson } from './function-policy';
import { extractPackage } from './zip';

export const STATE_NAMESPACE = 'lambda';

/** One immutable snapshot of code + configuration: $LATEST (mutable in place) or a version. */
export interface FunctionVersionRecord {
  readonly version: string; // '$LATEST' | '1' | '2' ...
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  architectures: string[];
  tracingMode: 'Active' | 'PassThrough';
  ephemeralStorageSize: number;
  logFormat: 'JSON' | 'Text';
  /** Base64 SHA-256 of the zip, as Lambda reports it. */
  codeSha256: string;
  codeSize: number;
  /** Lambda's timestamp format: 2024-05-01T12:00:00.000+0000. */
  lastModified: string;
  revisionId: string;
}

export interface FunctionPolicyRecord {
  statements: PolicyStatementJson[];
}

export interface FunctionRecord {
  readonly arn: string; // unqualified
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly functionName: string;
  latest: FunctionVersionRecord;
  versions: FunctionVersionRecord[];
  nextVersion: number;
  /** Keyed by qualifier: '$LATEST' for the unqualified function, or a version number. */
  policies: Record<string, FunctionPolicyRecord>;
  tags: Record<string, string>;
  reservedConcurrency?: number;
}

interface LambdaState {
  functions: Record<string, FunctionRecord>;
}

// ---------------------------------------------------------------------------
// Function records
// ---------------------------------------------------------------------------

export class FunctionStore {
  constructor(private readonly state: StateStore) {}

  private read(): LambdaState {
    return this.state.read<LambdaState>(STATE_NAMESPACE) ?? { functions: {} };
  }

  get(arn: string): FunctionRecord | undefined {
    return this.read().functions[arn];
  }

  /** Functions of one account and region, sorted by name (ListFunctions' order). */
  list(accountId: string, region: string): FunctionRecord[] {
    return Object.values(this.read().functions)
      .filter((f) => f.accountId === accountId && f.region === region)
      .sort((a, b) => a.functionName.localeCompare(b.functionName));
  }

  put(record: FunctionRecord): void {
    const state = this.read();
    state.functions[record.arn] = record;
    this.state.write(STATE_NAMESPACE, state);
  }

  delete(arn: string): void {
    const state = this.read();
    delete state.functions[arn];
    this.state.write(STATE_NAMESPACE, state);
  }

  /** Read-modify-write of one function; the callback runs synchronously, so no request interleaves. */
  update(arn: string, change: (record: FunctionRecord) => void): FunctionRecord {
    const state = this.read();
    const record = state.functions[arn];
    if (!record) throw new Error(`function ${arn} vanished during an update`);
    change(record);
    this.state.write(STATE_NAMESPACE, state);
    return record;
  }
}

export function newRevisionId(): string {
  return randomUUID();
}

/** Lambda writes LastModified as `2024-05-01T12:00:00.000+0000`. */
export function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

// ---------------------------------------------------------------------------
// Deployment packages
// ---------------------------------------------------------------------------

export interface StoredPackage {
  readonly codeSha256: string;
  readonly codeSize: number;
}

export function codeDir(stateDir: string): string {
  return join(stateDir, 'lambda', 'code');
}

function hexOf(codeSha256: string): string {
  return Buffer.from(codeSha256, 'base64').toString('hex');
}

export function packageZipPath(stateDir: string, codeSha256: string): string {
  return join(codeDir(stateDir), `${hexOf(codeSha256)}.zip`);
}

/** The unpacked package: LAMBDA_TASK_ROOT of the function's sandboxes. */
export function packageRoot(stateDir: string, codeSha256: string): string {
  return join(codeDir(stateDir), hexOf(codeSha256));
}

/**
 * Validate and store a zip: unpacked (safely) once per distinct content, and the zip kept for
 * a re-unpack after the tree is removed. Throws InvalidParameterValueException for a bad zip.
 */
export async function storePackage(stateDir: string, zip: Buffer): Promise<StoredPackage> {
  const codeSha256 = createHash('sha256').update(zip).digest('base64');
  mkdirSync(codeDir(stateDir), { recursive: true });
  const root = packageRoot(stateDir, codeSha256);
  if (!existsSync(root)) await extractPackage(zip, root);
  const zipPath = packageZipPath(stateDir, codeSha256);
  if (!existsSync(zipPath)) writeFileSync(zipPath, zip);
  return { codeSha256, codeSize: zip.length };
}

/** The unpacked tree for a stored package, re-created from the kept zip if it went missing. */
export async function ensurePackageRoot(stateDir: string, codeSha256: string): Promise<string> {
  const root = packageRoot(stateDir, codeSha256);
  if (!existsSync(root)) await extractPackage(readFileSync(packageZipPath(stateDir, codeSha256)), root);
  return root;
}
