// ---------------------------------------------------------------------------
// AWS errors in each wire protocol. IAM and STS (query protocol) answer XML
// <ErrorResponse>; Lambda (REST-JSON) answers a status, an x-amzn-errortype header and a JSON
// body. Services call these so every error of the local cloud has AWS's shape.
// Query errors: https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
// REST-JSON errors: https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
// ---------------------------------------------------------------------------
import { XMLBuilder } from 'fast-xml-parser';
import { AwsError, type ServiceName, type ServiceResponse } from '../contracts';

export { AwsError };

export const XML_NAMESPACES: Record<'iam' | 'sts', string> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
};

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

/** Any thrown value as an AwsError: unexpected ones become a 500 InternalFailure (ours, not the caller's). */
export function toAwsError(e: unknown): AwsError {
  if (e instanceof AwsError) return e;
  return new AwsError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500, 'Receiver');
}

/** `<ErrorResponse>` of the query protocol (IAM, STS). */
export function queryErrorResponse(service: 'iam' | 'sts', error: AwsError, requestId: string): ServiceResponse {
  const body = xml.build({
    ErrorResponse: {
      '@_xmlns': XML_NAMESPACES[service],
      Error: { Type: error.type, Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  }) as string;
  return { status: error.status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}

/** REST-JSON error (Lambda): the SDK reads the code from x-amzn-errortype. */
export function jsonErrorResponse(error: AwsError, requestId: string): ServiceResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId },
    body: JSON.stringify({ Type: error.type === 'Sender' ? 'User' : 'Service', message: error.message }),
  };
}

/**
 * awsJson 1.0 error (DynamoDB): `{"__type": "<namespace>#<Code>", "message"}`. DynamoDB answers every
 * client error with HTTP 400 and server errors with 500/503:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 * Errors of DynamoDB itself carry its namespace; the common ones (authentication, authorization,
 * throttling of the front end) carry coral's, as DynamoDB's own answers show.
 */
export function dynamoDbErrorResponse(error: AwsError, requestId: string): ServiceResponse {
  const code = error.code === 'AccessDenied' ? 'AccessDeniedException' : error.code;
  const namespace = COMMON_JSON_ERRORS.has(code) ? 'com.amazon.coral.service' : 'com.amazonaws.dynamodb.v20120810';
  const status = error.status >= 500 ? error.status : error.status === 413 ? 413 : 400;
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId },
    // Extra members of the error body (ConditionalCheckFailedException's Item), where the service set them.
    body: JSON.stringify({ __type: `${namespace}#${code}`, message: error.message, ...(error as { extra?: Record<string, unknown> }).extra }),
  };
}

const COMMON_JSON_ERRORS = new Set([
  'AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'MissingAuthenticationTokenException',
  'IncompleteSignatureException', 'ExpiredTokenException', 'UnknownOperationException', 'SerializationException',
  'RequestEntityTooLargeException', 'RequestTimeoutException', 'InternalFailure',
]);

/** The error in the protocol of `service`. */
export function errorResponse(service: ServiceName, error: AwsError, requestId: string): ServiceResponse {
  if (service === 'dynamodb') return dynamoDbErrorResponse(error, requestId);
  return service === 'lambda' ? jsonErrorResponse(error, requestId) : queryErrorResponse(service, error, requestId);
}
