// ---------------------------------------------------------------------------
// Synth assertions on each stack's provider and state backend per target: local (every endpoint
// on the local cloud with that account's keys, LOCALCLOUD_PORT, state beside the local cloud) and
// aws (a profile or assumed role per account, allowed_account_ids, nothing local); and the guards
// on the accounts config.
// ---------------------------------------------------------------------------
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { PROJECT_ROOT } from '../../../config/load';
import { CustomerStack } from '../../../modules/customer-stack';
import { StackConfigError } from '../../../modules/stack-config-error';
import { VendorStack } from '../../../modules/vendor-stack';
import { awsConfig, localStacks, parsePolicy, resourcesOf, synthApp, synthJson, unvalidated } from '../../support/synth';

const { config, customerB, vendorJson, customerJson } = localStacks();

// ---------------------------------------------------------------------------
// Provider and backend per target
// ---------------------------------------------------------------------------

describe('provider and state per target', () => {
  test.each([['vendor'], ['customer-a'], ['customer-b']])('local: %s points iam, sts, lambda and dynamodb at the local cloud with its own account\'s keys', (stack) => {
    const json = stack === 'vendor' ? vendorJson : customerJson[stack];
    const account = config.accounts[stack] as { accessKeyId: string; secretAccessKey: string };
    expect(json.provider?.aws).toEqual([{
      region: 'us-east-1',
      access_key: account.accessKeyId,
      secret_key: account.secretAccessKey,
      endpoints: [{ iam: 'http://127.0.0.1:4510', sts: 'http://127.0.0.1:4510', lambda: 'http://127.0.0.1:4510', dynamodb: 'http://127.0.0.1:4510' }],
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: 'true',
      skip_region_validation: true,
      max_retries: 1,
    }]);
  });

  test('local: LOCALCLOUD_PORT moves every endpoint, still on 127.0.0.1', () => {
    const { vendor } = synthApp({ config, env: { LOCALCLOUD_PORT: '4777' } });
    expect(synthJson(vendor).provider?.aws?.[0].endpoints).toEqual([{ iam: 'http://127.0.0.1:4777', sts: 'http://127.0.0.1:4777', lambda: 'http://127.0.0.1:4777', dynamodb: 'http://127.0.0.1:4777' }]);
  });

  test('local: a LOCALCLOUD_PORT that is not a port is refused', () => {
    expect(() => synthApp({ config, env: { LOCALCLOUD_PORT: '45x0' } })).toThrow(/LOCALCLOUD_PORT must be a TCP port number 1-65535 \(got "45x0"\)/);
    expect(() => synthApp({ config, env: { LOCALCLOUD_PORT: '70000' } })).toThrow(StackConfigError);
  });

  test('local: state lives beside the local cloud, one file per stack', () => {
    expect(vendorJson.terraform?.backend?.local?.path).toBe(join(PROJECT_ROOT, '.localcloud', 'tfstate', 'vendor.tfstate'));
    expect(customerJson['customer-a'].terraform?.backend?.local?.path).toBe(join(PROJECT_ROOT, '.localcloud', 'tfstate', 'customer-a.tfstate'));
  });

  test('SIDECAR_TFSTATE_DIR moves the state files', () => {
    const { customers } = synthApp({ config, env: { SIDECAR_TFSTATE_DIR: '/tmp/sidecar-state' } });
    expect(synthJson(customers[1]).terraform?.backend?.local?.path).toBe('/tmp/sidecar-state/customer-b.tfstate');
  });

  describe('aws target', () => {
    const aws = awsConfig();
    const deployed = synthApp({ config: aws, target: 'aws' });

    test('each stack uses its account\'s profile and may deploy only into that account', () => {
      expect(synthJson(deployed.vendor).provider?.aws).toEqual([{ region: 'eu-west-1', profile: 'sidecar-vendor', allowed_account_ids: ['809167139867'] }]);
      expect(synthJson(deployed.customers[0]).provider?.aws).toEqual([{ region: 'eu-west-1', profile: 'sidecar-customer-a', allowed_account_ids: ['444455556666'] }]);
    });

    test('no endpoints, keys or skip flags reach a real-account provider', () => {
      const provider = synthJson(deployed.vendor).provider?.aws?.[0] ?? {};
      for (const key of ['endpoints', 'access_key', 'secret_key', 'skip_requesting_account_id', 'skip_credentials_validation', 'max_retries']) expect(provider).not.toHaveProperty(key);
    });

    test('an account given by assumeRoleArn gets assume_role with a named session', () => {
      const cfg = awsConfig((raw) => { raw.accounts['customer-a'] = { accountId: '444455556666', assumeRoleArn: 'arn:aws:iam::444455556666:role/deployer' }; });
      const { customers } = synthApp({ config: cfg, target: 'aws' });
      expect(synthJson(customers[0]).provider?.aws).toEqual([{
        region: 'eu-west-1',
        assume_role: [{ role_arn: 'arn:aws:iam::444455556666:role/deployer', session_name: 'sidecar-deploy-customer-a' }],
        allowed_account_ids: ['444455556666'],
      }]);
    });

    test('state is terraform.<stack>.tfstate in the project root', () => {
      expect(synthJson(deployed.vendor).terraform?.backend?.local?.path).toBe(join(PROJECT_ROOT, 'terraform.vendor.tfstate'));
    });

    test('dynamic onboarding from aws.example.json reaches the prefixed roles in any account', () => {
      const json = synthJson(deployed.vendor);
      const policies = Object.values(resourcesOf(json, 'aws_iam_role_policy')).filter((p) => p.name === 'assume-sidecar-connector-roles');
      expect(policies).toHaveLength(2);
      for (const p of policies) expect(parsePolicy(p.policy).Statement[0].Resource).toBe('arn:aws:iam::*:role/tibco_sidecar_connector*');
    });
  });
});

// ---------------------------------------------------------------------------
// Guards: each refusal of the provider's account config
// ---------------------------------------------------------------------------

describe('guards', () => {
  const app = () => Testing.app();

  test('a stack without an accounts entry is refused', () => {
    const bad = unvalidated(config, (c) => { delete c.accounts.vendor; });
    expect(() => new VendorStack(app(), { config: bad, target: 'local', env: {} })).toThrow('config.accounts has no entry "vendor"');
  });

  test('the local target refuses an account without local keys', () => {
    const bad = unvalidated(config, (c) => { c.accounts['customer-b'] = { accountId: customerB.accountId, profile: 'b' }; });
    expect(() => new CustomerStack(app(), { config: bad, target: 'local', customerName: 'customer-b', env: {} })).toThrow('accounts.customer-b: the local target needs the local cloud root keys (accessKeyId, secretAccessKey)');
  });

  test('the aws target refuses an account given by keys', () => {
    expect(() => new VendorStack(app(), { config, target: 'aws', env: {} })).toThrow('accounts.vendor: the aws target takes a profile or assumeRoleArn, never keys in a file');
  });

});
