// ---------------------------------------------------------------------------
// Test-only fault injection and per-operation request counts. A rule matches a service and
// optionally an operation; it may delay the request, fail it with an AWS error, or both, for a
// fraction of requests (`rate`) and a number of times (`count`). Off unless test controls are on.
// A rule may also target one tenant: the caller's principal ARN, AssumeRole's RoleArn or
// RoleSessionName, or the invoked function's name (so one tenant is throttled, not all of them).
// ---------------------------------------------------------------------------
import * as z from 'zod';
import { AwsError, type ServiceName } from '../contracts';

export const faultRuleSchema = z.strictObject({
  service: z.enum(['iam', 'sts', 'lambda', 'dynamodb']),
  /** e.g. `AssumeRole`, `Invoke`; omitted: every operation of the service. */
  operation: z.string().min(1).optional(),
  /** AWS error code to answer with, e.g. `Throttling`; omitted: latency only. */
  error: z.string().regex(/^[A-Za-z]+$/).optional(),
  message: z.string().optional(),
  status: z.number().int().min(400).max(599).default(400),
  /** Fraction of matching requests affected, 0..1. */
  rate: z.number().min(0).max(1).default(1),
  /** How many requests to affect before the rule retires; omitted: unlimited. */
  count: z.number().int().positive().optional(),
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /** Only requests signed by this principal (an assumed-role session: arn:aws:sts::A:assumed-role/R/S). */
  principalArn: z.string().min(1).optional(),
  /** Only AssumeRole requests for this role ARN. */
  roleArn: z.string().min(1).optional(),
  /** Only AssumeRole requests with this RoleSessionName. */
  roleSessionName: z.string().min(1).optional(),
  /** Only Lambda requests on this function (its name, whether the caller sent a name or an ARN). */
  functionName: z.string().min(1).optional(),
});

export type FaultRule = z.infer<typeof faultRuleSchema>;

/** What a request offers the targeting fields of a rule; a field the request lacks never matches. */
export interface FaultSubject {
  readonly principalArn?: string;
  readonly roleArn?: string;
  readonly roleSessionName?: string;
  readonly functionName?: string;
}

const TARGET_FIELDS = ['principalArn', 'roleArn', 'roleSessionName', 'functionName'] as const;

/** The targeting facts of a request: the signer, STS's query parameters, Lambda's path. */
export function faultSubjectOf(request: { service: ServiceName; path: string; principalArn?: string; params?: { optional(name: string): string | undefined } }): FaultSubject {
  const subject: { -readonly [K in keyof FaultSubject]: FaultSubject[K] } = { principalArn: request.principalArn };
  if (request.service === 'sts' && request.params) {
    subject.roleArn = request.params.optional('RoleArn');
    subject.roleSessionName = request.params.optional('RoleSessionName');
  }
  if (request.service === 'lambda') {
    // /2015-03-31/functions/{FunctionName}/invocations (and the other function routes)
    const match = /\/functions\/([^/]+)/.exec(request.path);
    if (match) subject.functionName = functionNameOf(safeDecode(match[1]));
  }
  return subject;
}

/** `name`, `name:qualifier`, `arn:aws:lambda:r:a:function:name[:qualifier]` or `a:function:name` -> name. */
function functionNameOf(ref: string): string {
  const parts = ref.split(':');
  const at = parts.indexOf('function');
  if (at >= 0 && parts.length > at + 1) return parts[at + 1];
  return parts[0];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function targets(rule: FaultRule, subject: FaultSubject): boolean {
  return TARGET_FIELDS.every((field) => rule[field] === undefined || rule[field] === subject[field]);
}

interface ActiveRule extends FaultRule {
  applied: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  add(rules: FaultRule[]): void {
    this.rules.push(...rules.map((r) => ({ ...r, applied: 0 })));
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return this.rules.map(({ applied: _applied, ...rule }) => rule);
  }

  /** How many requests each live rule has affected, in the order of `list()`. */
  appliedCounts(): number[] {
    return this.rules.map((r) => r.applied);
  }

  /** Delay and/or throw as the first matching live rule says. Without a subject, rules that
   *  target a principal, role, session or function never match. */
  async apply(service: ServiceName, operation: string, subject: FaultSubject = {}): Promise<void> {
    const rule = this.rules.find((r) => r.service === service && (r.operation === undefined || r.operation === operation)
      && targets(r, subject) && (r.count === undefined || r.applied < r.count));
    if (!rule || this.random() >= rule.rate) return;
    rule.applied++;
    if (rule.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, rule.latencyMs));
    if (rule.error) throw new AwsError(rule.error, rule.message ?? `Injected fault: ${rule.error}`, rule.status, rule.status >= 500 ? 'Receiver' : 'Sender');
  }

  record(service: ServiceName | 'unknown', operation: string): void {
    const key = `${service}:${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  stats(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetStats(): void {
    this.counts.clear();
  }
}
