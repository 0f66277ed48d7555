// ---------------------------------------------------------------------------
// Lambda's REST paths, as the SDK and the Terraform provider send them (PROVIDER-API.md).
// Each route names the operation (for faults and logs) and its handler; path parameters are
// percent-decoded segments. A method or path not listed is UnknownOperationException (4xx).
// https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
// ---------------------------------------------------------------------------
import type { OperationHandler } from './operation';
import { createFunction, deleteFunction, getFunction, getFunctionConfiguration, listFunctions, updateFunctionCode, updateFunctionConfiguration } from './operations/functions';
import { invoke } from './operations/invoke';
import { addPermission, getPolicy, removePermission } from './operations/permissions';
import {
  deleteFunctionConcurrency, getFunctionCodeSigningConfig, getFunctionConcurrency, listTags, putFunctionConcurrency, tagResource, untagResource,
} from './operations/settings';
import { listVersionsByFunction, publishVersion } from './operations/versions';

interface Route {
  readonly method: string;
  /** Literal segments, `{name}` for parameters. */
  readonly pattern: readonly string[];
  readonly operation: string;
  readonly handler: OperationHandler;
}

function route(method: string, path: string, operation: string, handler: OperationHandler): Route {
  return { method, pattern: path.split('/').filter(Boolean), operation, handler };
}

const FN = '/2015-03-31/functions/{fn}';

export const ROUTES: readonly Route[] = [
  route('POST', '/2015-03-31/functions', 'CreateFunction', createFunction),
  route('GET', '/2015-03-31/functions', 'ListFunctions', listFunctions),
  route('GET', FN, 'GetFunction', getFunction),
  route('DELETE', FN, 'DeleteFunction', deleteFunction),
  route('GET', `${FN}/configuration`, 'GetFunctionConfiguration', getFunctionConfiguration),
  route('PUT', `${FN}/configuration`, 'UpdateFunctionConfiguration', updateFunctionConfiguration),
  route('PUT', `${FN}/code`, 'UpdateFunctionCode', updateFunctionCode),
  route('GET', `${FN}/versions`, 'ListVersionsByFunction', listVersionsByFunction),
  route('POST', `${FN}/versions`, 'PublishVersion', publishVersion),
  route('POST', `${FN}/policy`, 'AddPermission', addPermission),
  route('GET', `${FN}/policy`, 'GetPolicy', getPolicy),
  route('DELETE', `${FN}/policy/{sid}`, 'RemovePermission', removePermission),
  route('POST', `${FN}/invocations`, 'Invoke', invoke),
  route('GET', '/2020-06-30/functions/{fn}/code-signing-config', 'GetFunctionCodeSigningConfig', getFunctionCodeSigningConfig),
  route('PUT', '/2017-10-31/functions/{fn}/concurrency', 'PutFunctionConcurrency', putFunctionConcurrency),
  route('DELETE', '/2017-10-31/functions/{fn}/concurrency', 'DeleteFunctionConcurrency', deleteFunctionConcurrency),
  route('GET', '/2019-09-30/functions/{fn}/concurrency', 'GetFunctionConcurrency', getFunctionConcurrency),
  route('GET', '/2017-10-31/functions/{fn}/concurrency', 'GetFunctionConcurrency', getFunctionConcurrency),
  route('GET', '/2017-03-31/tags/{arn}', 'ListTags', listTags),
  route('POST', '/2017-03-31/tags/{arn}', 'TagResource', tagResource),
  route('DELETE', '/2017-03-31/tags/{arn}', 'UntagResource', untagResource),
];

export interface MatchedRoute {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** Decode one path segment; a malformed escape matches nothing rather than throwing. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function matchRoute(method: string, path: string): MatchedRoute | undefined {
  const segments = path.split('/').filter(Boolean);
  for (const r of ROUTES) {
    if (r.method !== method || r.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const p = r.pattern[i];
      if (p.startsWith('{')) {
        const value = decodeSegment(segments[i]);
        if (value === undefined || value.length === 0) ok = false;
        else params[p.slice(1, -1)] = value;
      } else {
        ok = p === segments[i];
      }
    }
    if (ok) return { route: r, params };
  }
  return undefined;
}
