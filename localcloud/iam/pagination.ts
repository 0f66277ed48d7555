// ---------------------------------------------------------------------------
// IAM list pagination: `MaxItems` (1-1000, default 100) items a page, `IsTruncated` and an opaque
// `Marker` to pass back for the next page. A marker holds the key of the last item returned, so a
// page continues after it even if that item was deleted meanwhile; a marker IAM did not issue (or
// one issued by another list call) is refused.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html (Marker, MaxItems, IsTruncated)
// ---------------------------------------------------------------------------
import { AwsError } from '../contracts';
import type { IamCall } from './call';

export const DEFAULT_MAX_ITEMS = 100;
export const MAX_MAX_ITEMS = 1000;

export interface PageFields {
  readonly IsTruncated: boolean;
  readonly Marker?: string;
}

function invalid(field: string, value: string | number, constraint: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

export const invalidMarker = () => new AwsError('ValidationError', 'Invalid Marker.');

function encodeMarker(operation: string, key: string): string {
  return Buffer.from(`${operation}\n${key}`, 'utf8').toString('base64');
}

function decodeMarker(operation: string, marker: string): string {
  if (marker.length === 0) throw invalid('marker', marker, 'Member must have length greater than or equal to 1');
  const bytes = Buffer.from(marker, 'base64');
  // Only a marker this list issued: canonical base64 of "<operation>\n<key>".
  if (bytes.toString('base64') !== marker) throw invalidMarker();
  const text = bytes.toString('utf8');
  const prefix = `${operation}\n`;
  if (!text.startsWith(prefix)) throw invalidMarker();
  return text.slice(prefix.length);
}

/** `MaxItems`, checked as IAM checks it. */
export function maxItemsOf(call: IamCall): number {
  const max = call.params.optionalInt('MaxItems') ?? DEFAULT_MAX_ITEMS;
  if (max < 1) throw invalid('maxItems', max, 'Member must have value greater than or equal to 1');
  if (max > MAX_MAX_ITEMS) throw invalid('maxItems', max, `Member must have value less than or equal to ${MAX_MAX_ITEMS}`);
  return max;
}

/**
 * One page of `items`, in the order of `keyOf` (keys must be unique), after the request's
 * `Marker`, at most `MaxItems` long; with the fields IAM adds to the result.
 */
export function paginate<T>(call: IamCall, items: readonly T[], keyOf: (item: T) => string): { page: T[]; fields: PageFields } {
  const operation = call.params.action ?? '';
  const max = maxItemsOf(call);
  const marker = call.params.optional('Marker');
  const after = marker === undefined ? undefined : decodeMarker(operation, marker);
  const keyed = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rest = after === undefined ? keyed : keyed.filter((k) => k.key > after);
  const page = rest.slice(0, max);
  if (rest.length <= max) return { page: page.map((k) => k.item), fields: { IsTruncated: false } };
  return { page: page.map((k) => k.item), fields: { IsTruncated: true, Marker: encodeMarker(operation, page[page.length - 1].key) } };
}
