// ---------------------------------------------------------------------------
// The environment every Terraform (and cdktf) run of this project gets. Terraform runs offline
// here: when a filesystem mirror of hashicorp/aws 5.100.0 exists, we point Terraform at it with
// a CLI config file of our own (TF_CLI_CONFIG_FILE), and never touch the user's ~/.terraformrc.
// When no mirror exists, the normal registry is left alone and we say where we looked.
//
// With a mirror it also sets TF_CLI_ARGS_providers_lock=-fs-mirror=<root>, so that cdktf's own
// provider-lock step (`terraform providers lock`, which ignores the CLI config) works offline
// (or skips that step when the mirror cannot serve it: see providersLockSettings).
//
// Reused by scripts/cdktf.ts, the terraform-validate test, the local-cloud tests, the deploy
// scripts and `npm run local:env` (which prints these settings as exports for the user's shell):
// call `terraformEnv()` and spawn terraform / cdktf with its `env`.
// ---------------------------------------------------------------------------
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { shellQuote } from './lib/shell';

const PROJECT_ROOT = resolve(__dirname, '..');

/** The provider the stacks are generated for (@cdktf/provider-aws@20.1.0 pins it). */
export const AWS_PROVIDER = {
  hostname: 'registry.terraform.io',
  namespace: 'hashicorp',
  type: 'aws',
  version: '5.100.0',
} as const;

export const AWS_PROVIDER_ADDRESS = `${AWS_PROVIDER.hostname}/${AWS_PROVIDER.namespace}/${AWS_PROVIDER.type}`;

/** Override for the mirror root (the folder that holds `registry.terraform.io/`). */
export const MIRROR_ENV_VAR = 'SIDECAR_TF_PLUGIN_MIRROR';

/**
 * The one platform cdktf-cli 0.21 locks providers for: when a stack's working directory has no
 * `.terraform.lock.hcl` yet, `cdktf deploy|diff|destroy|output` run `terraform providers lock
 * -platform=linux_amd64` after `terraform init` (unless given --skip-provider-lock). That command
 * ignores the CLI config's provider_installation and asks the registry, unless told to read a
 * mirror with -fs-mirror; Terraform adds the arguments of TF_CLI_ARGS_providers_lock to it.
 */
export const CDKTF_LOCK_PLATFORM = 'linux_amd64';

/** The variable Terraform reads extra arguments of `terraform providers lock` from. */
export const PROVIDERS_LOCK_ARGS_VAR = 'TF_CLI_ARGS_providers_lock';

/** cdktf's `--skip-provider-lock` as a variable (its CLI reads options from CDKTF_* variables). */
export const SKIP_PROVIDER_LOCK_VAR = 'CDKTF_SKIP_PROVIDER_LOCK';

/** Where the project writes its own Terraform CLI config (`.gen/` is gitignored). */
export const DEFAULT_CLI_CONFIG_FILE = join(PROJECT_ROOT, '.gen', 'terraform.tfrc');

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/** Thrown when `terraform` is not on PATH, or is not a 1.x release. */
export class TerraformUnavailableError extends Error {
  readonly code = 'TerraformUnavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerraformUnavailableError';
  }
}

/** Thrown when SIDECAR_TF_PLUGIN_MIRROR is set but does not hold the provider. */
export class PluginMirrorError extends Error {
  readonly code = 'PluginMirrorInvalid';
  constructor(message: string) {
    super(message);
    this.name = 'PluginMirrorError';
  }
}

// ---------------------------------------------------------------------------
// Finding the provider mirror
// ---------------------------------------------------------------------------

/** Terraform's platform name for this machine, e.g. `linux_amd64`. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const cpu = ({ x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' } as Record<string, string>)[arch] ?? arch;
  return `${os}_${cpu}`;
}

/** Roots searched, in order, when SIDECAR_TF_PLUGIN_MIRROR is not set (Terraform's own implied
 *  mirror locations plus /opt/tf-plugins, where this machine's image keeps it). */
export function mirrorSearchRoots(env: NodeJS.ProcessEnv = process.env): string[] {
  const xdgData = env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return [
    '/opt/tf-plugins',
    join(homedir(), '.terraform.d', 'plugins'),
    join(xdgData, 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
}

/** Whether `root` holds the unpacked provider binary for `platform` in the mirror layout. */
export function mirrorHoldsProvider(root: string, platform = terraformPlatform()): boolean {
  const dir = join(root, AWS_PROVIDER.hostname, AWS_PROVIDER.namespace, AWS_PROVIDER.type, AWS_PROVIDER.version, platform);
  if (!existsSync(dir)) return false;
  const binary = `terraform-provider-${AWS_PROVIDER.type}_v${AWS_PROVIDER.version}`;
  return readdirSync(dir).some((name) => name.startsWith(binary));
}

export interface MirrorSearch {
  /** The mirror root to use, when one was found. */
  readonly root?: string;
  /** Every root looked at, for the message when none was found. */
  readonly searched: readonly string[];
}

/**
 * Find the mirror: SIDECAR_TF_PLUGIN_MIRROR first (and only it, when set: a wrong override is an
 * error, not a silent fall-back), else the first known root that holds the provider.
 */
export function findProviderMirror(env: NodeJS.ProcessEnv = process.env, platform = terraformPlatform(), roots: readonly string[] = mirrorSearchRoots(env)): MirrorSearch {
  const override = env[MIRROR_ENV_VAR];
  if (override) {
    const root = resolve(override);
    if (!mirrorHoldsProvider(root, platform)) {
      throw new PluginMirrorError(
        `${MIRROR_ENV_VAR}=${override} does not hold ${AWS_PROVIDER_ADDRESS} ${AWS_PROVIDER.version} for ${platform}: ` +
        `expected ${join(root, AWS_PROVIDER_ADDRESS, AWS_PROVIDER.version, platform)}/terraform-provider-aws_v${AWS_PROVIDER.version}*. ` +
        `Fix the path, or unset ${MIRROR_ENV_VAR} to use the registry.`,
      );
    }
    return { root, searched: [root] };
  }
  const searched = [...roots];
  return { root: searched.find((root) => mirrorHoldsProvider(root, platform)), searched };
}

// ---------------------------------------------------------------------------
// The CLI config file
// ---------------------------------------------------------------------------

/** A CLI config that installs hashicorp/aws from the mirror only, and everything else as usual. */
export function cliConfigText(mirrorRoot: string): string {
  return [
    '# Written by scripts/terraform-env.ts: hashicorp/aws comes from the local filesystem mirror,',
    '# so terraform init works offline. Regenerated on every run; do not edit.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirrorRoot)}`,
    `    include = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
    '  }',
    '  direct {',
    `    exclude = [${JSON.stringify(AWS_PROVIDER_ADDRESS)}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Write atomically (temp file + rename): parallel test workers may write it at the same time. */
function writeFileAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

// ---------------------------------------------------------------------------
// The terraform binary
// ---------------------------------------------------------------------------

export interface TerraformBinary {
  /** e.g. `1.11.4`. */
  readonly version: string;
}

/** Check that `terraform` is on PATH and is 1.x; throws TerraformUnavailableError otherwise. */
export function requireTerraform(env: NodeJS.ProcessEnv = process.env): TerraformBinary {
  let out: string;
  try {
    out = execFileSync('terraform', ['version', '-json'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  } catch (e) {
    throw new TerraformUnavailableError(
      'terraform was not found on PATH (or did not answer `terraform version`). Install Terraform 1.x ' +
      '(https://developer.hashicorp.com/terraform/install) and make sure `terraform version` works.',
      { cause: e },
    );
  }
  let version: string | undefined;
  try {
    version = (JSON.parse(out) as { terraform_version?: string }).terraform_version;
  } catch {
    version = /Terraform v(\d+\.\d+\.\d+)/.exec(out)?.[1];
  }
  if (!version) throw new TerraformUnavailableError(`Could not read the Terraform version from: ${out.slice(0, 200)}`);
  if (!version.startsWith('1.')) throw new TerraformUnavailableError(`Terraform ${version} is not supported: this project needs Terraform 1.x.`);
  return { version };
}

// ---------------------------------------------------------------------------
// The environment
// ---------------------------------------------------------------------------

export interface TerraformEnvironment {
  /** The full environment to spawn terraform or cdktf with (the base env plus our settings). */
  readonly env: NodeJS.ProcessEnv;
  /** The mirror root in use, or undefined when Terraform will use the registry. */
  readonly mirrorRoot?: string;
  /** The CLI config file written for the mirror, when one is in use. */
  readonly cliConfigFile?: string;
  /** Things a person should know (no mirror found, an ignored TF_CLI_CONFIG_FILE). */
  readonly notices: readonly string[];
}

export interface TerraformEnvOptions {
  /** The environment to start from. @default process.env */
  readonly baseEnv?: NodeJS.ProcessEnv;
  /** Where to write the CLI config. @default <project>/.gen/terraform.tfrc */
  readonly cliConfigFile?: string;
  /** Roots to search when SIDECAR_TF_PLUGIN_MIRROR is not set. @default mirrorSearchRoots(baseEnv) */
  readonly searchRoots?: readonly string[];
}

/**
 * The environment for running terraform or cdktf offline with this project's provider mirror.
 * Never throws for a missing mirror (it explains in `notices`); throws PluginMirrorError only
 * when SIDECAR_TF_PLUGIN_MIRROR is set to a folder without the provider.
 */
export function terraformEnv(options: TerraformEnvOptions = {}): TerraformEnvironment {
  const base = options.baseEnv ?? process.env;
  const notices: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...base,
    // Terraform's own update/security check (checkpoint.hashicorp.com); cdktf honours it for telemetry too.
    CHECKPOINT_DISABLE: '1',
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    // cdktf-cli: no "new version available" lookup on npm, no shared plugin cache pointing elsewhere.
    DISABLE_VERSION_CHECK: 'true',
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: 'true',
  };

  const mirror = findProviderMirror(base, terraformPlatform(), options.searchRoots ?? mirrorSearchRoots(base));
  if (mirror.root) {
    const file = options.cliConfigFile ?? DEFAULT_CLI_CONFIG_FILE;
    writeFileAtomically(file, cliConfigText(mirror.root));
    env.TF_CLI_CONFIG_FILE = file;
    const lock = providersLockSettings(mirror.root, base[PROVIDERS_LOCK_ARGS_VAR]);
    Object.assign(env, lock.vars);
    if (lock.notice) notices.push(lock.notice);
    return { env, mirrorRoot: mirror.root, cliConfigFile: file, notices };
  }

  notices.push(
    `No filesystem mirror of ${AWS_PROVIDER_ADDRESS} ${AWS_PROVIDER.version} (${terraformPlatform()}) found; ` +
    `looked in: ${mirror.searched.join(', ')}. Terraform will download the provider from the registry. ` +
    `To use a mirror elsewhere, set ${MIRROR_ENV_VAR} to the folder that holds ${AWS_PROVIDER.hostname}/.`,
  );
  // A TF_CLI_CONFIG_FILE that points at a missing file only makes Terraform warn on every run.
  if (base.TF_CLI_CONFIG_FILE && !existsSync(base.TF_CLI_CONFIG_FILE)) {
    notices.push(`Ignoring TF_CLI_CONFIG_FILE=${base.TF_CLI_CONFIG_FILE}: the file does not exist.`);
    delete env.TF_CLI_CONFIG_FILE;
  }
  return { env, notices };
}

/**
 * How cdktf's provider-lock step works with a mirror. `-fs-mirror=<root>` in
 * TF_CLI_ARGS_providers_lock, so that `terraform providers lock` reads the mirror; the user's own
 * value is kept when it already names a mirror, and extended otherwise. When the mirror has no
 * linux_amd64 build (the one platform cdktf locks for) that lock cannot succeed offline, so the
 * step is skipped instead with CDKTF_SKIP_PROVIDER_LOCK=true (cdktf reads its options from
 * CDKTF_* variables; `terraform init` still writes the lock file for this machine's platform).
 */
export function providersLockSettings(mirrorRoot: string, existing: string | undefined): { vars: Record<string, string>; notice?: string } {
  if (existing && /(^|\s)-(fs|net)-mirror(=|\s)/.test(existing)) return { vars: {} };
  if (!mirrorHoldsProvider(mirrorRoot, CDKTF_LOCK_PLATFORM)) {
    return {
      vars: { [SKIP_PROVIDER_LOCK_VAR]: 'true' },
      notice: `The mirror ${mirrorRoot} has no ${CDKTF_LOCK_PLATFORM} build of ${AWS_PROVIDER_ADDRESS} ${AWS_PROVIDER.version}, the platform cdktf's ` +
        `provider-lock step asks for: that step is skipped (${SKIP_PROVIDER_LOCK_VAR}=true); terraform init still locks the provider for ${terraformPlatform()}.`,
    };
  }
  const own = `-fs-mirror=${shellQuote(mirrorRoot)}`;
  return { vars: { [PROVIDERS_LOCK_ARGS_VAR]: existing ? `${own} ${existing}` : own } };
}
