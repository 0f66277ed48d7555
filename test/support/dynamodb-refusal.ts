// ---------------------------------------------------------------------------
// The DynamoDB error a call was refused with, for the local cloud's DynamoDB suites; a call that
// succeeds (or fails with anything but a DynamoDB service error) fails the test.
// ---------------------------------------------------------------------------
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';

export async function refusal(promise: Promise<unknown>): Promise<DynamoDBServiceException> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DynamoDBServiceException) return e;
    throw e;
  }
  throw new Error('expected the call to be refused');
}
