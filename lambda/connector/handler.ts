// ---------------------------------------------------------------------------
// The connector Lambda's entry point (bundled as index.js, Handler "index.handler"). Everything
// that can be done once per sandbox is done here at load: environment, the registry reader,
// logger, the client cache. A bad environment fails the init, with a message saying which.
// The registry is read at run time from DynamoDB (lambda/shared/registry-reader.ts).
// ---------------------------------------------------------------------------
import { readLambdaEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { createConnectorMetrics } from '../shared/metrics';
import { createRegistryReader } from '../shared/registry-client';
import { createConnectorHandler } from './connector';
import { ScopedClientCache, type ScopedClientStats } from './scoped-clients';

const env = readLambdaEnv(process.env);
const registry = createRegistryReader(env);
const metrics = createConnectorMetrics('sidecar-connector');
const clients = new ScopedClientCache({
  stsRegion: env.region,
  durationSeconds: env.assumeRoleDurationSeconds,
  maxEntries: env.cacheMaxEntries,
  cacheCredentials: env.cacheCredentials,
  dryRunBurst: env.dryRunBurst,
  dryRunRefillMs: env.dryRunRefillMs,
  metrics,
});

export const handler = createConnectorHandler({
  registry,
  rolePrefix: env.rolePrefix,
  clients,
  logger: createLogger('sidecar-connector'),
  metrics,
  tenantTimeBudgetMs: env.tenantTimeBudgetMs,
  shard: env.shard,
});

/** The warm sandbox's cache numbers (entries, hits, AssumeRole calls), for the benchmark. */
export function cacheStats(): ScopedClientStats {
  return clients.stats();
}
