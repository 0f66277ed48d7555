// ---------------------------------------------------------------------------
// The vend Lambda's entry point (bundled as index.js, Handler "index.handler"), wired at load.
// SIDECAR_VEND_AUDIENCE is this function's own ARN: the audience every caller's proof must name.
// ---------------------------------------------------------------------------
import { stsEndpoint } from '../shared/caller-proof';
import { createStsClient } from '../shared/clients';
import { readLambdaEnv, requireEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { createRegistryReader } from '../shared/registry-client';
import { fetchForwarder } from './caller';
import { createVendHandler } from './vend';

const env = readLambdaEnv(process.env);

export const handler = createVendHandler({
  registry: createRegistryReader(env),
  callers: { audience: requireEnv(process.env, 'SIDECAR_VEND_AUDIENCE'), stsEndpoint: stsEndpoint(env.region), forward: fetchForwarder },
  rolePrefix: env.rolePrefix,
  sts: createStsClient(env.region),
  logger: createLogger('sidecar-vend'),
  defaultDurationSeconds: env.assumeRoleDurationSeconds,
});
