// ---------------------------------------------------------------------------
// What `npm run -s local:env` prints: the environment under which the user's own cdktf commands,
// typed as they are (`npx cdktf deploy vendor`, `npx cdktf diff vendor`, ...), work against the
// running local cloud, in the manner of LocalStack's tflocal. Each variable with why it is needed:
//   SIDECAR_TARGET=local             the app synthesizes the stacks for config/local.json
//   LOCALCLOUD_PORT=<port>           the running cloud's port, from its server file: the synthesized
//                                    providers call http://127.0.0.1:<port> (4510 is only a default)
//   TF_CLI_CONFIG_FILE=<tfrc>        `terraform init` installs hashicorp/aws from the filesystem
//                                    mirror (only when one exists: see scripts/terraform-env.ts)
//   TF_CLI_ARGS_providers_lock=...   cdktf's provider-lock step reads the same mirror (ditto), or
//   CDKTF_SKIP_PROVIDER_LOCK=true    skips it when the mirror has no linux_amd64 build
//   CHECKPOINT_DISABLE=1             no version/telemetry calls to checkpoint-api.hashicorp.com
//   DISABLE_VERSION_CHECK=true       no lookup of a newer cdktf-cli on npm
// Pure: the caller finds the cloud and the Terraform environment and prints.
// ---------------------------------------------------------------------------
import { PROVIDERS_LOCK_ARGS_VAR, SKIP_PROVIDER_LOCK_VAR, type TerraformEnvironment } from '../terraform-env';
import type { RecordedCloud } from './local-cloud-state';
import { exportLine } from './shell';

export interface LocalEnvVariable {
  readonly name: string;
  readonly value: string;
  /** One line for the person reading stderr. */
  readonly why: string;
}

/** Every name `local:env` may export, in order: what `--unset` removes. */
export const LOCAL_ENV_NAMES = [
  'SIDECAR_TARGET', 'LOCALCLOUD_PORT', 'TF_CLI_CONFIG_FILE', PROVIDERS_LOCK_ARGS_VAR, SKIP_PROVIDER_LOCK_VAR, 'CHECKPOINT_DISABLE', 'DISABLE_VERSION_CHECK',
] as const;

/** The variables for `cloud`, with the provider settings `terraform` decided (mirror or registry). */
export function localEnvVariables(cloud: RecordedCloud, terraform: Pick<TerraformEnvironment, 'env' | 'mirrorRoot'>, serverFile: string): LocalEnvVariable[] {
  const vars: LocalEnvVariable[] = [
    { name: 'SIDECAR_TARGET', value: 'local', why: 'synthesize the stacks for the local cloud (config/local.json, or SIDECAR_CONFIG_FILE)' },
    { name: 'LOCALCLOUD_PORT', value: String(cloud.port), why: `the running local cloud's port (${cloud.url}, pid ${cloud.pid}, from ${serverFile})` },
  ];
  if (terraform.mirrorRoot) {
    const tfrc = terraform.env.TF_CLI_CONFIG_FILE;
    if (tfrc) vars.push({ name: 'TF_CLI_CONFIG_FILE', value: tfrc, why: `terraform init installs hashicorp/aws from the mirror ${terraform.mirrorRoot}, not the registry` });
    const lockArgs = terraform.env[PROVIDERS_LOCK_ARGS_VAR];
    if (lockArgs) vars.push({ name: PROVIDERS_LOCK_ARGS_VAR, value: lockArgs, why: 'cdktf\'s provider-lock step (terraform providers lock) reads the same mirror' });
    const skipLock = terraform.env[SKIP_PROVIDER_LOCK_VAR];
    if (skipLock) vars.push({ name: SKIP_PROVIDER_LOCK_VAR, value: skipLock, why: 'cdktf skips its provider-lock step, which the mirror cannot serve (no linux_amd64 build)' });
  }
  vars.push(
    { name: 'CHECKPOINT_DISABLE', value: '1', why: 'no version and telemetry calls to checkpoint-api.hashicorp.com' },
    { name: 'DISABLE_VERSION_CHECK', value: 'true', why: 'no lookup of a newer cdktf-cli on npm' },
  );
  return vars;
}

/** The lines for stdout: `export NAME=value`, shell-quoted, one a line. */
export function exportText(vars: readonly LocalEnvVariable[]): string {
  return vars.map((v) => `${exportLine(v.name, v.value)}\n`).join('');
}

/** The line `--unset` prints. */
export function unsetText(): string {
  return `unset ${LOCAL_ENV_NAMES.join(' ')}\n`;
}

/** The diagnostics for stderr: what is set and why, and how to go back. */
export function explainText(vars: readonly LocalEnvVariable[], previous: NodeJS.ProcessEnv): string {
  const width = Math.max(...vars.map((v) => v.name.length));
  const lines = ['# local:env sets (eval "$(npm run -s local:env)"):'];
  for (const v of vars) lines.push(`#   ${v.name.padEnd(width)}  ${v.why}`);
  for (const v of vars) {
    const before = previous[v.name];
    if (before !== undefined && before !== v.value) lines.push(`# replaces ${v.name}=${before} (--unset removes it; it does not restore it)`);
  }
  lines.push('# now type: npx cdktf deploy vendor | npx cdktf diff customer-a | npx cdktf output vendor | npx cdktf destroy customer-a');
  lines.push('# (add --auto-approve where there is no terminal); to go back: eval "$(npm run -s local:env -- --unset)"');
  return `${lines.join('\n')}\n`;
}
