// ---------------------------------------------------------------------------
// How the operator tools (deploy, demo, verify) and the e2e suite reach an account: the local
// cloud's root keys from config/local.json, or the profile / role named in config/aws.json.
// ---------------------------------------------------------------------------
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { isLocalAccount, type LoadedConfig } from '../../config/load';

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export const DEFAULT_LOCALCLOUD_PORT = 4510;

/** The local cloud's URL: `LOCALCLOUD_URL`, else 127.0.0.1 on `LOCALCLOUD_PORT` (default 4510). */
export function localCloudUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOCALCLOUD_URL) return env.LOCALCLOUD_URL.replace(/\/$/, '');
  return `http://127.0.0.1:${env.LOCALCLOUD_PORT ?? DEFAULT_LOCALCLOUD_PORT}`;
}

/** Where SDK clients send requests for this config's target: the local cloud, or AWS itself. */
export function endpointFor(config: Pick<LoadedConfig, 'target'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return config.target === 'local' ? localCloudUrl(env) : undefined;
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
export function clientConfig(config: LoadedConfig, credentials: Credentials, region = config.region) {
  const endpoint = endpointFor(config);
  return { region, credentials, maxAttempts: 1, ...(endpoint ? { endpoint } : {}) };
}
