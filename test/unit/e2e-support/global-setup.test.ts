// The e2e global setup, failing. Jest runs no global teardown after a failed setup, so the setup
// cleans up after itself:
//   - the deploy fails (an injected deploy that throws, after writing output with a secret in it):
//     the real local cloud it started is stopped (its pid is gone), the run's folder and the
//     cloud's run folder are removed, the redacted deploy log is kept at the path the error names;
//   - the cloud does not start: the run's folder is removed;
//   - SIDECAR_E2E_STACKS=deployed with no running local cloud, or with no outputs file: refused,
//     naming what is missing and the command to run, and nothing is left behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../../config/load';
import { startTestCloud, TestCloudStartError } from '../../../scripts/lib/child-cloud';
import { isAlive } from '../../../scripts/lib/local-cloud-state';
import type { deployStacks } from '../../../scripts/lib/deploy';
import { setupE2E } from '../../support/e2e/global-setup';

const VARIABLES = ['TMPDIR', 'SIDECAR_TARGET', 'SIDECAR_E2E_STACKS', 'LOCALCLOUD_HOME', 'SIDECAR_OUTPUTS_FILE', 'SIDECAR_E2E_KEEP', 'SIDECAR_E2E_WORLD', 'SIDECAR_E2E_DIR'];
const saved = Object.fromEntries(VARIABLES.map((k) => [k, process.env[k]]));
// Each test gets a temp folder of its own as the temp folder (os.tmpdir() for the setup and the
// cloud it starts, TMPDIR for the cloud's children), so that "nothing left behind" is that folder
// being empty, whatever else runs on the machine. tsx's cache of the cloud's process is not ours.
let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'e2e-setup-test-'));
  for (const k of VARIABLES) delete process.env[k];
  process.env.TMPDIR = scratch;
  // The module object the setup's compiled `tmpdir()` reads at each call (an ES namespace is frozen).
  jest.spyOn(jest.requireActual<typeof import('node:os')>('node:os'), 'tmpdir').mockReturnValue(scratch);
});
afterEach(() => {
  jest.restoreAllMocks();
  for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  rmSync(scratch, { recursive: true, force: true });
});

const leftBehind = () => readdirSync(scratch).filter((f) => !f.startsWith('tsx-'));
const externalId = loadConfig({ ...process.env, SIDECAR_TARGET: 'local' }).customers[0].externalIds.current;

describe('the deploy fails', () => {
  it('stops the local cloud it started, removes its folders, keeps the redacted deploy log and says where', async () => {
    // Prepare: a deploy that finds the real cloud, prints a trust policy (a secret in it) and fails.
    let seen: { dir: string; pid: number } | undefined;
    let cloudRunDir = '';
    const startCloud: typeof startTestCloud = async (options) => {
      const cloud = await startTestCloud(options);
      cloudRunDir = dirname(cloud.logFile);
      return cloud;
    };
    const failingDeploy: typeof deployStacks = async (options) => {
      const port = options.env!.LOCALCLOUD_PORT;
      const { pid } = (await (await fetch(`http://127.0.0.1:${port}/_localcloud/health`)).json()) as { pid: number };
      seen = { dir: dirname(options.env!.SIDECAR_TFSTATE_DIR!), pid };
      options.onOutput?.(`+ assume_role_policy = {"sts:ExternalId":"${externalId}"}\n`);
      throw new Error('cdktf deploy vendor exited 1: Error: creating IAM Role (forced by the test)');
    };

    // Act
    const error = await setupE2E({ startCloud, deploy: failingDeploy }).then(() => undefined, (e: Error) => e);

    // Assess
    expect(error?.message).toMatch(/forced by the test/);
    expect(error?.message).toMatch(/stopped the setup's local cloud \(pid \d+\)/);
    expect(seen).toBeDefined();
    expect(isAlive(seen!.pid)).toBe(false);
    expect(existsSync(seen!.dir)).toBe(false);
    expect(error?.message).toContain(`removed the run's folder ${seen!.dir}`);
    const kept = `${seen!.dir}-deploy.log`;
    expect(error?.message).toContain(kept);
    expect(readFileSync(kept, 'utf8')).toContain('assume_role_policy');
    expect(readFileSync(kept, 'utf8')).not.toContain(externalId);
    expect(existsSync(cloudRunDir)).toBe(false);
    expect(leftBehind()).toEqual([`${seen!.dir.split('/').pop()}-deploy.log`]);
    expect(globalThis.__SIDECAR_E2E_CLOUD__).toBeUndefined();
    expect(process.env.SIDECAR_E2E_WORLD).toBeUndefined();
  }, 60_000);
});

describe('the cloud does not start', () => {
  it('removes the run\'s folder and passes the error on', async () => {
    let stateDir = '';
    const error = await setupE2E({
      startCloud: async (options) => { stateDir = options!.stateDir!; throw new TestCloudStartError('the local cloud did not start (forced by the test)'); },
      deploy: async () => { throw new Error('not reached'); },
    }).then(() => undefined, (e: Error) => e);
    expect(error).toBeInstanceOf(TestCloudStartError);
    expect(error?.message).toMatch(/forced by the test[\s\S]*removed the run's folder/);
    expect(stateDir).not.toBe('');
    expect(existsSync(dirname(stateDir))).toBe(false);
    expect(leftBehind()).toEqual([]);
  });
});

describe('SIDECAR_E2E_STACKS=deployed', () => {
  const neverCalled = { startCloud: async () => { throw new Error('deployed mode started a cloud'); }, deploy: async () => { throw new Error('deployed mode deployed'); } };
  let home: string;
  let server: Server | undefined;
  beforeEach(() => {
    home = mkdtempSync(join(scratch, 'home-'));
    process.env.SIDECAR_E2E_STACKS = 'deployed';
    process.env.LOCALCLOUD_HOME = home;
  });
  afterEach(async () => {
    rmSync(home, { recursive: true, force: true });
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
  });

  it('with no local cloud running: refused, saying why and what to run, nothing left behind', async () => {
    const error = await setupE2E(neverCalled as never).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('DeployedStacksError');
    expect(error?.message).toContain(`no local cloud is running (${join(home, 'server.json')} does not exist)`);
    expect(error?.message).toContain('npm run local:up && npm run deploy:local');
    expect(leftBehind()).toEqual([home.split('/').pop()]);
  });

  it('with a running cloud but no outputs file: refused, naming the file and the command', async () => {
    // Prepare: something that answers the health check as the recorded pid (the state reader's test).
    server = createServer((_req, res) => { res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ status: 'ok', pid: process.pid, testControls: false })); });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    writeFileSync(join(home, 'server.json'), JSON.stringify({ pid: process.pid, port, url: `http://127.0.0.1:${port}` }));
    const missing = join(home, 'no-outputs.json');
    process.env.SIDECAR_OUTPUTS_FILE = missing;

    const error = await setupE2E(neverCalled as never).then(() => undefined, (e: Error) => e);

    expect(error?.name).toBe('DeployedStacksError');
    expect(error?.message).toContain(`${missing} does not exist (SIDECAR_OUTPUTS_FILE)`);
    expect(error?.message).toContain('npm run deploy:local');
    expect(leftBehind()).toEqual([home.split('/').pop()]);
  });
});
