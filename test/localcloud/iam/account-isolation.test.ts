// ---------------------------------------------------------------------------
// A customer managed policy belongs to its account (IAM User Guide, "Managed policies and inline
// policies"; cross-account rule: "Cross-account policy evaluation logic"). Through the real SDK:
//  - account A reads, versions, tags and attaches its own policy (the accepted neighbour of each);
//  - account B, even its root user, cannot read it (GetPolicy, GetPolicyVersion, ListPolicyVersions,
//    ListPolicyTags: AccessDenied), change it (CreatePolicyVersion, SetDefaultPolicyVersion,
//    DeletePolicyVersion, DeletePolicy, TagPolicy, UntagPolicy: AccessDenied), nor attach it
//    (AttachRolePolicy, AttachUserPolicy, a permissions boundary: NoSuchEntity), and does not
//    find it in ListPolicies.
// ---------------------------------------------------------------------------
import {
  AttachRolePolicyCommand, AttachUserPolicyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand, CreateUserCommand,
  DeletePolicyCommand, DeletePolicyVersionCommand, GetPolicyCommand, GetPolicyVersionCommand, IAMClient, ListPoliciesCommand, ListPolicyTagsCommand,
  ListPolicyVersionsCommand, PutRolePermissionsBoundaryCommand, SetDefaultPolicyVersionCommand, TagPolicyCommand, UntagPolicyCommand,
} from '@aws-sdk/client-iam';
import { startTestCloud, type TestCloud } from '../../../scripts/lib/child-cloud';
import { refusalOf } from '../../support/refusal';
import { CALLS_TIMEOUT_MS, START_TIMEOUT_MS, STOP_TIMEOUT_MS } from '../../support/iam-clients';

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const DOC = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

let cloud: TestCloud;
let a: IAMClient; // owner
let b: IAMClient; // another account's root user
let policyArn: string;

beforeAll(async () => {
  cloud = await startTestCloud();
  a = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-a')));
  b = new IAMClient(cloud.clientConfig(cloud.credentialsFor('customer-b')));
  policyArn = (await a.send(new CreatePolicyCommand({ PolicyName: 'a-owned', PolicyDocument: DOC('logs:PutLogEvents') }))).Policy!.Arn!;
  await a.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: DOC('logs:CreateLogStream') }));
  await b.send(new CreateRoleCommand({ RoleName: 'b-role', AssumeRolePolicyDocument: TRUST }));
  await b.send(new CreateUserCommand({ UserName: 'b-user' }));
  await a.send(new CreateRoleCommand({ RoleName: 'a-role', AssumeRolePolicyDocument: TRUST }));
  await a.send(new CreateUserCommand({ UserName: 'a-user' }));
}, START_TIMEOUT_MS);

afterAll(async () => {
  await cloud?.close();
}, STOP_TIMEOUT_MS);

const denied = async (call: Promise<unknown>, action: string) => {
  const refusal = await refusalOf(call);
  expect(refusal.code).toBe('AccessDenied');
  expect(refusal.status).toBe(403);
  expect(refusal.message).toContain(`is not authorized to perform: iam:${action} on resource: ${policyArn}`);
  expect(refusal.message).toContain('because no resource-based policy allows');
};

describe('reading a customer managed policy', () => {
  test('its own account reads it, its versions and its tags', async () => {
    expect((await a.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.Arn).toBe(policyArn);
    expect((await a.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' }))).PolicyVersion!.VersionId).toBe('v1');
    expect((await a.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }))).Versions!.map((v) => v.VersionId)).toEqual(['v2', 'v1']);
    expect((await a.send(new ListPolicyTagsCommand({ PolicyArn: policyArn }))).Tags).toEqual([]);
  }, CALLS_TIMEOUT_MS);

  test("another account's root user is refused GetPolicy, GetPolicyVersion, ListPolicyVersions and ListPolicyTags", async () => {
    await denied(b.send(new GetPolicyCommand({ PolicyArn: policyArn })), 'GetPolicy');
    await denied(b.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' })), 'GetPolicyVersion');
    await denied(b.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn })), 'ListPolicyVersions');
    await denied(b.send(new ListPolicyTagsCommand({ PolicyArn: policyArn })), 'ListPolicyTags');
  }, CALLS_TIMEOUT_MS);

  test("ListPolicies shows an account its own policies, never another account's", async () => {
    const own = (await a.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies!.map((p) => p.Arn);
    const other = (await b.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies ?? [];
    expect(own).toContain(policyArn);
    expect(other.map((p) => p.Arn)).not.toContain(policyArn);
  }, CALLS_TIMEOUT_MS);
});

describe('changing a customer managed policy', () => {
  test('another account is refused every change, and the policy is left as it was', async () => {
    await denied(b.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: DOC('iam:*') })), 'CreatePolicyVersion');
    await denied(b.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' })), 'SetDefaultPolicyVersion');
    await denied(b.send(new DeletePolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' })), 'DeletePolicyVersion');
    await denied(b.send(new TagPolicyCommand({ PolicyArn: policyArn, Tags: [{ Key: 'owner', Value: 'b' }] })), 'TagPolicy');
    await denied(b.send(new UntagPolicyCommand({ PolicyArn: policyArn, TagKeys: ['owner'] })), 'UntagPolicy');
    await denied(b.send(new DeletePolicyCommand({ PolicyArn: policyArn })), 'DeletePolicy');
    const policy = (await a.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!;
    expect(policy.DefaultVersionId).toBe('v1');
    expect((await a.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn }))).Versions).toHaveLength(2);
  }, CALLS_TIMEOUT_MS);

  test('its own account versions and tags it', async () => {
    await a.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' }));
    await a.send(new TagPolicyCommand({ PolicyArn: policyArn, Tags: [{ Key: 'owner', Value: 'a' }] }));
    expect((await a.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy).toMatchObject({ DefaultVersionId: 'v2', Tags: [{ Key: 'owner', Value: 'a' }] });
    await a.send(new SetDefaultPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' }));
  }, CALLS_TIMEOUT_MS);
});

describe('attaching a customer managed policy', () => {
  test('its own account attaches it to a role and a user', async () => {
    await a.send(new AttachRolePolicyCommand({ RoleName: 'a-role', PolicyArn: policyArn }));
    await a.send(new AttachUserPolicyCommand({ UserName: 'a-user', PolicyArn: policyArn }));
    expect((await a.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.AttachmentCount).toBe(2);
  }, CALLS_TIMEOUT_MS);

  test('another account cannot attach it: NoSuchEntity, "does not exist or is not attachable"', async () => {
    for (const call of [
      b.send(new AttachRolePolicyCommand({ RoleName: 'b-role', PolicyArn: policyArn })),
      b.send(new AttachUserPolicyCommand({ UserName: 'b-user', PolicyArn: policyArn })),
    ]) {
      const refusal = await refusalOf(call);
      expect(refusal).toMatchObject({ code: 'NoSuchEntity', status: 404, message: `Policy ${policyArn} does not exist or is not attachable.` });
    }
  }, CALLS_TIMEOUT_MS);

  test('another account cannot make it a permissions boundary either', async () => {
    const refusal = await refusalOf(b.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'b-role', PermissionsBoundary: policyArn })));
    expect(refusal).toMatchObject({ code: 'NoSuchEntity', message: `Scope ARN: ${policyArn} does not exist or is not attachable.` });
  }, CALLS_TIMEOUT_MS);

  test("the owner's attachment count does not leak into another account's view of its own policies", async () => {
    const bPolicy = (await b.send(new CreatePolicyCommand({ PolicyName: 'a-owned', PolicyDocument: DOC('logs:PutLogEvents') }))).Policy!;
    expect(bPolicy.Arn).not.toBe(policyArn);
    expect(bPolicy.AttachmentCount).toBe(0);
  }, CALLS_TIMEOUT_MS);
});
