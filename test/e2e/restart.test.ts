/**
 * E2E: the local cloud restarted during a run. This file starts a cloud of its own (the suite's
 * shared one cannot be restarted under the other files), deploys `vendor` and the first customer
 * into it with the real cdktf + Terraform, then stops and restarts it on the same port and state.
 *  - a graceful stop (SIGTERM) with connector calls in flight: every call settles within 15 s
 *    with an error the caller can act on (recorded: connection error or AWS-shaped 5xx); none
 *    hangs, none answers a success;
 *  - a hard kill (SIGKILL) with calls in flight: the same, and the function sandboxes the cloud
 *    ran do not outlive it;
 *  - after each restart: the honest tenant's call succeeds with its own account and function;
 *    the confused deputy is still refused (the trust policy survived);
 *  - a session issued before the restarts (the connector role's, and the customer role session
 *    it assumed) still works after them; the same key with a forged session token is refused;
 *  - SIGKILL while IAM (CreateRole/DeleteRole) and STS (AssumeRole) writes hammer the state,
 *    three times: the cloud starts and answers health, every state file is valid JSON, every
 *    acknowledged write is kept (created roles exist, deleted roles stay deleted, the last
 *    issued session works);
 *  - after all of it, `terraform plan -detailed-exitcode` on each deployed stack exits 0.
 * Local only: it stops and starts the local cloud's process.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient, paginateListRoles } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { configFileFor, loadConfig, resolveTarget, type LoadedConfig } from '../../config/load';
import { VENDOR_STACK_NAME } from '../../modules/naming';
import { deployStacks } from '../../scripts/lib/deploy';
import { terraformEnv } from '../../scripts/terraform-env';
import { startTestCloud, type Credentials, type TestCloud } from '../../scripts/lib/child-cloud';
import { control } from '../../scripts/lib/cloud-controls';
import { refusalOf } from '../support/refusal';
import { readDeployOutputs, type DeployOutputs } from '../../scripts/lib/outputs';
import { configSecrets, redactSecrets } from '../support/e2e/secret-scan';
import { itWhen } from '../support/e2e/skip';

const local = resolveTarget() === 'local';
const LOCAL_ONLY = 'stops and restarts the local cloud\'s process: local target only';
const IN_FLIGHT_CALLS = 4; // the local Lambda runs at most 4 sandboxes per function
const SETTLE_BOUND_MS = 15_000;
// Longer than any cold start before the stop, so no in-flight call can finish before it.
const SAMPLE_SLEEP_MS = 8_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `work`, or give up after `ms` (the timer is cleared either way, so jest can exit). */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((r) => { timer = setTimeout(r, ms); })]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------
// The cloud of this file, and what was deployed into it
// ---------------------------------------------------------------------------

let dir: string;
let stateDir: string;
let port: number;
let cloud: TestCloud | undefined;
let config: LoadedConfig;
let outputs: DeployOutputs;
let honest: { id: string; externalId: string; roleArn: string };
let deputy: { id: string };
let customerName: string;
let echoFunctionArn: string;

async function restart(): Promise<void> {
  cloud = await startTestCloud({ stateDir, port, configFile: configFileFor('local') });
}

function current(): TestCloud {
  if (!cloud) throw new Error('the local cloud of this file is not running');
  return cloud;
}

const clientConfig = (credentials: Credentials) => ({ ...current().clientConfig(credentials), region: config.region });
const vendorLambda = () => new LambdaClient(clientConfig(current().credentialsFor('vendor')));

beforeAll(async () => {
  if (!local) return;
  dir = mkdtempSync(join(tmpdir(), 'sidecar-restart-'));
  stateDir = join(dir, 'localcloud');
  cloud = await startTestCloud({ stateDir, configFile: configFileFor('local') });
  port = cloud.port;
  const env = {
    ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFileFor('local'),
    LOCALCLOUD_PORT: String(port), SIDECAR_TFSTATE_DIR: join(dir, 'tfstate'),
  };
  config = loadConfig(env);
  customerName = config.customers[0].name;
  const customer = config.customers[0];
  const tenant = config.tenants.find((t) => t.externalId === customer.externalIds.current);
  const confused = config.tenants.find((t) => t.roleArn === tenant?.roleArn && t.externalId !== tenant?.externalId);
  if (!tenant || !confused) throw new Error(`config/local.json must pair ${customerName} with an honest tenant and a confused deputy on its role`);
  honest = { id: tenant.id, externalId: tenant.externalId, roleArn: tenant.roleArn };
  deputy = { id: confused.id };

  const outputsFile = join(dir, 'outputs.json');
  const secrets = configSecrets(config);
  await deployStacks({
    env, outDir: join(dir, 'cdktf.out'), customerStacks: [customerName], outputsFile,
    onOutput: () => undefined, // a failure carries the output's tail
    onProgress: (line) => process.stderr.write(`[restart] ${line}\n`),
  }).catch((e: unknown) => {
    // Terraform's plan prints each trust policy, external ID included.
    if (e instanceof Error) e.message = redactSecrets(e.message, secrets);
    throw e;
  });
  outputs = readDeployOutputs(outputsFile, [customerName]);
  echoFunctionArn = Object.values(outputs.customers[customerName].function_arns)[0];
}, 240_000);

afterAll(async () => {
  if (!local) return;
  if (cloud) await within(15_000, cloud.close()); // close() itself escalates to SIGKILL after 10 s
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

// ---------------------------------------------------------------------------
// Calling the connector, and what a call that was in flight settled with
// ---------------------------------------------------------------------------

interface ConnectorAnswer {
  ok: boolean;
  tenant?: string;
  functionArn?: string;
  payload?: { account?: string; functionArn?: string; echo?: unknown };
  error?: { code: string; message: string };
}

async function callConnector(client: LambdaClient, event: object, abortSignal?: AbortSignal): Promise<{ answer?: ConnectorAnswer; functionError?: string; raw: string }> {
  const res = await client.send(new InvokeCommand({
    FunctionName: outputs.vendor.connector_function_name, Payload: Buffer.from(JSON.stringify(event)),
  }), { abortSignal });
  const raw = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
  if (res.FunctionError) return { functionError: res.FunctionError, raw };
  return { answer: JSON.parse(raw) as ConnectorAnswer, raw };
}

/** How a call that was in flight when the cloud went down ended. */
interface Settlement {
  kind: 'connection-error' | 'aws-5xx' | 'function-error' | 'connector-error' | 'success' | 'other-error' | 'hang';
  detail: string;
  /** From the stop of the cloud to the call's end. */
  msAfterStop?: number;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ECONNABORTED']);

function settlementOfError(e: unknown): Settlement {
  const err = e as Error & { code?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return { kind: 'aws-5xx', detail: `${status} ${err.name}` };
  if ((err.code && CONNECTION_ERROR_CODES.has(err.code)) || /socket hang up/i.test(err.message)) {
    return { kind: 'connection-error', detail: `${err.code ?? 'no code'}: ${err.message}` };
  }
  return { kind: 'other-error', detail: `${err.name}: ${err.message} (status ${status})` };
}

interface InFlight {
  readonly settled: Promise<Settlement>;
  /** Starts the bound: a call still open `SETTLE_BOUND_MS` after this is recorded as a hang. */
  bound(stoppedAt: number): void;
}

function fireInFlight(client: LambdaClient, nonce: string): InFlight {
  const abort = new AbortController();
  let hung = false;
  let stoppedAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const settled = callConnector(client, { tenant: honest.id, payload: { nonce, sidecarTest: { sleepMs: SAMPLE_SLEEP_MS } } }, abort.signal)
    .then(({ answer, functionError, raw }): Settlement => {
      if (functionError) return { kind: 'function-error', detail: `${functionError}: ${raw.slice(0, 200)}` };
      if (answer?.ok) return { kind: 'success', detail: JSON.stringify(answer).slice(0, 300) };
      return { kind: 'connector-error', detail: `${answer?.error?.code}: ${answer?.error?.message}` };
    }, (e: unknown): Settlement => (hung ? { kind: 'hang', detail: `still open ${SETTLE_BOUND_MS} ms after the stop` } : settlementOfError(e)))
    .then((s): Settlement => {
      clearTimeout(timer);
      return { ...s, msAfterStop: stoppedAt ? Date.now() - stoppedAt : undefined };
    });
  return {
    settled,
    bound(at) {
      stoppedAt = at;
      timer = setTimeout(() => { hung = true; abort.abort(); }, SETTLE_BOUND_MS);
    },
  };
}

/** Wait until the connector has invoked the sample for every in-flight call (it is now sleeping). */
async function untilSamplesRunning(count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { operations } = await control<{ operations: Record<string, number> }>(current(), 'GET', 'stats');
    // Each call is one Invoke of the connector and, once it has assumed the role, one of the sample.
    if ((operations['lambda:Invoke'] ?? 0) >= 2 * count) return;
    if (Date.now() > deadline) throw new Error(`the sample was not invoked ${count} times within 30 s: ${JSON.stringify(operations)}`);
    await sleep(100);
  }
}

/** Fire `IN_FLIGHT_CALLS` slow calls, stop the cloud with `stop` while they run, collect how each ended. */
async function stopWithCallsInFlight(stop: (c: TestCloud) => Promise<void>): Promise<{ settlements: Settlement[]; stopMs: number; sandboxPids: number[] }> {
  const running = current();
  await control(running, 'DELETE', 'stats');
  const client = vendorLambda();
  try {
    const calls = Array.from({ length: IN_FLIGHT_CALLS }, (_, i) => fireInFlight(client, `in-flight-${i}`));
    await untilSamplesRunning(IN_FLIGHT_CALLS);
    const sandboxPids = childPidsOf(running.pid);
    const stoppedAt = Date.now();
    for (const call of calls) call.bound(stoppedAt);
    await stop(running);
    const stopMs = Date.now() - stoppedAt;
    cloud = undefined;
    const settlements = await Promise.all(calls.map((c) => c.settled));
    return { settlements, stopMs, sandboxPids };
  } finally {
    client.destroy();
  }
}

const ACTIONABLE = ['connection-error', 'aws-5xx'];

// ---------------------------------------------------------------------------
// Processes: the sandboxes a cloud runs are its child processes
// ---------------------------------------------------------------------------

function childPidsOf(pid: number): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((p) => {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch {
      return false; // exited while we looked
    }
  });
}

/** Alive and not a zombie (an orphan's zombie lingers until its new parent reaps it). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function untilExited(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(isRunning);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter(isRunning);
  }
  return left;
}

// ---------------------------------------------------------------------------
// What must hold after every restart
// ---------------------------------------------------------------------------

async function expectDeployedStateServed(): Promise<void> {
  const client = vendorLambda();
  try {
    const nonce = `after-restart-${Date.now()}`;
    const ok = await callConnector(client, { tenant: honest.id, payload: { nonce } });
    expect(ok.answer).toMatchObject({
      ok: true, tenant: honest.id, functionArn: echoFunctionArn,
      payload: { account: config.customers[0].accountId, functionArn: echoFunctionArn, echo: { nonce } },
    });
    const refused = await callConnector(client, { tenant: deputy.id, payload: { nonce } });
    expect(refused.answer).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
  } finally {
    client.destroy();
  }
}

// ---------------------------------------------------------------------------
// Sessions issued before the restarts
// ---------------------------------------------------------------------------

interface Session extends Credentials { readonly sessionToken: string }
let connectorSession: Session;
let customerSession: Session;

async function issueSessions(): Promise<void> {
  const c = await control<Session & { expiration: string }>(current(), 'POST', 'service-credentials', {
    roleArn: outputs.vendor.connector_role_arn, service: 'lambda.amazonaws.com', sourceArn: outputs.vendor.connector_function_arn,
  });
  connectorSession = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
  customerSession = await assumeCustomerRole(connectorSession, 'restart-before');
}

async function assumeCustomerRole(as: Session, sessionName: string): Promise<Session> {
  const sts = new STSClient(clientConfig(as));
  try {
    const res = await sts.send(new AssumeRoleCommand({ RoleArn: honest.roleArn, RoleSessionName: sessionName, ExternalId: honest.externalId }));
    const c = res.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  } finally {
    sts.destroy();
  }
}

async function callerArn(as: Credentials): Promise<string | undefined> {
  const sts = new STSClient(clientConfig(as));
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    sts.destroy();
  }
}

// ---------------------------------------------------------------------------
describe('the local cloud stopped with calls in flight, then restarted', () => {
  itWhen(local, LOCAL_ONLY)('a graceful stop settles every in-flight call promptly with an actionable error, then the restarted cloud serves the deployed state', async () => {
    await expectDeployedStateServed(); // the baseline: the same checks pass before any restart
    await issueSessions();

    const { settlements, stopMs } = await stopWithCallsInFlight((c) => c.close());
    // eslint-disable-next-line no-console
    console.log(`graceful stop (${stopMs} ms): ${JSON.stringify(settlements)}`);

    expect(settlements).toHaveLength(IN_FLIGHT_CALLS);
    for (const s of settlements) {
      expect(ACTIONABLE).toContain(s.kind);
      expect(s.msAfterStop).toBeLessThan(SETTLE_BOUND_MS);
    }
    expect(stopMs).toBeLessThan(8000); // stopped by itself: neither its stuck-sandbox guard nor our SIGKILL

    await restart();
    expect(current().port).toBe(port);
    await expectDeployedStateServed();
  }, 90_000);

  itWhen(local, LOCAL_ONLY)('a SIGKILL settles every in-flight call promptly with an actionable error, leaves no sandbox running, and the restarted cloud serves the deployed state', async () => {
    const { settlements, sandboxPids } = await stopWithCallsInFlight((c) => c.kill('SIGKILL'));
    // eslint-disable-next-line no-console
    console.log(`SIGKILL: ${JSON.stringify(settlements)}`);

    expect(settlements).toHaveLength(IN_FLIGHT_CALLS);
    for (const s of settlements) {
      expect(ACTIONABLE).toContain(s.kind);
      expect(s.msAfterStop).toBeLessThan(SETTLE_BOUND_MS);
    }
    // The sandboxes (connector and sample, one per call) lose their IPC channel and exit.
    expect(sandboxPids.length).toBeGreaterThanOrEqual(IN_FLIGHT_CALLS);
    expect(await untilExited(sandboxPids, 5000)).toEqual([]);

    await restart();
    await expectDeployedStateServed();
  }, 90_000);

  itWhen(local, LOCAL_ONLY)('sessions issued before the restarts still work after them', async () => {
    expect(await callerArn(connectorSession)).toMatch(new RegExp(`:assumed-role/${config.vendor.connectorRoleName}/`));
    expect(await callerArn(customerSession)).toMatch(new RegExp(`:assumed-role/${config.customers[0].roleName}/restart-before$`));
    // Not just recognized: still authorized to do what the connector does.
    const again = await assumeCustomerRole(connectorSession, 'restart-after');
    expect(await callerArn(again)).toMatch(/\/restart-after$/);
  }, 30_000);

  itWhen(local, LOCAL_ONLY)('the key of a session issued before the restarts is refused with a forged session token', async () => {
    const forged = { ...connectorSession, sessionToken: `${connectorSession.sessionToken.slice(0, -8)}AAAAAAAA` };

    const refusal = await refusalOf(callerArn(forged));

    expect(refusal).toMatchObject({ status: 403, code: 'InvalidClientTokenId' });
  }, 30_000);
});

// ---------------------------------------------------------------------------
// SIGKILL in the middle of state writes
// ---------------------------------------------------------------------------

interface HammerLedger {
  /** Roles whose CreateRole was acknowledged and whose DeleteRole was never sent. */
  kept: Set<string>;
  /** Roles whose DeleteRole was acknowledged. */
  deleted: Set<string>;
  /** The last session AssumeRole issued (acknowledged). */
  lastSession?: Session;
  writes: number;
}

const trustOfVendorRoot = () => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'HammerTrust', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${config.vendor.accountId}:root` }, Action: 'sts:AssumeRole' }],
});

/** Write to IAM and STS in loops until the cloud stops answering; every acknowledged write is logged. */
function hammer(round: number, ledger: HammerLedger): Promise<void[]> {
  // customer-b's account: deployed into by nobody here, so the hammer's roles touch no stack.
  const iam = new IAMClient(clientConfig(current().credentialsFor('customer-b')));
  const sts = new STSClient(clientConfig(connectorSession));
  const iamWorker = async (worker: number) => {
    for (let i = 0; ; i++) {
      const name = `restart-hammer-${round}-${worker}-${i}`;
      try {
        await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustOfVendorRoot() }));
        ledger.kept.add(name);
        ledger.writes++;
        if (i % 2 === 1) {
          const previous = `restart-hammer-${round}-${worker}-${i - 1}`;
          ledger.kept.delete(previous); // from here its fate is unknown until acknowledged
          await iam.send(new DeleteRoleCommand({ RoleName: previous }));
          ledger.deleted.add(previous);
          ledger.writes++;
        }
      } catch {
        return; // the cloud went down
      }
    }
  };
  const stsWorker = async (worker: number) => {
    for (let i = 0; ; i++) {
      try {
        ledger.lastSession = await assumeCustomerRoleWith(sts, `hammer-${round}-${worker}-${i}`);
        ledger.writes++;
      } catch {
        return;
      }
    }
  };
  const done = Promise.all([iamWorker(0), iamWorker(1), iamWorker(2), stsWorker(0), stsWorker(1)]);
  return done.finally(() => { iam.destroy(); sts.destroy(); });
}

async function assumeCustomerRoleWith(sts: STSClient, sessionName: string): Promise<Session> {
  const res = await sts.send(new AssumeRoleCommand({ RoleArn: honest.roleArn, RoleSessionName: sessionName, ExternalId: honest.externalId }));
  const c = res.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

/** Every JSON file the cloud keeps its state in (not the unpacked function code). */
function stateFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (path === join(root, 'lambda', 'code')) continue;
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json') || name.endsWith('.jsonl')) out.push(path);
    }
  };
  walk(root);
  return out;
}

async function roleNamesIn(stack: string): Promise<Set<string>> {
  const iam = new IAMClient(clientConfig(current().credentialsFor(stack)));
  const names = new Set<string>();
  try {
    for await (const page of paginateListRoles({ client: iam }, {})) for (const r of page.Roles ?? []) names.add(r.RoleName!);
  } finally {
    iam.destroy();
  }
  return names;
}

describe('a SIGKILL in the middle of state writes', () => {
  itWhen(local, LOCAL_ONLY)('three kills mid-write: the cloud starts again, its state files are valid JSON, and every acknowledged write is kept', async () => {
    for (let round = 0; round < 3; round++) {
      const ledger: HammerLedger = { kept: new Set(), deleted: new Set(), writes: 0 };
      const running = current();
      const hammering = hammer(round, ledger);
      const deadline = Date.now() + 20_000;
      while (ledger.writes < 30 + round * 15 && Date.now() < deadline) await sleep(20);
      await running.kill('SIGKILL');
      cloud = undefined;
      await hammering;
      expect(ledger.writes).toBeGreaterThanOrEqual(30);
      // Both kinds of acknowledged write happened, so the checks below are not vacuous.
      expect(ledger.kept.size).toBeGreaterThan(0);
      expect(ledger.deleted.size).toBeGreaterThan(0);
      expect(ledger.lastSession).toBeDefined();

      await restart(); // throws when the server does not start and answer health
      const files = stateFiles(stateDir);
      expect(files).toEqual(expect.arrayContaining([join(stateDir, 'iam.json'), join(stateDir, 'sts-sessions.jsonl')]));
      for (const file of files.filter((f) => f.endsWith('.json'))) expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
      // The journal was compacted at start-up: every line is a whole record, torn tail dropped.
      for (const file of files.filter((f) => f.endsWith('.jsonl'))) {
        const text = readFileSync(file, 'utf8');
        expect(text === '' || text.endsWith('\n')).toBe(true);
        for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
      }

      const roles = await roleNamesIn('customer-b');
      expect([...ledger.kept].filter((r) => !roles.has(r))).toEqual([]);
      expect([...ledger.deleted].filter((r) => roles.has(r))).toEqual([]);
      expect(await callerArn(ledger.lastSession!)).toMatch(new RegExp(`:assumed-role/${config.customers[0].roleName}/hammer-${round}-`));
    }
    await expectDeployedStateServed();
  }, 120_000);
});

// ---------------------------------------------------------------------------
describe('the deployed stacks after the restarts', () => {
  const planExit = (stack: string) => new Promise<{ stack: string; code: number | null; output: string }>((resolvePlan) => {
    const { env } = terraformEnv();
    const child = spawn('terraform', ['plan', '-detailed-exitcode', '-input=false', '-lock=false', '-no-color'], {
      cwd: join(dir, 'cdktf.out', 'stacks', stack), env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => { output = (output + c.toString('utf8')).slice(-3000); });
    child.stderr.on('data', (c: Buffer) => { output = (output + c.toString('utf8')).slice(-3000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => { clearTimeout(timer); resolvePlan({ stack, code, output }); });
  });

  itWhen(local, LOCAL_ONLY)('terraform plan finds no change in any deployed stack (nothing lost, nothing drifted)', async () => {
    expect(existsSync(join(dir, 'tfstate', `${customerName}.tfstate`))).toBe(true);
    const plans = await Promise.all([VENDOR_STACK_NAME, customerName].map(planExit));
    // 0 = no changes, 2 = changes present, 1 = error.
    for (const plan of plans) if (plan.code !== 0) throw new Error(`terraform plan for ${plan.stack} exited ${plan.code}:\n${plan.output}`);
    expect(plans.map((p) => p.code)).toEqual([0, 0]);
  }, 150_000);
});
