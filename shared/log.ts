import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * Logs and metrics of every function (JSON lines; metrics in CloudWatch EMF, namespace
 * `apinetlet`). Module-level instances: one per cold start, shared by all invocations.
 * LOG_LEVEL / POWERTOOLS_LOG_LEVEL pick the level (Powertools reads them itself).
 */
export const SERVICE_NAME = 'apinetlet';
export const METRICS_NAMESPACE = 'apinetlet';

export type { Logger } from '@aws-lambda-powertools/logger';
export type { Metrics } from '@aws-lambda-powertools/metrics';

let rootLogger: Logger | undefined;
let rootMetrics: Metrics | undefined;

export function getLogger(): Logger {
  rootLogger ??= new Logger({ serviceName: SERVICE_NAME });
  return rootLogger;
}

export function getMetrics(): Metrics {
  rootMetrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  return rootMetrics;
}

/** The fields every line about one key carries. */
export interface KeyFields {
  kind: string;
  /** `namespace/name`. */
  key: string;
  source?: string;
  [field: string]: unknown;
}

/** A child logger that writes kind, key and source (and any extra fields) on every line. */
export function keyLogger(parent: Logger, fields: KeyFields): Logger {
  return parent.createChild({ persistentKeys: { ...fields } as Record<string, string> });
}

export type ReconcileOutcome = 'done' | 'requeue' | 'failed' | 'dropped';

/**
 * One reconcile's metrics: `reconciles` (every outcome), `failures` (thrown errors), `requeues`,
 * `duration` (ms), all with the `kind` and `outcome` dimensions.
 */
export function recordReconcile(metrics: Metrics, kind: string, outcome: ReconcileOutcome, durationMs: number): void {
  // Published at once, synchronously: dimensions are per EMF line and nothing can interleave.
  // (singleMetric() would publish after the first addMetric and drop the dimensions for the rest.)
  metrics.addDimensions({ kind, outcome });
  metrics.addMetric('reconciles', MetricUnit.Count, 1);
  if (outcome === 'failed') metrics.addMetric('failures', MetricUnit.Count, 1);
  if (outcome === 'requeue') metrics.addMetric('requeues', MetricUnit.Count, 1);
  metrics.addMetric('duration', MetricUnit.Milliseconds, durationMs);
  metrics.publishStoredMetrics();
}

/** `apiCalls` per `<verb> <kind>` (the counts of KubeClient.takeApiCallCounts), with `cluster`, `verb` and `resource` dimensions. */
export function recordApiCalls(metrics: Metrics, cluster: string, counts: Record<string, number>): void {
  for (const [counter, n] of Object.entries(counts)) {
    if (n <= 0) continue;
    const [verb = '', resource = ''] = counter.split(' ');
    metrics.addDimensions({ cluster, verb, resource });
    metrics.addMetric('apiCalls', MetricUnit.Count, n);
    metrics.publishStoredMetrics();
  }
}

/** What one resync run reports as metrics (issue 12); a subset of ResyncSummary. */
export interface ResyncRunMetrics {
  mode: string;
  listed: Record<string, number>;
  drift: Record<string, Partial<Record<string, number>>>;
  messages: number;
  requests: Record<string, number>;
  durationMs: number;
  peakRssBytes: number;
}

/**
 * A resync run's metrics, each EMF line published at once (dimensions are per line): `resyncListed`
 * per kind, `resyncDriftKeys` per kind and reason, `resyncMessages`, `resyncRequests` per cluster,
 * `resyncDuration` (ms) and `resyncPeakRss` (bytes), all with the `mode` dimension.
 */
export function recordResync(metrics: Metrics, m: ResyncRunMetrics): void {
  for (const [kind, n] of Object.entries(m.listed)) {
    metrics.addDimensions({ mode: m.mode, kind });
    metrics.addMetric('resyncListed', MetricUnit.Count, n);
    metrics.publishStoredMetrics();
  }
  for (const [kind, reasons] of Object.entries(m.drift)) {
    for (const [reason, n] of Object.entries(reasons ?? {})) {
      metrics.addDimensions({ mode: m.mode, kind, reason });
      metrics.addMetric('resyncDriftKeys', MetricUnit.Count, n ?? 0);
      metrics.publishStoredMetrics();
    }
  }
  for (const [cluster, n] of Object.entries(m.requests)) {
    metrics.addDimensions({ mode: m.mode, cluster });
    metrics.addMetric('resyncRequests', MetricUnit.Count, n);
    metrics.publishStoredMetrics();
  }
  metrics.addDimensions({ mode: m.mode });
  metrics.addMetric('resyncMessages', MetricUnit.Count, m.messages);
  metrics.addMetric('resyncDuration', MetricUnit.Milliseconds, m.durationMs);
  metrics.addMetric('resyncPeakRss', MetricUnit.Bytes, m.peakRssBytes);
  metrics.publishStoredMetrics();
}
