/**
 * Unit: the pieces of the aws rehearsal and of deploy:aws that need no cloud.
 *  - the rehearsal's config is a valid aws-target config (profiles, no keys) for the same
 *    accounts, customers and tenants as the local one; reduced, it keeps only the tenants of the
 *    kept customers' accounts;
 *  - the AWS shared files carry each account's profile, region, endpoint_url and keys;
 *  - deploy:aws: --help, unknown options (exit 2), unknown stacks (exit 2), and without a terminal
 *    and without --auto-approve it refuses, naming --auto-approve (exit 1), before any deploy;
 *  - rehearse:aws refuses unknown arguments and a bad --propagation-ms (exit 2), and has --help;
 *  - the propagation poller: retries only the given symptom, with growing waits, returns or rethrows
 *    the first other outcome, and stops at its bound with a typed error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFileFor, loadConfig, parseConfig } from '../../../config/load';
import { PROJECT_ROOT } from '../../../scripts/lib/deploy';
import { awsSharedFiles, rehearsalConfig, rehearsalProfile } from '../../../scripts/lib/rehearsal';
import { parseDeployAwsArgs } from '../../../scripts/deploy-aws';
import { parseRehearseArgs } from '../../../scripts/rehearse-aws';
import { PropagationTimeoutError, assumeRoleNotYet, executionRoleNotYet, untilPropagated } from '../../support/e2e/propagation';

const local = loadConfig({ SIDECAR_TARGET: 'local', SIDECAR_CONFIG_FILE: configFileFor('local', {}) });
const TSX = join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx');

describe('the rehearsal config', () => {
  test('is a valid aws-target config with a profile per account, the same customers and tenants', () => {
    const config = rehearsalConfig(local);
    expect(() => parseConfig(config, 'rehearsal aws.json', 'aws')).not.toThrow();
    expect(config.customers).toEqual(local.customers);
    expect(config.tenants).toEqual(local.tenants);
    for (const [stack, account] of Object.entries(config.accounts)) {
      expect(account).toEqual({ accountId: local.accounts[stack].accountId, profile: rehearsalProfile(stack) });
    }
  });

  test('reduced to one customer, it keeps the tenants of that customer\'s account only, and stays valid', () => {
    const config = rehearsalConfig(local, 1);
    expect(config.customers.map((c) => c.name)).toEqual([local.customers[0].name]);
    expect(Object.keys(config.accounts).sort()).toEqual(['customer-a', 'vendor']);
    expect(config.tenants.length).toBeGreaterThan(0);
    for (const t of config.tenants) expect(t.roleArn).toContain(`:${local.customers[0].accountId}:`);
    expect(() => parseConfig(config, 'rehearsal aws.json', 'aws')).not.toThrow();
  });

  test('the AWS shared files: one profile per account with region, endpoint_url and that account\'s keys', () => {
    const accounts = { vendor: { accountId: '1', accessKeyId: 'AKIAV', secretAccessKey: 'sv' }, 'customer-a': { accountId: '2', accessKeyId: 'AKIAA', secretAccessKey: 'sa' } };
    const files = awsSharedFiles({ url: 'http://127.0.0.1:1234', accounts }, ['vendor', 'customer-a'], 'us-east-1');
    expect(files.config).toBe('[profile sidecar-rehearsal-vendor]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:1234\n\n[profile sidecar-rehearsal-customer-a]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:1234\n');
    expect(files.credentials).toContain('[sidecar-rehearsal-customer-a]\naws_access_key_id = AKIAA\naws_secret_access_key = sa\n');
    expect(() => awsSharedFiles({ url: 'x', accounts }, ['customer-b'], 'us-east-1')).toThrow(expect.objectContaining({ code: 'RehearsalFailed' }));
  });
});

describe('deploy:aws command line', () => {
  let dir: string;
  let configFile: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-aws-args-'));
    configFile = join(dir, 'aws.json');
    writeFileSync(configFile, JSON.stringify(rehearsalConfig(local)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(TSX, [join(PROJECT_ROOT, 'scripts', 'deploy-aws.ts'), ...args], {
    cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SIDECAR_CONFIG_FILE: configFile, SIDECAR_OUTPUTS_FILE: join(dir, 'outputs.json'), SIDECAR_TFSTATE_DIR: join(dir, 'tfstate') },
  });

  test('parses stacks, --auto-approve and --outputs-file; refuses what it does not know', () => {
    expect(parseDeployAwsArgs(['vendor', '--auto-approve', '--outputs-file', 'x.json'])).toEqual({ help: false, autoApprove: true, outputsFile: 'x.json', stacks: ['vendor'] });
    expect(() => parseDeployAwsArgs(['--auto-aprove'])).toThrow(expect.objectContaining({ code: 'Usage', message: expect.stringContaining('--auto-aprove') }));
  });

  test('--help prints the usage and exits 0', () => {
    const res = run('--help');
    expect(res.stdout).toMatch(/^Usage: npm run deploy:aws/);
    expect(res.stdout).toContain('--auto-approve');
    expect(res.status).toBe(0);
  }, 60_000);

  test('an unknown option exits 2 and says which', () => {
    const res = run('--force');
    expect(res.stderr).toContain("'--force'");
    expect(res.status).toBe(2);
  }, 60_000);

  test('an unknown stack exits 2 and lists the known ones', () => {
    const res = run('customer-z', '--auto-approve');
    expect(res.stderr).toMatch(/unknown stack\(s\) customer-z; .* has: vendor, customer-a, customer-b/);
    expect(res.status).toBe(2);
  }, 60_000);

  test('without a terminal and without --auto-approve it refuses before deploying, naming --auto-approve', () => {
    const res = run('vendor');
    expect(res.stderr).toContain('(NotApproved)');
    expect(res.stderr).toContain('pass --auto-approve');
    expect(res.stderr).not.toContain('synthesizing');
    expect(res.status).toBe(1);
  }, 60_000);
});

describe('rehearse:aws command line', () => {
  test('takes --propagation-ms (default 3000) and --help; refuses the rest', () => {
    expect(parseRehearseArgs([])).toEqual({ help: false, propagationMs: 3000 });
    expect(parseRehearseArgs(['--propagation-ms', '0'])).toEqual({ help: false, propagationMs: 0 });
    expect(parseRehearseArgs(['-h']).help).toBe(true);
    expect(() => parseRehearseArgs(['--propagation-ms', '1.5'])).toThrow(expect.objectContaining({ code: 'Usage' }));
    expect(() => parseRehearseArgs(['--keep'])).toThrow(expect.objectContaining({ code: 'Usage', message: expect.stringContaining('--keep') }));
    expect(() => parseRehearseArgs(['vendor'])).toThrow(expect.objectContaining({ code: 'Usage' }));
  });

  test('an unknown argument exits 2 before starting anything', () => {
    const res = spawnSync(TSX, [join(PROJECT_ROOT, 'scripts', 'rehearse-aws.ts'), '--fast'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(res.stderr).toContain("'--fast'");
    expect(res.stderr).not.toContain('local cloud');
    expect(res.status).toBe(2);
  }, 60_000);
});

describe('waiting for IAM propagation', () => {
  const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });

  test('retries the propagation symptom with growing waits, then returns the first other outcome', async () => {
    let calls = 0;
    const waits: number[] = [];
    const value = await untilPropagated('a new role', async () => {
      calls += 1;
      if (calls < 4) throw denied;
      return 'assumed';
    }, assumeRoleNotYet, { boundMs: 5000, firstDelayMs: 10, maxDelayMs: 30, onRetry: (_, ms) => waits.push(ms) });
    expect(value).toBe('assumed');
    expect(calls).toBe(4);
    expect(waits).toEqual([10, 20, 30]);
  });

  test('an error that is not the symptom is thrown at once', async () => {
    let calls = 0;
    const other = Object.assign(new Error('no such role'), { name: 'NoSuchEntity' });
    await expect(untilPropagated('x', async () => { calls += 1; throw other; }, assumeRoleNotYet, { boundMs: 5000, firstDelayMs: 10 })).rejects.toBe(other);
    expect(calls).toBe(1);
  });

  test('past its bound it stops with PropagationTimeout naming what it waited for and the last outcome', async () => {
    const started = Date.now();
    const error = await untilPropagated('the trust of role R', async () => { throw denied; }, assumeRoleNotYet, { boundMs: 300, firstDelayMs: 20, maxDelayMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PropagationTimeoutError);
    expect(error).toMatchObject({ code: 'PropagationTimeout', what: 'the trust of role R', message: expect.stringContaining('AccessDenied: not authorized') });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('Lambda\'s not-yet-assumable execution role is recognised by its documented message only', () => {
    const e = (message: string) => ({ ok: false as const, error: Object.assign(new Error(message), { name: 'InvalidParameterValueException' }) });
    expect(executionRoleNotYet(e('The role defined for the function cannot be assumed by Lambda.'))).toBe(true);
    expect(executionRoleNotYet(e('Runtime nodejs8.x is not supported'))).toBe(false);
  });
});
