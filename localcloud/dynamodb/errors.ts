// ---------------------------------------------------------------------------
// DynamoDB's errors. Each helper returns a DynamoDbError (an AwsError), which the core renders in
// awsJson 1.0 as `{"__type": "com.amazonaws.dynamodb.v20120810#<Code>", "message"}` with HTTP 400
// (core/errors.ts dynamoDbErrorResponse).
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
// ---------------------------------------------------------------------------
import { AwsError } from '../contracts';

/** An AwsError that may carry extra members of the error body (the old item of a failed condition). */
export class DynamoDbError extends AwsError {
  constructor(code: string, message: string, readonly extra?: Record<string, unknown>, status = 400) {
    super(code, message, status);
    this.name = 'DynamoDbError';
  }
}

/** A parameter breaks a rule of the API (names, key schema, expressions, sizes). */
export function validation(message: string): DynamoDbError {
  return new DynamoDbError('ValidationException', message);
}

/** A modelled constraint, in AWS's "1 validation error detected: ..." shape. */
export function constraint(field: string, value: unknown, rule: string): DynamoDbError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return validation(`1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${rule}`);
}

/** The table (or another resource) does not exist, in this account and region. */
export function resourceNotFound(message = 'Requested resource not found'): DynamoDbError {
  return new DynamoDbError('ResourceNotFoundException', message);
}

/** The table exists already, or is in a state that refuses the operation. */
export function resourceInUse(message: string): DynamoDbError {
  return new DynamoDbError('ResourceInUseException', message);
}

/** A ConditionExpression evaluated to false; with ReturnValuesOnConditionCheckFailure=ALL_OLD the old item rides along. */
export function conditionalCheckFailed(item?: Record<string, unknown>): DynamoDbError {
  return new DynamoDbError('ConditionalCheckFailedException', 'The conditional request failed', item ? { Item: item } : undefined);
}

/** Something the local cloud does not implement: refused plainly, never ignored. */
export function notSupported(what: string): DynamoDbError {
  return validation(`The local cloud does not support ${what}.`);
}

/** An X-Amz-Target the service does not know (or does not implement). */
export function unknownOperation(target: string): DynamoDbError {
  return new DynamoDbError('UnknownOperationException', `The local cloud does not implement the DynamoDB operation "${target}".`);
}

/** The body is not a JSON object. */
export function serialization(message: string): DynamoDbError {
  return new DynamoDbError('SerializationException', message);
}
