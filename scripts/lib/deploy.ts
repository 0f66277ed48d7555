// ---------------------------------------------------------------------------
// Deploying the stacks with the real cdktf CLI and Terraform. The vendor goes first: a customer's
// trust lets in the vendor's roles (the vendor account as principal, the roles by ARN in an
// aws:PrincipalArn condition, rules/policies.ts), so nothing gets through until they exist.
// Customers then deploy in parallel. Each step prints what it is doing and how long it took.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { VENDOR_STACK_NAME } from '../../rules/naming';
import { requireTerraform, terraformEnv } from '../terraform-env';

export const PROJECT_ROOT = resolve(__dirname, '..', '..');
const CDKTF_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', 'cdktf');

export interface CdktfRunOptions {
  /** Environment for the app and Terraform (target, local cloud port, state folder...). */
  readonly env: NodeJS.ProcessEnv;
  /** Synth output folder. @default cdktf.out */
  readonly outDir?: string;
  /** Where each line of cdktf's output goes. @default process.stdout */
  readonly onOutput?: (chunk: string) => void;
}

/** Thrown when a cdktf command fails; carries the tail of its output. */
export class CdktfCommandError extends Error {
  readonly code = 'CdktfCommandFailed';
  constructor(readonly args: readonly string[], readonly exitCode: number | null, readonly outputTail: string) {
    super(`cdktf ${args.join(' ')} failed (exit ${exitCode}). Last output:\n${outputTail}`);
    this.name = 'CdktfCommandError';
  }
}

/** Run the project's cdktf-cli with the offline Terraform environment. */
export function runCdktf(args: readonly string[], options: CdktfRunOptions): Promise<void> {
  const { env, notices } = terraformEnv({ baseEnv: options.env });
  for (const notice of notices) process.stderr.write(`[terraform-env] ${notice}\n`);
  requireTerraform(env);
  const fullArgs = [...args, '--output', options.outDir ?? join(PROJECT_ROOT, 'cdktf.out')];
  const emit = options.onOutput ?? ((chunk: string) => process.stdout.write(chunk));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(CDKTF_BIN, fullArgs, { cwd: PROJECT_ROOT, env: { ...env, CI: 'true', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-4000);
      emit(text);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new CdktfCommandError(fullArgs, code, tail))));
  });
}

export interface DeployOptions extends CdktfRunOptions {
  /** Customer stacks to deploy after the vendor. */
  readonly customerStacks: readonly string[];
  /** Where the merged outputs of all stacks are written (the `--outputs-file` format). */
  readonly outputsFile: string;
  /** Deploy the vendor stack too. @default true */
  readonly includeVendor?: boolean;
  /** Progress lines ("[2/3] deploying customer-a, customer-b"). @default stderr */
  readonly onProgress?: (line: string) => void;
}

/** Synthesize once, deploy the vendor, then the customers; merge outputs into one file. */
export async function deployStacks(options: DeployOptions): Promise<{ seconds: number }> {
  const progress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const steps: { label: string; stacks: string[] }[] = [];
  if (options.includeVendor !== false) steps.push({ label: 'vendor', stacks: [VENDOR_STACK_NAME] });
  if (options.customerStacks.length > 0) steps.push({ label: 'customers', stacks: [...options.customerStacks] });
  const total = steps.length + 1;

  progress(`[1/${total}] synthesizing the stacks`);
  let t = Date.now();
  await runCdktf(['synth'], options);
  progress(`      done in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  const merged: Record<string, unknown> = readOutputs(options.outputsFile);
  for (const [i, step] of steps.entries()) {
    progress(`[${i + 2}/${total}] deploying ${step.stacks.join(', ')} (terraform apply; Lambda functions take ~10 s each to settle)`);
    t = Date.now();
    const stepOutputs = `${options.outputsFile}.${step.label}.tmp`;
    rmSync(stepOutputs, { force: true });
    await runCdktf(['deploy', ...step.stacks, '--auto-approve', '--skip-synth', '--skip-provider-lock',
      '--outputs-file', stepOutputs, '--outputs-file-include-sensitive-outputs'], options);
    Object.assign(merged, readOutputs(stepOutputs));
    rmSync(stepOutputs, { force: true });
    progress(`      done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  mkdirSync(dirname(options.outputsFile), { recursive: true });
  writeFileSync(options.outputsFile, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
  return { seconds: (Date.now() - started) / 1000 };
}

/** Destroy customers first (their trust names the vendor's roles), then the vendor. */
export async function destroyStacks(options: Omit<DeployOptions, 'outputsFile'> & { outputsFile?: string }): Promise<void> {
  const progress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  await runCdktf(['synth'], options);
  if (options.customerStacks.length > 0) {
    progress(`destroying ${options.customerStacks.join(', ')}`);
    await runCdktf(['destroy', ...options.customerStacks, '--auto-approve', '--skip-synth'], options);
  }
  if (options.includeVendor !== false) {
    progress(`destroying ${VENDOR_STACK_NAME}`);
    await runCdktf(['destroy', VENDOR_STACK_NAME, '--auto-approve', '--skip-synth'], options);
  }
  if (options.outputsFile) rmSync(options.outputsFile, { force: true });
}

function readOutputs(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
