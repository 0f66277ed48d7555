// ---------------------------------------------------------------------------
// What a caller hands `startLocalCloud`, what it gets back, and the errors it may see before the
// server listens. Everything the local cloud needs comes in here: it reads no config file, and
// no environment (env.ts turns the environment into these options for the process entry).
// ---------------------------------------------------------------------------
import { resolve } from 'node:path';
import * as z from 'zod';
import type { LocalAccount } from './core/accounts';
import { BODY_TIMEOUT_MS, MAX_BODY_BYTES } from './core/body';
import type { Clock } from './core/clock';
import { DEFAULT_ACCOUNT_CONCURRENCY } from './lambda/concurrency';
import { SANDBOX_ISOLATION_MODES, type SandboxIsolationMode } from './lambda/isolation/select';

export const LOOPBACK = '127.0.0.1';
export const DEFAULT_PORT = 4510;

export interface LocalCloudOptions {
  /** The accounts and their root keys; at least one, access key IDs unique. */
  readonly accounts: readonly LocalAccount[];
  /** Where state is written (created if missing); reuse it to keep state across restarts. */
  readonly stateDir: string;
  /** @default 4510; 0 picks a free port (read it from the returned handle). */
  readonly port?: number;
  /** Only loopback: the local cloud never listens on another interface. @default '127.0.0.1' */
  readonly host?: '127.0.0.1';
  /** Serve /_localcloud/control/ (clock, faults, stats, service credentials). @default false */
  readonly testControls?: boolean;
  /** Largest request body accepted. @default 70 MB */
  readonly maxBodyBytes?: number;
  /** Time a request body may take to arrive in full. @default 60 s */
  readonly bodyTimeoutMs?: number;
  /** The cloud's clock (credential expiry, aws:CurrentTime, sandbox recycling). @default a new Clock at real time */
  readonly clock?: Clock;
  /**
   * How Lambda sandboxes are kept apart (lambda/isolation/): 'required' refuses to start without
   * namespaces, 'auto' uses them where the machine allows (the handle says when it could not),
   * 'none' runs functions as plain child processes. @default 'auto'
   */
  readonly sandboxIsolation?: SandboxIsolationMode;
  /** Node.js binaries by runtime identifier (`{"nodejs22.x": "/opt/node22/bin/node"}`), before the packaged ones. */
  readonly runtimes?: Readonly<Record<string, string>>;
  /**
   * IAM's eventual consistency, opt-in: milliseconds (of the cloud's clock) before an IAM change
   * reaches STS, Lambda and the authorization of every request; IAM's own API sees it at once.
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
   * @default 0: every change applies to the next request
   */
  readonly iamPropagationMs?: number;
  /**
   * Lambda's concurrency limit of each account (per Region): invocations in flight beyond it are
   * throttled (429 TooManyRequestsException, Reason ConcurrentInvocationLimitExceeded), and at
   * most this many sandboxes are alive across the cloud. AWS's default is 1,000
   * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html); here each sandbox is a
   * Node.js process of 40-60 MB, so the default is what a 2-core 24 GiB machine holds with room
   * to spare. At most all but 100 of it can be reserved (all of it stays unreserved below 100).
   * @default 200 (DEFAULT_ACCOUNT_CONCURRENCY)
   */
  readonly accountConcurrency?: number;
}

/** The running local cloud. */
export interface LocalCloud {
  /** `http://127.0.0.1:<port>`: the endpoint for every service (AWS_ENDPOINT_URL). */
  readonly url: string;
  readonly port: number;
  /** Whether Lambda sandboxes run isolated (namespaces), and why not when they do not. */
  readonly sandboxes: { readonly isolation: 'namespaces' | 'none'; readonly unisolatedBecause?: string };
  /** Stop the Lambda sandboxes, then the server. Idempotent: every call returns the same promise. */
  close(): Promise<void>;
}

/** Options with their defaults applied. */
export interface ResolvedOptions {
  readonly accounts: readonly LocalAccount[];
  readonly stateDir: string;
  readonly port: number;
  readonly host: typeof LOOPBACK;
  readonly testControls: boolean;
  readonly maxBodyBytes: number;
  readonly bodyTimeoutMs: number;
  readonly clock?: Clock;
  readonly sandboxIsolation: SandboxIsolationMode;
  readonly runtimes: Readonly<Record<string, string>>;
  readonly iamPropagationMs: number;
  readonly accountConcurrency: number;
}

/** Thrown when the port is taken (another local cloud, or another program). */
export class PortInUseError extends Error {
  readonly code = 'PortInUse';
  constructor(readonly port: number) {
    super(`Port ${port} on ${LOOPBACK} is already in use. Stop whatever holds it (npm run local:down, if it is a local cloud), or pick another port with LOCALCLOUD_PORT.`);
    this.name = 'PortInUseError';
  }
}

/** Thrown for options the local cloud refuses (no accounts, a non-loopback host, a bad port, a
 *  negative propagation delay), and for environment variables main.ts cannot read (env.ts). */
export class LocalCloudOptionsError extends Error {
  readonly code = 'LocalCloudOptions';
  constructor(message: string) {
    super(message);
    this.name = 'LocalCloudOptionsError';
  }
}

const accountSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/, 'must be 12 digits'),
  accessKeyId: z.string().min(1, 'must not be empty'),
  secretAccessKey: z.string().min(1, 'must not be empty'),
  name: z.string().optional(),
});
const accountsSchema = z.array(accountSchema).min(1, 'list at least one account');

/** Check a list of accounts (from a caller or a file); `source` names it in the error. */
export function parseAccounts(raw: unknown, source: string): LocalAccount[] {
  const result = accountsSchema.safeParse(raw);
  if (!result.success) {
    const where = (path: readonly PropertyKey[]) => `accounts${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;
    throw new LocalCloudOptionsError(`${source}: ${result.error.issues.map((i) => `${where(i.path)}: ${i.message}`).join('; ')}`);
  }
  const seen = new Set<string>();
  for (const a of result.data) {
    if (seen.has(a.accessKeyId)) throw new LocalCloudOptionsError(`${source}: two accounts share the access key ID ${a.accessKeyId}`);
    seen.add(a.accessKeyId);
  }
  return result.data;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new LocalCloudOptionsError(`${name} must be a positive whole number (got ${value})`);
  return value;
}

function isolationMode(value: string): SandboxIsolationMode {
  if (!(SANDBOX_ISOLATION_MODES as readonly string[]).includes(value)) {
    throw new LocalCloudOptionsError(`sandboxIsolation must be one of ${SANDBOX_ISOLATION_MODES.join(', ')} (got "${value}")`);
  }
  return value as SandboxIsolationMode;
}

function runtimePaths(value: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const [runtime, path] of Object.entries(value)) {
    if (!/^nodejs\d+\.x$/.test(runtime)) throw new LocalCloudOptionsError(`runtimes: "${runtime}" is not a Node.js runtime identifier such as nodejs22.x`);
    if (typeof path !== 'string' || !path.startsWith('/')) throw new LocalCloudOptionsError(`runtimes: the binary for ${runtime} must be an absolute path (got ${JSON.stringify(path)})`);
  }
  return { ...value };
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new LocalCloudOptionsError(`${name} must be a whole number of milliseconds, 0 or more (got ${value})`);
  return value;
}

export function resolveOptions(options: LocalCloudOptions): ResolvedOptions {
  const host = options.host ?? LOOPBACK;
  if (host !== LOOPBACK) throw new LocalCloudOptionsError(`The local cloud listens only on ${LOOPBACK} (got host "${host}").`);
  const port = options.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new LocalCloudOptionsError(`port must be a TCP port number 0-65535 (got ${port})`);
  if (typeof options.stateDir !== 'string' || options.stateDir === '') throw new LocalCloudOptionsError('stateDir is required: the folder where the local cloud keeps its state');
  return {
    accounts: parseAccounts(options.accounts, 'accounts'),
    stateDir: resolve(options.stateDir),
    port,
    host,
    testControls: options.testControls ?? false,
    maxBodyBytes: positiveInteger(options.maxBodyBytes ?? MAX_BODY_BYTES, 'maxBodyBytes'),
    bodyTimeoutMs: positiveInteger(options.bodyTimeoutMs ?? BODY_TIMEOUT_MS, 'bodyTimeoutMs'),
    iamPropagationMs: nonNegativeInteger(options.iamPropagationMs ?? 0, 'iamPropagationMs'),
    accountConcurrency: positiveInteger(options.accountConcurrency ?? DEFAULT_ACCOUNT_CONCURRENCY, 'accountConcurrency'),
    ...(options.clock ? { clock: options.clock } : {}),
    sandboxIsolation: isolationMode(options.sandboxIsolation ?? 'auto'),
    runtimes: runtimePaths(options.runtimes ?? {}),
  };
}
