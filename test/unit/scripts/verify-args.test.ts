// verify's command line (scripts/verify/args.ts) and where it finds the local cloud
// (scripts/lib/running-local-cloud.ts) when none is running: each mode, and each refusal.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRunningLocalCloud } from '../../../scripts/lib/running-local-cloud';
import { VERIFY_USAGE, parseVerifyArgs } from '../../../scripts/verify/args';
import { formatDiagnosis } from '../../../scripts/verify/report';
import { VerifyUsageError } from '../../../scripts/verify/verdicts';

describe('parseVerifyArgs', () => {
  test.each<[string[], object]>([
    [['acme'], { mode: 'tenants', tenants: ['acme'], json: false }],
    [['acme', 'globex', '--json'], { mode: 'tenants', tenants: ['acme', 'globex'], json: true }],
    [['--all'], { mode: 'all', json: false }],
    [['--customer', 'customer-a'], { mode: 'customers', customers: ['customer-a'], json: false }],
    [['--customer=customer-a', '--customer', 'customer-b', '--json'], { mode: 'customers', customers: ['customer-a', 'customer-b'], json: true }],
    [['--help'], { mode: 'help' }],
    [['-h'], { mode: 'help' }],
    [['acme', '--help'], { mode: 'help' }],
  ])('%j', (argv, command) => {
    expect(parseVerifyArgs(argv)).toEqual(command);
  });

  test.each<[string, string[], RegExp]>([
    ['an unknown option', ['acme', '--jsn'], /Unknown option '--jsn'/],
    ['a value given to a flag', ['--all=yes'], /--all.*does not take an argument/],
    ['--customer without a name', ['--customer'], /--customer.*argument missing/],
    ['nothing to check', [], /name a tenant, --all, or --customer/],
    ['only --json', ['--json'], /name a tenant, --all, or --customer/],
    ['tenants and --all together', ['acme', '--all'], /choose one of tenants, --all and --customer \(got tenants and --all\)/],
    ['--all and --customer together', ['--all', '--customer', 'customer-a'], /choose one of/],
    ['an empty name', [''], /an empty tenant or customer name/],
  ])('refuses %s', (_what, argv, message) => {
    expect(() => parseVerifyArgs(argv)).toThrow(VerifyUsageError);
    expect(() => parseVerifyArgs(argv)).toThrow(message);
  });

  test('the refusal carries a stable code', () => {
    try {
      parseVerifyArgs(['--nope']);
    } catch (e) {
      expect(e).toMatchObject({ code: 'VerifyUsage', name: 'VerifyUsageError' });
    }
  });

  test('the usage names every mode and option', () => {
    for (const word of ['<tenant>', '--all', '--customer <customer>', '--json', '--help', 'LOCALCLOUD_HOME', 'LOCALCLOUD_PORT']) expect(VERIFY_USAGE).toContain(word);
  });
});

describe('formatDiagnosis', () => {
  test('the verdict code in brackets, the fix on its own line', () => {
    expect(formatDiagnosis({ subject: 'mallory', kind: 'tenant', verdict: 'confused-deputy', summary: 'S.', fix: 'F.' })).toBe('FAIL mallory [confused-deputy]: S.\n     -> F.\n');
  });

  test('each function is listed when there are several', () => {
    const text = formatDiagnosis({
      subject: 'acme', kind: 'tenant', verdict: 'registry-out-of-date', summary: 'S.', fix: 'F.',
      details: [{ subject: 'f1', verdict: 'ok', summary: 'fine' }, { subject: 'f2', verdict: 'registry-out-of-date', summary: 'not listed' }],
    });
    expect(text).toContain('     ok   f1 [ok]: fine\n');
    expect(text).toContain('     fail f2 [registry-out-of-date]: not listed\n');
  });
});

describe('findRunningLocalCloud, when none answers', () => {
  let home: string;
  beforeEach(() => { home = mkdtempSync(join(tmpdir(), 'verify-home-')); });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  /** A port nothing listens on (taken, then freed). */
  async function freePort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    await new Promise<void>((r) => server.close(() => r()));
    return port;
  }

  test('no server.json: not running, naming the file', async () => {
    expect(await findRunningLocalCloud({ LOCALCLOUD_HOME: home })).toEqual({ running: false, reason: `no local cloud is running (${join(home, 'server.json')} does not exist)` });
  });

  test('a server.json whose server is gone: not running, naming its pid and URL', async () => {
    const port = await freePort();
    writeFileSync(join(home, 'server.json'), JSON.stringify({ pid: 999999, port, url: `http://127.0.0.1:${port}` }));
    const found = await findRunningLocalCloud({ LOCALCLOUD_HOME: home });
    expect(found).toEqual({ running: false, reason: expect.stringContaining(`(pid 999999, http://127.0.0.1:${port}) is not running any more`) });
  });

  test('a server.json that is not one: not running', async () => {
    writeFileSync(join(home, 'server.json'), '{"hello":1}');
    expect(await findRunningLocalCloud({ LOCALCLOUD_HOME: home })).toMatchObject({ running: false, reason: expect.stringContaining("is not a local cloud's server file") });
  });

  test('LOCALCLOUD_PORT naming a port nothing answers on: not running, naming the port (never a default one)', async () => {
    const port = await freePort();
    expect(await findRunningLocalCloud({ LOCALCLOUD_HOME: home, LOCALCLOUD_PORT: String(port) })).toEqual({
      running: false, reason: `nothing answers as a local cloud at http://127.0.0.1:${port} (LOCALCLOUD_PORT=${port})`,
    });
  });
});
