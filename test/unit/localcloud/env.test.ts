// ---------------------------------------------------------------------------
// The local cloud's process environment (localcloud/env.ts): what main.ts turns into options.
// Cases: the required variables, the accounts file (shape, refusals), port, body timeout and the
// IAM propagation delay (digits only; anything else refused with the variable and the value named).
// ---------------------------------------------------------------------------
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ACCOUNT_CONCURRENCY, LocalCloudOptionsError, accountConcurrencyFromEnv, accountsFromFile, iamPropagationFromEnv, optionsFromEnv, portFromEnv } from '../../../localcloud';

const ACCOUNT = { accountId: '111111111111', accessKeyId: 'AKIAENVTEST000000001', secretAccessKey: 'env-test-secret-0000000000000001' };

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'localcloud-env-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function accountsFile(content: unknown): string {
  const file = join(dir, 'accounts.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('optionsFromEnv', () => {
  test('GIVEN every variable WHEN read THEN the options carry them', () => {
    const file = accountsFile({ accounts: [{ ...ACCOUNT, name: 'one' }] });

    const options = optionsFromEnv({
      LOCALCLOUD_ACCOUNTS_FILE: file, LOCALCLOUD_STATE_DIR: dir, LOCALCLOUD_PORT: '0', LOCALCLOUD_TEST_CONTROLS: '1', LOCALCLOUD_BODY_TIMEOUT_MS: '500', LOCALCLOUD_IAM_PROPAGATION_MS: '1500',
      LOCALCLOUD_SANDBOX_ISOLATION: 'required', LOCALCLOUD_RUNTIMES: '{"nodejs22.x":"/opt/node22/bin/node"}', LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY: '7',
    });

    expect(options).toEqual({
      accounts: [{ ...ACCOUNT, name: 'one' }], stateDir: dir, port: 0, testControls: true, bodyTimeoutMs: 500, iamPropagationMs: 1500,
      sandboxIsolation: 'required', runtimes: { 'nodejs22.x': '/opt/node22/bin/node' }, accountConcurrency: 7,
    });
  });

  test('GIVEN only the required variables WHEN read THEN port 4510, no test controls, a 60 s body timeout, no IAM propagation delay', () => {
    const options = optionsFromEnv({ LOCALCLOUD_ACCOUNTS_FILE: accountsFile({ accounts: [ACCOUNT] }), LOCALCLOUD_STATE_DIR: dir });

    expect(options).toMatchObject({ port: 4510, testControls: false, bodyTimeoutMs: 60_000, iamPropagationMs: 0, sandboxIsolation: 'auto', runtimes: {} });
  });

  test('GIVEN no accounts file variable WHEN read THEN it names the variable', () => {
    expect(() => optionsFromEnv({ LOCALCLOUD_STATE_DIR: dir })).toThrow('Environment variable LOCALCLOUD_ACCOUNTS_FILE is required');
  });

  test('GIVEN no state folder variable WHEN read THEN it names the variable', () => {
    expect(() => optionsFromEnv({ LOCALCLOUD_ACCOUNTS_FILE: accountsFile({ accounts: [ACCOUNT] }) })).toThrow('Environment variable LOCALCLOUD_STATE_DIR is required');
  });

  test('GIVEN a port that is not a port WHEN read THEN it is refused', () => {
    expect(() => portFromEnv({ LOCALCLOUD_PORT: '45x0' })).toThrow('LOCALCLOUD_PORT must be a TCP port number 0-65535 (got "45x0")');
  });
});

describe('iamPropagationFromEnv', () => {
  test.each([
    [undefined, 0],
    ['', 0],
    ['0', 0],
    ['1500', 1500],
    ['600000', 600_000],
  ])('GIVEN LOCALCLOUD_IAM_PROPAGATION_MS=%p WHEN read THEN the delay is %p ms', (raw, ms) => {
    expect(iamPropagationFromEnv(raw === undefined ? {} : { LOCALCLOUD_IAM_PROPAGATION_MS: raw })).toBe(ms);
  });

  // The nearest refused neighbours of a whole number: a sign, a fraction, an exponent, a unit,
  // spaces, hex, and a number past what a millisecond count can hold exactly.
  test.each(['-1', '1.5', '1e3', '5s', ' 5', '0x10', 'abc', '99999999999999999999'])('GIVEN LOCALCLOUD_IAM_PROPAGATION_MS=%p WHEN read THEN it is refused naming the variable and the value', (raw) => {
    const read = () => iamPropagationFromEnv({ LOCALCLOUD_IAM_PROPAGATION_MS: raw });

    expect(read).toThrow(LocalCloudOptionsError);
    expect(read).toThrow(`LOCALCLOUD_IAM_PROPAGATION_MS must be a whole number of milliseconds, 0 or more (got "${raw}")`);
  });

  test('GIVEN a bad delay WHEN the options are read THEN they are refused before any cloud starts', () => {
    const env = { LOCALCLOUD_ACCOUNTS_FILE: accountsFile({ accounts: [ACCOUNT] }), LOCALCLOUD_STATE_DIR: dir, LOCALCLOUD_IAM_PROPAGATION_MS: '-5' };

    expect(() => optionsFromEnv(env)).toThrow('LOCALCLOUD_IAM_PROPAGATION_MS');
  });
});

describe('accountsFromFile', () => {
  test('GIVEN a file that is not JSON WHEN read THEN it is refused with the file named', () => {
    const file = accountsFile('{ not json');

    expect(() => accountsFromFile(file)).toThrow(LocalCloudOptionsError);
    expect(() => accountsFromFile(file)).toThrow(file);
  });

  test('GIVEN a file without an accounts list WHEN read THEN it is refused', () => {
    expect(() => accountsFromFile(accountsFile([ACCOUNT]))).toThrow(LocalCloudOptionsError);
  });

  test('GIVEN an account without its secret WHEN read THEN the refusal names the field', () => {
    const { secretAccessKey: _secret, ...withoutSecret } = ACCOUNT;

    expect(() => accountsFromFile(accountsFile({ accounts: [withoutSecret] }))).toThrow('accounts[0].secretAccessKey');
  });
});

describe('accountConcurrencyFromEnv', () => {
  test.each([
    [undefined, DEFAULT_ACCOUNT_CONCURRENCY],
    ['', DEFAULT_ACCOUNT_CONCURRENCY],
    ['1', 1],
    ['1000', 1000],
  ])('GIVEN LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY=%p WHEN read THEN the limit is %p', (raw, limit) => {
    expect(accountConcurrencyFromEnv(raw === undefined ? {} : { LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY: raw })).toBe(limit);
  });

  test.each(['0', '-1', '1.5', '1e3', 'ten', ' 5'])('GIVEN LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY=%p WHEN read THEN it is refused naming the variable and the value', (raw) => {
    const read = () => accountConcurrencyFromEnv({ LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY: raw });

    expect(read).toThrow(LocalCloudOptionsError);
    expect(read).toThrow(`LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY must be a whole number, 1 or more (got "${raw}")`);
  });

  test('GIVEN the variable WHEN the options are read THEN they carry it', () => {
    const env = { LOCALCLOUD_ACCOUNTS_FILE: accountsFile({ accounts: [ACCOUNT] }), LOCALCLOUD_STATE_DIR: dir, LOCALCLOUD_LAMBDA_ACCOUNT_CONCURRENCY: '3' };

    expect(optionsFromEnv(env).accountConcurrency).toBe(3);
  });
});
