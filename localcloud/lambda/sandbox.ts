// ---------------------------------------------------------------------------
// One execution environment: a child process (Node.js of the function's runtime, running
// runtime/bootstrap.cjs, possibly inside namespaces: isolation/) for one function version, with that function's environment and its execution role's temporary
// credentials. It serves one invocation at a time and stays warm in between; a timeout or a
// crash ends it. https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
// ---------------------------------------------------------------------------
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { LaunchCommand } from './isolation/launcher';
/** Lambda gives the Init phase 10 seconds.
 *  https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html */
export const INIT_TIMEOUT_MS = 10_000;
/**
 * Bound on bringing the environment up before Init starts (the namespaces, Node's own start), which
 * on Lambda is the microVM's boot and not part of the Init budget. Generous: a loaded machine.
 */
export const BOOT_TIMEOUT_MS = 60_000;

/** The two start-up bounds of a sandbox; tests shorten them so as not to wait a minute. */
export interface SandboxBounds {
  /** From spawn until the runtime says it started. @default BOOT_TIMEOUT_MS */
  readonly bootTimeoutMs?: number;
  /** From the runtime's start until the handler is loaded (Lambda's Init phase). @default INIT_TIMEOUT_MS */
  readonly initTimeoutMs?: number;
}

/** A bound in seconds as the error messages say it: `60`, `10`, `0.5`. */
function seconds(ms: number): string {
  return String(ms / 1000);
}

export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: string[];
}

export interface SandboxSpec {
  /** Identifies the configuration the sandbox was started with; a change retires it. */
  readonly fingerprint: string;
  /** How to start its process: Node.js running runtime/bootstrap.cjs, isolated or not. */
  readonly launch: LaunchCommand;
  readonly env: Record<string, string>;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  readonly credentialsExpireAt: Date;
}

/** Per-invocation context; the per-sandbox rest (name, version, memory, log names) is in its environment. */
export interface InvocationContext {
  readonly invokedFunctionArn: string;
  readonly clientContext?: unknown;
}

export type InvocationOutcome =
  | { readonly kind: 'success'; readonly payload: string; readonly logs: string; readonly durationMs: number; readonly initDurationMs?: number }
  | { readonly kind: 'error'; readonly error: FunctionErrorPayload; readonly logs: string; readonly durationMs: number; readonly initDurationMs?: number };

type ChildMessage =
  | { type: 'started' }
  | { type: 'ready' }
  | { type: 'init-error'; error: FunctionErrorPayload }
  | { type: 'log'; text: string }
  | { type: 'result'; id: string; payload: string }
  | { type: 'error'; id: string; error: FunctionErrorPayload }
  | { type: 'fatal'; id?: string; error: FunctionErrorPayload };

interface Pending {
  readonly id: string;
  logs: string;
  readonly finish: (outcome: { kind: 'success'; payload: string } | { kind: 'error'; error: FunctionErrorPayload }) => void;
}

/** `Task timed out after 3.00 seconds`, as Lambda writes it. */
export function timeoutMessage(requestId: string, timeoutSeconds: number): string {
  return `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}

export class Sandbox {
  private child?: ChildProcess;
  private ready?: Promise<FunctionErrorPayload | undefined>;
  private pending?: Pending;
  private initDurationMs?: number;
  private exited = false;
  /** Output that arrived while no invocation was running (e.g. from a timer); goes to the next log. */
  private strayLogs = '';
  busy = false;
  lastUsedAt: number;

  private readonly bootTimeoutMs: number;
  private readonly initTimeoutMs: number;

  constructor(readonly spec: SandboxSpec, private readonly now: () => number = Date.now, bounds: SandboxBounds = {}) {
    this.lastUsedAt = now();
    this.bootTimeoutMs = bounds.bootTimeoutMs ?? BOOT_TIMEOUT_MS;
    this.initTimeoutMs = bounds.initTimeoutMs ?? INIT_TIMEOUT_MS;
  }

  get alive(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start the process and load the handler; resolves to the init error, if any. */
  private start(): Promise<FunctionErrorPayload | undefined> {
    const started = performance.now();
    const child = spawn(this.spec.launch.command, [...this.spec.launch.args], {
      cwd: this.spec.launch.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    // Output that bypasses console (a handler's own child processes, direct fd writes).
    const raw = (chunk: Buffer) => this.appendLog(chunk.toString('utf8'));
    child.stdout?.on('data', raw);
    child.stderr?.on('data', raw);
    return new Promise((resolve) => {
      const timeOut = (message: string) => () => {
        this.kill();
        resolve({ errorType: 'Sandbox.Timedout', errorMessage: message });
      };
      // Until the runtime says it started, the boot bound runs; from then, Lambda's Init budget.
      let initTimer = setTimeout(timeOut(`The execution environment did not start within ${seconds(this.bootTimeoutMs)} seconds`), this.bootTimeoutMs);
      child.on('message', (msg: ChildMessage) => {
        if (msg.type === 'started') {
          clearTimeout(initTimer);
          initTimer = setTimeout(timeOut(`Init phase did not complete within ${seconds(this.initTimeoutMs)} seconds`), this.initTimeoutMs);
        } else if (msg.type === 'ready') {
          clearTimeout(initTimer);
          this.initDurationMs = performance.now() - started;
          resolve(undefined);
        } else if (msg.type === 'init-error') {
          clearTimeout(initTimer);
          resolve(msg.error);
        } else {
          this.onMessage(msg);
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(initTimer);
        this.exited = true;
        resolve({ errorType: 'Runtime.ExitError', errorMessage: `Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}` });
        this.pending?.finish({ kind: 'error', error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${this.pending.id} Error: Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}` } });
      });
      child.on('error', (e) => {
        clearTimeout(initTimer);
        this.exited = true;
        resolve({ errorType: 'Runtime.ExitError', errorMessage: `Runtime could not start: ${e.message}` });
      });
    });
  }

  private appendLog(text: string): void {
    if (this.pending) this.pending.logs += text;
    else this.strayLogs += text;
  }

  private onMessage(msg: ChildMessage): void {
    switch (msg.type) {
      case 'log':
        this.appendLog(msg.text);
        return;
      case 'result':
        if (this.pending?.id === msg.id) this.pending.finish({ kind: 'success', payload: msg.payload });
        return;
      case 'error':
        if (this.pending?.id === msg.id) this.pending.finish({ kind: 'error', error: msg.error });
        return;
      case 'fatal':
        // The process exits right after; report the error to the invocation it broke.
        if (this.pending) this.pending.finish({ kind: 'error', error: msg.error });
        this.exited = true;
        return;
      default:
        return;
    }
  }

  /** Run one invocation. The caller guarantees one at a time (the pool marks the sandbox busy). */
  async invoke(requestId: string, payload: string, context: InvocationContext): Promise<InvocationOutcome> {
    const coldStart = !this.ready;
    this.ready ??= this.start();
    const initError = await this.ready;
    const initDurationMs = coldStart ? this.initDurationMs : undefined;
    if (initError) {
      this.kill();
      const logs = this.takeStrayLogs();
      return { kind: 'error', error: initError, logs, durationMs: 0, initDurationMs };
    }
    if (this.exited) {
      return { kind: 'error', error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited before the invocation` }, logs: this.takeStrayLogs(), durationMs: 0 };
    }
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const startedAt = Date.now();
    const startedPrecise = performance.now();
    const result = await new Promise<{ kind: 'success'; payload: string } | { kind: 'error'; error: FunctionErrorPayload }>((resolve) => {
      const timer = setTimeout(() => {
        // Lambda stops the environment at the deadline; nothing the handler does afterwards counts.
        this.appendLog(`${new Date().toISOString()} ${requestId} Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds\n`);
        this.pending?.finish({ kind: 'error', error: { errorType: 'Sandbox.Timedout', errorMessage: timeoutMessage(requestId, this.spec.timeoutSeconds) } });
        this.kill();
      }, timeoutMs);
      this.pending = {
        id: requestId,
        logs: this.takeStrayLogs(),
        finish: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      this.child?.send({ type: 'invoke', id: requestId, payload, context, deadlineMs: startedAt + timeoutMs });
    });
    const logs = this.pending?.logs ?? '';
    this.pending = undefined;
    this.lastUsedAt = this.now();
    return { ...result, logs, durationMs: performance.now() - startedPrecise, initDurationMs };
  }

  private takeStrayLogs(): string {
    const text = this.strayLogs;
    this.strayLogs = '';
    return text;
  }

  /** Stop the process now (SIGKILL: a sandbox gets no grace period). */
  kill(): void {
    this.exited = true;
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
