/**
 * The monitor's own OpenTelemetry metrics, through `@opentelemetry/api` only, so they reach
 * whatever exporter the host registered (or cost nothing when it registered none).
 *
 * Counts are kept in the monitor's plain counters and reported by observable instruments at
 * collection time: the hot path pays nothing for them. Only the latency histogram records per
 * call (bench: sdk-log-prediction measures it with a real MeterProvider).
 *
 * The API has no proxy meter provider: instruments created before the host registers its SDK
 * would stay no-ops forever. So the monitor calls `refresh()` on every flush tick and rebuilds its
 * instruments when the global provider changed (e.g. `startTelemetry()` called after `createMonitor()`).
 */
import {
  createNoopMeter,
  metrics,
  type BatchObservableCallback,
  type Histogram,
  type MeterProvider,
  type Observable,
} from '@opentelemetry/api';
import type { Counters, StreamName } from './stats.js';
import { SDK_VERSION } from './version.js';

/** Instrument names, Prometheus-style so they read the same after export (the exporter adds `_total` to counters). */
export const METRIC_NAMES = {
  predictions: 'factorywatch_sdk_predictions',
  latency: 'factorywatch_sdk_prediction_latency_seconds',
  queueDepth: 'factorywatch_sdk_queue_depth',
  delivered: 'factorywatch_sdk_delivered_records',
  dropped: 'factorywatch_sdk_dropped_records',
} as const;

/** Bucket bounds (seconds) sized for model latency: 1 ms to 10 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Reads the live state the observable instruments report. */
export interface TelemetrySource {
  readonly counters: Counters;
  queueDepth(stream: StreamName): number;
}

const STREAMS: readonly StreamName[] = ['predictions', 'labels', 'pipeline_stats'];

/** A monitor's instruments, rebuilt whenever the host swaps the global meter provider. */
export class MonitorTelemetry {
  /** The latency histogram; a no-op until a provider is registered. Read on the hot path. */
  latency: Histogram;
  private provider: MeterProvider | undefined;
  private unregister: (() => void) | undefined;
  private readonly attributes: Readonly<Record<string, string>>;

  constructor(
    model: string,
    version: string,
    private readonly source: TelemetrySource,
  ) {
    this.attributes = Object.freeze({ model, version });
    this.latency = createNoopMeter().createHistogram(METRIC_NAMES.latency);
    this.refresh();
  }

  /** Records one prediction's latency. */
  recordLatency(ms: number): void {
    this.latency.record(ms / 1000, this.attributes);
  }

  /** Rebuilds the instruments if the global meter provider changed since the last call. Never throws. */
  refresh(): void {
    try {
      const provider = metrics.getMeterProvider();
      if (provider === this.provider) return;
      this.close();
      this.provider = provider;
      this.build(provider);
    } catch {
      /* a broken host SDK must not break the monitor: keep the instruments we have */
    }
  }

  /** Stops reporting (the monitor shut down). */
  close(): void {
    this.unregister?.();
    this.unregister = undefined;
  }

  private build(provider: MeterProvider): void {
    const meter = provider.getMeter('@factorywatch/sdk', SDK_VERSION);
    this.latency = meter.createHistogram(METRIC_NAMES.latency, {
      description: 'Prediction latency reported to factorywatch (latencyMs of logPrediction).',
      unit: 's',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
    });
    const predictions = meter.createObservableCounter(METRIC_NAMES.predictions, {
      description: 'Predictions logged through the factorywatch SDK.',
    });
    const queueDepth = meter.createObservableGauge(METRIC_NAMES.queueDepth, {
      description: 'Records waiting in the SDK queue, per stream.',
    });
    const delivered = meter.createObservableCounter(METRIC_NAMES.delivered, {
      description: 'Records the collector acknowledged, per stream.',
    });
    const dropped = meter.createObservableCounter(METRIC_NAMES.dropped, {
      description:
        'Records lost, by reason: queue_full, shutdown (dropped by the SDK), invalid (refused input), rejected (refused by the collector).',
    });
    const observables: Observable[] = [predictions, queueDepth, delivered, dropped];
    const attributes = this.attributes;
    const callback: BatchObservableCallback = (result) => {
      const counters = this.source.counters;
      result.observe(predictions, counters.predictions, attributes);
      for (const stream of STREAMS) {
        const perStream = { ...attributes, stream };
        result.observe(queueDepth, this.source.queueDepth(stream), perStream);
        result.observe(delivered, counters.deliveredByStream[stream], perStream);
      }
      result.observe(dropped, counters.droppedQueueFull, { ...attributes, reason: 'queue_full' });
      result.observe(dropped, counters.droppedShutdown, { ...attributes, reason: 'shutdown' });
      result.observe(dropped, counters.invalid, { ...attributes, reason: 'invalid' });
      result.observe(dropped, counters.rejected, { ...attributes, reason: 'rejected' });
    };
    meter.addBatchObservableCallback(callback, observables);
    this.unregister = () => meter.removeBatchObservableCallback(callback, observables);
  }
}
