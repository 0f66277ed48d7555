/**
 * E2E: faults injected into the local cloud, survived (or reported) by the real deployed connector.
 *  - STS throttling: the SDK retries AssumeRole (3 attempts, backoff with jitter), then Throttled.
 *  - STS 5xx: the same 3 attempts, then Unavailable.
 *  - a throttled tenant does not slow another: tenant Y's latency while X is throttled (with
 *    added latency) stays close to Y's own baseline, and far below X's.
 *  - a held session that expires (the cloud's clock moved past it): one refresh and retry in the
 *    same call; the expired session is never used again.
 *  - a held session that Lambda refuses (revoked): one refresh and retry in the same call.
 *  - a trust change: the held session keeps working (sessions outlive trust edits, on AWS too);
 *    once Lambda refuses it, the refresh is refused by STS: AssumeRoleRefused saying so.
 *  - the customer's function throws, returns over 6 MB, hits its own timeout, or is deleted:
 *    FunctionError, PayloadTooLarge, TimedOut, FunctionNotFound.
 *  - a customer function slower than the connector's own budget: the connector answers TimedOut
 *    before its own Lambda timeout, never a silent Sandbox.Timedout.
 * Every test clears its faults and resets the clock; configuration changes are put back.
 * Local only: the aws target has no fault injection.
 */
import { CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { DeleteRolePolicyCommand, GetRoleCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { accountRootArn, parseFunctionArn, roleSessionName } from '../../rules/naming';
import { advanceClock, resetClock } from '../support/e2e/local-controls';
import { addFaults, clearFaults, coldConnector, countOf, median, resetStats, timedCall, withFunctionTimeout } from '../support/e2e/fault-controls';
import { connectorRefusedNotYet, untilPropagated } from '../support/e2e/propagation';
import { notOwnStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';
import { callConnector, loadWorld, tenantOf, type ConnectorSuccess, type LambdaFailure } from '../support/e2e/world';

const world = loadWorld();
const owns = world.ownsStacks;
const LOCAL_ONLY = notOwnStacks('injects faults, moves the clock and deletes a function of the local cloud');
const [customerA, customerB] = world.config.customers;
const acme = tenantOf(world, customerA.name);
const globex = tenantOf(world, customerB.name);
const acmeFunction = Object.values(world.outputs.customers[customerA.name].function_arns)[0];
const globexFunction = Object.values(world.outputs.customers[customerB.name].function_arns)[0];
const acmeSessionArn = `arn:aws:sts::${customerA.accountId}:assumed-role/${customerA.roleName}/${roleSessionName(acme.id)}`;

type Answer = ConnectorSuccess | LambdaFailure;
const refreshed = (r: Answer) => (r.ok ? (r.timings as { sessionRefreshed?: boolean }).sessionRefreshed : undefined);

afterEach(async () => {
  if (!owns) return;
  await clearFaults(world);
  await resetClock(world);
});

// ---------------------------------------------------------------------------
describe('STS throttling and server errors', () => {
  itWhen(owns, LOCAL_ONLY)('a throttled AssumeRole is tried 3 times, then the connector answers Throttled', async () => {
    await coldConnector(world);
    await addFaults(world, { service: 'sts', operation: 'AssumeRole', roleSessionName: roleSessionName(acme.id), error: 'Throttling', message: 'Rate exceeded', status: 400 });
    await resetStats(world);

    const result = await callConnector(world, { tenant: acme.id });

    expect(result).toEqual({ ok: false, error: { code: 'Throttled', message: 'STS throttled the request after retries: slow down and retry later' } });
    expect(await countOf(world, 'sts:AssumeRole')).toBe(3);
    expect(await countOf(world, 'lambda:Invoke')).toBe(1); // the test's own call of the connector: the sample never ran
  });

  itWhen(owns, LOCAL_ONLY)('throttling that clears within the retries is survived: the call succeeds', async () => {
    await coldConnector(world);
    await addFaults(world, { service: 'sts', operation: 'AssumeRole', roleSessionName: roleSessionName(acme.id), error: 'Throttling', status: 400, count: 2 });
    await resetStats(world);

    const result = await callConnector(world, { tenant: acme.id });

    expect(result).toMatchObject({ ok: true, tenant: acme.id });
    expect(await countOf(world, 'sts:AssumeRole')).toBe(3);
  });

  itWhen(owns, LOCAL_ONLY)('an AssumeRole answering 503 is tried 3 times, then the connector answers Unavailable', async () => {
    await coldConnector(world);
    await addFaults(world, { service: 'sts', operation: 'AssumeRole', roleSessionName: roleSessionName(acme.id), error: 'ServiceUnavailable', status: 503 });
    await resetStats(world);

    const result = await callConnector(world, { tenant: acme.id });

    expect(result).toEqual({ ok: false, error: { code: 'Unavailable', message: 'STS answered a server error (HTTP 503) after retries: retry later' } });
    expect(await countOf(world, 'sts:AssumeRole')).toBe(3);
  });

  itWhen(owns, LOCAL_ONLY)('a throttled tenant does not slow another tenant', async () => {
    // Prepare: every connector sandbox warm with Y's session, then Y's baseline, one call at a time.
    await coldConnector(world);
    await Promise.all(Array.from({ length: 4 }, () => callConnector(world, { tenant: globex.id })));
    const baseline: number[] = [];
    for (let i = 0; i < 6; i++) baseline.push((await timedCall(world, { tenant: globex.id })).ms);

    // Act: X throttled and slow (every AssumeRole waits 1.5 s, then fails), two X calls in flight
    // while Y calls again, one at a time.
    await addFaults(world, { service: 'sts', operation: 'AssumeRole', roleSessionName: roleSessionName(acme.id), error: 'Throttling', status: 400, latencyMs: 1500 });
    const xCalls = Promise.all([timedCall(world, { tenant: acme.id }), timedCall(world, { tenant: acme.id })]);
    await new Promise((r) => setTimeout(r, 300)); // X's first AssumeRole is now waiting
    const during: { ms: number; ok: boolean }[] = [];
    for (let i = 0; i < 6; i++) {
      const call = await timedCall(world, { tenant: globex.id });
      during.push({ ms: call.ms, ok: call.result.ok });
    }
    const x = await xCalls;

    // Assess
    expect(x.map((c) => c.result.ok ? 'ok' : c.result.error.code)).toEqual(['Throttled', 'Throttled']);
    expect(during.every((c) => c.ok)).toBe(true);
    const yDuring = median(during.map((c) => c.ms));
    const yBaseline = median(baseline);
    const xFastest = Math.min(...x.map((c) => c.ms));
    // Generous bounds on a shared 2-core machine: within 5x of Y's own baseline, and a small
    // fraction of what X's throttled calls took.
    expect(yDuring / Math.max(yBaseline, 1)).toBeLessThan(5);
    expect(yDuring).toBeLessThan(xFastest / 4);
  }, 60_000);
});

// ---------------------------------------------------------------------------
describe('sessions that expire or are revoked mid-flight', () => {
  itWhen(owns, LOCAL_ONLY)('a held session that expired is refreshed once within the call, then the new one is held', async () => {
    // Prepare: one connector sandbox holding acme's session (900 s).
    await coldConnector(world);
    expect(await callConnector(world, { tenant: acme.id })).toMatchObject({ ok: true });
    // Move the cloud's clock past the session's expiry in steps shorter than Lambda's idle
    // recycling (5 min), calling in between so the sandbox (and its cache) stays warm.
    for (let step = 0; step < 3; step++) {
      await advanceClock(world, 240);
      const held = await callConnector(world, { tenant: acme.id });
      expect(held).toMatchObject({ ok: true, timings: { credentialsCached: true } });
    }
    await advanceClock(world, 240); // 960 s: the held session is expired for AWS, not yet for the connector's clock
    await resetStats(world);

    // Act
    const result = await callConnector(world, { tenant: acme.id });
    const next = await callConnector(world, { tenant: acme.id });

    // Assess: one AssumeRole, the sample invoked twice (refused, then run), the new session held.
    expect(result).toMatchObject({ ok: true, tenant: acme.id });
    expect(refreshed(result)).toBe(true);
    expect(await countOf(world, 'sts:AssumeRole')).toBe(1);
    expect(next).toMatchObject({ ok: true, timings: { credentialsCached: true } });
    expect(refreshed(next)).toBe(false);
  }, 60_000);

  itWhen(owns, LOCAL_ONLY)('a held session that Lambda refuses once is refreshed within the call, and the call succeeds', async () => {
    await coldConnector(world);
    expect(await callConnector(world, { tenant: acme.id })).toMatchObject({ ok: true });
    await addFaults(world, { service: 'lambda', operation: 'Invoke', principalArn: acmeSessionArn, error: 'AccessDeniedException', status: 403, count: 1 });
    await resetStats(world);

    const result = await callConnector(world, { tenant: acme.id });

    expect(result).toMatchObject({ ok: true, tenant: acme.id });
    expect(refreshed(result)).toBe(true);
    expect(await countOf(world, 'sts:AssumeRole')).toBe(1);
  });

  itWhen(owns, LOCAL_ONLY)('after a trust change the held session still works; once refused, the refresh answers AssumeRoleRefused', async () => {
    const iam = world.iam(world.adminCredentials(customerA.name));
    const roleName = world.outputs.customers[customerA.name].role_name;
    const originalTrust = decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!);
    const notTheVendor = JSON.parse(originalTrust);
    for (const statement of notTheVendor.Statement) statement.Principal = { AWS: accountRootArn(customerA.accountId) };
    const revoke = { Version: '2012-10-17', Statement: [{ Sid: 'RevokeSessions', Effect: 'Deny', Action: 'lambda:InvokeFunction', Resource: '*' }] };

    await coldConnector(world);
    expect(await callConnector(world, { tenant: acme.id })).toMatchObject({ ok: true });
    try {
      // Act 1: the trust no longer names the vendor; the session the connector holds is still valid.
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(notTheVendor) }));
      const held = await callConnector(world, { tenant: acme.id });
      expect(held).toMatchObject({ ok: true, timings: { credentialsCached: true } });

      // Act 2: the customer also revokes what was issued (IAM's revoke denies by
      // aws:TokenIssueTime; here an unconditional deny on the role has the same effect).
      await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'sidecar-e2e-revoke', PolicyDocument: JSON.stringify(revoke) }));
      // Until the deny has propagated to Lambda, the held session still works: call again (stats
      // reset each time, so the counts below are of the refused call alone).
      const refused = await untilPropagated('the revoking deny on the customer role', async () => {
        await resetStats(world);
        return callConnector(world, { tenant: acme.id });
      }, (o) => o.ok && o.value.ok);

      // Assess: one refresh, refused by STS, said plainly; the sample was not invoked again.
      expect(refused).toEqual({ ok: false, error: { code: 'AssumeRoleRefused', message: expect.stringContaining('Lambda refused the held session, and a new one was refused') } });
      expect(await countOf(world, 'sts:AssumeRole')).toBe(1);
      expect(await countOf(world, 'lambda:Invoke')).toBe(2); // the test's call of the connector + the refused one
    } finally {
      await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'sidecar-e2e-revoke' })).catch(() => undefined);
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: originalTrust }));
    }
    // The sandbox remembers STS's refusal for 30 s (lambda/connector/refusals.ts); a fresh one asks STS at once.
    await coldConnector(world);
    const restored = await untilPropagated('the restored trust and the removed deny', () => callConnector(world, { tenant: acme.id }), connectorRefusedNotYet);
    expect(restored).toMatchObject({ ok: true });
  }, 60_000);
});

// ---------------------------------------------------------------------------
describe('the customer\'s function fails', () => {
  itWhen(owns, LOCAL_ONLY)('throws: FunctionError with the function\'s own message', async () => {
    const result = await callConnector(world, { tenant: acme.id, payload: { sidecarTest: { throw: 'order 42 is on fire' } } });
    expect(result).toMatchObject({ ok: false, error: { code: 'FunctionError', functionError: { errorType: 'Error', errorMessage: 'order 42 is on fire' } } });
  });

  itWhen(owns, LOCAL_ONLY)('returns more than 6 MB: PayloadTooLarge', async () => {
    const result = await callConnector(world, { tenant: acme.id, payload: { sidecarTest: { responseBytes: 7 * 1024 * 1024 } } });
    expect(result).toMatchObject({ ok: false, error: { code: 'PayloadTooLarge', message: expect.stringContaining('6 MB') } });
  }, 60_000);

  itWhen(owns, LOCAL_ONLY)('hits its own timeout: TimedOut naming the function\'s timeout', async () => {
    const result = await withFunctionTimeout(world, customerA.name, acmeFunction, 2, () => callConnector(world, { tenant: acme.id, payload: { sidecarTest: { sleepMs: 5000 } } }));
    expect(result).toEqual({ ok: false, error: { code: 'TimedOut', message: `Function ${acmeFunction} hit its own timeout: raise its timeout or make it answer sooner` } });
  }, 60_000);

  itWhen(owns, LOCAL_ONLY)('outlasts the connector\'s own budget: the connector answers TimedOut before its own timeout', async () => {
    const connector = world.outputs.vendor.connector_function_arn;
    const started = performance.now();
    const result = await withFunctionTimeout(world, 'vendor', connector, 3, () => callConnector(world, { tenant: acme.id, payload: { sidecarTest: { sleepMs: 8000 } } }));
    const ms = performance.now() - started;

    // callConnector throws on X-Amz-Function-Error: an answer here means the connector itself answered.
    expect(result).toEqual({ ok: false, error: { code: 'TimedOut', message: `Invoke of ${acmeFunction} did not finish within the connector's time budget` } });
    expect(ms).toBeLessThan(8000); // it did not wait for the function
  }, 60_000);

  itWhen(owns, LOCAL_ONLY)('is deleted: FunctionNotFound; recreated from its own package, it answers again', async () => {
    const lambda = world.lambda(world.adminCredentials(customerB.name), parseFunctionArn(globexFunction)!.region);
    const deployed = await lambda.send(new GetFunctionCommand({ FunctionName: globexFunction }));
    const zip = readFileSync(fileURLToPath(deployed.Code!.Location!));
    const c = deployed.Configuration!;
    await lambda.send(new DeleteFunctionCommand({ FunctionName: globexFunction }));
    let result: Answer;
    try {
      result = await callConnector(world, { tenant: globex.id });
    } finally {
      // Put the same function back: same package, same configuration, as the customer's stack declares it.
      await lambda.send(new CreateFunctionCommand({
        FunctionName: c.FunctionName!, Role: c.Role!, Handler: c.Handler!, Runtime: c.Runtime!, Timeout: c.Timeout, MemorySize: c.MemorySize,
        Description: c.Description, Environment: c.Environment?.Variables ? { Variables: c.Environment.Variables } : undefined,
        Architectures: c.Architectures, Code: { ZipFile: zip },
      }));
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: globexFunction });
    }
    expect(result).toEqual({ ok: false, error: { code: 'FunctionNotFound', message: expect.stringContaining(globexFunction) } });
    const restored = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: globexFunction }));
    expect(restored.CodeSha256).toBe(c.CodeSha256);
    expect(await callConnector(world, { tenant: globex.id })).toMatchObject({ ok: true, tenant: globex.id });
  }, 90_000);
});
