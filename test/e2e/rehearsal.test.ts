/**
 * E2E: the aws target rehearsed, reduced (the whole rehearsal is `npm run rehearse:aws`).
 * A local cloud of its own with the IAM propagation delay on (3 s); an aws.json-shaped config
 * with a profile per account; AWS shared config and credentials files whose profiles carry the
 * keys, the region and `endpoint_url`. Then, exactly as a person runs it against real AWS:
 *  - `deploy:aws --auto-approve vendor customer-a` deploys both stacks through the provider's aws
 *    branch (profile, allowed_account_ids), with no AWS_ENDPOINT_URL: Terraform finds the cloud
 *    only through the profile's endpoint_url; the outputs land in the file named by
 *    SIDECAR_OUTPUTS_FILE, never in the project's terraform-outputs.json;
 *  - the deployed connector, called through the SDK with AWS_PROFILE = the vendor's profile
 *    (credentials, region and endpoint all from the profile), reaches customer A's function, once IAM has propagated;
 *  - the confused-deputy tenant is refused by STS through the same deployed stack;
 *  - the delay was on: the rehearsal's new administrator keys were refused for about 3 s.
 * Local target only: on the aws target the suite runs against real accounts, not a rehearsal.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { resolveTarget } from '../../config/load';
import { VENDOR_STACK_NAME } from '../../rules/naming';
import { PROJECT_ROOT } from '../../scripts/lib/deploy';
import { readDeployOutputs } from '../../scripts/lib/outputs';
import { deployAwsCommand, rehearsalProfile, startRehearsal, type Rehearsal } from '../../scripts/lib/rehearsal';
import { connectorRefusedNotYet, untilPropagated } from '../support/e2e/propagation';
import { notOwnStacks, ownsStacks } from '../support/e2e/mode';
import { itWhen } from '../support/e2e/skip';

const owns = ownsStacks();
const REASON = resolveTarget() === 'aws' ? 'rehearses the aws target against a local cloud of its own: it is the rehearsal, not a run on real accounts'
  : notOwnStacks('deploys stacks of its own into a local cloud it starts (SIDECAR_E2E_STACKS=deployed deploys nothing)');
const REAL_OUTPUTS = join(PROJECT_ROOT, 'terraform-outputs.json');

let rehearsal: Rehearsal | undefined;
let log = '';
const savedEnv = { AWS_CONFIG_FILE: process.env.AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: process.env.AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE: process.env.AWS_PROFILE };
const realOutputsBefore = existsSync(REAL_OUTPUTS) ? statSync(REAL_OUTPUTS).mtimeMs : undefined;

afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  await rehearsal?.close();
}, 60_000);

/** The connector, called with the SDK as the vendor's platform would: by profile alone. */
async function callByProfile(r: Rehearsal, functionName: string, event: object): Promise<{ ok: boolean; error?: { code: string }; payload?: { account?: string; functionArn?: string; echo?: unknown } }> {
  process.env.AWS_CONFIG_FILE = r.awsConfigFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = r.awsCredentialsFile;
  // AWS_PROFILE, not the client's `profile` option: the SDK (3.116x) takes credentials and region
  // from that option but endpoint_url only from the profile AWS_PROFILE names.
  process.env.AWS_PROFILE = rehearsalProfile(VENDOR_STACK_NAME);
  const client = new LambdaClient({ maxAttempts: 1 });
  try {
    const res = await client.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }));
    const text = Buffer.from(res.Payload ?? new Uint8Array()).toString('utf8');
    if (res.FunctionError) throw new Error(`${functionName} failed (${res.FunctionError}): ${text}`);
    return JSON.parse(text);
  } finally {
    client.destroy();
  }
}

describe('the aws target, rehearsed (vendor + one customer, IAM propagation 3 s)', () => {
  itWhen(owns, REASON)('deploy:aws through profiles with endpoint_url, then the connector called by profile serves the honest tenant and refuses the deputy', async () => {
    // Prepare
    const r = await startRehearsal({ propagationMs: 3000, customers: 1, onOutput: (chunk) => { log = (log + chunk).slice(-20_000); } });
    rehearsal = r;
    const [customer] = r.config.customers;
    const honest = r.config.tenants.find((t) => t.externalId === customer.externalIds.current)!;
    const deputy = r.config.tenants.find((t) => t.roleArn === honest.roleArn && t.externalId !== honest.externalId)!;
    expect(r.env.AWS_ENDPOINT_URL).toBeUndefined();
    // The delay is really on: the new administrator keys were refused until IAM propagated them.
    expect(r.adminKeyWaitMs).toBeGreaterThanOrEqual(2500);
    expect(readFileSync(r.awsConfigFile, 'utf8')).toContain(`endpoint_url = ${r.cloud.url}`);

    // Act 1: the real-account deploy command, unchanged.
    await r.run('deploy:aws', deployAwsCommand([VENDOR_STACK_NAME, customer.name]), r.env);

    // Assess 1: outputs in the rehearsal's file, for the accounts of the config; the real file untouched.
    const outputs = readDeployOutputs(r.outputsFile, [customer.name]);
    expect(outputs.vendor.vendor_account_id).toBe(r.config.vendor.accountId);
    expect(outputs.customers[customer.name].account_id).toBe(customer.accountId);
    expect(existsSync(REAL_OUTPUTS) ? statSync(REAL_OUTPUTS).mtimeMs : undefined).toBe(realOutputsBefore);
    expect(existsSync(join(r.dir, 'tfstate', `${customer.name}.tfstate`))).toBe(true);

    // Act 2: the honest tenant, by profile, once the deploy's IAM writes have propagated.
    const answer = await untilPropagated(`tenant ${honest.id} through the rehearsed deploy`, () => callByProfile(r, outputs.vendor.connector_function_name, { tenant: honest.id, payload: { rehearsal: true } }), connectorRefusedNotYet);
    const refused = await callByProfile(r, outputs.vendor.connector_function_name, { tenant: deputy.id });

    // Assess 2
    const functionArn = Object.values(outputs.customers[customer.name].function_arns)[0];
    expect(answer).toMatchObject({ ok: true, payload: { account: customer.accountId, functionArn, echo: { rehearsal: true } } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'AssumeRoleRefused' } });
  }, 300_000);
});
