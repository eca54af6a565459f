/**
 * The pipeline series of /metrics (docs/metrics.md), recomputed from the store every
 * `health.refreshSeconds`: rows and errors from stored totals, lag, queue depth, last success and
 * status from the health evaluation. Series cover every tenant (the contract has no tenant label).
 */
import type { AppContext } from '../http/context.js';
import type { MetricsJob } from '../models/metrics.js';
import { refreshLoop, SnapshotMetric, type SnapshotSample } from '../models/snapshot-metric.js';
import { pipelineHealth } from './health.js';
import { PIPELINE_STATUSES } from './status.js';

/** Starts maintaining the pipeline metrics on ctx.registry. */
export function startPipelineMetrics(ctx: AppContext): MetricsJob {
  const { registry, store, config } = ctx;
  const metric = (name: string, help: string, type: 'counter' | 'gauge') =>
    new SnapshotMetric(registry, name, help, type);
  const rows = metric(
    'factorywatch_pipeline_rows_total',
    'rows_out reported, per pipeline stage.',
    'counter',
  );
  const errors = metric(
    'factorywatch_pipeline_errors_total',
    'errors reported, per pipeline stage.',
    'counter',
  );
  const lag = metric(
    'factorywatch_pipeline_lag_seconds',
    'Latest reported lag, per pipeline stage.',
    'gauge',
  );
  const queue = metric(
    'factorywatch_pipeline_queue_depth',
    'Latest reported queue depth, per pipeline stage.',
    'gauge',
  );
  const lastSuccess = metric(
    'factorywatch_pipeline_last_success_timestamp_seconds',
    'Time of the newest report that showed progress, per pipeline stage.',
    'gauge',
  );
  const status = metric(
    'factorywatch_pipeline_status',
    'Pipeline stage status: 1 for the current one of ok, degraded, queue_growing, throughput_collapsed, stalled.',
    'gauge',
  );

  async function refresh(): Promise<void> {
    const totals = await store.health.pipelineTotals(null);
    const stage = (t: { pipeline: string; stage: string }) => ({ pipeline: t.pipeline, stage: t.stage });
    rows.set(totals.map((t) => ({ labels: stage(t), value: t.rowsOut })));
    errors.set(totals.map((t) => ({ labels: stage(t), value: t.errors })));
    const health = await pipelineHealth(store.health, config.health, { tenant: null, now: Date.now() });
    const present = (pick: (h: (typeof health)[number]) => number | null): SnapshotSample[] =>
      health.flatMap((h) => {
        const value = pick(h);
        return value === null ? [] : [{ labels: stage(h), value }];
      });
    lag.set(present((h) => h.lag_seconds));
    queue.set(present((h) => h.queue_depth));
    lastSuccess.set(present((h) => (h.last_success === null ? null : h.last_success / 1000)));
    status.set(
      health.flatMap((h) =>
        PIPELINE_STATUSES.map((s) => ({ labels: { ...stage(h), status: s }, value: h.status === s ? 1 : 0 })),
      ),
    );
  }

  return refreshLoop(config.health.refreshSeconds, refresh, (error) =>
    ctx.logger.warn({ err: error }, 'pipeline metrics refresh failed; keeping the previous values'),
  );
}
