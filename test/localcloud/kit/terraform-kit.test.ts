// ---------------------------------------------------------------------------
// The customer kit's Terraform module (scripts/kit/), APPLIED with the real terraform and the real
// AWS provider 5.100.0 (offline, from the mirror) into a local cloud, for a customer account whose
// function already exists (created through the SDK first, as a customer's would be). Then the role
// is used the way the vendor uses it: a role of the vendor account named in vendor_principal_arns
// assumes it with the external ID and the tenant as SourceIdentity (an IAM user of the vendor
// assumes that role first: root may not assume roles, in AWS or here). Cases:
//   - apply creates the role; a second plan shows no change (each its own test: terraform is slow
//     on a loaded machine, and each test has 300 s);
//   - right external ID + tenant -> Invoke of the listed function succeeds;
//   - wrong external ID -> AccessDenied; another tenant as SourceIdentity -> AccessDenied;
//   - a vendor role NOT in vendor_principal_arns, right external ID -> AccessDenied;
//   - the session can invoke nothing but the listed function (another existing one -> AccessDeniedException);
//   - a role_name outside the prefix is refused by the module's validation before any call.
// ---------------------------------------------------------------------------
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { terraformEnv } from '../../../scripts/terraform-env';
import { createTestUser, startTestCloud, type Credentials, type TestCloud, type TestUser } from '../../../scripts/lib/child-cloud';
import { buildCustomerKit, writeCustomerKit, TERRAFORM_DIR } from '../../../scripts/kit/customer-kit';
import { DEFAULT_ROLE_PREFIX, accountRootArn, functionArn, prefixedRoleArnPattern, roleArn } from '../../../rules/naming';
import { createRole, handlerZip } from '../../support/localcloud-zips';
import { refusalOf } from '../../support/refusal';

jest.setTimeout(300_000);

const TENANT = 'kit-tenant';
const EXTERNAL_ID = 'sc-test-kit-apply-Zx5Cv1Bn7Mq0Wq2T';
const ROLE_NAME = `${DEFAULT_ROLE_PREFIX}-kit`;
const REGION = 'us-east-1';

let cloud: TestCloud;
let dir: string;
let env: NodeJS.ProcessEnv;
let vendor: string;
let customer: string;
let allowedVendorRole: string;
let otherVendorRole: string;
/** A vendor operator (root may not assume roles): assumes the two vendor roles. */
let operator: TestUser;

interface RunResult { code: number; stdout: string; stderr: string }

function terraform(args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile('terraform', [...args, '-no-color', '-input=false'], { cwd: dir, env, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function mustSucceed(args: string[]): Promise<string> {
  const r = await terraform(args);
  if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** The root configuration: the customer's provider (the local cloud) and the kit's module. */
function writeRoot(roleName: string): void {
  const creds = cloud.credentialsFor('customer-a');
  writeFileSync(join(dir, 'main.tf.json'), JSON.stringify({
    provider: {
      aws: [{
        region: REGION, access_key: creds.accessKeyId, secret_key: creds.secretAccessKey,
        skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true, skip_region_validation: true,
        max_retries: 1, endpoints: [{ iam: cloud.url, sts: cloud.url, lambda: cloud.url }],
      }],
    },
    module: {
      sidecar_connector_role: {
        source: `./kit/${TERRAFORM_DIR}`,
        external_id: EXTERNAL_ID,
        vendor_account_id: vendor,
        vendor_principal_arns: [allowedVendorRole],
        tenant_ids: [TENANT],
        function_arns: [functionArn(REGION, customer, 'customer-existing')],
        role_name: roleName,
      },
    },
    output: { role_arn: { value: '${module.sidecar_connector_role.role_arn}' } },
  }, null, 2));
}

/** A session of a vendor role (a principal of the vendor account); this hop must succeed. */
async function vendorSession(vendorRole: string): Promise<Credentials> {
  const sts = new STSClient(cloud.clientConfig(operator.credentials));
  const hop = await sts.send(new AssumeRoleCommand({ RoleArn: vendorRole, RoleSessionName: 'kit-test-vendor' }));
  return { accessKeyId: hop.Credentials!.AccessKeyId!, secretAccessKey: hop.Credentials!.SecretAccessKey!, sessionToken: hop.Credentials!.SessionToken! };
}

/** The vendor role's session -> the customer's role made by the kit. */
async function assumeCustomerRole(session: Credentials, input: Partial<AssumeRoleCommandInput>): Promise<Credentials> {
  const sts = new STSClient(cloud.clientConfig(session));
  const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn(customer, ROLE_NAME), RoleSessionName: `sidecar-connector-${TENANT}`, ...input }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

async function invoke(credentials: Credentials, name: string) {
  return new LambdaClient(cloud.clientConfig(credentials)).send(new InvokeCommand({ FunctionName: functionArn(REGION, customer, name), Payload: Buffer.from('{}') }));
}

beforeAll(async () => {
  cloud = await startTestCloud();
  vendor = cloud.accounts.vendor.accountId;
  customer = cloud.accounts['customer-a'].accountId;

  // The customer's functions exist before the kit: the one the vendor may call, and another.
  const customerIam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  const exec = await createRole(customerIam, 'customer-existing-exec');
  const lambda = new LambdaClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  for (const name of ['customer-existing', 'customer-other']) {
    await lambda.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: 'nodejs22.x', Role: exec, Handler: 'index.handler',
      Code: { ZipFile: await handlerZip(`exports.handler = async () => ({ from: ${JSON.stringify(name)} });`) },
    }));
  }

  // The vendor's side: two roles its root may assume; only the first is in vendor_principal_arns.
  const vendorIam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('vendor')));
  const trustRoot = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: accountRootArn(vendor) }, Action: 'sts:AssumeRole' }] });
  const assume = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'AssumePrefixed', Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'], Resource: prefixedRoleArnPattern(customer, DEFAULT_ROLE_PREFIX) }] });
  allowedVendorRole = await createRole(vendorIam, 'kit-test-connector', trustRoot);
  otherVendorRole = await createRole(vendorIam, 'kit-test-other', trustRoot);
  for (const name of ['kit-test-connector', 'kit-test-other']) await vendorIam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'assume', PolicyDocument: assume }));
  operator = await createTestUser(cloud, 'vendor', 'kit-test-operator', {
    Version: '2012-10-17', Statement: [{ Sid: 'AssumeTheVendorRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [allowedVendorRole, otherVendorRole] }],
  });

  // The kit, as the vendor hands it over, and a root configuration that uses its module.
  dir = mkdtempSync(join(tmpdir(), 'kit-tf-'));
  writeCustomerKit(join(dir, 'kit'), buildCustomerKit({
    tenantId: TENANT, externalId: EXTERNAL_ID, vendorAccountId: vendor, vendorPrincipalArns: [allowedVendorRole],
    rolePrefix: DEFAULT_ROLE_PREFIX, roleArn: roleArn(customer, ROLE_NAME), functionArns: [functionArn(REGION, customer, 'customer-existing')],
  }));
  const tf = terraformEnv({ cliConfigFile: join(dir, 'terraform.tfrc') });
  if (!tf.mirrorRoot) throw new Error(`this test runs Terraform offline and needs the provider mirror: ${tf.notices.join(' ')}`);
  env = { ...tf.env, TF_DATA_DIR: join(dir, '.terraform') };
  writeRoot(ROLE_NAME);
  await mustSucceed(['init']);
});

afterAll(async () => {
  await cloud?.close();
});

// In order: apply, re-plan, then the role in use, then the validation case (which changes the root).

test('terraform apply creates the role and its inline policy', async () => {
  const out = await mustSucceed(['apply', '-auto-approve']);
  expect(out).toContain('Apply complete! Resources: 2 added, 0 changed, 0 destroyed.');
  expect(out).toContain(`role_arn = "${roleArn(customer, ROLE_NAME)}"`);
});

test('a second plan right after apply shows no change (exit code 0)', async () => {
  const plan = await terraform(['plan', '-detailed-exitcode']);
  expect([plan.code, plan.stderr]).toEqual([0, '']);
});

test('the vendor principal with the external ID and the tenant as SourceIdentity invokes the listed function', async () => {
  const credentials = await assumeCustomerRole(await vendorSession(allowedVendorRole), { ExternalId: EXTERNAL_ID, SourceIdentity: TENANT });
  const out = await invoke(credentials, 'customer-existing');
  expect(out.FunctionError).toBeUndefined();
  expect(JSON.parse(Buffer.from(out.Payload!).toString())).toEqual({ from: 'customer-existing' });
});

test('a wrong external ID is refused (AccessDenied)', async () => {
  const refusal = await refusalOf(assumeCustomerRole(await vendorSession(allowedVendorRole), { ExternalId: 'sc-someone-elses-id-000000', SourceIdentity: TENANT }));
  expect(refusal.code).toBe('AccessDenied');
});

test('another tenant as SourceIdentity is refused (AccessDenied)', async () => {
  const refusal = await refusalOf(assumeCustomerRole(await vendorSession(allowedVendorRole), { ExternalId: EXTERNAL_ID, SourceIdentity: 'another-tenant' }));
  expect(refusal.code).toBe('AccessDenied');
});

test('a vendor role not in vendor_principal_arns is refused even with the right external ID (AccessDenied)', async () => {
  const refusal = await refusalOf(assumeCustomerRole(await vendorSession(otherVendorRole), { ExternalId: EXTERNAL_ID, SourceIdentity: TENANT }));
  expect(refusal.code).toBe('AccessDenied');
});

test('the role\'s session cannot invoke another function of the account (AccessDeniedException)', async () => {
  const credentials = await assumeCustomerRole(await vendorSession(allowedVendorRole), { ExternalId: EXTERNAL_ID, SourceIdentity: TENANT });
  const refusal = await refusalOf(invoke(credentials, 'customer-other'));
  expect(refusal.code).toBe('AccessDeniedException');
});

test('a role_name outside the prefix is refused by the module\'s validation, before any call', async () => {
  writeRoot('admin');
  const plan = await terraform(['plan', '-refresh=false']);
  expect(plan.code).not.toBe(0);
  expect(plan.stderr).toContain(`must start with ${DEFAULT_ROLE_PREFIX}`);
});
