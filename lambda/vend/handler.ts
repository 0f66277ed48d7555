// ---------------------------------------------------------------------------
// The vend Lambda's entry point (bundled as index.js, Handler "index.handler"), wired at load.
// ---------------------------------------------------------------------------
import { createStsClient } from '../shared/clients';
import { readLambdaEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { loadTenantRegistry } from '../shared/registry';
import { createVendHandler } from './vend';

const env = readLambdaEnv(process.env, __dirname);
const registry = loadTenantRegistry(env.registryFile);

export const handler = createVendHandler({
  registry,
  rolePrefix: env.rolePrefix ?? registry.rolePrefix,
  sts: createStsClient(env.region),
  logger: createLogger('sidecar-vend'),
  defaultDurationSeconds: env.assumeRoleDurationSeconds,
});
