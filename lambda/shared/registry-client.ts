// ---------------------------------------------------------------------------
// The registry reader a Lambda builds at load: a DynamoDB client in the table's region with the
// execution role's credentials (AWS_ENDPOINT_URL points it at the local cloud), and the cache
// settings from the environment.
// ---------------------------------------------------------------------------
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SDK_RETRY, sharedRequestHandler } from './clients';
import type { LambdaEnv } from './env';
import { RegistryReader } from './registry-reader';

export function createRegistryReader(env: Pick<LambdaEnv, 'registryTableName' | 'registryRegion' | 'registryCacheTtlSeconds' | 'registryCacheMaxEntries'>): RegistryReader {
  return new RegistryReader({
    tableName: env.registryTableName,
    dynamodb: new DynamoDBClient({ region: env.registryRegion, requestHandler: sharedRequestHandler(), ...SDK_RETRY }),
    ttlMs: env.registryCacheTtlSeconds * 1000,
    maxEntries: env.registryCacheMaxEntries,
  });
}
