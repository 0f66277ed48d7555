// ---------------------------------------------------------------------------
// Wildcards in a Resource ARN (IAM User Guide, "IAM JSON policy elements: Resource", Using wildcards
// in resource ARNs): `*` and `?` work within one colon-separated segment; only a `*` that is the
// last character of its segment may expand beyond the colon boundaries; the service segment takes
// no wildcard. Through the real SDK, for Allow and for Deny statements, each refusal beside the
// nearest accepted pattern:
//  - `*` inside a segment matches within it (allow), does not cross a colon (refused);
//  - `?` matches one character within a segment, never a colon;
//  - a `*` ending its segment crosses colons (as documented);
//  - a wildcard in the service segment matches nothing;
//  - action matching (`iam:List*`) stays a plain glob.
// ---------------------------------------------------------------------------
import { CreateRoleCommand, CreateUserCommand, CreateAccessKeyCommand, GetRoleCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { CALLS_TIMEOUT_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../../support/iam-clients';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

let cloud: TestCloud;
let admin: IAMClient;
let account: string;
let caller: Credentials;
let userSeq = 0;

/** A fresh user whose only policy is `document`; GetRole on `target` as that user. */
async function getRoleAs(document: string, target = 'app-target'): Promise<unknown> {
  const userName = `wildcard-${++userSeq}`;
  await admin.send(new CreateUserCommand({ UserName: userName }));
  await admin.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'p', PolicyDocument: document }));
  const key = await admin.send(new CreateAccessKeyCommand({ UserName: userName }));
  caller = { accessKeyId: key.AccessKey!.AccessKeyId!, secretAccessKey: key.AccessKey!.SecretAccessKey! };
  return new IAMClient(cloud.clientConfig(caller)).send(new GetRoleCommand({ RoleName: target }));
}

const allowGetRole = (resource: string) => policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: resource });
const allowAllDeny = (resource: string) => policy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }, { Effect: 'Deny', Action: 'iam:GetRole', Resource: resource });

beforeAll(async () => {
  cloud = await startTestCloud();
  admin = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  account = cloud.accounts['customer-a'].accountId;
  await admin.send(new CreateRoleCommand({ RoleName: 'app-target', AssumeRolePolicyDocument: TRUST }));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

const allowed = (document: string) => expect(getRoleAs(document)).resolves.toBeDefined();
const refused = async (document: string, because: 'no identity-based policy allows' | 'with an explicit deny') => {
  const refusal = await refusalOf(getRoleAs(document));
  expect(refusal.code).toBe('AccessDenied');
  expect(refusal.message).toContain(because);
};

describe('`*` inside a segment', () => {
  test('Allow: matches within the segment', async () => {
    await allowed(allowGetRole(`arn:aws:iam::${account.slice(0, 4)}*${account.slice(-4)}:role/app-*`));
  }, CALLS_TIMEOUT_MS);

  test('Allow: does not cross the colon into the next segment', async () => {
    // "iam:*<account>" would need the * to swallow the empty region segment and its colon.
    await refused(allowGetRole(`arn:aws:iam:*${account}:role/app-target`), 'no identity-based policy allows');
  }, CALLS_TIMEOUT_MS);

  test('Deny: applies within the segment', async () => {
    await refused(allowAllDeny(`arn:aws:iam::${account.slice(0, 4)}*${account.slice(-4)}:role/app-*`), 'with an explicit deny');
  }, CALLS_TIMEOUT_MS);

  test('Deny: does not cross the colon either, so it does not apply', async () => {
    await allowed(allowAllDeny(`arn:aws:iam:*${account}:role/app-target`));
  }, CALLS_TIMEOUT_MS);
});

describe('`?`', () => {
  test('matches one character within a segment', async () => {
    await allowed(allowGetRole(`arn:aws:iam::${account.slice(0, -1)}?:role/app-targe?`));
  }, CALLS_TIMEOUT_MS);

  test('never a colon', async () => {
    await refused(allowGetRole(`arn:aws:iam:?${account}:role/app-target`), 'no identity-based policy allows');
    await allowed(allowAllDeny(`arn:aws:iam:?${account}:role/app-target`));
  }, CALLS_TIMEOUT_MS);
});

describe('`*` as the last character of its segment', () => {
  test('expands beyond the colon boundaries, as documented', async () => {
    await allowed(allowGetRole(`arn:aws:iam:*:role/app-target`));
    await refused(allowAllDeny(`arn:aws:iam:*:role/app-target`), 'with an explicit deny');
  }, CALLS_TIMEOUT_MS);
});

describe('the service segment', () => {
  test('takes no wildcard: "ia*" is not "iam"', async () => {
    await refused(allowGetRole(`arn:aws:ia*::${account}:role/app-target`), 'no identity-based policy allows');
    await allowed(allowAllDeny(`arn:aws:ia*::${account}:role/app-target`));
    await allowed(allowGetRole(`arn:aws:iam::${account}:role/app-target`));
  }, CALLS_TIMEOUT_MS);
});

describe('actions stay plain globs', () => {
  test('"iam:Get*" allows GetRole; "iam:List*" does not', async () => {
    await allowed(policy({ Effect: 'Allow', Action: 'iam:Get*', Resource: `arn:aws:iam::${account}:role/*` }));
    await refused(policy({ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }), 'no identity-based policy allows');
  }, CALLS_TIMEOUT_MS);
});
