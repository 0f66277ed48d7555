/**
 * E2E: a deploy converges. After `deploy`, `terraform plan -detailed-exitcode` on every stack
 * exits 0 (no changes): re-running the deploy changes nothing. Local target only (it needs the
 * synthesized stacks and state of the deploy this run made).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { terraformEnv } from '../../scripts/terraform-env';
import { VENDOR_STACK_NAME } from '../../rules/naming';
import { notOwnStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { loadWorld } from '../support/e2e/world';

const world = loadWorld();
const deployEnv = JSON.parse(process.env.SIDECAR_E2E_DEPLOY_ENV ?? '{}') as { SIDECAR_CDKTF_OUT?: string };

describe('re-running the deploy', () => {
  const stacks = [VENDOR_STACK_NAME, ...world.config.customers.map((c) => c.name)];
  itWhen(world.ownsStacks, notOwnStacks('needs the synthesized stacks and Terraform state of this run\'s deploy')).each(stacks)('plans no change for %s', (stack) => {
    const { env } = terraformEnv();
    const res = spawnSync('terraform', ['plan', '-detailed-exitcode', '-input=false', '-lock=false', '-no-color'], {
      cwd: join(deployEnv.SIDECAR_CDKTF_OUT!, 'stacks', stack), env, encoding: 'utf8', timeout: 120_000,
    });
    // 0 = no changes, 2 = changes present, 1 = error.
    if (res.status !== 0) throw new Error(`terraform plan for ${stack} exited ${res.status}:\n${res.stdout.slice(-3000)}\n${res.stderr.slice(-2000)}`);
    expect(res.status).toBe(0);
  }, 150_000);
});
