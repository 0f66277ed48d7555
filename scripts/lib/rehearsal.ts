// ---------------------------------------------------------------------------
// The aws target, rehearsed: the real-account path (config with a profile per account, the
// Terraform provider's aws branch, deploy:aws, the e2e suite's aws path) run unchanged against a
// local cloud of our own. Everything the real path reads from a person's machine is written into
// a temp folder instead: an aws.json-shaped config, an AWS shared config file (one profile per
// account, with `endpoint_url` pointing at the local cloud and the region) and a credentials
// file (keys of an administrator user the rehearsal creates in each account with the root keys:
// as on AWS, root may not assume roles). The code under test never learns it is not AWS.
// Used by scripts/rehearse-aws.ts (the whole thing) and test/e2e/rehearsal.test.ts (reduced).
// ---------------------------------------------------------------------------
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { configFileFor, loadConfig } from '../../config/load';
import type { SidecarConfig } from '../../config/schema';
import { VENDOR_STACK_NAME, parseRoleArn } from '../../rules/naming';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createTestUser, startTestCloud, type AccountKeys, type TestCloud } from './child-cloud';
import { newAccessKeyNotYet, untilPropagated } from './propagation';
import { PROJECT_ROOT } from './deploy';

const TSX_BIN = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

/** The IAM user, with administrator access, whose keys each rehearsal profile holds. */
export const REHEARSAL_ADMIN_USER = 'sidecar-rehearsal-admin';
const ADMINISTRATOR_POLICY = { Version: '2012-10-17', Statement: [{ Sid: 'Administrator', Effect: 'Allow', Action: '*', Resource: '*' }] };

/** The profile name the rehearsal gives a stack's account. */
export const rehearsalProfile = (stack: string): string => `sidecar-rehearsal-${stack}`;

/** A rehearsal step failed: which one, and what to look at. */
export class RehearsalError extends Error {
  readonly code = 'RehearsalFailed';
  constructor(readonly step: string, message: string) {
    super(`${step}: ${message}`);
    this.name = 'RehearsalError';
  }
}

export interface RehearsalOptions {
  /** LOCALCLOUD_IAM_PROPAGATION_MS of the rehearsal's local cloud. */
  readonly propagationMs: number;
  /** Only the first N customers (and the tenants of their accounts). @default all */
  readonly customers?: number;
  /** Where each line of the children's output goes. @default stderr */
  readonly onOutput?: (chunk: string) => void;
}

/** What a rehearsal has set up; `close()` stops everything and removes the temp folder. */
export interface Rehearsal {
  readonly dir: string;
  readonly cloud: TestCloud;
  readonly config: SidecarConfig;
  readonly configFile: string;
  readonly outputsFile: string;
  readonly awsConfigFile: string;
  readonly awsCredentialsFile: string;
  /** The environment a person would have with real AWS: profiles in files, nothing local. */
  readonly env: NodeJS.ProcessEnv;
  /** The same plus AWS_ENDPOINT_URL, for SDK clients that do not read a profile's endpoint_url. */
  readonly sdkEnv: NodeJS.ProcessEnv;
  readonly customerStacks: readonly string[];
  /** How long the longest wait for a new administrator key to propagate took (ms). */
  readonly adminKeyWaitMs: number;
  /** Run a command as a child (its own process group, so a stop reaches its children too). */
  run(step: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void>;
  close(): Promise<void>;
}

/** The aws.json a person would write for the same accounts, customers and tenants: a profile per account. */
export function rehearsalConfig(local: SidecarConfig, customers?: number): SidecarConfig {
  const kept = customers === undefined ? local.customers : local.customers.slice(0, customers);
  const accountIds = new Set([local.vendor.accountId, ...kept.map((c) => c.accountId)]);
  const stacks = [VENDOR_STACK_NAME, ...kept.map((c) => c.name)];
  return {
    region: local.region,
    rolePrefix: local.rolePrefix,
    vendor: local.vendor,
    customers: kept,
    tenants: local.tenants.filter((t) => accountIds.has(parseRoleArn(t.roleArn)?.accountId ?? '')),
    accounts: Object.fromEntries(stacks.map((s) => [s, { accountId: local.accounts[s].accountId, profile: rehearsalProfile(s) }])),
  };
}

/** ~/.aws/config and ~/.aws/credentials as a person would have them: per stack, its account's keys. */
export function awsSharedFiles(cloud: { url: string; accounts: Readonly<Record<string, AccountKeys>> }, stacks: readonly string[], region: string): { config: string; credentials: string } {
  const config: string[] = [];
  const credentials: string[] = [];
  for (const stack of stacks) {
    const keys = cloud.accounts[stack];
    if (!keys) throw new RehearsalError('shared config', `the local cloud has no account for stack ${stack}`);
    config.push(`[profile ${rehearsalProfile(stack)}]`, `region = ${region}`, `endpoint_url = ${cloud.url}`, '');
    credentials.push(`[${rehearsalProfile(stack)}]`, `aws_access_key_id = ${keys.accessKeyId}`, `aws_secret_access_key = ${keys.secretAccessKey}`, '');
  }
  return { config: config.join('\n'), credentials: credentials.join('\n') };
}

/** The caller's environment without anything that would point the AWS tools elsewhere (their own keys, profile, endpoint). */
function cleanEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const key of Object.keys(env)) {
    if (/^AWS_/.test(key) && key !== 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED') delete env[key];
    if (/^LOCALCLOUD_|^SIDECAR_(TARGET|CONFIG_FILE|OUTPUTS_FILE|TFSTATE_DIR|CDKTF_OUT|E2E_)/.test(key)) delete env[key];
  }
  return env;
}

/** Start the local cloud, write the config and the AWS shared files. Throws RehearsalError. */
export async function startRehearsal(options: RehearsalOptions): Promise<Rehearsal> {
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-rehearsal-'));
  const children = new Set<ChildProcess>();
  let cloud: TestCloud | undefined;
  const close = async () => {
    for (const child of children) stopGroup(child);
    await Promise.all([...children].map((c) => exited(c, 10_000)));
    if (cloud) {
      await cloud.close();
      rmSync(dirname(cloud.logFile), { recursive: true, force: true }); // the cloud's run folder (log, accounts file)
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const localConfigFile = configFileFor('local', {});
    const local = loadConfig({ SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: localConfigFile });
    cloud = await startTestCloud({
      stateDir: join(dir, 'localcloud'),
      configFile: localConfigFile,
      env: {
        LOCALCLOUD_IAM_PROPAGATION_MS: String(options.propagationMs),
        // As root, the connector runs in isolated sandboxes, as on Lambda (same rule as the e2e setup).
        LOCALCLOUD_SANDBOX_ISOLATION: process.getuid?.() === 0 ? 'required' : 'auto',
      },
    });
    const config = rehearsalConfig(local, options.customers);
    const configFile = join(dir, 'aws.json');
    writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
    const stacks = Object.keys(config.accounts);
    // The profiles hold an administrator user's keys, not the root keys: as on AWS, where root may
    // not assume roles and should not deploy. Created with the root keys, then awaited: a new key
    // works only once IAM has propagated it (its policy was put first, so it has propagated too).
    const admins: Record<string, AccountKeys> = {};
    let adminKeyWaitMs = 0;
    for (const stack of stacks) {
      const user = await createTestUser(cloud, stack, REHEARSAL_ADMIN_USER, ADMINISTRATOR_POLICY);
      const created = Date.now();
      admins[stack] = { accountId: cloud.accounts[stack].accountId, ...user.credentials };
      const sts = new STSClient(cloud.clientConfig(user.credentials));
      try {
        await untilPropagated(`the rehearsal's administrator key in ${stack}`, () => sts.send(new GetCallerIdentityCommand({})), newAccessKeyNotYet);
        adminKeyWaitMs = Math.max(adminKeyWaitMs, Date.now() - created);
      } finally {
        sts.destroy();
      }
    }
    const files = awsSharedFiles({ url: cloud.url, accounts: admins }, stacks, config.region);
    const awsConfigFile = join(dir, 'aws', 'config');
    const awsCredentialsFile = join(dir, 'aws', 'credentials');
    mkdirSync(dirname(awsConfigFile), { recursive: true, mode: 0o700 });
    writeFileSync(awsConfigFile, files.config, { mode: 0o600 });
    writeFileSync(awsCredentialsFile, files.credentials, { mode: 0o600 });
    const outputsFile = join(dir, 'terraform-outputs.json');
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(process.env),
      AWS_CONFIG_FILE: awsConfigFile,
      AWS_SHARED_CREDENTIALS_FILE: awsCredentialsFile,
      AWS_EC2_METADATA_DISABLED: 'true',
      SIDECAR_TARGET: 'aws',
      SIDECAR_CONFIG_FILE: configFile,
      SIDECAR_OUTPUTS_FILE: outputsFile,
      SIDECAR_TFSTATE_DIR: join(dir, 'tfstate'),
      SIDECAR_CDKTF_OUT: join(dir, 'cdktf.out'),
    };
    const emit = options.onOutput ?? ((chunk: string) => process.stderr.write(chunk));
    const run = (step: string, args: readonly string[], runEnv: NodeJS.ProcessEnv) => new Promise<void>((resolvePromise, reject) => {
      const child = spawn(args[0], args.slice(1), { cwd: PROJECT_ROOT, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      children.add(child);
      let tail = '';
      const keep = (b: Buffer) => { const text = b.toString('utf8'); tail = (tail + text).slice(-3000); emit(text); };
      child.stdout!.on('data', keep);
      child.stderr!.on('data', keep);
      child.on('error', (e) => { children.delete(child); reject(new RehearsalError(step, `could not start ${args[0]}: ${e.message}`)); });
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (code === 0) resolvePromise();
        else reject(new RehearsalError(step, `${args.slice(0, 3).join(' ')} ... exited ${code ?? signal}. Last output:\n${tail}`));
      });
    });
    return {
      dir, cloud, config, configFile, outputsFile, awsConfigFile, awsCredentialsFile, env, adminKeyWaitMs,
      sdkEnv: { ...env, AWS_ENDPOINT_URL: cloud.url },
      customerStacks: config.customers.map((c) => c.name),
      run,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/** `deploy:aws` exactly as a person runs it, with --auto-approve (no terminal here). */
export function deployAwsCommand(stacks: readonly string[]): string[] {
  return [TSX_BIN, join(PROJECT_ROOT, 'scripts', 'deploy-aws.ts'), '--auto-approve', ...stacks];
}

function stopGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM'); // its own process group: cdktf and terraform under it too
  } catch {
    child.kill('SIGTERM');
  }
}

function exited(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    const timer = setTimeout(() => {
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* already gone */ }
      r();
    }, timeoutMs);
    child.once('exit', () => { clearTimeout(timer); r(); });
  });
}
