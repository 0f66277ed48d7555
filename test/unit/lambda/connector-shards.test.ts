/**
 * A connector shard serves only its own tenants: with SIDECAR_SHARD_COUNT > 1, a tenant that
 * `shardOf` gives another shard is refused with WrongShard, naming the function to invoke, before
 * the registry is read or AWS called. The allow path (the tenant's own shard) and its nearest deny
 * (the same tenant at the next shard) differ only in the shard index. The environment variables
 * are read all-or-nothing, and the callers' routing (connectorFunctionFor) agrees with the shard.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { connectorFunctionFor } from '../../../rules/connector-routing';
import { shardOf } from '../../../rules/shards';
import { createConnectorHandler } from '../../../lambda/connector/connector';
import { ScopedClientCache } from '../../../lambda/connector/scoped-clients';
import type { ConnectorDeps } from '../../../lambda/connector/types';
import { EnvironmentError, readShardEnv, type ShardEnv } from '../../../lambda/shared/env';
import { MASTER_CREDENTIALS, PREFIX, REGION, assumeRoleOutput, invokeOutput, lambdaContext, quietLogger, testTenants } from '../../support/lambda-fixtures';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);
const BASE = 'sidecar-connector';
const COUNT = 2;
const home = shardOf('acme', COUNT);
const other = (home + 1) % COUNT;

function shardDeps(shard: ShardEnv | undefined) {
  const registry = testTenants();
  const read = jest.spyOn(registry, 'tenant');
  const deps: ConnectorDeps = {
    registry,
    rolePrefix: PREFIX,
    clients: new ScopedClientCache({ stsRegion: REGION, durationSeconds: 1800, maxEntries: 100, cacheCredentials: true, masterCredentials: MASTER_CREDENTIALS }),
    logger: quietLogger(),
    shard,
  };
  return { deps, read };
}

beforeEach(() => {
  sts.reset();
  lambda.reset();
  sts.on(AssumeRoleCommand).callsFake(async () => assumeRoleOutput());
  lambda.on(InvokeCommand).resolves(invokeOutput({ hello: 'from the function' }));
});

describe('a connector shard', () => {
  test('serves a tenant of its own shard (allow)', async () => {
    const { deps, read } = shardDeps({ index: home, count: COUNT, baseName: BASE });

    const answer = await createConnectorHandler(deps)({ tenant: 'acme' }, lambdaContext());

    expect(answer).toMatchObject({ ok: true, tenant: 'acme' });
    expect(read).toHaveBeenCalledTimes(1);
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
  });

  test('refuses the same tenant at the other shard with WrongShard, before the registry or AWS (nearest deny)', async () => {
    const { deps, read } = shardDeps({ index: other, count: COUNT, baseName: BASE });

    const answer = await createConnectorHandler(deps)({ tenant: 'acme' }, lambdaContext());

    expect(answer).toEqual({ ok: false, error: { code: 'WrongShard', message: expect.stringContaining(`invoke ${BASE}-shard-${home}`) } });
    expect(read).not.toHaveBeenCalled();
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 0);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 0);
  });

  test('refuses an unknown tenant of another shard with WrongShard too: the shard check comes first', async () => {
    const stranger = ['t1', 't2', 't3', 't4', 't5', 't6'].find((t) => shardOf(t, COUNT) === other) as string;
    const { deps, read } = shardDeps({ index: home, count: COUNT, baseName: BASE });

    const answer = await createConnectorHandler(deps)({ tenant: stranger }, lambdaContext());

    expect(answer).toMatchObject({ ok: false, error: { code: 'WrongShard' } });
    expect(read).not.toHaveBeenCalled();
  });

  test('unsharded (no shard env): every tenant is served, as before', async () => {
    const { deps } = shardDeps(undefined);

    const answer = await createConnectorHandler(deps)({ tenant: 'acme' }, lambdaContext());

    expect(answer).toMatchObject({ ok: true });
  });

  test('the callers\' routing names the function that serves the tenant', () => {
    const config = { vendor: { connectorFunctionName: BASE, connectorShards: { count: COUNT } } };
    expect(connectorFunctionFor('acme', config)).toBe(`${BASE}-shard-${home}`);
    expect(connectorFunctionFor('acme', { vendor: { connectorFunctionName: BASE } })).toBe(BASE);
    expect(connectorFunctionFor('acme', { vendor: { connectorFunctionName: BASE, connectorShards: { count: 1 } } })).toBe(BASE);
  });
});

describe('the shard environment', () => {
  test('absent or count 1: unsharded', () => {
    expect(readShardEnv({})).toBeUndefined();
    expect(readShardEnv({ SIDECAR_SHARD_COUNT: '1', SIDECAR_SHARD_INDEX: '0' })).toBeUndefined();
  });

  test('index, count and base name when sharded', () => {
    expect(readShardEnv({ SIDECAR_SHARD_COUNT: '3', SIDECAR_SHARD_INDEX: '2', SIDECAR_SHARD_BASE_NAME: BASE })).toEqual({ index: 2, count: 3, baseName: BASE });
  });

  test.each([
    [{ SIDECAR_SHARD_COUNT: '3', SIDECAR_SHARD_INDEX: '3', SIDECAR_SHARD_BASE_NAME: BASE }, 'SIDECAR_SHARD_INDEX'],
    [{ SIDECAR_SHARD_COUNT: '3', SIDECAR_SHARD_BASE_NAME: BASE }, 'SIDECAR_SHARD_INDEX'],
    [{ SIDECAR_SHARD_COUNT: '3', SIDECAR_SHARD_INDEX: '1' }, 'SIDECAR_SHARD_BASE_NAME'],
    [{ SIDECAR_SHARD_COUNT: '65', SIDECAR_SHARD_INDEX: '1', SIDECAR_SHARD_BASE_NAME: BASE }, 'SIDECAR_SHARD_COUNT'],
  ])('%j fails the init naming %s', (env, variable) => {
    expect(() => readShardEnv(env)).toThrow(EnvironmentError);
    try { readShardEnv(env); } catch (e) { expect((e as EnvironmentError).variable).toBe(variable); }
  });
});
