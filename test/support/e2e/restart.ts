// ---------------------------------------------------------------------------
// What test/e2e/restart.test.ts needs around its tests: a local cloud of its own (the suite's
// shared one cannot be restarted under the other files) with `vendor` and the first customer
// deployed into it by the real cdktf + Terraform, restartable on the same port and state;
// connector calls fired and left in flight while it stops, and how each one settled; the
// sandboxes a cloud runs (its child processes); sessions issued before a restart; writes that
// hammer IAM and STS until a kill; the state files; and `terraform plan` on the deployed stacks.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, DeleteRoleCommand, IAMClient, paginateListRoles } from '@aws-sdk/client-iam';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { configFileFor, loadConfig, type LoadedConfig } from '../../../config/load';
import { startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { control, executionRoleCredentials } from '../../../scripts/lib/cloud-controls';
import { deployStacks } from '../../../scripts/lib/deploy';
import { readDeployOutputs, type DeployOutputs } from '../../../scripts/lib/outputs';
import { terraformEnv } from '../../../scripts/terraform-env';
import { connectorRefusedNotYet, untilPropagated } from './propagation';
import { configSecrets, redactSecrets } from './secret-scan';

export const IN_FLIGHT_CALLS = 4; // calls in flight at the stop, each in a sandbox of its own
export const SETTLE_BOUND_MS = 15_000;
// Longer than any cold start before the stop, so no in-flight call can finish before it.
const SAMPLE_SLEEP_MS = 8_000;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `work`, or give up after `ms` (the timer is cleared either way, so jest can exit). */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((r) => { timer = setTimeout(r, ms); })]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------
// How a call that was in flight when the cloud went down ended
// ---------------------------------------------------------------------------

interface ConnectorAnswer {
  ok: boolean;
  tenant?: string;
  functionArn?: string;
  payload?: { account?: string; functionArn?: string; echo?: unknown };
  error?: { code: string; message: string };
}

export interface Settlement {
  kind: 'connection-error' | 'aws-5xx' | 'function-error' | 'connector-error' | 'success' | 'other-error' | 'hang';
  detail: string;
  /** From the stop of the cloud to the call's end. */
  msAfterStop?: number;
}

/** The settlements a caller can act on: retry on a connection error or an AWS-shaped 5xx. */
export const ACTIONABLE = ['connection-error', 'aws-5xx'];

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

/** The pids of `pids` still running after `timeoutMs`. */
export async function untilExited(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids.filter(isRunning);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(100);
    left = left.filter(isRunning);
  }
  return left;
}

// ---------------------------------------------------------------------------
// State on disk
// ---------------------------------------------------------------------------

/** Every JSON file the cloud keeps its state in (not the unpacked function code). */
export function stateFiles(root: string): string[] {
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

// ---------------------------------------------------------------------------
// Sessions and the writes that hammer the state
// ---------------------------------------------------------------------------

export interface Session extends Credentials { readonly sessionToken: string }

export interface HammerLedger {
  /** Roles whose CreateRole was acknowledged and whose DeleteRole was never sent. */
  kept: Set<string>;
  /** Roles whose DeleteRole was acknowledged. */
  deleted: Set<string>;
  /** The last session AssumeRole issued (acknowledged). */
  lastSession?: Session;
  writes: number;
}

// ---------------------------------------------------------------------------
// The deployment of the restart suite
// ---------------------------------------------------------------------------

/** A local cloud of the suite's own with `vendor` and the first customer deployed into it. */
export class RestartableDeployment {
  readonly dir = mkdtempSync(join(tmpdir(), 'sidecar-restart-'));
  readonly stateDir = join(this.dir, 'localcloud');
  private cloud: TestCloud | undefined;
  private deployed: {
    port: number; config: LoadedConfig; outputs: DeployOutputs; customerName: string; echoFunctionArn: string;
    honest: { id: string; externalId: string; roleArn: string }; deputy: { id: string };
  } | undefined;

  /** Start the cloud and deploy into it; `close()` cleans up even when this fails half-way. */
  async deploy(): Promise<void> {
    const cloud = await startTestCloud({ stateDir: this.stateDir, configFile: configFileFor('local') });
    this.cloud = cloud;
    const port = cloud.port;
    const env = {
      ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFileFor('local'),
      LOCALCLOUD_PORT: String(port), SIDECAR_TFSTATE_DIR: join(this.dir, 'tfstate'),
    };
    const config = loadConfig(env);
    const customerName = config.customers[0].name;
    const customer = config.customers[0];
    const tenant = config.tenants.find((t) => t.externalId === customer.externalIds.current);
    const confused = config.tenants.find((t) => t.roleArn === tenant?.roleArn && t.externalId !== tenant?.externalId);
    if (!tenant || !confused) throw new Error(`config/local.json must pair ${customerName} with an honest tenant and a confused deputy on its role`);

    const outputsFile = join(this.dir, 'outputs.json');
    const secrets = configSecrets(config);
    await deployStacks({
      env, outDir: join(this.dir, 'cdktf.out'), customerStacks: [customerName], outputsFile,
      onOutput: () => undefined, // a failure carries the output's tail
      onProgress: (line) => process.stderr.write(`[restart] ${line}\n`),
    }).catch((e: unknown) => {
      // Terraform's plan prints each trust policy, external ID included.
      if (e instanceof Error) e.message = redactSecrets(e.message, secrets);
      throw e;
    });
    const outputs = readDeployOutputs(outputsFile, [customerName]);
    this.deployed = {
      port, config, outputs, customerName,
      echoFunctionArn: Object.values(outputs.customers[customerName].function_arns)[0],
      honest: { id: tenant.id, externalId: tenant.externalId, roleArn: tenant.roleArn },
      deputy: { id: confused.id },
    };
    // The deploy's last IAM writes may not have reached STS and Lambda yet (IAM propagation).
    const client = this.vendorLambda();
    try {
      await untilPropagated(`${tenant.id}'s first call after the deploy`, async () => (await this.callConnector(client, { tenant: tenant.id })).answer, connectorRefusedNotYet);
    } finally {
      client.destroy();
    }
  }

  private get facts() {
    if (!this.deployed) throw new Error('the restart suite\'s stacks are not deployed');
    return this.deployed;
  }

  /** The port the cloud was first started on, and is restarted on. */
  get port(): number { return this.facts.port; }
  get config(): LoadedConfig { return this.facts.config; }
  get customerName(): string { return this.facts.customerName; }

  /** The running cloud; throws while it is stopped. */
  current(): TestCloud {
    if (!this.cloud) throw new Error('the local cloud of this file is not running');
    return this.cloud;
  }

  /** Start the cloud again on the same port and state; throws when it does not answer health. */
  async restart(): Promise<void> {
    this.cloud = await startTestCloud({ stateDir: this.stateDir, port: this.port, configFile: configFileFor('local') });
  }

  /** Stop the running cloud with `stop` (its close, or a kill); from then on it is not running. */
  async stop(stop: (cloud: TestCloud) => Promise<void>): Promise<void> {
    await stop(this.current());
    this.cloud = undefined;
  }

  async close(): Promise<void> {
    if (this.cloud) await within(15_000, this.cloud.close()); // close() itself escalates to SIGKILL after 10 s
    rmSync(this.dir, { recursive: true, force: true });
  }

  clientConfig(credentials: Credentials) {
    return { ...this.current().clientConfig(credentials), region: this.config.region };
  }

  private vendorLambda(): LambdaClient {
    return new LambdaClient(this.clientConfig(this.current().credentialsFor('vendor')));
  }

  // -------------------------------------------------------------------------
  // Calling the connector
  // -------------------------------------------------------------------------

  private async callConnector(client: LambdaClient, event: object, abortSignal?: AbortSignal): Promise<{ answer?: ConnectorAnswer; functionError?: string; raw: string }> {
    const res = await client.send(new InvokeCommand({
      FunctionName: this.facts.outputs.vendor.connector_function_name, Payload: Buffer.from(JSON.stringify(event)),
    }), { abortSignal });
    const raw = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
    if (res.FunctionError) return { functionError: res.FunctionError, raw };
    return { answer: JSON.parse(raw) as ConnectorAnswer, raw };
  }

  private fireInFlight(client: LambdaClient, nonce: string): InFlight {
    const abort = new AbortController();
    let hung = false;
    let stoppedAt = 0;
    let timer: NodeJS.Timeout | undefined;
    const settled = this.callConnector(client, { tenant: this.facts.honest.id, payload: { nonce, sidecarTest: { sleepMs: SAMPLE_SLEEP_MS } } }, abort.signal)
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
  private async untilSamplesRunning(count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { operations } = await control<{ operations: Record<string, number> }>(this.current(), 'GET', 'stats');
      // Each call is one Invoke of the connector and, once it has assumed the role, one of the sample.
      if ((operations['lambda:Invoke'] ?? 0) >= 2 * count) return;
      if (Date.now() > deadline) throw new Error(`the sample was not invoked ${count} times within 30 s: ${JSON.stringify(operations)}`);
      await sleep(100);
    }
  }

  /** Fire `IN_FLIGHT_CALLS` slow calls, stop the cloud with `stop` while they run, collect how each ended. */
  async stopWithCallsInFlight(stop: (c: TestCloud) => Promise<void>): Promise<{ settlements: Settlement[]; stopMs: number; sandboxPids: number[] }> {
    const running = this.current();
    await control(running, 'DELETE', 'stats');
    const client = this.vendorLambda();
    try {
      const calls = Array.from({ length: IN_FLIGHT_CALLS }, (_, i) => this.fireInFlight(client, `in-flight-${i}`));
      await this.untilSamplesRunning(IN_FLIGHT_CALLS);
      const sandboxPids = childPidsOf(running.pid);
      const stoppedAt = Date.now();
      for (const call of calls) call.bound(stoppedAt);
      await this.stop(stop);
      const stopMs = Date.now() - stoppedAt;
      const settlements = await Promise.all(calls.map((c) => c.settled));
      return { settlements, stopMs, sandboxPids };
    } finally {
      client.destroy();
    }
  }

  /** What must hold after every restart: the honest tenant's call succeeds with its own account and
   *  function, and the confused deputy is still refused (the trust policy survived). */
  async expectDeployedStateServed(): Promise<void> {
    const { honest, deputy, echoFunctionArn, config } = this.facts;
    const client = this.vendorLambda();
    try {
      const nonce = `after-restart-${Date.now()}`;
      const ok = await this.callConnector(client, { tenant: honest.id, payload: { nonce } });
      expect(ok.answer).toMatchObject({
        ok: true, tenant: honest.id, functionArn: echoFunctionArn,
        payload: { account: config.customers[0].accountId, functionArn: echoFunctionArn, echo: { nonce } },
      });
      const refused = await this.callConnector(client, { tenant: deputy.id, payload: { nonce } });
      expect(refused.answer).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
    } finally {
      client.destroy();
    }
  }

  // -------------------------------------------------------------------------
  // Sessions
  // -------------------------------------------------------------------------

  /** The connector role's session (as the Lambda service issues it) and the customer role session it assumes. */
  async issueSessions(): Promise<{ connector: Session; customer: Session }> {
    const { outputs } = this.facts;
    const c = await executionRoleCredentials(this.current(), outputs.vendor.connector_role_arn, outputs.vendor.connector_function_arn);
    const connector = { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken };
    return { connector, customer: await this.assumeCustomerRole(connector, 'restart-before') };
  }

  async assumeCustomerRole(as: Session, sessionName: string): Promise<Session> {
    const sts = new STSClient(this.clientConfig(as));
    try {
      return await this.assumeCustomerRoleWith(sts, sessionName);
    } finally {
      sts.destroy();
    }
  }

  private async assumeCustomerRoleWith(sts: STSClient, sessionName: string): Promise<Session> {
    const { honest } = this.facts;
    // As the connector does: the tenant as SourceIdentity, which the customer's trust requires.
    const res = await sts.send(new AssumeRoleCommand({ RoleArn: honest.roleArn, RoleSessionName: sessionName, ExternalId: honest.externalId, SourceIdentity: honest.id }));
    const c = res.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
  }

  async callerArn(as: Credentials): Promise<string | undefined> {
    const sts = new STSClient(this.clientConfig(as));
    try {
      return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    } finally {
      sts.destroy();
    }
  }

  // -------------------------------------------------------------------------
  // Writes that hammer the state until the cloud goes down
  // -------------------------------------------------------------------------

  /** Write to IAM and STS in loops until the cloud stops answering; every acknowledged write is logged. */
  hammer(round: number, ledger: HammerLedger, as: Session): Promise<void[]> {
    const trustOfVendorRoot = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'HammerTrust', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${this.config.vendor.accountId}:root` }, Action: 'sts:AssumeRole' }],
    });
    // customer-b's account: deployed into by nobody here, so the hammer's roles touch no stack.
    const iam = new IAMClient(this.clientConfig(this.current().credentialsFor('customer-b')));
    const sts = new STSClient(this.clientConfig(as));
    const iamWorker = async (worker: number) => {
      for (let i = 0; ; i++) {
        const name = `restart-hammer-${round}-${worker}-${i}`;
        try {
          await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustOfVendorRoot }));
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
          ledger.lastSession = await this.assumeCustomerRoleWith(sts, `hammer-${round}-${worker}-${i}`);
          ledger.writes++;
        } catch {
          return;
        }
      }
    };
    const done = Promise.all([iamWorker(0), iamWorker(1), iamWorker(2), stsWorker(0), stsWorker(1)]);
    return done.finally(() => { iam.destroy(); sts.destroy(); });
  }

  async roleNamesIn(stack: string): Promise<Set<string>> {
    const iam = new IAMClient(this.clientConfig(this.current().credentialsFor(stack)));
    const names = new Set<string>();
    try {
      for await (const page of paginateListRoles({ client: iam }, {})) for (const r of page.Roles ?? []) names.add(r.RoleName!);
    } finally {
      iam.destroy();
    }
    return names;
  }

  // -------------------------------------------------------------------------
  // The deployed stacks
  // -------------------------------------------------------------------------

  /** `terraform plan -detailed-exitcode` in a deployed stack's folder: 0 no changes, 2 changes, 1 error. */
  planExit(stack: string): Promise<{ stack: string; code: number | null; output: string }> {
    return new Promise((resolvePlan) => {
      const { env } = terraformEnv();
      const child = spawn('terraform', ['plan', '-detailed-exitcode', '-input=false', '-lock=false', '-no-color'], {
        cwd: join(this.dir, 'cdktf.out', 'stacks', stack), env, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => { output = (output + c.toString('utf8')).slice(-3000); });
      child.stderr.on('data', (c: Buffer) => { output = (output + c.toString('utf8')).slice(-3000); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('exit', (code) => { clearTimeout(timer); resolvePlan({ stack, code, output }); });
    });
  }
}
