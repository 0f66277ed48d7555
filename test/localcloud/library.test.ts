// ---------------------------------------------------------------------------
// The local cloud as a library, started in this process with `startLocalCloud` and accounts of
// the caller's own (not the project's config). Cases:
//   a cloud knows the accounts it was given, and no other
//   two clouds in one process keep their own sandboxes: stopping one leaves the other's warm
//   stopping a cloud stops its sandboxes
//   iamPropagationMs on the caller's own Clock: a just-created execution role is refused by
//   CreateFunction until the caller moves the clock past the delay
//   options it refuses: no accounts, duplicate access keys, a non-loopback host, no state folder,
//   a negative or fractional iamPropagationMs
// ---------------------------------------------------------------------------
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Clock, LocalCloudOptionsError, startLocalCloud, type LocalAccount, type LocalCloud } from '../../localcloud';
import { refusalOf } from '../support/refusal';
import { liveSandboxProcesses, waitForSandboxProcesses, type SandboxRef } from '../support/sandbox-processes';
import { createRole, handlerZip } from '../support/localcloud-zips';

const ACCOUNT_ONE: LocalAccount = { name: 'one', accountId: '111111111111', accessKeyId: 'AKIALIBRARYTEST00001', secretAccessKey: 'library-test-secret-one-0000000000000001' };
const ACCOUNT_TWO: LocalAccount = { name: 'two', accountId: '222222222222', accessKeyId: 'AKIALIBRARYTEST00002', secretAccessKey: 'library-test-secret-two-0000000000000002' };

/** Counts its invocations in module state (survives while the sandbox stays warm) and names its process. */
// `sandbox` names one execution environment: an isolated sandbox is PID 1 of its own namespace, so its pid tells nothing.
const COUNTER_SOURCE = 'const sandbox = require("node:crypto").randomUUID(); let count = 0; exports.handler = async () => ({ count: ++count, sandbox, pid: process.pid });';

const dirs: string[] = [];
const clouds: LocalCloud[] = [];

function stateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'localcloud-library-'));
  dirs.push(dir);
  return dir;
}

async function start(accounts: readonly LocalAccount[] = [ACCOUNT_ONE]): Promise<LocalCloud> {
  const cloud = await startLocalCloud({ accounts, stateDir: stateDir(), port: 0 });
  clouds.push(cloud);
  return cloud;
}

function clientConfig(cloud: LocalCloud, account: LocalAccount) {
  return { region: 'us-east-1', endpoint: cloud.url, credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey }, maxAttempts: 1 };
}

/** Deploy the counter in `account` of `cloud`; answers a function that invokes it once. */
interface CounterAnswer { count: number; sandbox: string; pid: number }

/** Deploy the counter as `name`; the function that invokes it, and the reference that finds its processes. */
async function deployCounter(cloud: LocalCloud, account: LocalAccount, name: string): Promise<{ invoke: () => Promise<CounterAnswer>; ref: (answer: CounterAnswer) => SandboxRef }> {
  const role = await createRole(new IAMClient(clientConfig(cloud, account)), 'counter-exec');
  const lambda = new LambdaClient(clientConfig(cloud, account));
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: await handlerZip(COUNTER_SOURCE) }, Timeout: 10,
  }));
  return {
    invoke: async () => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name }));
      return JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as CounterAnswer;
    },
    ref: (answer) => ({ functionArn: `arn:aws:lambda:us-east-1:${account.accountId}:function:${name}`, pid: answer.pid, isolation: cloud.sandboxes.isolation }),
  };
}


afterAll(async () => {
  for (const cloud of clouds) await cloud.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('accounts handed in', () => {
  test('GIVEN a cloud started with one account WHEN its root keys call STS THEN they act as that account root', async () => {
    const cloud = await start([ACCOUNT_ONE]);

    const id = await new STSClient(clientConfig(cloud, ACCOUNT_ONE)).send(new GetCallerIdentityCommand({}));

    expect(id.Arn).toBe('arn:aws:iam::111111111111:root');
    expect(cloud.url).toBe(`http://127.0.0.1:${cloud.port}`);
  });

  test('GIVEN a cloud started with one account WHEN keys of an account it was not given call THEN they are unknown', async () => {
    const cloud = await start([ACCOUNT_ONE]);

    const refusal = await refusalOf(new STSClient(clientConfig(cloud, ACCOUNT_TWO)).send(new GetCallerIdentityCommand({})));

    expect(refusal.code).toBe('InvalidClientTokenId');
  });
});

describe('sandboxes belong to their cloud', () => {
  test('GIVEN two clouds in one process WHEN one stops THEN the other keeps its warm sandbox, and each stop ends its own sandboxes', async () => {
    const first = await start([ACCOUNT_ONE]);
    const second = await start([ACCOUNT_ONE]);
    const counterOne = await deployCounter(first, ACCOUNT_ONE, 'counter-one');
    const counterTwo = await deployCounter(second, ACCOUNT_ONE, 'counter-two');
    const a1 = await counterOne.invoke();
    const b1 = await counterTwo.invoke();
    expect(a1.count).toBe(1);
    expect(b1.count).toBe(1);
    expect(b1.sandbox).not.toBe(a1.sandbox);
    expect(liveSandboxProcesses(counterOne.ref(a1))).toBe(1);

    await first.close();

    expect(await waitForSandboxProcesses(counterOne.ref(a1), 0)).toBe(true);
    expect(liveSandboxProcesses(counterTwo.ref(b1))).toBe(1);
    const b2 = await counterTwo.invoke();
    expect(b2).toMatchObject({ count: 2, sandbox: b1.sandbox });

    await second.close();

    expect(await waitForSandboxProcesses(counterTwo.ref(b1), 0)).toBe(true);
  }, 60_000);
});

describe('IAM propagation on a clock of the caller\'s own', () => {
  test('GIVEN iamPropagationMs 60000 WHEN a function is created with a just-created role THEN Lambda refuses until the clock has moved 60 s', async () => {
    const clock = new Clock();
    const cloud = await startLocalCloud({ accounts: [ACCOUNT_ONE], stateDir: stateDir(), port: 0, clock, iamPropagationMs: 60_000 });
    clouds.push(cloud);
    const role = await createRole(new IAMClient(clientConfig(cloud, ACCOUNT_ONE)), 'late-exec');
    const lambda = new LambdaClient(clientConfig(cloud, ACCOUNT_ONE));
    const zip = await handlerZip(COUNTER_SOURCE);
    const create = () => lambda.send(new CreateFunctionCommand({
      FunctionName: 'late', Runtime: 'nodejs22.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zip },
    }));

    expect(await refusalOf(create())).toMatchObject({ code: 'InvalidParameterValueException', message: 'The role defined for the function cannot be assumed by Lambda.' });
    clock.advance(60);
    expect((await create()).Role).toBe(role);
  }, 30_000);
});

describe('refused options', () => {
  test('no accounts', async () => {
    await expect(startLocalCloud({ accounts: [], stateDir: stateDir(), port: 0 })).rejects.toThrow(LocalCloudOptionsError);
  });

  test('two accounts with the same access key ID', async () => {
    await expect(startLocalCloud({ accounts: [ACCOUNT_ONE, { ...ACCOUNT_TWO, accessKeyId: ACCOUNT_ONE.accessKeyId }], stateDir: stateDir(), port: 0 }))
      .rejects.toThrow(`two accounts share the access key ID ${ACCOUNT_ONE.accessKeyId}`);
  });

  test('an account ID that is not 12 digits', async () => {
    await expect(startLocalCloud({ accounts: [{ ...ACCOUNT_ONE, accountId: '123' }], stateDir: stateDir(), port: 0 }))
      .rejects.toThrow('accounts[0].accountId: must be 12 digits');
  });

  test('a host other than loopback', async () => {
    await expect(startLocalCloud({ accounts: [ACCOUNT_ONE], stateDir: stateDir(), port: 0, host: '0.0.0.0' as '127.0.0.1' }))
      .rejects.toThrow('The local cloud listens only on 127.0.0.1 (got host "0.0.0.0").');
  });

  test('no state folder', async () => {
    await expect(startLocalCloud({ accounts: [ACCOUNT_ONE], stateDir: '', port: 0 })).rejects.toThrow('stateDir is required');
  });

  test.each([-1, 1.5, Number.NaN])('an IAM propagation delay of %p ms', async (iamPropagationMs) => {
    await expect(startLocalCloud({ accounts: [ACCOUNT_ONE], stateDir: stateDir(), port: 0, iamPropagationMs }))
      .rejects.toThrow(`iamPropagationMs must be a whole number of milliseconds, 0 or more (got ${iamPropagationMs})`);
  });
});
