/**
 * E2E: SIDECAR_E2E_STACKS=deployed runs the suite on stacks someone already deployed, and deploys
 * and breaks nothing. To stay cheap (one nested jest, no second deploy), the "user's" cloud and
 * deploy are this run's own: a LOCALCLOUD_HOME of the test's own holds the running cloud's
 * server.json, as `npm run local:up` writes it, and SIDECAR_OUTPUTS_FILE names this run's outputs,
 * as `npm run deploy:local` writes them. A nested `jest --selectProjects e2e` in deployed mode on
 * external-id.test.ts (calls only), redeploy.test.ts and vendor-recreated.test.ts (both would run
 * Terraform on the stacks), with a `terraform` on PATH that only records that it was called:
 *  - it passes, and says it found the cloud from that server.json;
 *  - the calls ran (external ID guard), the Terraform tests were skipped, each with its reason
 *    logged and printed in the claims table;
 *  - nothing was deployed: no terraform call, no Terraform state written, the vendor's execution
 *    roles keep their unique IDs, the outputs file is untouched.
 * Only on this run's own stacks (it would recurse in deployed mode, and needs the run's cloud).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { PROJECT_ROOT } from '../../scripts/lib/deploy';
import { notOwnStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { loadWorld } from '../support/e2e/world';
import { canaryEnv, runCommand } from '../support/scripts';

const world = loadWorld();
const NESTED = ['test/e2e/external-id.test.ts', 'test/e2e/redeploy.test.ts', 'test/e2e/vendor-recreated.test.ts'];
/** A nested jest (cached transforms) with its setup's settle calls and external-id's operators, on a loaded machine. */
const TIMEOUT_MS = 240_000;

const vendorIam = world.iam(world.adminCredentials('vendor'));
const roleIds = () => Promise.all([world.config.vendor.connectorRoleName, world.config.vendor.vendRoleName]
  .map(async (RoleName) => (await vendorIam.send(new GetRoleCommand({ RoleName }))).Role!.RoleId!));
/** Each file of the run's Terraform state with its modification time. */
function stateFiles(dir: string): Record<string, number> {
  const out: Record<string, number> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p); else out[p] = statSync(p).mtimeMs;
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

describe('SIDECAR_E2E_STACKS=deployed on stacks deployed beforehand', () => {
  itWhen(world.ownsStacks, notOwnStacks('runs a nested e2e suite in deployed mode on this run\'s own cloud'))(
    'runs the calls, skips what would change the stacks with its reason, and deploys nothing', async () => {
      // Prepare: the "user's" cloud as its own state records it, the outputs of "their" deploy.
      const home = mkdtempSync(join(tmpdir(), 'sidecar-deployed-home-'));
      const canary = canaryEnv();
      try {
        const { pid } = (await (await fetch(`${world.endpoint}/_localcloud/health`)).json()) as { pid: number };
        writeFileSync(join(home, 'server.json'), JSON.stringify({ pid, port: Number(new URL(world.endpoint!).port), url: world.endpoint }));
        const runState = JSON.parse(process.env.SIDECAR_E2E_DEPLOY_ENV ?? '{}').SIDECAR_TFSTATE_DIR as string;
        const skipLog = join(home, 'skipped.jsonl');
        const env: NodeJS.ProcessEnv = {
          ...canary.env, LOCALCLOUD_HOME: home, SIDECAR_E2E_STACKS: 'deployed', SIDECAR_OUTPUTS_FILE: world.outputsFile,
          SIDECAR_CONFIG_FILE: world.config.file, SIDECAR_E2E_SKIP_LOG: skipLog,
        };
        // Nothing of this run's own setup may reach the nested one: it must find everything itself.
        for (const name of Object.keys(env)) if (/^SIDECAR_E2E_(WORLD|DIR|DEPLOY_ENV|CLOUD_LOG|KEEP)$|^JEST_WORKER_ID$/.test(name)) delete env[name];
        const before = { roleIds: await roleIds(), state: stateFiles(runState), outputs: statSync(world.outputsFile).mtimeMs };

        // Act
        const started = Date.now();
        const res = await runCommand(join(PROJECT_ROOT, 'node_modules', '.bin', 'jest'), [...NESTED, '--selectProjects', 'e2e', '--runInBand'], { env, timeoutMs: TIMEOUT_MS - 20_000 });
        process.stderr.write(`[e2e] nested deployed-mode run: ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

        // Assess: it passed, on the cloud found from its state, deploying nothing.
        const output = `${res.stdout}\n${res.stderr}`;
        if (res.code !== 0) throw new Error(`the nested deployed-mode run exited ${res.code}:\n${output.slice(-6000)}`);
        expect(res.stderr).toContain(`SIDECAR_E2E_STACKS=deployed: your local cloud at ${world.endpoint} (pid ${pid}, from ${join(home, 'server.json')})`);
        expect(res.stderr).not.toMatch(/deploying the stacks/);
        expect(canary.terraformCalls()).toBe('');
        expect(existsSync(join(canary.dir, 'tfstate'))).toBe(false);
        expect(await roleIds()).toEqual(before.roleIds);
        expect(stateFiles(runState)).toEqual(before.state);
        expect(statSync(world.outputsFile).mtimeMs).toBe(before.outputs);

        // The calls ran; what would run Terraform was skipped, with its reason printed and logged.
        const counts = /Tests:\s+(?:(\d+) skipped, )?(\d+) passed, (\d+) total/.exec(res.stderr);
        expect(counts).not.toBeNull();
        expect(Number(counts![1])).toBeGreaterThan(0);
        expect(Number(counts![2])).toBeGreaterThan(0);
        const skipped = readFileSync(skipLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; test: string; reason: string });
        for (const file of ['test/e2e/redeploy.test.ts', 'test/e2e/vendor-recreated.test.ts']) {
          expect(skipped.filter((s) => s.file === file).length).toBeGreaterThan(0);
        }
        for (const s of skipped.filter((x) => x.file !== 'test/e2e/external-id.test.ts')) expect(s.reason).toMatch(/only on stacks this run deployed itself .*SIDECAR_E2E_STACKS=deployed/);
        // A file whose every test is skipped runs no afterAll, so skip.ts's own "Skipped on this
        // target" list never prints for it: the claims table's notes are where its reasons show.
        expect(res.stderr).toMatch(/^trust survives the vendor re-creating its roles +skipped +0 +0 +\d+ +\[\d+\]/m);
        expect(res.stderr).toMatch(/^ *\[\d+\] destroys and redeploys the vendor stack: only on stacks this run deployed itself/m);
        expect(res.stderr).toMatch(/^wrong, missing or another customer's external ID refused +passed +\d+ +0 /m);
      } finally {
        rmSync(home, { recursive: true, force: true });
        canary.dispose();
      }
    }, TIMEOUT_MS);
});
