// ---------------------------------------------------------------------------
// How the operator tools (deploy, demo, verify) and the e2e suite reach an account: the local
// cloud's root keys from config/local.json, or the profile / role named in config/aws.json.
// ---------------------------------------------------------------------------
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { isLocalAccount, type LoadedConfig } from '../../config/load';
import { localCloudEndpoint } from '../../modules/provider';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** Where SDK clients send requests for this config's target: the local cloud, or AWS itself. */
export function endpointFor(config: Pick<LoadedConfig, 'target'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return config.target === 'local' ? localCloudEndpoint(env) : undefined;
}

/** Credentials of the administrator of `stack`'s account, or undefined when config has none. */
export function accountCredentials(config: LoadedConfig, stack: string): Credentials | undefined {
  const account = config.accounts[stack];
  if (!account) return undefined;
  if (isLocalAccount(account)) return { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
  if (account.assumeRoleArn) return fromTemporaryCredentials({ params: { RoleArn: account.assumeRoleArn, RoleSessionName: `sidecar-${stack}` } });
  return fromIni({ profile: account.profile });
}

/** The stack whose account holds `accountId`, if config knows it. */
export function stackOfAccount(config: LoadedConfig, accountId: string): string | undefined {
  return Object.entries(config.accounts).find(([, a]) => a.accountId === accountId)?.[0];
}

/** Client settings for one account: region, endpoint, credentials, and no retries (fail fast, tell why). */
export function clientConfig(config: LoadedConfig, credentials: Credentials, region = config.region, endpoint = endpointFor(config)) {
  return { region, credentials, maxAttempts: 1, ...(endpoint ? { endpoint } : {}) };
}
