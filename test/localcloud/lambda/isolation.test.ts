// ---------------------------------------------------------------------------
// Sandboxes are isolated from each other and from the local cloud (issue 10, item 15).
//
// A "victim" function stands in for the connector: a secret in its environment and in its
// code, a warm sandbox, and its role's live credentials. An "attacker" function, deployed by
// another account, is handed every host path and pid it would need, and tries to read: the
// victim's code folder, the accounts file with every account's root keys, the project's
// config, the local cloud's state folder, /proc/<pid>/environ of the victim's sandbox, and the
// processes it can see. Isolated, it gets nothing, and the victim still works. The same attack
// on a cloud started with isolation off reads the victim's code: the nearest neighbour, and
// the proof that the attack itself would see a leak.
// Lambda's own model: https://docs.aws.amazon.com/lambda/latest/dg/security-isolation.html
// ---------------------------------------------------------------------------
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { buildZip, createRole, handlerZip } from '../../support/localcloud-zips';
import { processesOfFunction } from '../../support/sandbox-processes';

const SECRET_IN_ENV = 'victim-env-secret-7f3a';
const SECRET_IN_CODE = 'victim-code-secret-91c2';
const PROJECT_ROOT = resolve(__dirname, '..', '..', '..');

const VICTIM_SOURCE = `
const SECRET = '${SECRET_IN_CODE}';
exports.handler = async () => {
  const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
  const me = await new STSClient({}).send(new GetCallerIdentityCommand({}));
  return { arn: me.Arn, secret: process.env.VICTIM_SECRET, codeSecret: SECRET, uid: process.getuid() };
};`;

/** Tries each read it is told to; answers, per target, what it got: an error code, or what it read. */
const ATTACKER_SOURCE = `
const fs = require('node:fs');
function attempt(read) {
  try { return 'READ ' + read(); } catch (e) { return e.code || String(e); }
}
exports.handler = async (event) => {
  const results = {};
  for (const path of event.files) results['file ' + path] = attempt(() => fs.readFileSync(path, 'utf8'));
  for (const dir of event.dirs) results['dir ' + dir] = attempt(() => fs.readdirSync(dir).join(','));
  for (const pid of event.pids) results['environ ' + pid] = attempt(() => fs.readFileSync('/proc/' + pid + '/environ', 'utf8'));
  results['write task root'] = attempt(() => { fs.writeFileSync(process.env.LAMBDA_TASK_ROOT + '/planted.js', 'x'); return 'written'; });
  const visible = fs.readdirSync('/proc').filter((e) => /^\\d+$/.test(e));
  return { results, visiblePids: visible, uid: process.getuid() };
};`;

interface AttackReport {
  results: Record<string, string>;
  visiblePids: string[];
  uid: number;
}

interface Deployed {
  readonly cloud: TestCloud;
  readonly victimArn: string;
  readonly victimCodeDir: string;
  invokeVictim(): Promise<{ arn: string; secret: string; codeSecret: string; uid: number }>;
  attack(pids: number[]): Promise<AttackReport>;
}

async function payloadOf<T>(lambda: LambdaClient, name: string, event: unknown = {}): Promise<T> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  const text = Buffer.from(out.Payload!).toString('utf8');
  if (out.FunctionError) throw new Error(`${name} failed: ${text}`);
  return JSON.parse(text) as T;
}

/** The victim in the vendor's account, the attacker in customer-b's. */
async function deploy(cloud: TestCloud): Promise<Deployed> {
  const vendor = cloud.clientConfig(cloud.credentialsFor('vendor'));
  const attacker = cloud.clientConfig(cloud.credentialsFor('customer-b'));
  const victimLambda = new LambdaClient(vendor);
  const attackerLambda = new LambdaClient(attacker);
  const victimZip = await handlerZip(VICTIM_SOURCE);
  await victimLambda.send(new CreateFunctionCommand({
    FunctionName: 'victim', Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 30,
    Role: await createRole(new IAMClient(vendor), 'victim-exec'), Code: { ZipFile: victimZip },
    Environment: { Variables: { VICTIM_SECRET: SECRET_IN_ENV } },
  }));
  await attackerLambda.send(new CreateFunctionCommand({
    FunctionName: 'attacker', Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 30,
    Role: await createRole(new IAMClient(attacker), 'attacker-exec'), Code: { ZipFile: await buildZip({ 'index.js': ATTACKER_SOURCE }) },
  }));
  const victimCodeDir = join(cloud.stateDir, 'lambda', 'code', createHash('sha256').update(victimZip).digest('hex'));
  return {
    cloud,
    victimArn: `arn:aws:lambda:us-east-1:${cloud.accounts.vendor.accountId}:function:victim`,
    victimCodeDir,
    invokeVictim: () => payloadOf(victimLambda, 'victim'),
    attack: (pids) => payloadOf<AttackReport>(attackerLambda, 'attacker', {
      files: [join(victimCodeDir, 'index.js'), cloud.accountsFile, join(PROJECT_ROOT, 'config', 'local.json'), join(PROJECT_ROOT, 'package.json')],
      dirs: [cloud.stateDir, join(cloud.stateDir, 'lambda', 'code'), victimCodeDir, PROJECT_ROOT],
      pids,
    }),
  };
}

const isRoot = process.getuid?.() === 0;
if (!isRoot) {
  // Namespaces and a user per function need root; say why the proof did not run.
  console.warn(`isolation.test.ts: sandbox isolation needs root; this run is uid ${process.getuid?.()}, so the isolated cases are skipped`);
}
const describeIsolated = isRoot ? describe : describe.skip;

describeIsolated('a cloud that isolates its sandboxes (LOCALCLOUD_SANDBOX_ISOLATION=required)', () => {
  let fx: Deployed;

  beforeAll(async () => {
    const cloud = await startTestCloud({ env: { LOCALCLOUD_SANDBOX_ISOLATION: 'required' } });
    fx = await deploy(cloud);
  }, 120_000);

  afterAll(async () => {
    await fx?.cloud.close();
  });

  test('says its sandboxes are isolated', () => {
    expect(fx.cloud.sandboxIsolation).toBe('namespaces');
  });

  test('GIVEN the victim warm WHEN another account\'s function reads its code, the keys, the config, the state and its sandbox\'s environ THEN it gets nothing', async () => {
    const before = await fx.invokeVictim();
    expect(before.secret).toBe(SECRET_IN_ENV);
    const victimPids = processesOfFunction(fx.victimArn);
    expect(victimPids.length).toBeGreaterThan(0); // its warm sandbox, seen from the host

    const report = await fx.attack(victimPids);

    const leaked = Object.entries(report.results).filter(([, outcome]) => outcome.startsWith('READ') || outcome === 'READ written');
    expect(leaked).toEqual([]);
    const everything = JSON.stringify(report);
    for (const secret of [SECRET_IN_ENV, SECRET_IN_CODE, fx.cloud.accounts.vendor.secretAccessKey]) expect(everything).not.toContain(secret);
    expect(report.results['write task root']).toBe('EROFS');
    expect(report.uid).not.toBe(0);
    // Its own namespace: the shell that holds it and its own runtime, none of the host's processes.
    expect(report.visiblePids.length).toBeLessThanOrEqual(2);
    for (const pid of victimPids) expect(report.visiblePids).not.toContain(String(pid));
  }, 120_000);

  test('GIVEN the attack WHEN the victim is invoked again THEN it still works with its own secret and credentials', async () => {
    const after = await fx.invokeVictim();
    expect(after).toMatchObject({ secret: SECRET_IN_ENV, codeSecret: SECRET_IN_CODE, arn: expect.stringContaining(':assumed-role/victim-exec/') });
    expect(after.uid).not.toBe(0);
  }, 120_000);

  test('two functions run as two different users', async () => {
    const victim = await fx.invokeVictim();
    const attacker = await fx.attack([]);
    expect(attacker.uid).not.toBe(victim.uid);
  }, 120_000);
});

describe('the nearest neighbour: a cloud started with LOCALCLOUD_SANDBOX_ISOLATION=none', () => {
  let fx: Deployed;

  beforeAll(async () => {
    const cloud = await startTestCloud({ env: { LOCALCLOUD_SANDBOX_ISOLATION: 'none' } });
    fx = await deploy(cloud);
  }, 120_000);

  afterAll(async () => {
    await fx?.cloud.close();
  });

  test('says its sandboxes are not isolated', () => {
    expect(fx.cloud.sandboxIsolation).toBe('none');
  });

  test('GIVEN no isolation WHEN the same attack runs THEN it reads the victim\'s code and the accounts file (what isolation prevents)', async () => {
    await fx.invokeVictim();
    const report = await fx.attack([]);
    expect(report.results[`file ${join(fx.victimCodeDir, 'index.js')}`]).toContain(SECRET_IN_CODE);
    expect(report.results[`file ${fx.cloud.accountsFile}`]).toContain(fx.cloud.accounts.vendor.secretAccessKey);
  }, 120_000);
});
