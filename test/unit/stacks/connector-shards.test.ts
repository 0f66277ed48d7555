// ---------------------------------------------------------------------------
// Synth assertions on the connector's shards (vendor.connectorShards): one shard is exactly the
// connector of before (its name, no reservation, no shard variables); three shards are three
// functions named by the one naming rule, on the ONE connector execution role (the customers'
// trusts name it), each with the configured reservation and its shard variables, the role
// allowed to write every shard's logs, and the outputs listing them.
// ---------------------------------------------------------------------------
import { connectorFunctionFor, connectorShardFunctionNames } from '../../../rules/connector-routing';
import { connectorShardFunctionName } from '../../../rules/naming';
import { asList, localConfig, localStacks, parsePolicy, policiesOfRole, ref, resourceWhere, resourcesOf, synthApp, synthJson } from '../../support/synth';

const { config, vendorJson } = localStacks();

describe('connector shards: count 1 (the default)', () => {
  test('one connector function under the configured name, no reservation, no shard variables', () => {
    const functions = Object.values(resourcesOf(vendorJson, 'aws_lambda_function')).map((f) => f.function_name);
    expect(functions.sort()).toEqual([config.vendor.connectorFunctionName, config.vendor.vendFunctionName].sort());
    const connector = resourceWhere(vendorJson, 'aws_lambda_function', 'function_name', config.vendor.connectorFunctionName).attrs;
    expect(connector.reserved_concurrent_executions).toBeUndefined();
    expect(Object.keys(connector.environment.variables).filter((k) => k.startsWith('SIDECAR_SHARD_'))).toEqual([]);
    expect(config.vendor.connectorShards).toEqual({ count: 1 });
    expect(connectorShardFunctionNames(config)).toEqual([config.vendor.connectorFunctionName]);
    for (const t of config.tenants) expect(connectorFunctionFor(t.id, config)).toBe(config.vendor.connectorFunctionName);
  });
});

describe('connector shards: count 3 with a reservation', () => {
  const sharded = localConfig((raw) => { raw.vendor.connectorShards = { count: 3, reservedConcurrency: 2 }; });
  const json = synthJson(synthApp({ config: sharded }).vendor);
  const base = sharded.vendor.connectorFunctionName;
  const names = [0, 1, 2].map((i) => connectorShardFunctionName(base, i, 3));

  test('three connector functions named <base>-shard-<n>, and vend', () => {
    expect(names).toEqual([`${base}-shard-0`, `${base}-shard-1`, `${base}-shard-2`]);
    const functions = Object.values(resourcesOf(json, 'aws_lambda_function')).map((f) => f.function_name);
    expect(functions.sort()).toEqual([...names, sharded.vendor.vendFunctionName].sort());
  });

  test('all three run as the ONE connector execution role: no role is added', () => {
    const roles = Object.values(resourcesOf(json, 'aws_iam_role')).map((r) => r.name);
    expect(roles.sort()).toEqual([sharded.vendor.connectorRoleName, sharded.vendor.vendRoleName].sort());
    const role = resourceWhere(json, 'aws_iam_role', 'name', sharded.vendor.connectorRoleName);
    for (const name of names) expect(resourceWhere(json, 'aws_lambda_function', 'function_name', name).attrs.role).toBe(ref('aws_iam_role', role.id, 'arn'));
  });

  test('each shard reserves the configured concurrency and knows its index, the count and the base name', () => {
    names.forEach((name, index) => {
      const fn = resourceWhere(json, 'aws_lambda_function', 'function_name', name).attrs;
      expect(fn.reserved_concurrent_executions).toBe(2);
      expect(fn.environment.variables).toMatchObject({ SIDECAR_SHARD_INDEX: String(index), SIDECAR_SHARD_COUNT: '3', SIDECAR_SHARD_BASE_NAME: base, SIDECAR_REGISTRY_TABLE: sharded.vendor.registryTableName });
    });
    const vend = resourceWhere(json, 'aws_lambda_function', 'function_name', sharded.vendor.vendFunctionName).attrs;
    expect(vend.reserved_concurrent_executions).toBeUndefined();
  });

  test('the shared role may write every shard\'s logs, and nothing more than before', () => {
    const { id } = resourceWhere(json, 'aws_iam_role', 'name', sharded.vendor.connectorRoleName);
    const { inline } = policiesOfRole(json, id);
    expect(inline.map((p) => p.name).sort()).toEqual(['assume-sidecar-connector-roles', 'read-tenant-registry', 'write-own-logs', 'write-shard-logs']);
    const logResources = inline.flatMap((p) => parsePolicy(p.policy).Statement).filter((s) => asList(s.Action).some((a) => a.startsWith('logs:'))).flatMap((s) => asList(s.Resource));
    for (const name of names) expect(logResources.some((r) => r.includes(`:log-group:/aws/lambda/${name}:log-stream:*`))).toBe(true);
  });

  test('outputs keep connector_function_name/_arn (shard 0) and list every shard', () => {
    const shard0 = resourceWhere(json, 'aws_lambda_function', 'function_name', names[0]).id;
    expect(json.output?.connector_function_name).toEqual({ value: ref('aws_lambda_function', shard0, 'function_name') });
    expect(json.output?.connector_function_arn).toEqual({ value: ref('aws_lambda_function', shard0, 'arn') });
    const listed = json.output?.connector_shard_function_names.value as string[];
    expect(listed).toHaveLength(3);
    names.forEach((name, i) => expect(listed[i]).toBe(ref('aws_lambda_function', resourceWhere(json, 'aws_lambda_function', 'function_name', name).id, 'function_name')));
  });

  test('callers route each tenant to one of the three shards', () => {
    for (const t of sharded.tenants) expect(names).toContain(connectorFunctionFor(t.id, sharded));
  });
});
