// ---------------------------------------------------------------------------
// AWS managed policies: owned by AWS (account `aws` in the ARN), readable and attachable from
// every account, never changed by a customer. The local cloud ships the few a Lambda project
// attaches, each with its document as AWS's managed policy reference publishes it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
// ---------------------------------------------------------------------------
import type { ManagedPolicyRecord } from './store';

/** The account segment of an AWS managed policy's ARN: `arn:aws:iam::aws:policy/...`. */
export const AWS_ACCOUNT = 'aws';

export const isAwsManagedArn = (arn: string): boolean => arn.startsWith(`arn:aws:iam::${AWS_ACCOUNT}:policy/`);

interface Published {
  readonly name: string;
  readonly path: string;
  /** The reference pages do not publish policy IDs: these are stand-ins in AWS's ANPA shape. */
  readonly policyId: string;
  readonly description: string;
  /** Creation and edit times as the reference page gives them (to the minute). */
  readonly created: string;
  readonly edited: string;
  /** The default version as published; earlier versions are not shipped. */
  readonly versionId: string;
  readonly document: object;
}

const ALLOW_ALL_RESOURCES = (actions: string[], sid?: string) => ({ ...(sid ? { Sid: sid } : {}), Effect: 'Allow', Action: actions, Resource: '*' });

const PUBLISHED: readonly Published[] = [
  {
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
    name: 'AWSLambdaBasicExecutionRole', path: '/service-role/', policyId: 'ANPAJNCQGXC42545SKXIK',
    description: 'Provides write permissions to CloudWatch Logs.', created: '2015-04-09T15:03:00Z', edited: '2015-04-09T15:03:00Z', versionId: 'v1',
    document: { Version: '2012-10-17', Statement: [ALLOW_ALL_RESOURCES(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'])] },
  },
  {
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaRole.html
    name: 'AWSLambdaRole', path: '/service-role/', policyId: 'ANPAJX4DPCRGTC4NFDUXI',
    description: 'Default policy for AWS Lambda service role.', created: '2015-02-06T18:41:00Z', edited: '2015-02-06T18:41:00Z', versionId: 'v1',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['*'] }] },
  },
  {
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaExecute.html
    name: 'AWSLambdaExecute', path: '/', policyId: 'ANPAJE5FX7FQZSU5XAKGO',
    description: 'Provides Put, Get access to S3 and full access to CloudWatch Logs.', created: '2015-02-06T18:40:00Z', edited: '2015-02-06T18:40:00Z', versionId: 'v1',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['logs:*'], Resource: 'arn:aws:logs:*:*:*' },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::*' },
      ],
    },
  },
  {
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaVPCAccessExecutionRole.html
    name: 'AWSLambdaVPCAccessExecutionRole', path: '/service-role/', policyId: 'ANPAJVTME3YLVNL72YR2K',
    description: 'Provides minimum permissions for a Lambda function to execute while accessing a resource within a VPC - create, describe, delete network interfaces and write permissions to CloudWatch Logs.',
    created: '2016-02-11T23:15:00Z', edited: '2024-01-05T22:38:00Z', versionId: 'v3',
    document: {
      Version: '2012-10-17',
      Statement: [ALLOW_ALL_RESOURCES([
        'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
      ], 'AWSLambdaVPCAccessExecutionPermissions')],
    },
  },
  {
    // https://docs.aws.amazon.com/aws-managed-policy/latest/reference/IAMReadOnlyAccess.html
    name: 'IAMReadOnlyAccess', path: '/', policyId: 'ANPAJKSO7NDY4T57MWDSQ',
    description: 'Provides read only access to IAM via the AWS Management Console.', created: '2015-02-06T18:40:00Z', edited: '2018-01-25T19:11:00Z', versionId: 'v4',
    document: {
      Version: '2012-10-17',
      Statement: [ALLOW_ALL_RESOURCES(['iam:GenerateCredentialReport', 'iam:GenerateServiceLastAccessedDetails', 'iam:Get*', 'iam:List*', 'iam:SimulateCustomPolicy', 'iam:SimulatePrincipalPolicy'])],
    },
  },
];

function recordOf(p: Published): ManagedPolicyRecord {
  const arn = `arn:aws:iam::${AWS_ACCOUNT}:policy${p.path}${p.name}`;
  const version = { versionId: p.versionId, document: JSON.stringify(p.document), createDate: p.edited };
  return {
    policyName: p.name, policyId: p.policyId, arn, path: p.path, description: p.description, createDate: p.created, updateDate: p.edited,
    defaultVersionId: p.versionId, nextVersion: Number(p.versionId.slice(1)) + 1, versions: [version], tags: [],
  };
}

const CATALOGUE: ReadonlyMap<string, ManagedPolicyRecord> = new Map(PUBLISHED.map((p) => [recordOf(p).arn, recordOf(p)]));

/** The AWS managed policy with this ARN, if the local cloud ships it. */
export function awsManagedPolicy(arn: string): ManagedPolicyRecord | undefined {
  return CATALOGUE.get(arn);
}

export function awsManagedPolicies(): ManagedPolicyRecord[] {
  return [...CATALOGUE.values()];
}
