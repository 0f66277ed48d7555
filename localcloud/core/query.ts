// ---------------------------------------------------------------------------
// The query protocol (IAM, STS): form-encoded parameters in, XML out. Lists arrive as
// `Name.member.N` (or `Name.member.N.Key` for structures) and leave as <Name><member>...
// https://docs.aws.amazon.com/IAM/latest/APIReference/iam-api.pdf (Making query requests)
// ---------------------------------------------------------------------------
import { XMLBuilder } from 'fast-xml-parser';
import { AwsError } from '../contracts';
import type { ServiceResponse } from '../contracts';
import { XML_NAMESPACES } from './errors';

/**
 * More parameters than any IAM or STS call needs (a role with 50 tags is ~100). The bound keeps a
 * hostile body of millions of `a=b` pairs from holding the single-threaded server.
 */
export const MAX_QUERY_PARAMETERS = 10_000;

function tooManyParameters(): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: the request has more than ${MAX_QUERY_PARAMETERS} parameters.`);
}

/** Parameters of a query request: the form body, merged over the URL's query string. */
export class QueryParams {
  /** A Map, not URLSearchParams: its has/get/set scan every pair, quadratic over a long form. */
  constructor(private readonly params: ReadonlyMap<string, string>) {}

  static from(body: Buffer, query: URLSearchParams): QueryParams {
    // Count the body's pairs before parsing: URLSearchParams would build every one of them first.
    let pairs = 1;
    for (let i = body.indexOf(0x26); i !== -1 && pairs <= MAX_QUERY_PARAMETERS; i = body.indexOf(0x26, i + 1)) pairs += 1;
    if (pairs > MAX_QUERY_PARAMETERS) throw tooManyParameters();
    const merged = new Map<string, string>();
    for (const source of [query, new URLSearchParams(body.toString('utf8'))]) {
      for (const [k, v] of source) merged.set(k, v); // a repeated key keeps its last value
    }
    if (merged.size > MAX_QUERY_PARAMETERS) throw tooManyParameters();
    return new QueryParams(merged);
  }

  get action(): string | undefined {
    return this.params.get('Action') ?? undefined;
  }

  /** Every parameter name present (e.g. to refuse ones a service does not implement). */
  names(): string[] {
    return [...new Set(this.params.keys())];
  }

  optional(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** A required parameter; AWS answers a missing one with ValidationError naming it in camelCase. */
  required(name: string): string {
    const value = this.params.get(name);
    if (value === undefined) {
      throw new AwsError('ValidationError', `1 validation error detected: Value null at '${camelCase(name)}' failed to satisfy constraint: Member must not be null`);
    }
    return value;
  }

  optionalInt(name: string): number | undefined {
    const raw = this.params.get(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw new AwsError('ValidationError', `1 validation error detected: Value '${raw}' at '${camelCase(name)}' failed to satisfy constraint: Member must be a number`);
    return Number(raw);
  }

  /** `Name.member.1`, `Name.member.2`, ... */
  list(name: string): string[] {
    const out: string[] = [];
    for (let i = 1; this.params.has(`${name}.member.${i}`); i++) out.push(this.params.get(`${name}.member.${i}`)!);
    return out;
  }

  /** `Tags.member.N.Key` / `.Value`. */
  tags(name = 'Tags'): { Key: string; Value: string }[] {
    const out: { Key: string; Value: string }[] = [];
    for (let i = 1; this.params.has(`${name}.member.${i}.Key`); i++) {
      out.push({ Key: this.params.get(`${name}.member.${i}.Key`)!, Value: this.params.get(`${name}.member.${i}.Value`) ?? '' });
    }
    return out;
  }
}

export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

/** A list in the query protocol's XML: <member> per item. */
export function members<T>(items: readonly T[]): { member: T[] } | '' {
  return items.length === 0 ? '' : { member: [...items] };
}

/** `<ActionResponse xmlns><ActionResult>...</ActionResult><ResponseMetadata>...` */
export function queryResponse(service: 'iam' | 'sts', action: string, result: Record<string, unknown> | undefined, requestId: string): ServiceResponse {
  const inner: Record<string, unknown> = {};
  if (result !== undefined) inner[`${action}Result`] = result;
  inner.ResponseMetadata = { RequestId: requestId };
  const body = xml.build({ [`${action}Response`]: { '@_xmlns': XML_NAMESPACES[service], ...inner } }) as string;
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
}
