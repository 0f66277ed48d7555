// ---------------------------------------------------------------------------
// The real Terraform AWS provider 5.100.0 against the local cloud (offline, from the filesystem
// mirror that scripts/terraform-env.ts finds): a small hand-written config with aws_iam_role,
// aws_iam_role_policy, aws_iam_policy, aws_iam_role_policy_attachment and
// data.aws_caller_identity. Cases: apply; a re-plan shows no change (exit 0); an update (new
// managed policy version, new role tags, new inline document) applies and re-plans clean;
// destroy leaves no role or policy behind.
// ---------------------------------------------------------------------------
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand, IAMClient, ListPolicyVersionsCommand, GetPolicyCommand } from '@aws-sdk/client-iam';
import { terraformEnv } from '../../../scripts/terraform-env';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';

jest.setTimeout(300_000);

interface RunResult { code: number; stdout: string; stderr: string }

let cloud: TestCloud;
let dir: string;
let env: NodeJS.ProcessEnv;
let account: string;

function terraform(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('terraform', [...args, '-no-color', '-input=false'], { cwd: dir, env, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function mustSucceed(args: string[]): Promise<string> {
  const r = await terraform(args);
  if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

function writeConfig(version: 1 | 2): void {
  const creds = cloud.credentialsFor('customer-a');
  const invokeResource = `arn:aws:lambda:us-east-1:${account}:function:${version === 1 ? 'sidecar-echo' : 'sidecar-echo+v2'}`;
  const config = {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '5.100.0' } } },
    provider: {
      aws: [{
        region: 'us-east-1', access_key: creds.accessKeyId, secret_key: creds.secretAccessKey,
        skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true,
        max_retries: 1, endpoints: [{ iam: cloud.url, sts: cloud.url, lambda: cloud.url }],
      }],
    },
    data: { aws_caller_identity: { me: {} } },
    resource: {
      aws_iam_role: {
        exec: {
          name: 'tf-exec-role',
          description: version === 1 ? 'first' : 'second',
          max_session_duration: 7200,
          assume_role_policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Lambda', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': account } } }] }),
          tags: version === 1 ? { stage: 'one' } : { stage: 'two', extra: 'yes' },
        },
      },
      aws_iam_role_policy: {
        invoke: {
          name: 'invoke', role: '${aws_iam_role.exec.id}',
          policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Invoke', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: invokeResource }] }),
        },
      },
      aws_iam_policy: {
        logs: {
          name: 'tf-logs', description: 'logs',
          policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Logs', Effect: 'Allow', Action: version === 1 ? ['logs:CreateLogGroup'] : ['logs:CreateLogGroup', 'logs:PutLogEvents'], Resource: '*' }] }),
        },
      },
      aws_iam_role_policy_attachment: { logs: { role: '${aws_iam_role.exec.name}', policy_arn: '${aws_iam_policy.logs.arn}' } },
    },
    output: { account_id: { value: '${data.aws_caller_identity.me.account_id}' }, role_arn: { value: '${aws_iam_role.exec.arn}' } },
  };
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify(config, null, 2));
}

beforeAll(async () => {
  cloud = await startTestCloud();
  account = cloud.accounts['customer-a'].accountId;
  dir = mkdtempSync(join(tmpdir(), 'localcloud-tf-'));
  const tf = terraformEnv({ cliConfigFile: join(dir, 'terraform.tfrc') });
  if (!tf.mirrorRoot) throw new Error(`these tests run Terraform offline and need the provider mirror: ${tf.notices.join(' ')}`);
  env = { ...tf.env, TF_DATA_DIR: join(dir, '.terraform') };
  writeConfig(1);
  await mustSucceed(['init']);
});

afterAll(async () => {
  await cloud?.close();
});

// The cases build on each other, in order: apply, re-plan, update, re-plan, destroy.

test('terraform apply creates the role, inline policy, managed policy and attachment', async () => {
  const out = await mustSucceed(['apply', '-auto-approve']);
  expect(out).toContain('Apply complete! Resources: 4 added, 0 changed, 0 destroyed.');
  expect(out).toContain(`account_id = "${account}"`);
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  const role = await iam.send(new GetRoleCommand({ RoleName: 'tf-exec-role' }));
  expect(role.Role).toMatchObject({ MaxSessionDuration: 7200, Description: 'first' });
});

test('a second plan right after apply shows no change (exit code 0)', async () => {
  const r = await terraform(['plan', '-detailed-exitcode']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});

test('an update applies in place: a new policy version, tags, description and inline document', async () => {
  writeConfig(2);
  const plan = await terraform(['plan', '-detailed-exitcode']);
  expect(plan.code).toBe(2);
  const out = await mustSucceed(['apply', '-auto-approve']);
  expect(out).toContain('0 added, 3 changed, 0 destroyed');
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  const arn = `arn:aws:iam::${account}:policy/tf-logs`;
  expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe('v2');
  expect((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions).toHaveLength(2);
});

test('a plan after the update shows no change (exit code 0)', async () => {
  const r = await terraform(['plan', '-detailed-exitcode']);
  expect(r.code).toBe(0);
});

test('terraform destroy removes everything it created', async () => {
  const out = await mustSucceed(['destroy', '-auto-approve']);
  expect(out).toContain('Destroy complete! Resources: 4 destroyed.');
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  expect((await refusalOf(iam.send(new GetRoleCommand({ RoleName: 'tf-exec-role' })))).code).toBe('NoSuchEntity');
  expect((await refusalOf(iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${account}:policy/tf-logs` })))).code).toBe('NoSuchEntity');
});
