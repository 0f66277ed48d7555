// ---------------------------------------------------------------------------
// Deploying the stacks with the real cdktf CLI and Terraform. The vendor goes first: a customer's
// trust lets in the vendor's roles (the vendor account as principal, the roles by ARN in an
// aws:PrincipalArn condition, rules/policies.ts), so nothing gets through until they exist.
// Customers then deploy in parallel. Each step prints what it is doing and how long it took.
// An AbortSignal interrupts a run: the running cdktf gets the signal (SIGINT or SIGTERM, as the
// abort's reason says) so that Terraform stops as it does on Ctrl-C (finishing the calls in
// flight and saving state), and deployStacks then throws DeployInterruptedError saying which
// stacks were done, which were being deployed, and which were not started.
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
  /** Aborting it stops the running cdktf with the signal named by the abort's reason (default SIGINT). */
  readonly signal?: AbortSignal;
}

/** Thrown when a cdktf command fails; carries the tail of its output. */
export class CdktfCommandError extends Error {
  readonly code = 'CdktfCommandFailed';
  constructor(readonly args: readonly string[], readonly exitCode: number | null, readonly outputTail: string) {
    super(`cdktf ${args.join(' ')} failed (exit ${exitCode}). Last output:\n${outputTail}`);
    this.name = 'CdktfCommandError';
  }
}

/** Thrown when a cdktf command was stopped because its run was interrupted (options.signal). */
export class CdktfInterruptedError extends Error {
  readonly code = 'CdktfInterrupted';
  constructor(readonly args: readonly string[], readonly signal: NodeJS.Signals) {
    super(`cdktf ${args.join(' ')} was interrupted (${signal})`);
    this.name = 'CdktfInterruptedError';
  }
}

/** The signal an abort's reason names (`controller.abort('SIGTERM')`); SIGINT otherwise. */
export function signalOf(signal: AbortSignal | undefined): NodeJS.Signals {
  return signal?.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

/** Run the project's cdktf-cli with the offline Terraform environment. */
export function runCdktf(args: readonly string[], options: CdktfRunOptions): Promise<void> {
  if (options.signal?.aborted) return Promise.reject(new CdktfInterruptedError(args, signalOf(options.signal)));
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
    // Interrupted: pass the signal on and wait for cdktf to stop Terraform. Should this process
    // exit first (a second Ctrl-C), cdktf must not run on unwatched.
    const interrupt = () => child.kill(signalOf(options.signal));
    const killOnExit = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', interrupt, { once: true });
    process.once('exit', killOnExit);
    child.on('error', reject);
    child.on('exit', (code) => {
      options.signal?.removeEventListener('abort', interrupt);
      process.removeListener('exit', killOnExit);
      if (options.signal?.aborted) reject(new CdktfInterruptedError(fullArgs, signalOf(options.signal)));
      else if (code === 0) resolvePromise();
      else reject(new CdktfCommandError(fullArgs, code, tail));
    });
  });
}

/** Where a deploy was when it was interrupted. */
export type DeployStage = 'starting the local cloud' | 'synthesizing the stacks' | 'deploying';

/** Thrown when a deploy was interrupted: what was done, what was under way, what was not started. */
export class DeployInterruptedError extends Error {
  readonly code = 'DeployInterrupted';
  constructor(
    readonly signal: NodeJS.Signals,
    readonly stage: DeployStage,
    /** Stacks deployed completely in this run. */
    readonly done: readonly string[],
    /** The stacks being deployed when it came (empty before the first deploy step). */
    readonly interrupted: readonly string[],
    /** Stacks this run had not started. */
    readonly notStarted: readonly string[],
  ) {
    super(`deploy interrupted (${signal}) ${stage === 'deploying' ? `while deploying ${interrupted.join(', ')}` : `while ${stage}`}`);
    this.name = 'DeployInterruptedError';
  }
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

  const done: string[] = [];
  let current: readonly string[] = [];
  const merged: Record<string, unknown> = readOutputs(options.outputsFile);
  const writeMerged = () => {
    mkdirSync(dirname(options.outputsFile), { recursive: true });
    writeFileSync(options.outputsFile, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
  };
  try {
    progress(`[1/${total}] synthesizing the stacks`);
    let t = Date.now();
    await runCdktf(['synth'], options);
    progress(`      done in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    for (const [i, step] of steps.entries()) {
      current = step.stacks;
      progress(`[${i + 2}/${total}] deploying ${step.stacks.join(', ')} (terraform apply; Lambda functions take ~10 s each to settle)`);
      t = Date.now();
      const stepOutputs = `${options.outputsFile}.${step.label}.tmp`;
      rmSync(stepOutputs, { force: true });
      await runCdktf(['deploy', ...step.stacks, '--auto-approve', '--skip-synth', '--skip-provider-lock',
        '--outputs-file', stepOutputs, '--outputs-file-include-sensitive-outputs'], options);
      Object.assign(merged, readOutputs(stepOutputs));
      rmSync(stepOutputs, { force: true });
      done.push(...step.stacks);
      current = [];
      progress(`      done in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
  } catch (e) {
    if (!(e instanceof CdktfInterruptedError)) throw e;
    // Keep the outputs of the stacks that were done, so a resumed run (or verify) finds them.
    if (done.length > 0) writeMerged();
    const all = steps.flatMap((s) => s.stacks);
    throw new DeployInterruptedError(e.signal, current.length > 0 ? 'deploying' : 'synthesizing the stacks', done, current, all.filter((s) => !done.includes(s) && !current.includes(s)));
  }
  writeMerged();
  return { seconds: (Date.now() - started) / 1000 };
}

/** What to tell the person who interrupted a deploy: done, interrupted, not started, how to resume. */
export function interruptedDeployMessage(e: Pick<DeployInterruptedError, 'signal' | 'stage' | 'done' | 'interrupted' | 'notStarted'>, resumeCommand: (stacks: readonly string[]) => string): string {
  const list = (stacks: readonly string[]) => (stacks.length > 0 ? stacks.join(', ') : '(none)');
  const remaining = [...e.interrupted, ...e.notStarted];
  const lines = [
    e.stage === 'deploying' && e.interrupted.length > 0
      ? `Interrupted (${e.signal}) while deploying ${e.interrupted.join(', ')}.`
      : `Interrupted (${e.signal}) while ${e.stage === 'deploying' ? 'deploying' : e.stage}${e.done.length === 0 ? ', before any stack was deployed' : ''}.`,
    `  done:        ${list(e.done)}`,
    `  interrupted: ${e.interrupted.length > 0 ? `${e.interrupted.join(', ')} (Terraform stopped mid-apply; its state keeps what it made, and the next deploy finishes it)` : '(none)'}`,
    `  not started: ${list(e.notStarted)}`,
    `Resume with: ${resumeCommand(remaining)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Destroy customers first (their trust names the vendor's roles), then the vendor. */
export async function destroyStacks(options: Omit<DeployOptions, 'outputsFile'> & { outputsFile?: string }): Promise<void> {
  const progress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  progress('synthesizing the stacks');
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
