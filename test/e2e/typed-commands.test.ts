/**
 * E2E: the user's own cdktf commands, as typed, against the local cloud. On a fresh copy of the
 * project (its own cdktf.out/, .localcloud/ and .gen/; node_modules linked), as a person would:
 *   npm run -s local:up                      (here with LOCALCLOUD_PORT=0: any free port, never 4510)
 *   eval "$(npm run -s local:env)"
 *   npx cdktf deploy vendor --auto-approve   npx cdktf deploy customer-a --auto-approve
 *   npx cdktf diff vendor                    npx cdktf output vendor
 *   npx cdktf destroy customer-a --auto-approve
 *   npx cdktf destroy vendor                 (on a pseudo-terminal, approved by pressing Enter)
 * each run by bash exactly so, with no help from the npm wrappers (no --skip-provider-lock, no
 * TF_CLI_CONFIG_FILE or LOCALCLOUD_PORT of the test's own). What was deployed or destroyed is
 * then checked in the cloud itself, through the AWS SDK. No terminal here, hence --auto-approve
 * (cdktf's approval prompt needs one), except for the last destroy, which gets a pseudo-terminal.
 * Local target only. Slow: cold starts of cdktf, Terraform and the provider on a loaded machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { loadConfig } from '../../config/load';
import { VENDOR_STACK_NAME } from '../../rules/naming';
import { accountCredentials, clientConfig } from '../../scripts/lib/accounts';
import { configSecrets, redactSecrets } from '../../scripts/lib/redact';
import { notOwnStacks, ownsStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { projectCopy, runCommand, type ScriptResult } from '../support/scripts';

jest.setTimeout(15 * 60_000);

const owns = ownsStacks();
const localOnly = (name: string) => itWhen(owns, notOwnStacks(`${name}: the typed commands deploy and destroy in a local cloud the test starts`));
const config = loadConfig({ ...process.env, SIDECAR_TARGET: 'local' });
const secrets = configSecrets(config);
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

/** The environment of a person's fresh shell: nothing of this test run's deploy settings. */
function freshShellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['LOCALCLOUD_PORT', 'LOCALCLOUD_HOME', 'LOCALCLOUD_STATE_DIR', 'LOCALCLOUD_TEST_CONTROLS', 'SIDECAR_TARGET', 'SIDECAR_CONFIG_FILE',
    'SIDECAR_TFSTATE_DIR', 'TF_CLI_ARGS_providers_lock', 'CDKTF_SKIP_PROVIDER_LOCK', 'CDKTF_AUTO_APPROVE', 'CI']) delete env[name];
  return env;
}

let copy: string;
let port: number;
let url: string;
let exportsText: string;
const outputs: Record<string, string> = {};

/** `eval "$(npm run -s local:env)" && <command>` in bash, in the copy, as typed. */
async function typed(command: string, timeoutMs = 8 * 60_000): Promise<ScriptResult & { all: string }> {
  const res = await runCommand('bash', ['-c', `eval "$(npm run -s local:env)" && ${command}`], { cwd: copy, env: freshShellEnv(), timeoutMs });
  const all = redactSecrets(`${res.stdout}\n${res.stderr}`.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''), secrets);
  outputs[command] = all;
  writeFileSync(join(copy, `typed-${Object.keys(outputs).length}.log`), `$ ${command}\n${all}`);
  if (res.code !== 0) throw new Error(`\`${command}\` exited ${res.code}; its output ends:\n${all.slice(-4000)}`);
  return { ...res, all };
}

function lambda(stack: string): LambdaClient {
  return new LambdaClient(clientConfig(config, accountCredentials(config, stack)!, config.region, url));
}
function iam(stack: string): IAMClient {
  return new IAMClient(clientConfig(config, accountCredentials(config, stack)!, config.region, url));
}

beforeAll(async () => {
  if (!owns) return;
  copy = projectCopy('sidecar-typed-');
  const before = await runCommand('npm', ['run', '-s', 'local:env'], { cwd: copy, env: freshShellEnv() });
  // No local cloud yet: local:env says so, prints nothing to eval, and fails.
  expect(before.code).toBe(1);
  expect(before.stdout).toBe('');
  expect(before.stderr).toContain('Start it with: npm run local:up');
  const up = await runCommand('npm', ['run', '-s', 'local:up'], { cwd: copy, env: { ...freshShellEnv(), LOCALCLOUD_PORT: '0' }, timeoutMs: 120_000 });
  if (up.code !== 0) throw new Error(`npm run local:up failed in ${copy}:\n${up.stdout}\n${up.stderr}`);
  ({ port, url } = JSON.parse(readFileSync(join(copy, '.localcloud', 'server.json'), 'utf8')) as { port: number; url: string });
});

afterAll(async () => {
  if (!copy) return;
  await runCommand('npm', ['run', '-s', 'local:down'], { cwd: copy, env: freshShellEnv(), timeoutMs: 60_000 }).catch(() => undefined);
  const server = join(copy, '.localcloud', 'server.json');
  if (existsSync(server)) {
    try { process.kill((JSON.parse(readFileSync(server, 'utf8')) as { pid: number }).pid, 'SIGKILL'); } catch { /* stopped */ }
  }
  if (process.env.SIDECAR_E2E_KEEP === '1') process.stderr.write(`[e2e] kept the typed-commands project copy (SIDECAR_E2E_KEEP=1): ${copy}\n`);
  else rmSync(copy, { recursive: true, force: true });
});

describe('eval "$(npm run -s local:env)", then cdktf as typed', () => {
  localOnly('local:env')('prints only exports, with the running cloud\'s own port', async () => {
    const res = await runCommand('npm', ['run', '-s', 'local:env'], { cwd: copy, env: freshShellEnv() });
    expect(res.code).toBe(0);
    exportsText = res.stdout;
    for (const line of exportsText.trimEnd().split('\n')) expect(line).toMatch(/^export [A-Za-z_][A-Za-z0-9_]*=\S+$/);
    expect(exportsText).toContain(`export LOCALCLOUD_PORT=${port}\n`);
    expect(port).not.toBe(4510);
  });

  localOnly('deploy vendor')('`npx cdktf deploy vendor --auto-approve` deploys the vendor stack into the running cloud', async () => {
    const res = await typed('npx cdktf deploy vendor --auto-approve');
    expect(res.all).toMatch(/Apply complete! Resources: \d+ added/);
    // The provider-lock step ran, from the mirror (or was skipped where the mirror cannot serve it), never from a registry.
    if (exportsText.includes('TF_CLI_ARGS_providers_lock=')) expect(res.all).toContain('Obtained hashicorp/aws checksums for linux_amd64');
    expect(res.all).not.toContain('registry.terraform.io/.well-known');
    const fn = await lambda(VENDOR_STACK_NAME).send(new GetFunctionCommand({ FunctionName: config.vendor.connectorFunctionName }));
    expect(fn.Configuration?.FunctionArn).toContain(`:${config.vendor.accountId}:function:${config.vendor.connectorFunctionName}`);
    // The state is the copy's, beside its local cloud, not the worktree's.
    expect(existsSync(join(copy, '.localcloud', 'tfstate', 'vendor.tfstate'))).toBe(true);
  });

  localOnly('deploy customer-a')('`npx cdktf deploy customer-a --auto-approve` deploys customer A\'s role and functions', async () => {
    const res = await typed('npx cdktf deploy customer-a --auto-approve');
    expect(res.all).toMatch(/Apply complete! Resources: \d+ added/);
    const customer = config.customers.find((c) => c.name === 'customer-a')!;
    const role = await iam('customer-a').send(new GetRoleCommand({ RoleName: customer.roleName }));
    expect(role.Role?.Arn).toBe(`arn:aws:iam::${customer.accountId}:role/${customer.roleName}`);
  });

  localOnly('diff vendor')('`npx cdktf diff vendor` finds nothing to change', async () => {
    const res = await typed('npx cdktf diff vendor');
    expect(res.all).toContain('No changes. Your infrastructure matches the configuration.');
  });

  localOnly('output vendor')('`npx cdktf output vendor` prints the vendor stack\'s outputs', async () => {
    const res = await typed('npx cdktf output vendor');
    expect(res.all).toMatch(new RegExp(`connector_function_arn =\\s+arn:aws:lambda:${config.region}:${config.vendor.accountId}:function:${config.vendor.connectorFunctionName}`));
    expect(res.all).toContain(`vendor_account_id = ${config.vendor.accountId}`);
  });

  localOnly('destroy customer-a')('`npx cdktf destroy customer-a --auto-approve` removes customer A\'s stack from the cloud', async () => {
    const res = await typed('npx cdktf destroy customer-a --auto-approve');
    expect(res.all).toMatch(/Destroy complete! Resources: \d+ destroyed/);
    const customer = config.customers.find((c) => c.name === 'customer-a')!;
    await expect(iam('customer-a').send(new GetRoleCommand({ RoleName: customer.roleName }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  itWhen(owns && hasScript, owns ? 'the interactive approval needs util-linux `script` for a pseudo-terminal' : notOwnStacks('destroys in a local cloud the test starts'))(
    '`npx cdktf destroy vendor` on a terminal asks, and Enter (Approve) destroys it', async () => {
      const output = await new Promise<string>((resolvePromise, reject) => {
        const child = spawn('script', ['-qefc', 'eval "$(npm run -s local:env)" && npx cdktf destroy vendor', '/dev/null'], { cwd: copy, env: freshShellEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
        let text = '';
        let approved = false;
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`cdktf destroy vendor did not finish; output:\n${redactSecrets(text, secrets).slice(-3000)}`)); }, 8 * 60_000);
        const read = (d: Buffer) => {
          text += d.toString('utf8');
          if (!approved && /Approve/.test(text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''))) {
            approved = true;
            // Ink reads the terminal in raw mode once the prompt is drawn: give it a moment, then press Enter.
            setTimeout(() => child.stdin.write('\r'), 1000);
          }
        };
        child.stdout.on('data', read);
        child.stderr.on('data', read);
        child.on('close', (code) => {
          clearTimeout(timer);
          child.stdin.destroy();
          const clean = redactSecrets(text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''), secrets);
          if (code !== 0) reject(new Error(`cdktf destroy vendor exited ${code}; output ends:\n${clean.slice(-3000)}`));
          else resolvePromise(clean);
        });
      });
      expect(output).toMatch(/Destroy complete! Resources: \d+ destroyed/);
      await expect(lambda(VENDOR_STACK_NAME).send(new GetFunctionCommand({ FunctionName: config.vendor.connectorFunctionName }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    }, 10 * 60_000);
});
