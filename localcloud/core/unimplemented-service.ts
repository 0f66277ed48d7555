// ---------------------------------------------------------------------------
// A request signed for a service the local cloud does not implement (CloudWatch Logs, DynamoDB,
// S3, SQS, ...): answered in the wire protocol that service's client reads, so the client shows
// an error code instead of failing to parse STS's XML. The protocol is read from the request, as
// each protocol announces itself:
//   awsJson1.0 / 1.1: X-Amz-Target and Content-Type application/x-amz-json-1.x, error in
//     {"__type", "message"} and x-amzn-ErrorType
//     https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html (Operation error serialization)
//   query (SQS's old protocol, SNS, ...): a form body, error in <ErrorResponse><Error>
//     https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
//   REST-XML (S3): <Error><Code> at the root https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
//   REST-JSON (everything else): x-amzn-ErrorType and a JSON body
//     https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
// ---------------------------------------------------------------------------
import type { IncomingHttpHeaders } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import type { ServiceResponse } from '../contracts';

/** The code every such answer carries: the client shows it, and it names who refused. */
export const NOT_IMPLEMENTED_CODE = 'NotImplementedByLocalCloud';

export type WireProtocol = 'awsJson1_0' | 'awsJson1_1' | 'query' | 'restXml' | 'restJson';

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

/** The protocol a request to `service` speaks, read from its headers. */
export function protocolOf(service: string, headers: IncomingHttpHeaders): WireProtocol {
  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  if (headers['x-amz-target'] !== undefined || contentType.startsWith('application/x-amz-json-')) {
    return contentType.startsWith('application/x-amz-json-1.0') ? 'awsJson1_0' : 'awsJson1_1';
  }
  if (service === 's3') return 'restXml';
  if (contentType.startsWith('application/x-www-form-urlencoded')) return 'query';
  return 'restJson';
}

/** The answer to a request signed for `service`, which the local cloud does not serve. */
export function notImplementedResponse(service: string, headers: IncomingHttpHeaders, served: readonly string[], requestId: string): ServiceResponse {
  const message = `The local cloud does not implement the service "${service}"; it serves ${served.join(', ')}.`;
  const status = 400; // a client error: a 5xx would make every SDK retry a request that cannot succeed
  const protocol = protocolOf(service, headers);
  switch (protocol) {
    case 'awsJson1_0':
    case 'awsJson1_1':
      return {
        status,
        headers: { 'content-type': protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1', 'x-amzn-errortype': NOT_IMPLEMENTED_CODE, 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: NOT_IMPLEMENTED_CODE, message }),
      };
    case 'query':
      return {
        status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body: xml.build({ ErrorResponse: { Error: { Type: 'Sender', Code: NOT_IMPLEMENTED_CODE, Message: message }, RequestId: requestId } }) as string,
      };
    case 'restXml':
      return {
        status,
        headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
        body: xml.build({ Error: { Code: NOT_IMPLEMENTED_CODE, Message: message, RequestId: requestId } }) as string,
      };
    case 'restJson':
      return {
        status,
        headers: { 'content-type': 'application/json', 'x-amzn-errortype': NOT_IMPLEMENTED_CODE, 'x-amzn-requestid': requestId },
        body: JSON.stringify({ message }),
      };
  }
}
