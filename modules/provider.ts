// ---------------------------------------------------------------------------
// Each stack's AWS provider and state backend, configured for the target.
//   local: the local cloud's endpoints (iam, sts, lambda, dynamodb) and that account's local root keys;
//          max_retries = 1 so that a fault fails in seconds (see PROVIDER-API.md).
//   aws:   the profile and/or role named for the stack's account in config/aws.json, and
//          allowed_account_ids so that a wrong profile can never deploy into another account.
// ---------------------------------------------------------------------------
import { join, resolve } from 'node:path';
import { LocalBackend, type TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { accountTargetProblem, isLocalAccount, type Target } from '../config/load';
import type { SidecarConfig } from '../config/schema';
import { StackConfigError } from './stack-config-error';

const PROJECT_ROOT = resolve(__dirname, '..');

/** Port of the local cloud when LOCALCLOUD_PORT is not set. */
export const DEFAULT_LOCALCLOUD_PORT = 4510;

// ---------------------------------------------------------------------------
// Local cloud endpoint
// ---------------------------------------------------------------------------

/** `http://127.0.0.1:<LOCALCLOUD_PORT or 4510>`: loopback only, by design. */
export function localCloudEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.LOCALCLOUD_PORT ?? String(DEFAULT_LOCALCLOUD_PORT);
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new StackConfigError('LocalCloudEndpoint', `LOCALCLOUD_PORT must be a TCP port number 1-65535 (got "${raw}")`);
  }
  return `http://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------------------
// State backend
// ---------------------------------------------------------------------------

/**
 * Where a stack's Terraform state lives. One file per stack, so the parties never share state.
 *   local: `.localcloud/tfstate/<stack>.tfstate`, beside the local cloud's own state, so that
 *          wiping `.localcloud/` gives a fresh cloud AND fresh state (stale state against a fresh
 *          cloud makes the provider wait minutes on resources that are gone).
 *   aws:   `terraform.<stack>.tfstate` in the project root (cdktf's default name).
 * `SIDECAR_TFSTATE_DIR` overrides the folder (tests and benchmarks use a temp dir).
 */
export function stateFilePath(stackName: string, target: Target, env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIDECAR_TFSTATE_DIR) return join(resolve(env.SIDECAR_TFSTATE_DIR), `${stackName}.tfstate`);
  return target === 'local'
    ? join(PROJECT_ROOT, '.localcloud', 'tfstate', `${stackName}.tfstate`)
    : join(PROJECT_ROOT, `terraform.${stackName}.tfstate`);
}

// ---------------------------------------------------------------------------
// Provider
// ---------------------------------------------------------------------------

export interface TargetProviderProps {
  /** The validated config. */
  readonly config: SidecarConfig;
  /** Which kind of cloud the stack deploys into. */
  readonly target: Target;
  /** The stack's name, which is also its key in `config.accounts` (`vendor`, `customer-a`, ...). */
  readonly stackName: string;
  /** Environment read for LOCALCLOUD_PORT and SIDECAR_TFSTATE_DIR. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** Names the deploy in the account's CloudTrail; stack names are [a-z0-9-], valid for STS. */
function deploySessionName(stackName: string): string {
  return `sidecar-deploy-${stackName}`.slice(0, 64);
}

/** The stack's AWS provider and local state backend, configured for the target. */
export function configureTarget(stack: TerraformStack, props: TargetProviderProps): AwsProvider {
  const env = props.env ?? process.env;
  const account = props.config.accounts[props.stackName];
  const where = `stack "${props.stackName}"`;
  if (!account) throw new StackConfigError(where, `config.accounts has no entry "${props.stackName}"; add one with that account's accountId and credentials`);

  const problem = accountTargetProblem(props.stackName, account, props.target);
  if (problem) throw new StackConfigError(where, `${problem.entry}: ${problem.rule}`);

  new LocalBackend(stack, { path: stateFilePath(props.stackName, props.target, env) });

  // Past the check, an account with keys is exactly the local target's.
  if (isLocalAccount(account)) {
    const endpoint = localCloudEndpoint(env);
    return new AwsProvider(stack, 'aws', {
      region: props.config.region,
      accessKey: account.accessKeyId,
      secretKey: account.secretAccessKey,
      endpoints: [{ iam: endpoint, sts: endpoint, lambda: endpoint, dynamodb: endpoint }],
      skipCredentialsValidation: true,
      // The provider would call STS GetCallerIdentity at configure time; the local keys are fixed,
      // so the account is known from config. allowed_account_ids cannot be used with this flag:
      // the provider then compares against an empty account ID and refuses ("AWS account ID not allowed: ").
      skipRequestingAccountId: true,
      skipMetadataApiCheck: 'true',
      skipRegionValidation: true,
      // A 5xx or a refused connection must fail in seconds, not back off for minutes.
      maxRetries: 1,
    });
  }

  return new AwsProvider(stack, 'aws', {
    region: props.config.region,
    profile: account.profile,
    assumeRole: account.assumeRoleArn
      ? [{ roleArn: account.assumeRoleArn, sessionName: deploySessionName(props.stackName) }]
      : undefined,
    // The guard against deploying a customer's stack with the vendor's profile (or the reverse).
    allowedAccountIds: [account.accountId],
  });
}
