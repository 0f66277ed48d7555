// ---------------------------------------------------------------------------
// How the Lambdas build SDK clients. No client sets `endpoint`: the SDK reads AWS_ENDPOINT_URL
// (and AWS_ENDPOINT_URL_<SERVICE>) by itself, which is how the local cloud points every client,
// including the STS client that fromTemporaryCredentials creates inside, at 127.0.0.1.
// ---------------------------------------------------------------------------
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Bounded retries with the SDK's standard strategy: exponential backoff with full jitter, and a
 * retry quota that stops retrying when most calls fail. Three attempts keep the worst case
 * within the connector's time budget (which also aborts any retry still pending).
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
 */
export const SDK_RETRY = { maxAttempts: 3, retryMode: 'standard' } as const;

/**
 * One pair of keep-alive agents for every client in the sandbox (the connector's Lambda client
 * per region, its STS client, vend's STS client): connections are pooled per endpoint, so
 * 10,000 tenants do not mean 10,000 sockets. Requests are still signed per call.
 */
const sharedAgents = {
  httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
  httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
};

/** The request-handler options every client gets (also passed to fromTemporaryCredentials' STS client). */
export function sharedRequestHandler(): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  return sharedAgents;
}

/** A Lambda client in the function's region, signing with the given credentials. */
export function createLambdaClient(region: string, credentials: AwsCredentialIdentityProvider): LambdaClient {
  return new LambdaClient({ region, credentials, requestHandler: sharedRequestHandler(), ...SDK_RETRY });
}

/** The STS client of the Lambda's own region, with the execution role's credentials (default: the SDK's chain). */
export function createStsClient(region: string, credentials?: AwsCredentialIdentityProvider): STSClient {
  return new STSClient({ region, credentials, requestHandler: sharedRequestHandler(), ...SDK_RETRY });
}
