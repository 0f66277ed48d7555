// ---------------------------------------------------------------------------
// NotPrincipal is not allowed in a role trust policy (IAM User Guide, "AWS JSON policy elements:
// NotPrincipal": "You cannot use the NotPrincipal element in an IAM identity-based policy nor in
// an IAM role trust policy"). Through the real SDK: CreateRole and UpdateAssumeRolePolicy refuse it
// with MalformedPolicyDocument, beside the same trust written with Principal, which is accepted.
// ---------------------------------------------------------------------------
import { CreateRoleCommand, GetRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { CALLS_TIMEOUT_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../../support/iam-clients';

let cloud: TestCloud;
let iam: IAMClient;
let account: string;

const trust = (element: 'Principal' | 'NotPrincipal', effect: 'Allow' | 'Deny' = 'Allow') =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: effect, [element]: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }] });

beforeAll(async () => {
  cloud = await startTestCloud();
  iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  account = cloud.accounts['customer-a'].accountId;
}, START_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

test('CreateRole accepts the trust with Principal', async () => {
  await expect(iam.send(new CreateRoleCommand({ RoleName: 'with-principal', AssumeRolePolicyDocument: trust('Principal') }))).resolves.toBeDefined();
}, CALLS_TIMEOUT_MS);

test('CreateRole refuses NotPrincipal, with Allow or with Deny, and creates nothing', async () => {
  for (const effect of ['Allow', 'Deny'] as const) {
    const refusal = await refusalOf(iam.send(new CreateRoleCommand({ RoleName: 'with-not-principal', AssumeRolePolicyDocument: trust('NotPrincipal', effect) })));
    expect(refusal).toMatchObject({ code: 'MalformedPolicyDocument', status: 400, message: 'Has prohibited field NotPrincipal' });
  }
  expect((await refusalOf(iam.send(new GetRoleCommand({ RoleName: 'with-not-principal' })))).code).toBe('NoSuchEntity');
}, CALLS_TIMEOUT_MS);

test('UpdateAssumeRolePolicy refuses NotPrincipal and keeps the trust it had', async () => {
  const refusal = await refusalOf(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'with-principal', PolicyDocument: trust('NotPrincipal', 'Deny') })));
  expect(refusal).toMatchObject({ code: 'MalformedPolicyDocument', message: 'Has prohibited field NotPrincipal' });
  const shown = decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'with-principal' }))).Role!.AssumeRolePolicyDocument!);
  expect(shown).toBe(trust('Principal'));
  await expect(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'with-principal', PolicyDocument: trust('Principal') }))).resolves.toBeDefined();
}, CALLS_TIMEOUT_MS);
