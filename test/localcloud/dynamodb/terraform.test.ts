// ---------------------------------------------------------------------------
// The real Terraform AWS provider (hashicorp/aws 5.100.0, from the offline mirror) manages a
// DynamoDB table and an item in the local cloud: the tenant registry's shape. Cases, in order:
//   apply: aws_dynamodb_table (PAY_PER_REQUEST, hash key, point-in-time recovery on, tags) and
//     aws_dynamodb_table_item; the SDK then sees the table ACTIVE, PITR on, the tags and the item;
//     the provider called what PROVIDER-API.md lists for it (read from the request log)
//   plan -detailed-exitcode: 0 (what DescribeTable & co. answer matches the configuration)
//   update: a changed tag (TagResource/UntagResource) and a changed item (UpdateItem with the
//     legacy AttributeUpdates, which the provider uses)
//   destroy: DeleteItem, DeleteTable, then DescribeTable until ResourceNotFoundException
// ---------------------------------------------------------------------------
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeContinuousBackupsCommand, DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTagsOfResourceCommand,
} from '@aws-sdk/client-dynamodb';
import { terraformEnv } from '../../../scripts/terraform-env';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';

// terraform init, apply, plan and destroy on a loaded machine: generous, explicit.
jest.setTimeout(300_000);

const TABLE = 'tf-tenant-registry';

let cloud: TestCloud;
let dir: string;
let env: NodeJS.ProcessEnv;
let ddb: DynamoDBClient;

interface RunResult { code: number; output: string }

/** Run terraform in the working folder; never throws for a non-zero exit (the test asserts it). */
function terraform(args: string[], timeoutMs = 280_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('terraform', args, { cwd: dir, env, timeout: timeoutMs, maxBuffer: 20 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

/** The configuration, as JSON: the provider pointed at the local cloud the way the local target does it. */
function configuration(tagValue: string, itemValue: string): string {
  const account = cloud.accounts.vendor;
  return JSON.stringify({
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } },
    provider: {
      aws: {
        region: 'us-east-1', access_key: account.accessKeyId, secret_key: account.secretAccessKey,
        skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, max_retries: 1,
        endpoints: { dynamodb: cloud.url, iam: cloud.url, sts: cloud.url },
      },
    },
    resource: {
      aws_dynamodb_table: {
        registry: {
          name: TABLE, billing_mode: 'PAY_PER_REQUEST', hash_key: 'tenantId',
          attribute: [{ name: 'tenantId', type: 'S' }],
          point_in_time_recovery: { enabled: true },
          tags: { Project: 'sidecar', Stage: tagValue },
        },
      },
      aws_dynamodb_table_item: {
        tenant: {
          table_name: '${aws_dynamodb_table.registry.name}', hash_key: '${aws_dynamodb_table.registry.hash_key}',
          item: JSON.stringify({ tenantId: { S: 'customer-a' }, roleArn: { S: itemValue } }),
        },
      },
    },
  }, null, 2);
}

/** The operations the cloud served, in order, from its request log. */
function servedOperations(): string[] {
  return readFileSync(cloud.logFile, 'utf8').split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try {
      const line = JSON.parse(l) as { awsService?: string; operation?: string };
      return line.awsService === 'dynamodb' ? [String(line.operation)] : [];
    } catch {
      return [];
    }
  });
}

beforeAll(async () => {
  cloud = await startTestCloud();
  dir = mkdtempSync(join(tmpdir(), 'dynamodb-tf-'));
  env = { ...terraformEnv({ cliConfigFile: join(dir, 'terraform.tfrc') }).env, TF_DATA_DIR: join(dir, '.terraform') };
  writeFileSync(join(dir, 'main.tf.json'), configuration('one', 'arn:aws:iam::111111111111:role/tibco_sidecar_connector'));
  ddb = new DynamoDBClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
  const init = await terraform(['init', '-input=false', '-no-color']);
  if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
}, 300_000);

afterAll(async () => {
  await cloud?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The steps build on each other; each test states one behaviour of the lifecycle.

test('terraform apply creates the table (PAY_PER_REQUEST, PITR on, tags) and its item', async () => {
  const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
  expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
  expect(apply.output).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');

  const t = (await ddb.send(new DescribeTableCommand({ TableName: TABLE }))).Table!;
  expect(t).toMatchObject({ TableStatus: 'ACTIVE', BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' }, KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }] });
  const pitr = await ddb.send(new DescribeContinuousBackupsCommand({ TableName: TABLE }));
  expect(pitr.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus).toBe('ENABLED');
  const tags = (await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: t.TableArn }))).Tags;
  expect(tags).toEqual(expect.arrayContaining([{ Key: 'Project', Value: 'sidecar' }, { Key: 'Stage', Value: 'one' }]));
  const item = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { tenantId: { S: 'customer-a' } } }));
  expect(item.Item?.roleArn).toEqual({ S: 'arn:aws:iam::111111111111:role/tibco_sidecar_connector' });
});

test('the provider called the control plane PROVIDER-API.md lists, and PutItem with attribute_not_exists', () => {
  // The provider's calls, then the test's own SDK reads (DescribeTable, DescribeContinuousBackups, ListTagsOfResource, GetItem).
  const served = servedOperations();
  expect(served.slice(0, 4)).toEqual(['CreateTable', 'DescribeTable', 'UpdateContinuousBackups', 'DescribeContinuousBackups']);
  expect(new Set(served)).toEqual(new Set(['CreateTable', 'DescribeTable', 'UpdateContinuousBackups', 'DescribeContinuousBackups', 'DescribeTimeToLive', 'ListTagsOfResource', 'PutItem', 'GetItem']));
});

test('terraform plan -detailed-exitcode finds nothing to change (exit 0)', async () => {
  const plan = await terraform(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
  expect({ code: plan.code, output: plan.code === 0 ? '' : plan.output }).toEqual({ code: 0, output: '' });
  expect(plan.output).toContain('No changes.');
});

test('terraform apply of a changed tag and item updates both in place', async () => {
  writeFileSync(join(dir, 'main.tf.json'), configuration('two', 'arn:aws:iam::111111111111:role/tibco_sidecar_connector-orders'));
  const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
  expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
  expect(apply.output).toContain('Apply complete! Resources: 0 added, 2 changed, 0 destroyed.');

  const arn = (await ddb.send(new DescribeTableCommand({ TableName: TABLE }))).Table!.TableArn;
  expect((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags).toEqual(expect.arrayContaining([{ Key: 'Stage', Value: 'two' }]));
  const item = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { tenantId: { S: 'customer-a' } } }));
  expect(item.Item?.roleArn).toEqual({ S: 'arn:aws:iam::111111111111:role/tibco_sidecar_connector-orders' });
  expect(servedOperations()).toEqual(expect.arrayContaining(['TagResource', 'UpdateItem']));
});

test('terraform destroy removes the item and the table', async () => {
  const before = servedOperations().length;
  const destroy = await terraform(['destroy', '-auto-approve', '-input=false', '-no-color']);
  expect({ code: destroy.code, output: destroy.code === 0 ? '' : destroy.output }).toEqual({ code: 0, output: '' });
  expect(destroy.output).toContain('Destroy complete! Resources: 2 destroyed.');
  // The item first, then the table, then the provider's wait until DescribeTable answers not found.
  expect(servedOperations().slice(before).slice(-3)).toEqual(['DeleteItem', 'DeleteTable', 'DescribeTable']);
  await expect(ddb.send(new DescribeTableCommand({ TableName: TABLE }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});
