// ---------------------------------------------------------------------------
// A service the local cloud does not implement is answered in that service's own wire protocol,
// so its client parses the error code (NotImplementedByLocalCloud):
//   CloudWatch Logs (awsJson1.1): raw signed request for the shape; the AWS CLI and boto3 parse it
//   SQS (awsJson1.0 in current botocore): boto3 parses it (DynamoDB, the other awsJson1.0 service
//   the project meets, is implemented: test/localcloud/dynamodb/)
//   S3 (REST-XML): the AWS CLI parses it
//   SNS (query XML): boto3 parses it
//   the neighbour: a service it implements (STS) answers through the same clients
// ---------------------------------------------------------------------------
import { startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { clientEnv, run, type ProcessResult } from '../../support/external-clients';
import { RawHttp } from '../../support/raw-http';

const CODE = 'NotImplementedByLocalCloud';
let cloud: TestCloud;
let root: Credentials;
let http: RawHttp;

beforeAll(async () => {
  cloud = await startTestCloud();
  root = cloud.credentialsFor('customer-a');
  http = new RawHttp(cloud.port, root);
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});

/** The AWS CLI's exit code and output (it fails with 254/255 on a service error). */
function cli(args: string[]): Promise<ProcessResult> {
  return run('aws', [...args, '--endpoint-url', cloud.url, '--output', 'json'], clientEnv(root), 60_000);
}

/** boto3: `service`.`call`(), printing the parsed error code (or OK). */
async function boto3(service: string, call: string): Promise<string> {
  const script = [
    'import sys, boto3, botocore.exceptions',
    `c = boto3.client(sys.argv[1], endpoint_url=sys.argv[2], region_name="us-east-1")`,
    'try:',
    '    getattr(c, sys.argv[3])()',
    '    print("OK")',
    'except botocore.exceptions.ClientError as e:',
    '    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])',
  ].join('\n');
  const { code, stdout, stderr } = await run('python3', ['-c', script, service, cloud.url, call], clientEnv(root), 60_000);
  if (code !== 0) throw new Error(`python3 exited ${code}: ${stderr}`);
  return stdout.trim();
}

describe('a service the local cloud does not implement', () => {
  test('CloudWatch Logs, raw: awsJson1.1 shape, x-amzn-ErrorType and {"__type", "message"}', async () => {
    const body = '{}';
    const headers = await http.signedHeaders({ service: 'logs', body, contentType: 'application/x-amz-json-1.1' });
    const res = await http.send({ headers: [...headers, ['x-amz-target', 'Logs_20140328.DescribeLogGroups']], body });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(res.headers['x-amzn-errortype']).toBe(CODE);
    const parsed = JSON.parse(res.body) as { __type: string; message: string };
    expect(parsed.__type).toBe(CODE);
    expect(parsed.message).toContain('does not implement the service "logs"');
  }, 60_000);

  test('CloudWatch Logs through the AWS CLI: the error code is parsed', async () => {
    const out = await cli(['logs', 'describe-log-groups']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(`(${CODE})`);
  }, 60_000);

  test('CloudWatch Logs and SQS through boto3: the error code is parsed', async () => {
    expect(await boto3('logs', 'describe_log_groups')).toBe(`${CODE} 400`);
    expect(await boto3('sqs', 'list_queues')).toBe(`${CODE} 400`);
  }, 60_000);

  test('S3 through the AWS CLI (REST-XML): the error code is parsed', async () => {
    const out = await cli(['s3api', 'list-buckets']);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain(`(${CODE})`);
  }, 60_000);

  test('SNS through boto3 (query XML): the error code is parsed', async () => {
    expect(await boto3('sns', 'list_topics')).toBe(`${CODE} 400`);
  }, 60_000);

  test('the neighbour: STS, which it implements, answers the same clients', async () => {
    const out = await cli(['sts', 'get-caller-identity']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).Account).toBe(cloud.accounts['customer-a'].accountId);
    expect(await boto3('sts', 'get_caller_identity')).toBe('OK');
  }, 60_000);
});
