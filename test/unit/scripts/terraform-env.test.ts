// ---------------------------------------------------------------------------
// scripts/terraform-env.ts: finding the provider mirror, the CLI config it writes, the
// environment it returns, and what happens without a mirror or with a wrong override.
// ---------------------------------------------------------------------------
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AWS_PROVIDER, PluginMirrorError, cliConfigText, findProviderMirror, mirrorHoldsProvider, providersLockSettings, terraformEnv, terraformPlatform,
} from '../../../scripts/terraform-env';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sidecar-tfenv-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A fake mirror root holding (an empty file named like) the provider binary. */
function fakeMirror(root: string, platform = terraformPlatform(), binary = `terraform-provider-aws_v${AWS_PROVIDER.version}_x5`): string {
  const folder = join(root, 'registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER.version, platform);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, binary), '');
  return root;
}

/** An environment in which none of the default roots can be the mirror. */
const isolatedEnv = () => ({ HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'xdg'), PATH: process.env.PATH });

describe('terraformPlatform', () => {
  test('names platforms the way Terraform does', () => {
    expect(terraformPlatform('linux', 'x64')).toBe('linux_amd64');
    expect(terraformPlatform('darwin', 'arm64')).toBe('darwin_arm64');
    expect(terraformPlatform('win32', 'x64')).toBe('windows_amd64');
  });
});

describe('mirrorHoldsProvider', () => {
  test('is true for a root with the provider binary for this platform', () => {
    expect(mirrorHoldsProvider(fakeMirror(join(dir, 'm')))).toBe(true);
  });

  test('is false when only another platform is there', () => {
    expect(mirrorHoldsProvider(fakeMirror(join(dir, 'm'), 'plan9_386'))).toBe(false);
  });

  test('is false when only another version is there', () => {
    expect(mirrorHoldsProvider(fakeMirror(join(dir, 'm'), terraformPlatform(), 'terraform-provider-aws_v5.99.0_x5'))).toBe(false);
  });
});

describe('findProviderMirror', () => {
  test('SIDECAR_TF_PLUGIN_MIRROR wins when it holds the provider', () => {
    const root = fakeMirror(join(dir, 'override'));
    expect(findProviderMirror({ ...isolatedEnv(), SIDECAR_TF_PLUGIN_MIRROR: root }).root).toBe(root);
  });

  test('a SIDECAR_TF_PLUGIN_MIRROR without the provider is an error naming the expected path, not a silent fall-back', () => {
    expect(() => findProviderMirror({ SIDECAR_TF_PLUGIN_MIRROR: join(dir, 'empty') })).toThrow(PluginMirrorError);
    expect(() => findProviderMirror({ SIDECAR_TF_PLUGIN_MIRROR: join(dir, 'empty') })).toThrow(/registry\.terraform\.io\/hashicorp\/aws\/5\.100\.0\/.+terraform-provider-aws_v5\.100\.0\*/);
  });

  test('takes the first searched root that holds the provider', () => {
    const roots = [join(dir, 'a'), fakeMirror(join(dir, 'b')), fakeMirror(join(dir, 'c'))];
    expect(findProviderMirror(isolatedEnv(), terraformPlatform(), roots)).toEqual({ root: join(dir, 'b'), searched: roots });
  });

  test('finds nothing when no searched root holds the provider', () => {
    expect(findProviderMirror(isolatedEnv(), terraformPlatform(), [join(dir, 'a')]).root).toBeUndefined();
  });

  test('lists every root it searched', () => {
    const env = isolatedEnv();
    expect(findProviderMirror(env).searched).toEqual([
      '/opt/tf-plugins',
      expect.stringMatching(/\.terraform\.d\/plugins$/),
      join(env.XDG_DATA_HOME, 'terraform', 'plugins'),
      '/usr/local/share/terraform/plugins',
      '/usr/share/terraform/plugins',
    ]);
  });
});

describe('cliConfigText', () => {
  test('installs hashicorp/aws from the mirror and excludes it from direct installation', () => {
    const text = cliConfigText('/mirror/root');
    expect(text).toContain('filesystem_mirror {\n    path    = "/mirror/root"\n    include = ["registry.terraform.io/hashicorp/aws"]');
    expect(text).toContain('direct {\n    exclude = ["registry.terraform.io/hashicorp/aws"]');
  });
});

describe('terraformEnv', () => {
  test('with a mirror: writes the CLI config and points TF_CLI_CONFIG_FILE at it', () => {
    const root = fakeMirror(join(dir, 'm'));
    fakeMirror(root, 'linux_amd64'); // on any machine, a mirror that cdktf's lock step can use: no notice
    const file = join(dir, 'gen', 'terraform.tfrc');
    const result = terraformEnv({ baseEnv: { ...isolatedEnv(), SIDECAR_TF_PLUGIN_MIRROR: root, TF_CLI_CONFIG_FILE: '/root/.terraformrc' }, cliConfigFile: file });
    expect(result.mirrorRoot).toBe(root);
    expect(result.env.TF_CLI_CONFIG_FILE).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(cliConfigText(root));
    expect(result.notices).toEqual([]);
  });

  test('with a mirror: cdktf\'s provider-lock step (terraform providers lock) reads the mirror too', () => {
    const root = fakeMirror(join(dir, 'm'), 'linux_amd64');
    fakeMirror(root);
    const { env } = terraformEnv({ baseEnv: { ...isolatedEnv(), SIDECAR_TF_PLUGIN_MIRROR: root }, cliConfigFile: join(dir, 'x.tfrc') });
    expect(env.TF_CLI_ARGS_providers_lock).toBe(`-fs-mirror=${root}`);
    expect(env.CDKTF_SKIP_PROVIDER_LOCK).toBeUndefined();
  });

  test('turns off checkpoint, prompts and cdktf\'s version check', () => {
    const root = fakeMirror(join(dir, 'm'));
    const { env } = terraformEnv({ baseEnv: { SIDECAR_TF_PLUGIN_MIRROR: root }, cliConfigFile: join(dir, 'x.tfrc') });
    expect(env).toMatchObject({ CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0', DISABLE_VERSION_CHECK: 'true', CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true' });
  });

  test('keeps the rest of the base environment', () => {
    const root = fakeMirror(join(dir, 'm'));
    const { env } = terraformEnv({ baseEnv: { SIDECAR_TF_PLUGIN_MIRROR: root, LOCALCLOUD_PORT: '4999' }, cliConfigFile: join(dir, 'x.tfrc') });
    expect(env.LOCALCLOUD_PORT).toBe('4999');
  });

  test('does not change the caller\'s environment object', () => {
    const root = fakeMirror(join(dir, 'm'));
    const base = { SIDECAR_TF_PLUGIN_MIRROR: root };
    terraformEnv({ baseEnv: base, cliConfigFile: join(dir, 'x.tfrc') });
    expect(base).toEqual({ SIDECAR_TF_PLUGIN_MIRROR: root });
  });
});

describe('providersLockSettings (cdktf locks for linux_amd64 only, with `terraform providers lock`, which ignores the CLI config)', () => {
  test('a mirror with a linux_amd64 build: -fs-mirror in TF_CLI_ARGS_providers_lock', () => {
    const root = fakeMirror(join(dir, 'm'), 'linux_amd64');
    expect(providersLockSettings(root, undefined)).toEqual({ vars: { TF_CLI_ARGS_providers_lock: `-fs-mirror=${root}` } });
  });

  test('a mirror path with spaces or quotes is one shell word, as Terraform splits TF_CLI_ARGS_*', () => {
    const root = fakeMirror(join(dir, "my mirror's"), 'linux_amd64');
    expect(providersLockSettings(root, undefined).vars.TF_CLI_ARGS_providers_lock).toBe(`-fs-mirror='${root.replace("'", "'\\''")}'`);
  });

  test('the user\'s own arguments are kept after ours; their own mirror is left alone', () => {
    const root = fakeMirror(join(dir, 'm'), 'linux_amd64');
    expect(providersLockSettings(root, '-no-color').vars.TF_CLI_ARGS_providers_lock).toBe(`-fs-mirror=${root} -no-color`);
    expect(providersLockSettings(root, '-net-mirror=https://mirror.example/')).toEqual({ vars: {} });
    expect(providersLockSettings(root, '-fs-mirror=/theirs')).toEqual({ vars: {} });
  });

  test('a mirror without a linux_amd64 build (e.g. a Mac\'s): the step is skipped, with a notice saying why', () => {
    const root = fakeMirror(join(dir, 'm'), 'darwin_arm64');
    const settings = providersLockSettings(root, undefined);
    expect(settings.vars).toEqual({ CDKTF_SKIP_PROVIDER_LOCK: 'true' });
    expect(settings.notice).toContain(`The mirror ${root} has no linux_amd64 build`);
  });
});

describe('terraformEnv without any mirror', () => {
  const noMirror = () => ({ searchRoots: [join(dir, 'nothing-here')], cliConfigFile: join(dir, 'x.tfrc') });

  test('leaves the registry alone and says where it looked and how to set the override', () => {
    const result = terraformEnv({ baseEnv: isolatedEnv(), ...noMirror() });
    expect(result.mirrorRoot).toBeUndefined();
    expect(result.cliConfigFile).toBeUndefined();
    expect(result.notices[0]).toContain(`looked in: ${join(dir, 'nothing-here')}`);
    expect(result.notices[0]).toContain('set SIDECAR_TF_PLUGIN_MIRROR');
  });

  test('leaves cdktf\'s provider-lock step to the registry', () => {
    const { env } = terraformEnv({ baseEnv: isolatedEnv(), ...noMirror() });
    expect(env.TF_CLI_ARGS_providers_lock).toBeUndefined();
    expect(env.CDKTF_SKIP_PROVIDER_LOCK).toBeUndefined();
  });

  test('drops a TF_CLI_CONFIG_FILE that points at a missing file, and says so', () => {
    const result = terraformEnv({ baseEnv: { ...isolatedEnv(), TF_CLI_CONFIG_FILE: join(dir, 'missing.tfrc') }, ...noMirror() });
    expect(result.env.TF_CLI_CONFIG_FILE).toBeUndefined();
    expect(result.notices[1]).toBe(`Ignoring TF_CLI_CONFIG_FILE=${join(dir, 'missing.tfrc')}: the file does not exist.`);
  });

  test('keeps a TF_CLI_CONFIG_FILE that exists (the user\'s own registry settings)', () => {
    const own = join(dir, 'own.tfrc');
    writeFileSync(own, '');
    const result = terraformEnv({ baseEnv: { ...isolatedEnv(), TF_CLI_CONFIG_FILE: own }, ...noMirror() });
    expect(result.env.TF_CLI_CONFIG_FILE).toBe(own);
  });
});
