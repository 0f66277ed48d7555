// ---------------------------------------------------------------------------
// `npm run -s local:env`: the exports under which typed cdktf commands reach the running local
// cloud. What it sets (with and without a provider mirror), that the shell reads back exactly
// what was meant (quoting), that the port is the running cloud's own (from its server.json, not
// 4510), and that without a running cloud it prints nothing on stdout, says why, and exits 1.
// The full proof, with the real cloud and the real `npx cdktf deploy`, is test/e2e/typed-commands.test.ts.
// ---------------------------------------------------------------------------
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportText, explainText, LOCAL_ENV_NAMES, localEnvVariables, unsetText } from '../../../scripts/lib/local-env';
import { exportLine, shellQuote } from '../../../scripts/lib/shell';
import { terraformEnv } from '../../../scripts/terraform-env';
import { fakeLocalCloud, runCommand, runScript, type FakeLocalCloud } from '../../support/scripts';

// Spawns of npx tsx: seconds when idle, much more on a loaded machine.
jest.setTimeout(180_000);

const cloud = { pid: 4242, port: 45123, url: 'http://127.0.0.1:45123' };
const withMirror = { mirrorRoot: '/opt/tf-plugins', env: { TF_CLI_CONFIG_FILE: '/p/.gen/terraform.tfrc', TF_CLI_ARGS_providers_lock: '-fs-mirror=/opt/tf-plugins' } };

/** What bash holds for `names` after eval'ing `text`. */
async function evalInBash(text: string, names: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Record<string, string | undefined>> {
  const script = `eval "$EXPORTS"; for n in ${names.join(' ')}; do if [ "\${!n+set}" = set ]; then printf '%s=%s\\0' "$n" "\${!n}"; else printf '%s\\0' "$n"; fi; done`;
  const res = await runCommand('bash', ['-c', script], { env: { PATH: process.env.PATH, ...env, EXPORTS: text } });
  expect(res.stderr).toBe('');
  const out: Record<string, string | undefined> = {};
  for (const item of res.stdout.split('\0').filter(Boolean)) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = undefined;
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

describe('localEnvVariables', () => {
  test('with a mirror: target, the cloud\'s port, the CLI config, the lock step\'s mirror, no checkpoint or version calls', () => {
    const vars = localEnvVariables(cloud, withMirror, '/p/.localcloud/server.json');
    expect(vars.map((v) => [v.name, v.value])).toEqual([
      ['SIDECAR_TARGET', 'local'],
      ['LOCALCLOUD_PORT', '45123'],
      ['TF_CLI_CONFIG_FILE', '/p/.gen/terraform.tfrc'],
      ['TF_CLI_ARGS_providers_lock', '-fs-mirror=/opt/tf-plugins'],
      ['CHECKPOINT_DISABLE', '1'],
      ['DISABLE_VERSION_CHECK', 'true'],
    ]);
    expect(vars.find((v) => v.name === 'LOCALCLOUD_PORT')!.why).toContain('/p/.localcloud/server.json');
  });

  test('with a mirror that cannot serve cdktf\'s lock step: the step is skipped instead', () => {
    const vars = localEnvVariables(cloud, { mirrorRoot: '/m', env: { TF_CLI_CONFIG_FILE: '/p/x.tfrc', CDKTF_SKIP_PROVIDER_LOCK: 'true' } }, 's');
    expect(vars.map((v) => v.name)).toEqual(['SIDECAR_TARGET', 'LOCALCLOUD_PORT', 'TF_CLI_CONFIG_FILE', 'CDKTF_SKIP_PROVIDER_LOCK', 'CHECKPOINT_DISABLE', 'DISABLE_VERSION_CHECK']);
  });

  test('without a mirror (a machine that reaches the registry): no Terraform provider settings at all', () => {
    // Even a TF_CLI_CONFIG_FILE the user had is theirs: local:env neither sets nor exports it.
    const vars = localEnvVariables(cloud, { env: { TF_CLI_CONFIG_FILE: '/home/me/.terraformrc' } }, 's');
    expect(vars.map((v) => v.name)).toEqual(['SIDECAR_TARGET', 'LOCALCLOUD_PORT', 'CHECKPOINT_DISABLE', 'DISABLE_VERSION_CHECK']);
  });

  test('uses the provider settings terraformEnv decides for this machine', () => {
    const terraform = terraformEnv({ baseEnv: { ...process.env, TF_CLI_ARGS_providers_lock: '' } });
    const names = localEnvVariables(cloud, terraform, 's').map((v) => v.name);
    if (terraform.mirrorRoot) expect(names).toContain('TF_CLI_CONFIG_FILE');
    else expect(names).not.toContain('TF_CLI_CONFIG_FILE');
  });
});

describe('exportText', () => {
  test('one `export NAME=value` a line, nothing else', () => {
    const text = exportText(localEnvVariables(cloud, withMirror, 's'));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(/^export [A-Za-z_][A-Za-z0-9_]*=\S+$/);
  });

  test('the shell reads back exactly the values meant, spaces, quotes and $ included', async () => {
    const odd = { mirrorRoot: "/opt/my mirror's $HOME", env: { TF_CLI_CONFIG_FILE: "/tmp/a b/it's.tfrc", TF_CLI_ARGS_providers_lock: "-fs-mirror='/opt/my mirror'\\''s $HOME'" } };
    const vars = localEnvVariables(cloud, odd, 's');
    const seen = await evalInBash(exportText(vars), vars.map((v) => v.name));
    for (const v of vars) expect(seen[v.name]).toBe(v.value);
  });

  test('--unset removes every name local:env can set, and only those', async () => {
    expect(unsetText()).toBe(`unset ${LOCAL_ENV_NAMES.join(' ')}\n`);
    const before = Object.fromEntries([...LOCAL_ENV_NAMES, 'KEEP_ME'].map((n) => [n, 'x']));
    const seen = await evalInBash(unsetText(), [...LOCAL_ENV_NAMES, 'KEEP_ME'], before);
    for (const n of LOCAL_ENV_NAMES) expect(seen[n]).toBeUndefined();
    expect(seen.KEEP_ME).toBe('x');
  });
});

describe('shellQuote / exportLine', () => {
  test.each([
    ['plain', 'plain'], ['/a/b-c_d.e:f=g', '/a/b-c_d.e:f=g'], ['', "''"], ['a b', "'a b'"], ["it's", "'it'\\''s'"], ['$HOME', "'$HOME'"], ['a\nb', "'a\nb'"],
  ])('%j is the shell word %s', (value, word) => {
    expect(shellQuote(value)).toBe(word);
  });

  test('refuses a name no shell would take', () => {
    expect(() => exportLine('A-B', 'x')).toThrow('not an environment variable name: "A-B"');
  });
});

describe('explainText', () => {
  test('says what each variable is for, which earlier value it replaces, and how to go back', () => {
    const vars = localEnvVariables(cloud, withMirror, '/p/.localcloud/server.json');
    const text = explainText(vars, { TF_CLI_CONFIG_FILE: '/root/.terraformrc', SIDECAR_TARGET: 'local' });
    for (const v of vars) expect(text).toContain(v.name);
    expect(text).toContain('replaces TF_CLI_CONFIG_FILE=/root/.terraformrc');
    expect(text).not.toContain('replaces SIDECAR_TARGET'); // same value: nothing replaced
    expect(text).toContain('eval "$(npm run -s local:env -- --unset)"');
    for (const line of text.trimEnd().split('\n')) expect(line.startsWith('#')).toBe(true);
  });
});

describe('npx tsx scripts/local-cloud.ts env (npm run -s local:env)', () => {
  let home: string;
  beforeEach(() => { home = mkdtempSync(join(tmpdir(), 'sidecar-localenv-')); });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const envWith = (extra: NodeJS.ProcessEnv = {}) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOCALCLOUD_HOME: home, ...extra };
    delete env.LOCALCLOUD_PORT;
    return env;
  };

  test('no local cloud: nothing on stdout, why and what to run on stderr, exit 1', async () => {
    const res = await runScript('scripts/local-cloud.ts', ['env'], { env: envWith() });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`no local cloud is running (${join(home, 'server.json')} does not exist). Start it with: npm run local:up, then eval "$(npm run -s local:env)" again`);
  });

  test('a server file whose process has exited: exit 1, saying it is not running any more', async () => {
    const gone = spawn(process.execPath, ['-e', '0']);
    const pid = gone.pid!;
    await new Promise((r) => gone.on('exit', r));
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'server.json'), JSON.stringify({ pid, port: 45999, url: 'http://127.0.0.1:45999' }));
    const res = await runScript('scripts/local-cloud.ts', ['env'], { env: envWith() });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(`(pid ${pid}, http://127.0.0.1:45999) is not running any more. Start it with: npm run local:up`);
  });

  describe('with a running local cloud', () => {
    let fake: FakeLocalCloud;
    beforeEach(async () => { fake = await fakeLocalCloud(home); });
    afterEach(() => fake.close());

    test('stdout is only exports, and eval gives the running cloud\'s port (from its server.json), whatever LOCALCLOUD_PORT said', async () => {
      const res = await runScript('scripts/local-cloud.ts', ['env'], { env: envWith({ LOCALCLOUD_PORT: '4510' }) });
      expect(res.code).toBe(0);
      const lines = res.stdout.trimEnd().split('\n');
      for (const line of lines) expect(line).toMatch(/^export [A-Za-z_][A-Za-z0-9_]*=\S+$/);
      const seen = await evalInBash(res.stdout, LOCAL_ENV_NAMES);
      expect(seen.LOCALCLOUD_PORT).toBe(String(fake.port));
      expect(fake.port).not.toBe(4510);
      expect(seen.SIDECAR_TARGET).toBe('local');
      expect(seen.CHECKPOINT_DISABLE).toBe('1');
      // This machine's mirror (if any) is configured the way the npm scripts configure it.
      const terraform = terraformEnv();
      expect(seen.TF_CLI_CONFIG_FILE).toBe(terraform.mirrorRoot ? terraform.env.TF_CLI_CONFIG_FILE : undefined);
      expect(seen.TF_CLI_ARGS_providers_lock).toBe(terraform.env.TF_CLI_ARGS_providers_lock);
      expect(res.stderr).toContain(`LOCALCLOUD_PORT`);
      expect(res.stderr).toContain(fake.serverFile);
    });

    test('--unset prints the unset line', async () => {
      const res = await runScript('scripts/local-cloud.ts', ['env', '--unset'], { env: envWith() });
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(unsetText());
    });
  });
});
