// ---------------------------------------------------------------------------
// Loading the config for a target. `SIDECAR_TARGET` picks config/<target>.json (`local` by
// default); `SIDECAR_CONFIG_FILE` points at another file (benchmarks, tests). Every problem is
// reported at once, each naming the file, the entry and the rule.
// ---------------------------------------------------------------------------
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { awsAccountSchema, configSchema, localAccountSchema, type SidecarConfig, type LocalAccount, type AwsAccount } from './schema';

export type Target = 'local' | 'aws';
export const TARGETS: readonly Target[] = ['local', 'aws'];
export const PROJECT_ROOT = resolve(__dirname, '..');

export interface ConfigProblem {
  /** Where in the file, e.g. `customers[1] (customer-b).externalIds.current`. */
  readonly entry: string;
  /** The rule it breaks, in words a person can act on. */
  readonly rule: string;
}

/** Thrown when the config file is missing, not JSON, or breaks a rule. */
export class ConfigError extends Error {
  readonly code = 'ConfigInvalid';
  constructor(readonly file: string, readonly problems: readonly ConfigProblem[]) {
    super(`${file} is not a valid sidecar config:\n${problems.map((p) => `  - ${p.entry}: ${p.rule}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig extends SidecarConfig {
  readonly target: Target;
  readonly file: string;
}

export function resolveTarget(env: NodeJS.ProcessEnv = process.env): Target {
  const target = env.SIDECAR_TARGET ?? 'local';
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new ConfigError('SIDECAR_TARGET', [{ entry: 'SIDECAR_TARGET', rule: `must be one of ${TARGETS.join(', ')} (got "${target}")` }]);
  }
  return target as Target;
}

export function configFileFor(target: Target, env: NodeJS.ProcessEnv = process.env): string {
  return env.SIDECAR_CONFIG_FILE ? resolve(env.SIDECAR_CONFIG_FILE) : join(PROJECT_ROOT, 'config', `${target}.json`);
}

/** Load and validate the config for the current target. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const target = resolveTarget(env);
  const file = configFileFor(target, env);
  const shown = relative(process.cwd(), file) || file;
  if (!existsSync(file)) {
    const hint = target === 'aws' ? ' (copy config/aws.example.json to config/aws.json and fill in your accounts)' : '';
    throw new ConfigError(shown, [{ entry: '(file)', rule: `not found${hint}` }]);
  }
  const text = readFileSync(file, 'utf8');
  // JSON.parse's own message would show the mark as an invisible character.
  if (text.startsWith('\uFEFF')) {
    throw new ConfigError(shown, [{ entry: '(file)', rule: 'starts with a byte-order mark (U+FEFF), which JSON does not allow: save it as UTF-8 without one' }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(shown, [{ entry: '(file)', rule: `not valid JSON: ${(e as Error).message}` }]);
  }
  return { ...parseConfig(raw, shown, target), target, file };
}

/** Validate an already-parsed config object; `file` names it in errors. */
export function parseConfig(raw: unknown, file: string, target: Target = 'local'): SidecarConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.flatMap((issue) => explainAccountUnion(raw, issue, target));
    throw new ConfigError(file, issues.map((issue) => ({ entry: describeEntry(raw, issue.path as (string | number)[], issue), rule: ruleText(issue) })));
  }
  const targetProblems = Object.entries(result.data.accounts).flatMap(([stack, account]) => accountTargetProblem(stack, account, target) ?? []);
  if (targetProblems.length > 0) throw new ConfigError(file, targetProblems);
  return result.data;
}

export function isLocalAccount(account: LocalAccount | AwsAccount): account is LocalAccount {
  return 'accessKeyId' in account;
}

/**
 * The credentials each target takes, checked here for the loader and by each stack's provider
 * (modules/provider.ts): the local cloud's root keys for `local`; for `aws` a profile or a role,
 * never keys in a file. `stack` is the account's key in `accounts`.
 */
export function accountTargetProblem(stack: string, account: LocalAccount | AwsAccount, target: Target): ConfigProblem | undefined {
  const entry = `accounts.${stack}`;
  if (target === 'local' && !isLocalAccount(account)) return { entry, rule: `the local target needs the local cloud root keys (accessKeyId, secretAccessKey) of account ${account.accountId}` };
  if (target === 'aws' && isLocalAccount(account)) return { entry, rule: 'the aws target takes a profile or assumeRoleArn, never keys in a file' };
  return undefined;
}

/**
 * An `accounts` entry that fits neither shape is one zod issue, "Invalid input", which names no
 * rule. Explain it field by field against the shape the target takes (local: root keys; aws: a
 * profile or a role), which is the only one the target accepts in the end anyway.
 */
function explainAccountUnion(raw: unknown, issue: z.core.$ZodIssue, target: Target): z.core.$ZodIssue[] {
  const [section, stack] = issue.path;
  if (issue.code !== 'invalid_union' || issue.path.length !== 2 || section !== 'accounts' || typeof stack !== 'string') return [issue];
  const accounts = (raw as { accounts?: Record<string, unknown> }).accounts;
  const entry = Object.prototype.hasOwnProperty.call(accounts ?? {}, stack) ? accounts![stack] : undefined;
  const shape = target === 'local' ? localAccountSchema : awsAccountSchema;
  const result = shape.safeParse(entry);
  if (result.success) return [issue];
  return result.error.issues.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

/** `customers[1] (customer-b).externalIds.current`: the index plus the name a person knows it by. */
function describeEntry(raw: unknown, path: (string | number)[], issue: { code: string; keys?: string[] }): string {
  let text = '';
  let node: unknown = raw;
  for (const key of path) {
    if (typeof key === 'number') {
      text += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      const label = node && typeof node === 'object' ? ((node as Record<string, unknown>).name ?? (node as Record<string, unknown>).id) : undefined;
      if (typeof label === 'string') text += ` (${label})`;
    } else {
      text += text ? `.${key}` : key;
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  if (issue.code === 'unrecognized_keys' && issue.keys) text += (text ? '.' : '') + issue.keys.join(', ');
  return text || '(top level)';
}

function ruleText(issue: { code: string; message: string; keys?: string[] }): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${(issue.keys?.length ?? 0) > 1 ? 's' : ''} (check the spelling against the config reference in README.md)`;
  return issue.message;
}
