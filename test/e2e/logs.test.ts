/**
 * E2E: no secrets in the logs of a full run. After a representative set of calls (an honest
 * connector call per tenant, the confused-deputy tenant, vend, a verify dry run, and AssumeRole as
 * the connector's role with a wrong and with the right external ID), every log the run produced on
 * the local target is read: the local cloud's server log, every function's log under its state
 * folder, and the deploy log. None may contain an external ID (customers' current and previous,
 * tenants'), a secret access key (root keys, every session the local cloud issued, the vended and
 * connector-role credentials), or a session token (those this test obtained, and any by shape).
 * A negative control plants secrets in a scratch copy and proves the scan finds each of them.
 * On the aws target the logs are in CloudWatch: skipped, with the reason printed.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { connectorRoleCredentials, outcome } from '../support/e2e/principals';
import {
  configSecrets, credentialSecrets, describeFindings, localCloudStateSecrets, logFilesUnder, redactSecrets, scanFiles, scanText, type Secret,
} from '../support/e2e/secret-scan';
import { notOwnStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { callConnector, callVend, loadWorld, tenantOf } from '../support/e2e/world';

const world = loadWorld();
const owns = world.ownsStacks;
const SKIP_REASON = notOwnStacks('scans the logs this run produced (its own cloud\'s server log, its functions\' logs, its deploy log; on aws they are in CloudWatch)');
const runDir = process.env.SIDECAR_E2E_DIR ?? '';
const serverLog = process.env.SIDECAR_E2E_CLOUD_LOG ?? '';
const stateDir = join(runDir, 'localcloud');

/** Secrets this test itself obtained during its calls. */
const obtained: Secret[] = [];
/** What the calls answered, so each test can check the run was the one described. */
const answers: Record<string, unknown> = {};

beforeAll(async () => {
  if (!owns) return;
  if (!runDir || !serverLog) throw new Error('SIDECAR_E2E_DIR and SIDECAR_E2E_CLOUD_LOG are set by the e2e global setup: run this file through jest\'s e2e project');
  for (const customer of world.config.customers) {
    const tenant = tenantOf(world, customer.name);
    answers[`connector:${tenant.id}`] = await callConnector(world, { tenant: tenant.id, payload: { from: 'logs.test' } });
  }
  answers['connector:mallory'] = await callConnector(world, { tenant: 'mallory' });
  const acme = tenantOf(world, 'customer-a');
  answers['verify:dryRun'] = await callConnector(world, { tenant: acme.id, dryRun: true });
  const vended = await callVend(world, { tenant: acme.id, functions: [world.config.tenants.find((t) => t.id === acme.id)!.functions[0]] });
  answers.vend = vended;
  if (vended.ok) obtained.push(...credentialSecrets('the vended credentials', vended.credentials));

  const connector = await connectorRoleCredentials(world);
  obtained.push(...credentialSecrets('the connector role', connector));
  const sts = world.sts(connector);
  answers['assume:wrong-external-id'] = await outcome(() => sts.send(new AssumeRoleCommand({
    RoleArn: acme.roleArn, RoleSessionName: 'logs-test-wrong', ExternalId: 'sc-logs-test-wrong-external-id-0001', SourceIdentity: acme.id,
  })));
  const right = await sts.send(new AssumeRoleCommand({ RoleArn: acme.roleArn, RoleSessionName: 'logs-test-right', ExternalId: acme.externalId, SourceIdentity: acme.id }));
  obtained.push(...credentialSecrets('the connector\'s session in customer-a', { secretAccessKey: right.Credentials?.SecretAccessKey, sessionToken: right.Credentials?.SessionToken }));
}, 120_000);

/** Every log of the run: the server's, each function's, the deploy's (and any other *.log). */
function runLogs(): string[] {
  return [...new Set([serverLog, ...logFilesUnder(runDir)])].filter((f) => existsSync(f));
}

function functionLog(accountId: string, functionName: string): string {
  return join(stateDir, 'lambda', 'logs', accountId, `${functionName}.log`);
}

describe('logs of a full e2e run', () => {
  itWhen(owns, SKIP_REASON)('the calls ran as intended: honest tenants served, the deputy refused, vend and dry run answered, the wrong external ID refused', () => {
    for (const customer of world.config.customers) expect(answers[`connector:${tenantOf(world, customer.name).id}`]).toMatchObject({ ok: true });
    expect(answers['connector:mallory']).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
    expect(answers['verify:dryRun']).toMatchObject({ ok: true, dryRun: true });
    expect(answers.vend).toMatchObject({ ok: true });
    expect(answers['assume:wrong-external-id']).toBe('AccessDenied');
    expect(obtained.map((s) => s.label)).toEqual(expect.arrayContaining([
      'secret access key of the vended credentials', 'session token of the vended credentials',
      'secret access key of the connector role', 'session token of the connector role',
      'secret access key of the connector\'s session in customer-a', 'session token of the connector\'s session in customer-a',
    ]));
  });

  itWhen(owns, SKIP_REASON)('the scan reads the server log, the deploy log and the log of every function that ran, none of them empty', () => {
    const files = runLogs();
    const expected = [
      serverLog,
      join(runDir, 'deploy.log'),
      functionLog(world.outputs.vendor.vendor_account_id, world.outputs.vendor.connector_function_name),
      functionLog(world.outputs.vendor.vendor_account_id, world.outputs.vendor.vend_function_name),
      ...world.config.customers.map((c) => functionLog(c.accountId, c.functions[0])),
    ];
    expect(files).toEqual(expect.arrayContaining(expected));
    for (const file of expected) expect({ file, bytes: statSync(file).size > 0 }).toEqual({ file, bytes: true });
    // The server log saw this test's calls: the refused AssumeRole is in it.
    expect(readFileSync(serverLog, 'utf8')).toMatch(/"operation":"AssumeRole".*"status":403|"status":403.*"operation":"AssumeRole"/);
  });

  itWhen(owns, SKIP_REASON)('no external ID of any customer or tenant appears in any log', () => {
    const externalIds = configSecrets(world.config).filter((s) => s.label.includes('external ID'));
    const distinct = new Set([...world.config.customers.flatMap((c) => [c.externalIds.current, c.externalIds.previous]), ...world.config.tenants.map((t) => t.externalId)].filter(Boolean));
    expect(externalIds.map((s) => s.value).sort()).toEqual([...distinct].sort());
    expect(describeFindings(scanFiles(runLogs(), externalIds))).toEqual([]);
  });

  itWhen(owns, SKIP_REASON)('no secret access key appears in any log: root keys, every issued session, the vended and connector-role credentials', () => {
    const keys = [
      ...configSecrets(world.config).filter((s) => s.label.includes('secret access key')),
      ...localCloudStateSecrets(stateDir),
      ...obtained.filter((s) => s.label.startsWith('secret access key')),
    ];
    // Roots of every account, plus at least the sessions of the connector, vend and this test.
    expect(keys.length).toBeGreaterThan(Object.keys(world.config.accounts).length + 3);
    expect(describeFindings(scanFiles(runLogs(), keys))).toEqual([]);
  });

  itWhen(owns, SKIP_REASON)('no session token appears in any log, neither one this test obtained nor any of a token\'s shape', () => {
    const tokens = obtained.filter((s) => s.label.startsWith('session token'));
    expect(tokens).toHaveLength(3);
    expect(describeFindings(scanFiles(runLogs(), tokens))).toEqual([]);
  });

  describe('the scan can fail (negative control on a scratch copy)', () => {
    let scratch: string;
    afterAll(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

    itWhen(owns, SKIP_REASON)('a secret planted in a copy of each log is found, named by label, file and line, without its value', () => {
      scratch = mkdtempSync(join(tmpdir(), 'secret-scan-control-'));
      const acme = tenantOf(world, 'customer-a');
      const planted: Secret[] = [
        { label: 'external ID of tenant acme', value: acme.externalId },
        obtained.find((s) => s.label === 'secret access key of the vended credentials')!,
        obtained.find((s) => s.label === 'session token of the connector role')!,
      ];
      const copies = runLogs().map((file, i) => {
        const copy = join(scratch, `${i}-${basename(file)}`);
        copyFileSync(file, copy);
        const lines = readFileSync(copy, 'utf8').split('\n');
        const secret = planted[i % planted.length];
        lines.splice(Math.floor(lines.length / 2), 0, `{"level":"INFO","message":"leak","detail":"${secret.value}"}`);
        writeFileSync(copy, lines.join('\n'));
        return { copy, secret };
      });
      const findings = scanFiles(copies.map((c) => c.copy), planted);
      for (const { copy, secret } of copies) {
        expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ file: copy, label: secret.label })]));
      }
      expect(describeFindings(findings).join('\n')).not.toContain(planted[0].value);
    });

    itWhen(owns, SKIP_REASON)('a session token nobody told the scan about is found by its shape', () => {
      const token = obtained.find((s) => s.label === 'session token of the vended credentials')!.value;
      expect(scanText(`before\ncredentials: ${token}\nafter`, 'scratch.log', [])).toEqual([{ label: 'a local cloud session token', file: 'scratch.log', line: 2 }]);
    });

    itWhen(owns, SKIP_REASON)('a secret wrapped across two lines is still found', () => {
      const acme = tenantOf(world, 'customer-a');
      const wrapped = `${acme.externalId.slice(0, 10)}\n${acme.externalId.slice(10)}`;
      const findings = describeFindings(scanText(`x ${wrapped} y`, 'wrapped.log', configSecrets(world.config)));
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatch(/external ID of tenant acme.* \(across a line break\) in wrapped\.log$/);
    });

    itWhen(owns, SKIP_REASON)('redaction, as the setup applies it to the deploy log, leaves nothing for the scan to find', () => {
      const acme = tenantOf(world, 'customer-a');
      const plan = `+ "sts:ExternalId" = "${acme.externalId}"\n+ secret = "${world.config.accounts.vendor && 'secretAccessKey' in world.config.accounts.vendor ? world.config.accounts.vendor.secretAccessKey : 'x'.repeat(12)}"`;
      const secrets = configSecrets(world.config);
      expect(scanText(plan, 'plan.log', secrets).length).toBeGreaterThan(0);
      const redacted = redactSecrets(plan, secrets);
      expect(scanText(redacted, 'plan.log', secrets)).toEqual([]);
      expect(redacted).not.toContain(acme.externalId);
      expect(redacted).toMatch(/"sts:ExternalId" = "\[redacted: [^\]]*external ID of tenant acme[^\]]*\]"/);
    });
  });
});
