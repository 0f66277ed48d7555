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
 * Local only: it stops and starts the local cloud's process. The deployment it restarts, the calls
 * left in flight and the writes that hammer the state: test/support/e2e/restart.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VENDOR_STACK_NAME } from '../../rules/naming';
import {
  ACTIONABLE, IN_FLIGHT_CALLS, RestartableDeployment, SETTLE_BOUND_MS, sleep, stateFiles, untilExited, type HammerLedger, type Session,
} from '../support/e2e/restart';
import { notOwnStacks, ownsStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { refusalOf } from '../support/refusal';

const owns = ownsStacks();
const LOCAL_ONLY = notOwnStacks('deploys into a local cloud of its own, then stops and restarts that cloud\'s process');

let world: RestartableDeployment;
/** Issued before the restarts, by the first test. */
let sessions: { connector: Session; customer: Session };

beforeAll(async () => {
  if (!owns) return;
  world = new RestartableDeployment();
  await world.deploy();
}, 240_000);

afterAll(async () => {
  if (!owns) return;
  await world?.close();
}, 30_000);

// ---------------------------------------------------------------------------
describe('the local cloud stopped with calls in flight, then restarted', () => {
  itWhen(owns, LOCAL_ONLY)('a graceful stop settles every in-flight call promptly with an actionable error, then the restarted cloud serves the deployed state', async () => {
    await world.expectDeployedStateServed(); // the baseline: the same checks pass before any restart
    sessions = await world.issueSessions();

    const { settlements, stopMs } = await world.stopWithCallsInFlight((c) => c.close());
    // eslint-disable-next-line no-console
    console.log(`graceful stop (${stopMs} ms): ${JSON.stringify(settlements)}`);

    expect(settlements).toHaveLength(IN_FLIGHT_CALLS);
    for (const s of settlements) {
      expect(ACTIONABLE).toContain(s.kind);
      expect(s.msAfterStop).toBeLessThan(SETTLE_BOUND_MS);
    }
    expect(stopMs).toBeLessThan(8000); // stopped by itself: neither its stuck-sandbox guard nor our SIGKILL

    await world.restart();
    expect(world.current().port).toBe(world.port);
    await world.expectDeployedStateServed();
  }, 90_000);

  itWhen(owns, LOCAL_ONLY)('a SIGKILL settles every in-flight call promptly with an actionable error, leaves no sandbox running, and the restarted cloud serves the deployed state', async () => {
    const { settlements, sandboxPids } = await world.stopWithCallsInFlight((c) => c.kill('SIGKILL'));
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

    await world.restart();
    await world.expectDeployedStateServed();
  }, 90_000);

  itWhen(owns, LOCAL_ONLY)('sessions issued before the restarts still work after them', async () => {
    expect(await world.callerArn(sessions.connector)).toMatch(new RegExp(`:assumed-role/${world.config.vendor.connectorRoleName}/`));
    expect(await world.callerArn(sessions.customer)).toMatch(new RegExp(`:assumed-role/${world.config.customers[0].roleName}/restart-before$`));
    // Not just recognized: still authorized to do what the connector does.
    const again = await world.assumeCustomerRole(sessions.connector, 'restart-after');
    expect(await world.callerArn(again)).toMatch(/\/restart-after$/);
  }, 30_000);

  itWhen(owns, LOCAL_ONLY)('the key of a session issued before the restarts is refused with a forged session token', async () => {
    const forged = { ...sessions.connector, sessionToken: `${sessions.connector.sessionToken.slice(0, -8)}AAAAAAAA` };

    const refusal = await refusalOf(world.callerArn(forged));

    expect(refusal).toMatchObject({ status: 403, code: 'InvalidClientTokenId' });
  }, 30_000);
});

// ---------------------------------------------------------------------------
// SIGKILL in the middle of state writes
// ---------------------------------------------------------------------------

describe('a SIGKILL in the middle of state writes', () => {
  itWhen(owns, LOCAL_ONLY)('three kills mid-write: the cloud starts again, its state files are valid JSON, and every acknowledged write is kept', async () => {
    for (let round = 0; round < 3; round++) {
      const ledger: HammerLedger = { kept: new Set(), deleted: new Set(), writes: 0 };
      const hammering = world.hammer(round, ledger, sessions.connector);
      const deadline = Date.now() + 20_000;
      while (ledger.writes < 30 + round * 15 && Date.now() < deadline) await sleep(20);
      await world.stop((c) => c.kill('SIGKILL'));
      await hammering;
      expect(ledger.writes).toBeGreaterThanOrEqual(30);
      // Both kinds of acknowledged write happened, so the checks below are not vacuous.
      expect(ledger.kept.size).toBeGreaterThan(0);
      expect(ledger.deleted.size).toBeGreaterThan(0);
      expect(ledger.lastSession).toBeDefined();

      await world.restart(); // throws when the server does not start and answer health
      const files = stateFiles(world.stateDir);
      expect(files).toEqual(expect.arrayContaining([join(world.stateDir, 'iam.json'), join(world.stateDir, 'sts-sessions.jsonl')]));
      for (const file of files.filter((f) => f.endsWith('.json'))) expect(() => JSON.parse(readFileSync(file, 'utf8'))).not.toThrow();
      // The journal was compacted at start-up: every line is a whole record, torn tail dropped.
      for (const file of files.filter((f) => f.endsWith('.jsonl'))) {
        const text = readFileSync(file, 'utf8');
        expect(text === '' || text.endsWith('\n')).toBe(true);
        for (const line of text.split('\n').filter(Boolean)) expect(() => JSON.parse(line)).not.toThrow();
      }

      const roles = await world.roleNamesIn('customer-b');
      expect([...ledger.kept].filter((r) => !roles.has(r))).toEqual([]);
      expect([...ledger.deleted].filter((r) => roles.has(r))).toEqual([]);
      expect(await world.callerArn(ledger.lastSession!)).toMatch(new RegExp(`:assumed-role/${world.config.customers[0].roleName}/hammer-${round}-`));
    }
    await world.expectDeployedStateServed();
  }, 120_000);
});

// ---------------------------------------------------------------------------
describe('the deployed stacks after the restarts', () => {
  itWhen(owns, LOCAL_ONLY)('terraform plan finds no change in any deployed stack (nothing lost, nothing drifted)', async () => {
    expect(existsSync(join(world.dir, 'tfstate', `${world.customerName}.tfstate`))).toBe(true);
    const plans = await Promise.all([VENDOR_STACK_NAME, world.customerName].map((stack) => world.planExit(stack)));
    // 0 = no changes, 2 = changes present, 1 = error.
    for (const plan of plans) if (plan.code !== 0) throw new Error(`terraform plan for ${plan.stack} exited ${plan.code}:\n${plan.output}`);
    expect(plans.map((p) => p.code)).toEqual([0, 0]);
  }, 150_000);
});
