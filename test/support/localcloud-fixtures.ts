// ---------------------------------------------------------------------------
// Fixtures for local cloud tests, created through the real IAM API: roles with a trust policy
// and optional inline permissions.
// ---------------------------------------------------------------------------
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { TestCloud } from '../../scripts/lib/child-cloud';

export type TrustPrincipal = { AWS: string | string[] } | { Service: string };

export interface RoleOptions {
  /** Conditions on the trust statement, e.g. { StringEquals: { 'sts:ExternalId': 'x' } }. */
  readonly condition?: Record<string, Record<string, string | string[]>>;
  /** Inline permissions of the role. */
  readonly permissions?: object;
  readonly maxSessionDuration?: number;
}

/** Create a role in `stack`'s account trusting `principal`; returns its ARN. */
export async function createRole(cloud: TestCloud, stack: string, roleName: string, principal: TrustPrincipal, options: RoleOptions = {}): Promise<string> {
  const iam = new IAMClient(cloud.clientConfig(cloud.credentialsFor(stack)));
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(options.condition ? { Condition: options.condition } : {}) }],
  };
  const role = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: options.maxSessionDuration }));
  if (options.permissions) await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'permissions', PolicyDocument: JSON.stringify(options.permissions) }));
  return role.Role!.Arn!;
}
