// ---------------------------------------------------------------------------
// DynamoDB's wire protocol (awsJson 1.0) as raw HTTP, and an external client. Cases:
//   a signed request answers application/x-amz-json-1.0
//   an error is {"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message"} with HTTP 400
//   an unsigned request with a DynamoDB target is refused in DynamoDB's shape, not STS's XML
//   a body that is not JSON is SerializationException; an unknown target UnknownOperationException
//   boto3 (another SDK) lists tables through the same endpoint
//   a test fault for dynamodb:ListTables answers its error once in DynamoDB's shape, then the call works
// ---------------------------------------------------------------------------
import { startTestCloud, type Credentials, type TestCloud } from '../../../scripts/lib/child-cloud';
import { clientEnv, run } from '../../support/external-clients';
import { RawHttp } from '../../support/raw-http';

const JSON_10 = 'application/x-amz-json-1.0';
let cloud: TestCloud;
let root: Credentials;
let http: RawHttp;

beforeAll(async () => {
  cloud = await startTestCloud();
  root = cloud.credentialsFor('vendor');
  http = new RawHttp(cloud.port, root);
}, 120_000);

afterAll(async () => {
  await cloud?.close();
});

async function call(target: string, body: string) {
  const headers = await http.signedHeaders({ service: 'dynamodb', body, contentType: JSON_10 });
  return http.send({ headers: [...headers, ['x-amz-target', `DynamoDB_20120810.${target}`]], body });
}

test('a signed ListTables answers 200 in application/x-amz-json-1.0', async () => {
  const res = await call('ListTables', '{}');
  expect({ status: res.status, type: res.headers['content-type'], body: JSON.parse(res.body) }).toEqual({ status: 200, type: JSON_10, body: { TableNames: [] } });
});

test('an error carries DynamoDB\'s namespaced __type and HTTP 400', async () => {
  const res = await call('DescribeTable', '{"TableName":"missing"}');
  expect(res.status).toBe(400);
  expect(res.headers['content-type']).toBe(JSON_10);
  expect(JSON.parse(res.body)).toEqual({ __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found: Table: missing not found' });
});

test('an unsigned request with a DynamoDB target is refused in DynamoDB\'s shape', async () => {
  const res = await http.send({ headers: [['host', `127.0.0.1:${cloud.port}`], ['content-type', JSON_10], ['x-amz-target', 'DynamoDB_20120810.ListTables']], body: '{}' });
  expect(res.status).toBe(400);
  expect(JSON.parse(res.body).__type).toBe('com.amazon.coral.service#MissingAuthenticationTokenException');
});

test('a body that is not JSON is SerializationException; an unknown target UnknownOperationException', async () => {
  expect(JSON.parse((await call('ListTables', 'not json')).body).__type).toBe('com.amazon.coral.service#SerializationException');
  const unknown = await call('ExecuteStatement', '{}');
  expect(unknown.status).toBe(400);
  expect(JSON.parse(unknown.body)).toEqual({ __type: 'com.amazon.coral.service#UnknownOperationException', message: 'The local cloud does not implement the DynamoDB operation "DynamoDB_20120810.ExecuteStatement".' });
});

test('boto3 lists tables through the same endpoint', async () => {
  const script = [
    'import sys, boto3',
    'c = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")',
    'print(c.list_tables()["TableNames"])',
  ].join('\n');
  const { code, stdout, stderr } = await run('python3', ['-c', script, cloud.url], clientEnv(root), 60_000);
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  expect(stdout.trim()).toBe('[]');
}, 60_000);

test('a test fault on a DynamoDB operation answers in DynamoDB\'s shape, once', async () => {
  const rule = { service: 'dynamodb', operation: 'ListTables', error: 'ProvisionedThroughputExceededException', message: 'slow down', count: 1 };
  const added = await fetch(`${cloud.url}/_localcloud/control/faults`, { method: 'POST', body: JSON.stringify(rule) });
  expect(added.status).toBe(200);

  const faulted = await call('ListTables', '{}');
  const after = await call('ListTables', '{}');

  expect({ status: faulted.status, body: JSON.parse(faulted.body) }).toEqual({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' } });
  expect(after.status).toBe(200);
});
