// ---------------------------------------------------------------------------
// Test-only fault injection and per-operation request counts. A rule matches a service and
// optionally an operation; it may delay the request, fail it with an AWS error, or both, for a
// fraction of requests (`rate`) and a number of times (`count`). Off unless test controls are on.
// ---------------------------------------------------------------------------
import { z } from 'zod';
import { AwsError, type ServiceName } from '../contracts';

export const faultRuleSchema = z.strictObject({
  service: z.enum(['iam', 'sts', 'lambda']),
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
});

export type FaultRule = z.infer<typeof faultRuleSchema>;

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

  /** Count the request; then delay and/or throw as the first matching live rule says. */
  async apply(service: ServiceName, operation: string): Promise<void> {
    const rule = this.rules.find((r) => r.service === service && (r.operation === undefined || r.operation === operation) && (r.count === undefined || r.applied < r.count));
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
