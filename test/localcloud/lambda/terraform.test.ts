// ---------------------------------------------------------------------------
// The real Terraform AWS provider (hashicorp/aws 5.100.0, from the offline mirror) deploys a
// function into the local cloud, plans no change, and destroys it. One function only: the
// provider waits 5 s after every function create or update. Cases, in order:
//   apply: aws_iam_role + aws_lambda_function (zip, nodejs22.x, environment, timeout, memory,
//          reserved_concurrent_executions = 2: PutFunctionConcurrency after the create)
//          + aws_lambda_permission (vendor account)
//   the deployed function runs (SDK Invoke) with the configured environment, and the vendor
//     may invoke it because of the permission Terraform added
//   plan -detailed-exitcode: 0 (nothing to change; the reservation is read from GetFunction's Concurrency)
//   apply with reserved_concurrent_executions = -1 (unreserved): DeleteFunctionConcurrency, then no change planned
//   destroy: function, permission and role are gone
// ---------------------------------------------------------------------------
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, GetFunctionConcurrencyCommand, GetPolicyCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { handlerZip } from '../../support/localcloud-zips';
import { terraformEnv } from '../../../scripts/terraform-env';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';

jest.setTimeout(240_000);

const FUNCTION_NAME = 'tf-managed';
const ROLE_NAME = 'tf-managed-exec';

let cloud: TestCloud;
let dir: string;
let env: NodeJS.ProcessEnv;
let lambda: LambdaClient;

interface RunResult { code: number; output: string }

/** Run terraform in the working folder; never throws for a non-zero exit (the test asserts it). */
function terraform(args: string[], timeoutMs = 180_000): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('terraform', args, { cwd: dir, env, timeout: timeoutMs, maxBuffer: 20 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}\n${stderr}` });
    });
  });
}

function configuration(endpoint: string, accessKey: string, secretKey: string, vendorAccountId: string): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "${accessKey}"
  secret_key                  = "${secretKey}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  max_retries                 = 1
  endpoints {
    iam    = "${endpoint}"
    sts    = "${endpoint}"
    lambda = "${endpoint}"
  }
}

resource "aws_iam_role" "exec" {
  name = "${ROLE_NAME}"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

variable "reserved_concurrency" {
  type    = number
  default = 2
}

resource "aws_lambda_function" "fn" {
  function_name    = "${FUNCTION_NAME}"
  filename         = "\${path.module}/function.zip"
  source_code_hash = filebase64sha256("\${path.module}/function.zip")
  handler          = "index.handler"
  runtime          = "nodejs22.x"
  role             = aws_iam_role.exec.arn
  timeout          = 12
  memory_size      = 256
  reserved_concurrent_executions = var.reserved_concurrency
  environment {
    variables = { GREETING = "from-terraform" }
  }
}

resource "aws_lambda_permission" "vendor" {
  statement_id  = "AllowVendorInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "arn:aws:iam::${vendorAccountId}:root"
}
`;
}

beforeAll(async () => {
  cloud = await startTestCloud();
  dir = mkdtempSync(join(tmpdir(), 'lambda-tf-'));
  // The machine's TF_CLI_CONFIG_FILE may point at a missing file: terraformEnv writes our own,
  // pointing at the offline provider mirror.
  env = { ...terraformEnv({ cliConfigFile: join(dir, 'terraform.tfrc') }).env, TF_DATA_DIR: join(dir, '.terraform') };
  const customer = cloud.accounts['customer-a'];
  writeFileSync(join(dir, 'function.zip'), await handlerZip('exports.handler = async (event) => ({ greeting: process.env.GREETING, event });'));
  writeFileSync(join(dir, 'main.tf'), configuration(cloud.url, customer.accessKeyId, customer.secretAccessKey, cloud.accounts.vendor.accountId));
  lambda = new LambdaClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  const init = await terraform(['init', '-input=false', '-no-color']);
  if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
});

afterAll(async () => {
  await cloud?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The steps build on each other; each test states one behaviour of the lifecycle.

test('terraform apply creates the role, the function and its permission', async () => {
  const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color']);
  expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
  expect(apply.output).toContain('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.');
});

test('the deployed function has the configuration Terraform declared', async () => {
  const fn = await lambda.send(new GetFunctionCommand({ FunctionName: FUNCTION_NAME }));
  expect(fn.Configuration).toMatchObject({
    Runtime: 'nodejs22.x', Handler: 'index.handler', Timeout: 12, MemorySize: 256, Environment: { Variables: { GREETING: 'from-terraform' } },
    Role: `arn:aws:iam::${cloud.accounts['customer-a'].accountId}:role/${ROLE_NAME}`,
  });
  expect(fn.Concurrency).toEqual({ ReservedConcurrentExecutions: 2 });
});

test('the deployed function runs with its environment', async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: FUNCTION_NAME, Payload: Buffer.from('{"n":1}') }));
  expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ greeting: 'from-terraform', event: { n: 1 } });
});

test('the permission Terraform added lets the vendor account invoke the function', async () => {
  const policy = await lambda.send(new GetPolicyCommand({ FunctionName: FUNCTION_NAME }));
  expect(JSON.parse(policy.Policy!).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['AllowVendorInvoke']);
  const vendor = new LambdaClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
  const fnArn = `arn:aws:lambda:us-east-1:${cloud.accounts['customer-a'].accountId}:function:${FUNCTION_NAME}`;
  const out = await vendor.send(new InvokeCommand({ FunctionName: fnArn, Payload: Buffer.from('{}') }));
  expect(out.StatusCode).toBe(200);
});

test('terraform plan -detailed-exitcode finds nothing to change (exit 0)', async () => {
  const plan = await terraform(['plan', '-detailed-exitcode', '-input=false', '-no-color']);
  expect({ code: plan.code, output: plan.code === 0 ? '' : plan.output }).toEqual({ code: 0, output: '' });
  expect(plan.output).toContain('No changes.');
});

test('reserved_concurrent_executions = -1 removes the reservation (DeleteFunctionConcurrency), and then plans no change', async () => {
  const apply = await terraform(['apply', '-auto-approve', '-input=false', '-no-color', '-var', 'reserved_concurrency=-1']);
  expect({ code: apply.code, output: apply.code === 0 ? '' : apply.output }).toEqual({ code: 0, output: '' });
  expect(apply.output).toContain('Apply complete! Resources: 0 added, 1 changed, 0 destroyed.');
  expect((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: FUNCTION_NAME }))).ReservedConcurrentExecutions).toBeUndefined();
  expect((await lambda.send(new GetFunctionCommand({ FunctionName: FUNCTION_NAME }))).Concurrency).toBeUndefined();
  const plan = await terraform(['plan', '-detailed-exitcode', '-input=false', '-no-color', '-var', 'reserved_concurrency=-1']);
  expect({ code: plan.code, output: plan.code === 0 ? '' : plan.output }).toEqual({ code: 0, output: '' });
});

test('terraform destroy removes the function, its permission and the role', async () => {
  const destroy = await terraform(['destroy', '-auto-approve', '-input=false', '-no-color', '-var', 'reserved_concurrency=-1']);
  expect({ code: destroy.code, output: destroy.code === 0 ? '' : destroy.output }).toEqual({ code: 0, output: '' });
  expect(destroy.output).toContain('Destroy complete! Resources: 3 destroyed.');
  await expect(lambda.send(new GetFunctionCommand({ FunctionName: FUNCTION_NAME }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  await expect(iam.send(new GetRoleCommand({ RoleName: ROLE_NAME }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
});
