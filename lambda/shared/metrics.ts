// ---------------------------------------------------------------------------
// The connector's metrics, as CloudWatch embedded metric format (EMF) lines on stdout (Powertools
// Metrics): CloudWatch turns each line into metrics, no PutMetricData call, no extra latency.
//
// Namespace SidecarConnector (POWERTOOLS_METRICS_NAMESPACE overrides it). Metrics:
//   AssumeRoleCalls (Count), AssumeRoleLatency (Milliseconds), CacheHit / CacheMiss (Count),
//   InvokeLatency (Milliseconds), Refusals (Count, by ErrorCode), PreviousExternalIdUsed (Count:
//   an AssumeRole that succeeded only with the tenant's previous external ID, i.e. a rotation the
//   customer's trust has not caught up with; by tenant in Logs Insights via the metadata; when it
//   stays at 0 for a tenant, `npm run rotate -- --tenant <id> --finish` is safe).
//
// Dimensions, chosen by cardinality: each distinct combination of dimension values is a metric
// of its own, billed monthly. `service` (one value) on all of them; `ErrorCode` (the ~17 typed
// codes of lambda/shared/errors.ts) on Refusals only. NOT the tenant: 10,000 tenants would be
// 10,000 metrics per metric name. The tenant goes in as a metadata property instead: it is in
// the EMF line, so CloudWatch Logs Insights can still break a figure down by tenant
// (`filter tenant = "acme"`), at no metric cost. Nor the function ARN, for the same reason.
// ---------------------------------------------------------------------------
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const METRICS_NAMESPACE = 'SidecarConnector';

export type CountMetric = 'CacheHit' | 'CacheMiss' | 'PreviousExternalIdUsed';

/** What the connector records; `publish` writes one request's worth. */
export interface ConnectorMetrics {
  count(name: CountMetric): void;
  /** One AssumeRole sent to STS, and its time (success or not: how a refused one ended is in Refusals). */
  assumeRole(ms: number): void;
  invokeLatency(ms: number): void;
  /** The request was answered with a typed failure of this code. */
  refusal(code: string): void;
  /** Write what was recorded since the last publish, with `tenant` as metadata (not a dimension). */
  publish(meta: { readonly tenant?: string }): void;
}

/** Records nothing: for callers built without metrics (tests, the bench's in-process connector). */
export const NO_METRICS: ConnectorMetrics = {
  count: () => undefined,
  assumeRole: () => undefined,
  invokeLatency: () => undefined,
  refusal: () => undefined,
  publish: () => undefined,
};

export function createConnectorMetrics(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): ConnectorMetrics {
  const metrics = new Metrics({ namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE, serviceName: env.POWERTOOLS_SERVICE_NAME || defaultServiceName });
  let refusals: string[] = [];
  let stored = 0;
  const add = (name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number) => {
    metrics.addMetric(name, unit, value);
    stored += 1;
  };
  return {
    count: (name) => add(name, MetricUnit.Count, 1),
    assumeRole: (ms) => {
      add('AssumeRoleCalls', MetricUnit.Count, 1);
      add('AssumeRoleLatency', MetricUnit.Milliseconds, ms);
    },
    invokeLatency: (ms) => add('InvokeLatency', MetricUnit.Milliseconds, ms),
    refusal: (code) => { refusals.push(code); },
    publish: ({ tenant }) => {
      // A refusal needs a dimension the other metrics must not get: a line of its own.
      for (const code of refusals) {
        const single = metrics.singleMetric();
        single.addDimension('ErrorCode', code);
        if (tenant) single.addMetadata('tenant', tenant);
        single.addMetric('Refusals', MetricUnit.Count, 1);
      }
      refusals = [];
      if (stored === 0) return; // Powertools warns on an empty publish
      if (tenant) metrics.addMetadata('tenant', tenant);
      metrics.publishStoredMetrics();
      stored = 0;
    },
  };
}
