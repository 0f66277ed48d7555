// ---------------------------------------------------------------------------
// The role the customer kit makes, made instead through the IAM API with the kit's own policy
// builders (rules/policies.ts: the same trust and inline policy the kit's module and template
// carry). Seconds, where a `terraform apply` of the kit's module takes a minute on a loaded
// machine: the demo (by default) and the bench use it; `test/e2e/runtime-onboarding.test.ts`
// and `npm run demo -- --terraform-kit` apply the real module instead.
// ---------------------------------------------------------------------------
import { CreateRoleCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand, type IAMClient } from '@aws-sdk/client-iam';
import { INVOKE_POLICY_NAME } from '../../modules/customer-stack';
import { crossAccountTrustPolicy, invokeFunctionsPolicy } from '../../rules/policies';
import type { TenantRecord } from '../../rules/registry-item';

export interface KitRoleInput {
  readonly vendorAccountId: string;
  /** The vendor roles the trust names (scripts/registry/vendor-context.ts vendorPrincipalArns). */
  readonly vendorPrincipalArns: readonly string[];
  readonly roleName: string;
  /** The tenant's registry record: its tenant ID, current and previous external IDs, functions. */
  readonly record: Pick<TenantRecord, 'tenantId' | 'externalId' | 'previousExternalId' | 'functionArns'>;
}

function kitTrust(input: KitRoleInput): string {
  const { record } = input;
  return JSON.stringify(crossAccountTrustPolicy({
    vendorAccountId: input.vendorAccountId, vendorRoleArns: [...input.vendorPrincipalArns], tenantIds: [record.tenantId],
    externalIds: [record.externalId, ...(record.previousExternalId !== undefined ? [record.previousExternalId] : [])],
  }));
}

/** Create the kit's role (trust + inline invoke policy), as the customer would by applying the kit. */
export async function createKitRoleThroughIam(iam: IAMClient, input: KitRoleInput): Promise<void> {
  await iam.send(new CreateRoleCommand({ RoleName: input.roleName, AssumeRolePolicyDocument: kitTrust(input), MaxSessionDuration: 3600 }));
  await iam.send(new PutRolePolicyCommand({ RoleName: input.roleName, PolicyName: INVOKE_POLICY_NAME, PolicyDocument: JSON.stringify(invokeFunctionsPolicy([...input.record.functionArns])) }));
}

/** Update the role's trust after a rotation (the new ID and the previous one), as a re-applied kit does. */
export async function updateKitTrustThroughIam(iam: IAMClient, input: KitRoleInput): Promise<void> {
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: input.roleName, PolicyDocument: kitTrust(input) }));
}
