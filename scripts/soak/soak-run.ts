// ---------------------------------------------------------------------------
// The soak: many calls of the deployed connector over many tenants, with faults injected into
// the local cloud, and an account of every call afterwards:
//  - sent == answered: every call got an answer from the connector (ok, or a typed error);
//  - each ok answer carries the call's own nonce back, from that tenant's account and function;
//  - each customer-function invocation in the function logs belongs to exactly one answered call
//    (START lines counted per request ID), so no call ran the customer's code twice;
//  - memory: the local cloud's RSS and the connector sandboxes' RSS, sampled while it runs, and
//    the connector's own cache size as it logs it.
// Used by `npm run soak` (scripts/soak.ts: 10,000 calls, 20 tenants) and by the short version
// inside the e2e suite (test/e2e/soak.test.ts).
// ---------------------------------------------------------------------------
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { functionLogPath } from '../../localcloud/lambda/logs';
import { eventFingerprint } from '../../lambda/sample/handler';
import { clearFaults, control } from '../lib/cloud-controls';

export interface SoakTarget {
  readonly endpoint: string;
  readonly region: string;
  /** The vendor account's administrator: the caller of the connector. */
  readonly vendorCredentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  readonly connectorFunctionName: string;
  readonly connectorAccountId: string;
  /** The local cloud's state folder (function logs) and server pid (memory). */
  readonly stateDir: string;
  readonly serverPid: number;
}

export interface SoakTenant {
  readonly id: string;
  /** Account and function name an honest answer must come from. */
  readonly accountId: string;
  readonly functionName: string;
  /** The one refusal this tenant must get instead of an answer (the confused deputy), if any. */
  readonly refusedWith?: string;
}

export interface SoakOptions {
  readonly target: SoakTarget;
  readonly tenants: readonly SoakTenant[];
  readonly calls: number;
  /** Calls in flight at once. @default 8 */
  readonly concurrency?: number;
  /** Fraction of STS AssumeRole and customer Invoke requests that get a fault. @default 0.05 */
  readonly faultRate?: number;
  /** Make the connector cold (empty cache) this many times during the run, so AssumeRole and its
   *  faults keep happening. @default 4 */
  readonly coldStarts?: number;
  readonly onProgress?: (line: string) => void;
}

/** Codes a call may end with under injected faults, besides the tenant's own expected refusal. */
export const FAULT_OUTCOMES = ['Throttled', 'Unavailable'] as const;

export interface SoakReport {
  readonly sent: number;
  readonly answered: number;
  readonly ok: number;
  /** Typed errors by code. */
  readonly errors: Record<string, number>;
  /** Calls that got no answer of the connector (transport error, or the connector itself failed). */
  readonly lost: number;
  /** Answers that broke a rule: another tenant's data, a missing nonce, an unexpected code. */
  readonly violations: string[];
  readonly faultsInjected: number;
  /** Customer-function invocations the logs show during the run, and the request IDs seen twice. */
  readonly functionInvocations: number;
  readonly duplicateInvocations: number;
  readonly memory: { cloudRssMb: number[]; connectorRssMb: number[]; connectorCacheEntries: number[] };
  readonly seconds: number;
}

// ---------------------------------------------------------------------------
// Faults: one rule per tenant session and per customer function (the local cloud applies the
// first rule that matches, so targeting keeps the kinds apart), kinds rotating over the tenants.
// ---------------------------------------------------------------------------

const STS_FAULTS = [
  { error: 'Throttling', message: 'Rate exceeded', status: 400 },
  { error: 'ServiceUnavailable', status: 503 },
  { latencyMs: 250 },
];
const LAMBDA_FAULTS = [
  { error: 'TooManyRequestsException', message: 'Rate exceeded', status: 429 },
  { error: 'ServiceException', status: 500 },
  { latencyMs: 250 },
];

export function soakFaultRules(tenants: readonly SoakTenant[], rate: number, sessionNameOf: (tenant: string) => string): object[] {
  const sts = tenants.map((t, i) => ({ service: 'sts', operation: 'AssumeRole', roleSessionName: sessionNameOf(t.id), rate, ...STS_FAULTS[i % STS_FAULTS.length] }));
  const functions = [...new Set(tenants.map((t) => t.functionName))];
  const lambda = functions.map((name, i) => ({ service: 'lambda', operation: 'Invoke', functionName: name, rate, ...LAMBDA_FAULTS[i % LAMBDA_FAULTS.length] }));
  return [...sts, ...lambda];
}

// ---------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------

function rssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The connector's live sandboxes: the server's child processes running that function. */
function connectorSandboxPids(serverPid: number, functionName: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== serverPid) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.includes(`AWS_LAMBDA_FUNCTION_NAME=${functionName}`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

function sampleMemory(target: SoakTarget, into: SoakReport['memory']): void {
  const cloud = rssMb(target.serverPid);
  if (cloud !== undefined) into.cloudRssMb.push(Math.round(cloud));
  const sandboxes = connectorSandboxPids(target.serverPid, target.connectorFunctionName).map(rssMb).filter((v): v is number => v !== undefined);
  if (sandboxes.length > 0) into.connectorRssMb.push(Math.round(Math.max(...sandboxes)));
}

/** The cache sizes the connector logged (one `cacheEntries` per request line), from `fromLine` on. */
function connectorCacheEntries(target: SoakTarget, fromLine: number): number[] {
  const file = functionLogPath(target.stateDir, target.connectorAccountId, target.connectorFunctionName);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').slice(fromLine)
    .map((line) => /"cacheEntries":(\d+)/.exec(line)?.[1]).filter((v): v is string => v !== undefined).map(Number);
}

function lineCount(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
}

/** Invocations per event fingerprint (the sample logs one `eventSha256` per invocation), from `fromLine` on. */
function invocationsByFingerprint(file: string, fromLine: number, into: Map<string, number>): void {
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n').slice(fromLine)) {
    const sha = /"eventSha256":"([0-9a-f]{64})"/.exec(line)?.[1];
    if (sha) into.set(sha, (into.get(sha) ?? 0) + 1);
  }
}

/** START lines per request ID in a function's log, from `fromLine` on. */
function startsByRequest(file: string, fromLine: number, into: Map<string, number>): void {
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n').slice(fromLine)) {
    const id = /^START RequestId: (\S+)/.exec(line)?.[1];
    if (id) into.set(id, (into.get(id) ?? 0) + 1);
  }
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

interface Echo { echo?: { nonce?: string }; account?: string; functionName?: string; requestId?: string }
type Answer = { ok: true; tenant: string; payload: Echo } | { ok: false; error: { code: string; message: string } };

export async function runSoak(options: SoakOptions & { sessionNameOf: (tenant: string) => string }): Promise<SoakReport> {
  const { target, tenants, calls } = options;
  const concurrency = options.concurrency ?? 8;
  const progress = options.onProgress ?? (() => undefined);
  const started = Date.now();
  const client = new LambdaClient({ region: target.region, endpoint: target.endpoint, credentials: target.vendorCredentials, maxAttempts: 1 });

  const functionLogs = [...new Set(tenants.map((t) => functionLogPath(target.stateDir, t.accountId, t.functionName)))];
  const logStart = new Map(functionLogs.map((f) => [f, lineCount(f)]));
  const connectorLog = functionLogPath(target.stateDir, target.connectorAccountId, target.connectorFunctionName);
  const connectorLogStart = lineCount(connectorLog);

  const cloud = { url: target.endpoint };
  await clearFaults(cloud);
  await control(cloud, 'POST', 'faults', soakFaultRules(tenants, options.faultRate ?? 0.05, options.sessionNameOf));

  const report = {
    sent: 0, answered: 0, ok: 0, errors: {} as Record<string, number>, lost: 0, violations: [] as string[],
    memory: { cloudRssMb: [] as number[], connectorRssMb: [] as number[], connectorCacheEntries: [] as number[] },
  };
  const answeredRequestIds = new Map<string, number>();
  /** Fingerprint of each call's payload as the customer function sees it -> whether it was answered ok. */
  const sentPayloads = new Map<string, { ok: boolean }>();
  const phases = (options.coldStarts ?? 4) + 1;
  const sampleEvery = Math.max(1, Math.floor(calls / 20));

  let next = 0;
  let phaseEnd = 0;
  async function worker(): Promise<void> {
    while (next < phaseEnd) {
      const n = next++;
      if (n % sampleEvery === 0) sampleMemory(target, report.memory);
      const tenant = tenants[n % tenants.length];
      const nonce = randomUUID();
      const sent = { ok: false };
      sentPayloads.set(eventFingerprint({ nonce }), sent);
      report.sent += 1;
      let answer: Answer;
      try {
        const res = await client.send(new InvokeCommand({ FunctionName: target.connectorFunctionName, Payload: Buffer.from(JSON.stringify({ tenant: tenant.id, payload: { nonce } })) }));
        const text = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
        if (res.FunctionError) throw new Error(`the connector itself failed (${res.FunctionError}): ${text.slice(0, 200)}`);
        answer = JSON.parse(text) as Answer;
      } catch (e) {
        report.lost += 1;
        if (report.violations.length < 20) report.violations.push(`call ${n} (${tenant.id}) got no answer: ${(e as Error).message}`);
        continue;
      }
      report.answered += 1;
      sent.ok = check(n, tenant, nonce, answer);
    }
  }

  /** true when the answer is the function's own, for this call. */
  function check(n: number, tenant: SoakTenant, nonce: string, answer: Answer): boolean {
    const violation = (what: string) => { if (report.violations.length < 20) report.violations.push(`call ${n} (${tenant.id}): ${what}`); };
    if (!answer.ok) {
      report.errors[answer.error.code] = (report.errors[answer.error.code] ?? 0) + 1;
      const allowed = [...FAULT_OUTCOMES, ...(tenant.refusedWith ? [tenant.refusedWith] : [])];
      if (!allowed.includes(answer.error.code)) violation(`unexpected ${answer.error.code}: ${answer.error.message}`);
      return false;
    }
    report.ok += 1;
    if (tenant.refusedWith) violation(`answered although it must be refused with ${tenant.refusedWith}`);
    const echo = answer.payload;
    if (answer.tenant !== tenant.id) violation(`answer names tenant ${answer.tenant}`);
    if (echo.echo?.nonce !== nonce) violation(`answer carries nonce ${echo.echo?.nonce}, not its own`);
    if (echo.account !== tenant.accountId || echo.functionName !== tenant.functionName) violation(`answer came from ${echo.account}/${echo.functionName}`);
    if (echo.requestId) answeredRequestIds.set(echo.requestId, (answeredRequestIds.get(echo.requestId) ?? 0) + 1);
    return true;
  }

  // Phases with a cold connector between them, so AssumeRole (and its faults) keeps happening.
  // Only between phases: a configuration update fails invocations queued for the old sandboxes.
  for (let phase = 1; phase <= phases; phase++) {
    phaseEnd = Math.round((calls * phase) / phases);
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    if (phase < phases) await coldConnector(client, target.connectorFunctionName);
    progress(`soak: ${report.sent}/${calls} calls, ${report.ok} ok, ${report.lost} lost, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  sampleMemory(target, report.memory);

  const faults = await control<{ applied?: number[] }>(cloud, 'GET', 'faults');
  await clearFaults(cloud);

  // Invocations are counted per payload, not per log line: other tests' leftovers in the same logs
  // are not ours, and an Invoke retried under a new request ID still carries the same nonce.
  const starts = new Map<string, number>();
  const byPayload = new Map<string, number>();
  for (const file of functionLogs) {
    startsByRequest(file, logStart.get(file) ?? 0, starts);
    invocationsByFingerprint(file, logStart.get(file) ?? 0, byPayload);
  }
  let functionInvocations = 0;
  let duplicateInvocations = [...answeredRequestIds.values()].filter((v) => v > 1).length;
  for (const [fingerprint, sent] of sentPayloads) {
    const runs = byPayload.get(fingerprint) ?? 0;
    functionInvocations += runs;
    if (runs > 1) duplicateInvocations += 1;
    if (sent.ok && runs !== 1 && report.violations.length < 20) report.violations.push(`a payload answered by its function ran ${runs} times`);
  }
  for (const id of answeredRequestIds.keys()) if (!starts.has(id)) report.violations.push(`answer with request ID ${id} has no invocation in the function logs`);
  if (duplicateInvocations > 0) report.violations.push(`${duplicateInvocations} payload(s) or request ID(s) ran more than once`);

  report.memory.connectorCacheEntries = downsample(connectorCacheEntries(target, connectorLogStart), 20);
  progress(`soak: ${report.sent} sent, ${report.answered} answered in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return {
    ...report,
    faultsInjected: (faults.applied ?? []).reduce((a, b) => a + b, 0),
    functionInvocations,
    duplicateInvocations,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Re-apply the connector's configuration unchanged: the local Lambda retires its warm sandboxes. */
async function coldConnector(client: LambdaClient, functionName: string): Promise<void> {
  const current = await client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: functionName, Timeout: current.Timeout }));
}

function downsample(values: number[], count: number): number[] {
  if (values.length <= count) return values;
  return Array.from({ length: count }, (_, i) => values[Math.floor((i * (values.length - 1)) / (count - 1))]);
}

/** The counts, printed as a small table. */
export function formatSoakReport(report: SoakReport): string {
  const errors = Object.entries(report.errors).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  const range = (v: number[]) => (v.length === 0 ? 'n/a' : `${v[0]} -> ${v[v.length - 1]} (min ${Math.min(...v)}, max ${Math.max(...v)})`);
  return [
    `calls sent              ${report.sent}`,
    `calls answered          ${report.answered}  (lost: ${report.lost})`,
    `  right result          ${report.ok}`,
    `  typed errors          ${errors}`,
    `faults injected         ${report.faultsInjected}`,
    `function invocations    ${report.functionInvocations}  (payloads or request IDs run twice: ${report.duplicateInvocations})`,
    `rule violations         ${report.violations.length}${report.violations.length ? `\n  ${report.violations.slice(0, 10).join('\n  ')}` : ''}`,
    `local cloud RSS (MB)    ${range(report.memory.cloudRssMb)}`,
    `connector RSS (MB)      ${range(report.memory.connectorRssMb)}`,
    `connector cache entries ${range(report.memory.connectorCacheEntries)}`,
    `duration                ${report.seconds.toFixed(0)} s`,
  ].join('\n');
}
