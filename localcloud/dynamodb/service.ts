// ---------------------------------------------------------------------------
// The local cloud's DynamoDB service (awsJson 1.0): `POST /` with `X-Amz-Target:
// DynamoDB_20120810.<Operation>` and a JSON body; answers `application/x-amz-json-1.0`, errors as
// `{"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message"}` (core/errors.ts).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html
// Each operation authorizes `dynamodb:<Operation>` on the table's ARN through the IAM evaluator
// (operation.ts). Tables and items are per account and region, in the core's state store.
// An operation it does not implement answers UnknownOperationException (400), never a 5xx.
// ---------------------------------------------------------------------------
import type { Service, ServiceContext, ServiceRequest, ServiceResponse } from '../contracts';
import { dynamoDbErrorResponse, toAwsError } from '../core/errors';
import { serialization, unknownOperation } from './errors';
import type { OperationHandler } from './operation';
import { deleteItem, getItem, putItem, updateItem } from './operations/items';
import { query, scan } from './operations/query-scan';
import {
  createTable, deleteTable, describeContinuousBackups, describeTable, describeTimeToLive, listTables, listTagsOfResource,
  tagResource, untagResource, updateContinuousBackups, updateTable, updateTimeToLive,
} from './operations/tables';
import { TableStore } from './store';

export const TARGET_PREFIX = 'DynamoDB_20120810.';

const OPERATIONS: Readonly<Record<string, OperationHandler>> = {
  CreateTable: createTable,
  DescribeTable: describeTable,
  UpdateTable: updateTable,
  DeleteTable: deleteTable,
  ListTables: listTables,
  UpdateContinuousBackups: updateContinuousBackups,
  DescribeContinuousBackups: describeContinuousBackups,
  DescribeTimeToLive: describeTimeToLive,
  UpdateTimeToLive: updateTimeToLive,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsOfResource: listTagsOfResource,
  GetItem: getItem,
  PutItem: putItem,
  UpdateItem: updateItem,
  DeleteItem: deleteItem,
  Query: query,
  Scan: scan,
};

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw serialization('Start of structure or map found where not expected.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw serialization('Start of structure or map found where not expected.');
  return parsed as Record<string, unknown>;
}

export function createDynamoDbService(): Service {
  return {
    async handle(req: ServiceRequest, ctx: ServiceContext): Promise<ServiceResponse> {
      try {
        const target = req.headers['x-amz-target'];
        const name = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
        if (req.method !== 'POST' || name === undefined || !Object.prototype.hasOwnProperty.call(OPERATIONS, name)) {
          await ctx.applyFaults('dynamodb', name ?? 'unknown');
          throw unknownOperation(typeof target === 'string' ? target : `${req.method} ${req.path}`);
        }
        await ctx.applyFaults('dynamodb', name);
        const input = parseBody(req.body);
        const output = OPERATIONS[name]({ req, ctx, store: new TableStore(ctx.state), name, input });
        return {
          status: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': req.requestId },
          body: JSON.stringify(output),
        };
      } catch (e) {
        if (!(e instanceof Error && 'code' in e)) ctx.log('dynamodb.internal-error', { error: e instanceof Error ? e.stack : String(e) });
        return dynamoDbErrorResponse(toAwsError(e), req.requestId);
      }
    },
  };
}
