// ---------------------------------------------------------------------------
// Calling vend from the project's scripts and tests: a proof of who is calling (a signed
// GetCallerIdentity request for this config's vend function, lambda/shared/caller-proof.ts),
// signed with the caller's own credentials for the STS endpoint the vend function will use.
// ---------------------------------------------------------------------------
import type { LoadedConfig } from '../../config/load';
import { buildCallerProof, stsEndpoint, type CallerProof } from '../../lambda/shared/caller-proof';
import { functionArn } from '../../rules/naming';
import { endpointFor, type Credentials } from './accounts';

/** The vend function's ARN, which every proof must name (the vendor stack sets the same value). */
export function vendFunctionArn(config: Pick<LoadedConfig, 'region' | 'vendor'>): string {
  return functionArn(config.region, config.vendor.accountId, config.vendor.vendFunctionName);
}

/** A fresh proof (good for about 15 minutes) for `credentials` to send in vend's `callerProof`. */
export async function vendCallerProof(config: LoadedConfig, credentials: Credentials, options: { audience?: string; endpoint?: string } = {}): Promise<CallerProof> {
  const identity = typeof credentials === 'function' ? await credentials() : credentials;
  const endpoint = options.endpoint ?? endpointFor(config) ?? stsEndpoint(config.region);
  return buildCallerProof(identity, config.region, options.audience ?? vendFunctionArn(config), { endpoint });
}
