// npm run soak [-- --calls N --customers N --concurrency N]: the full soak, on a local cloud of its own.
// Generates a config of 10 customers, each trusting two external IDs (current and previous),
// so 20 honest tenants with their own (role, external ID) pair; starts a fresh local cloud on a
// free port with that config, deploys vendor + customers with cdktf + Terraform, runs 10,000
// calls with 5% of AssumeRole and customer Invokes faulted, prints the counts, and stops the cloud.
// Exit code 1 when a call was lost, crossed tenants, ran twice, or ended in an unexplained error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import type { SidecarConfig } from '../config/schema';
import { generateExternalId } from '../rules/external-id';
import { functionArn, roleArn, roleSessionName } from '../rules/naming';
import { startTestCloud } from './lib/child-cloud';
import { exitWithUsageError, readCommandLine, UsageError, wholeNumberOption, type CommandSpec } from './lib/cli';
import { deployStacks } from './lib/deploy';
import { formatSoakReport, runSoak, type SoakTenant } from './soak/soak-run';

const BASE_ACCOUNT = 300000000000;

/** A config of `customers` customers, two tenants each (current and previous external ID). */
export function soakConfig(base: SidecarConfig, customers: number): SidecarConfig {
  // Only the file's own fields: the loaded config also carries where it came from.
  const out: SidecarConfig = { region: base.region, rolePrefix: base.rolePrefix, vendor: base.vendor, customers: [], tenants: [], accounts: { vendor: base.accounts.vendor } };
  for (let i = 1; i <= customers; i++) {
    const nn = String(i).padStart(2, '0');
    const name = `soak-${nn}`;
    const accountId = String(BASE_ACCOUNT + i);
    const roleName = `${base.rolePrefix}-soak${nn}`;
    const externalIds = { current: generateExternalId(), previous: generateExternalId() };
    const fn = functionArn(base.region, accountId, 'sidecar-echo');
    out.customers.push({ name, accountId, roleName, externalIds, trustPrincipal: 'role', functions: ['sidecar-echo'], privateFunction: 'sidecar-private' });
    out.tenants.push({ id: `${name}-a`, roleArn: roleArn(accountId, roleName), externalId: externalIds.current, functions: [fn] });
    out.tenants.push({ id: `${name}-b`, roleArn: roleArn(accountId, roleName), externalId: externalIds.previous, functions: [fn] });
    out.accounts[name] = { accountId, accessKeyId: `AKIALOCALSOAK${nn.padStart(7, '0')}`, secretAccessKey: `local-soak-${nn}-root-secret-not-a-real-key` };
  }
  return out;
}

export const SOAK_COMMAND = {
  name: 'soak',
  usage: ['npm run soak [-- [--calls <n>] [--customers <n>] [--concurrency <n>]]'],
  summary: 'many calls over many tenants under injected faults, every call accounted for',
  description: [
    'Start a local cloud of its own on a free port (yours is not touched), generate a config of',
    '<customers> customers with two external IDs each (so twice as many tenants), deploy the stacks with',
    'cdktf and Terraform, make <calls> connector calls with 5% of AssumeRole and customer Invokes faulted,',
    'print the counts, and stop the cloud. Exits 1 if a call was lost, crossed tenants, ran twice, or',
    'ended in an unexplained error.',
  ].join('\n'),
  options: {
    calls: { type: 'string', valueName: 'n', default: '10000', description: 'calls to make' },
    customers: { type: 'string', valueName: 'n', default: '10', description: 'customers (two tenants each), at most 99' },
    concurrency: { type: 'string', valueName: 'n', default: '8', description: 'calls in flight at once' },
  },
  examples: [
    { command: 'npm run soak', says: '10,000 calls over 20 tenants (several minutes)' },
    { command: 'npm run soak -- --calls 500 --customers 2', says: 'a short run' },
  ],
} satisfies CommandSpec;

async function main(): Promise<void> {
  const { values } = readCommandLine(SOAK_COMMAND);
  let calls: number, customers: number, concurrency: number;
  try {
    calls = wholeNumberOption('calls', values.calls);
    customers = wholeNumberOption('customers', values.customers, 1, 99);
    concurrency = wholeNumberOption('concurrency', values.concurrency, 1, 1000);
  } catch (e) {
    if (e instanceof UsageError) return exitWithUsageError(SOAK_COMMAND, e.message);
    throw e;
  }
  const dir = mkdtempSync(join(tmpdir(), 'sidecar-soak-'));
  const configFile = join(dir, 'soak-config.json');
  const base = loadConfig({ ...process.env, SIDECAR_TARGET: 'local' });
  writeFileSync(configFile, JSON.stringify(soakConfig(base, customers), null, 2), { mode: 0o600 });
  const config = loadConfig({ ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFile });
  process.stderr.write(`soak: ${config.tenants.length} tenants over ${config.customers.length} customers; work folder ${dir}\n`);

  const cloud = await startTestCloud({ stateDir: join(dir, 'localcloud'), configFile });
  try {
    const env = { ...process.env, SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFile, LOCALCLOUD_PORT: String(cloud.port), SIDECAR_TFSTATE_DIR: join(dir, 'tfstate') };
    let log = '';
    await deployStacks({
      env, outDir: join(dir, 'cdktf.out'), customerStacks: config.customers.map((c) => c.name), outputsFile: join(dir, 'outputs.json'),
      onOutput: (chunk) => { log = (log + chunk).slice(-20_000); },
      onProgress: (line) => process.stderr.write(`soak: ${line}\n`),
    }).catch((e) => {
      writeFileSync(join(dir, 'deploy.log'), log);
      throw e;
    });

    const tenants: SoakTenant[] = config.tenants.map((t) => ({ id: t.id, accountId: t.functions[0].split(':')[4], functionName: 'sidecar-echo' }));
    const report = await runSoak({
      target: {
        endpoint: cloud.url, region: config.region, vendorCredentials: cloud.credentialsFor('vendor'),
        connectorFunctionName: config.vendor.connectorFunctionName, connectorAccountId: config.vendor.accountId,
        stateDir: cloud.stateDir, serverPid: cloud.pid,
      },
      tenants, calls, concurrency, coldStarts: 4,
      sessionNameOf: (tenant) => roleSessionName(tenant),
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(`\nSoak: ${calls} calls over ${tenants.length} tenants, 5% of AssumeRole and customer Invokes faulted\n${formatSoakReport(report)}\n`);
    const failed = report.lost > 0 || report.violations.length > 0 || report.duplicateInvocations > 0 || report.answered !== report.sent;
    if (failed) process.exitCode = 1;
  } finally {
    await cloud.close();
  }
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`soak failed: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
