/**
 * The model series of /metrics (docs/metrics.md), recomputed from the store every
 * `health.refreshSeconds`: predictions and labels from stored totals, the latency histogram from
 * stored bucket counts, quality over the trailing `health.models.windowSeconds`. Series cover every
 * tenant (the metric contract has no tenant label).
 */
import type { AppContext, BackgroundJob } from '../http/context.js';
import { startPipelineMetrics } from '../pipeline/metrics.js';
import { histogramSamples, refreshLoop, SnapshotMetric, type SnapshotSample } from './snapshot-metric.js';
import { summarizeModels } from './summary.js';

/** Latency buckets in seconds: 1 ms to 10 s. */
export const LATENCY_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** A running refresher: stop it on shutdown; `refresh()` forces one now (tests, demo). */
export interface MetricsJob extends BackgroundJob {
  refresh(): Promise<void>;
}

/** Starts maintaining the model metrics on ctx.registry. */
export function startModelMetrics(ctx: AppContext): MetricsJob {
  const { registry, store, config } = ctx;
  const predictions = new SnapshotMetric(
    registry,
    'factorywatch_predictions_total',
    'Predictions stored, per model version.',
    'counter',
  );
  const latency = new SnapshotMetric(
    registry,
    'factorywatch_prediction_latency_seconds',
    'Prediction latency (latency_ms of stored predictions), per model version.',
    'histogram',
  );
  const labels = new SnapshotMetric(
    registry,
    'factorywatch_labels_total',
    'Delayed labels stored.',
    'counter',
  );
  const quality = new SnapshotMetric(
    registry,
    'factorywatch_model_quality',
    'Model quality over the trailing health.models.windowSeconds, per model version and metric.',
    'gauge',
  );

  async function refresh(): Promise<void> {
    const now = Date.now();
    const totals = await store.health.modelTotals(null, LATENCY_BUCKETS_SECONDS);
    predictions.set(
      totals.map((t) => ({ labels: { model: t.model, version: t.version }, value: t.predictions })),
    );
    latency.set(
      totals.flatMap((t) =>
        histogramSamples(
          'factorywatch_prediction_latency_seconds',
          { model: t.model, version: t.version },
          LATENCY_BUCKETS_SECONDS,
          t.latencyBuckets,
          t.latencyCount,
          t.latencySumSeconds,
        ),
      ),
    );
    const counts = await store.ingest.counts();
    labels.set([{ labels: {}, value: counts.find((c) => c.stream === 'labels')?.records ?? 0 }]);
    const summaries = await summarizeModels(store.health, config.health, {
      tenant: null,
      from: now - config.health.models.windowSeconds * 1000,
      until: now,
      bySegment: false,
    });
    const samples: SnapshotSample[] = [];
    for (const s of summaries) {
      for (const [metric, value] of Object.entries(s.quality)) {
        if (typeof value === 'number' && Number.isFinite(value)) {
          samples.push({ labels: { model: s.model, version: s.version, metric }, value });
        }
      }
    }
    quality.set(samples);
  }

  return refreshLoop(config.health.refreshSeconds, refresh, (error) =>
    ctx.logger.warn({ err: error }, 'model metrics refresh failed; keeping the previous values'),
  );
}

/** Starts both the model and the pipeline metrics; stopping it stops both. */
export function startHealthMetrics(ctx: AppContext): MetricsJob {
  const jobs = [startModelMetrics(ctx), startPipelineMetrics(ctx)];
  return {
    async stop() {
      await Promise.all(jobs.map((j) => j.stop()));
    },
    async refresh() {
      for (const j of jobs) await j.refresh();
    },
  };
}
