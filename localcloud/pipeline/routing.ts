// ---------------------------------------------------------------------------
// Which service a request is for: the credential scope of its signature names it; a request
// without a usable one is answered in the shape of the service its path suggests. Endpoints
// may carry the service as a path prefix (http://127.0.0.1:P/iam), which is not a resource.
// ---------------------------------------------------------------------------
import type { ServiceName } from '../contracts';

export const SERVICES: readonly ServiceName[] = ['iam', 'sts', 'lambda', 'dynamodb'];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICES as readonly string[]).includes(name);
}

/** DynamoDB's awsJson 1.0 target prefix: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html */
export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810.';

/** The service a request without a usable credential scope was meant for: decides the error's shape.
 *  DynamoDB names itself in `X-Amz-Target` on the path `/`. */
export function serviceFromPath(path: string, target?: string | string[]): ServiceName {
  if (typeof target === 'string' && target.startsWith(DYNAMODB_TARGET_PREFIX)) return 'dynamodb';
  if (path.startsWith('/iam')) return 'iam';
  if (/^\/(lambda|20\d\d-\d\d-\d\d)\b/.test(path)) return 'lambda';
  return 'sts';
}

/** `POST /iam` with endpoint http://127.0.0.1:P/iam: the prefix names the service, not a resource. */
export function stripServicePrefix(path: string, service: ServiceName): string {
  const prefix = `/${service}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
}
