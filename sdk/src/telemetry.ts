/**
 * The monitor's own OpenTelemetry metrics, through `@opentelemetry/api` only, so they reach
 * whatever exporter the host registered (or cost nothing when it registered none).
 *
 * Counts are kept in the monitor's plain counters and reported by observable instruments at
 * collection time: the hot path pays nothing for them. Latencies go into a small typed-array
 * buffer (a few ns) and are recorded into the OTel histogram later, in slices on setImmediate and
 * at every collection: with @opentelemetry/sdk-metrics 2.12 one `histogram.record()` with
 * attributes costs 1-3 µs (attribute hashing), more than the whole logPrediction budget
 * (bench: sdk-log-prediction reports both figures). With no provider registered nothing is buffered.
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
  type Meter,
  type MeterProvider,
  type Observable,
} from '@opentelemetry/api';
import type { Counters, StreamName } from './stats.js';
import { SDK_VERSION } from './version.js';

/**
 * Instrument names, Prometheus-style so they read the same after export (the exporter adds
 * `_total` to counters).
 *
 * @example
 * ```ts
 * // PromQL: share of records lost over the last 5 minutes
 * const query = `sum(rate(${METRIC_NAMES.dropped}_total[5m])) / sum(rate(${METRIC_NAMES.predictions}_total[5m]))`;
 * ```
 */
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

/** Latencies waiting to be recorded; past this many between two drains (a long synchronous burst), samples are recorded directly. */
const PENDING_CAPACITY = 8192;
/** A drain is scheduled once this many latencies wait, and records at most DRAIN_SLICE per event-loop turn. */
const DRAIN_THRESHOLD = 256;
const DRAIN_SLICE = 512;

/** A monitor's instruments, rebuilt whenever the host swaps the global meter provider. */
export class MonitorTelemetry {
  private latency: Histogram;
  private recording = false;
  private readonly pending = new Float64Array(PENDING_CAPACITY);
  private pendingCount = 0;
  private drainScheduled = false;
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

  /** Queues one prediction's latency for the histogram: the hot-path part, a few nanoseconds. */
  recordLatency(ms: number): void {
    if (!this.recording) return;
    if (this.pendingCount === PENDING_CAPACITY) {
      // The host has not yielded for 8,192 predictions: pay the record now rather than lose it.
      this.recordNow(ms);
      return;
    }
    this.pending[this.pendingCount++] = ms;
    if (this.pendingCount >= DRAIN_THRESHOLD && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(this.drainSlice);
    }
  }

  /** Records every waiting latency now (at collection time, so each scrape is exact). */
  drainAll(): void {
    while (this.pendingCount > 0) this.drain(DRAIN_SLICE);
  }

  private readonly drainSlice = (): void => {
    this.drainScheduled = false;
    this.drain(DRAIN_SLICE);
    if (this.pendingCount > 0 && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(this.drainSlice);
    }
  };

  private recordNow(ms: number): void {
    try {
      this.latency.record(ms / 1000, this.attributes);
    } catch {
      /* a broken host SDK must not break the monitor */
    }
  }

  private drain(max: number): void {
    const count = Math.min(max, this.pendingCount);
    try {
      for (let i = 0; i < count; i++)
        this.latency.record((this.pending[i] as number) / 1000, this.attributes);
    } catch {
      /* a broken host SDK must not break the monitor */
    }
    this.pending.copyWithin(0, count, this.pendingCount);
    this.pendingCount -= count;
  }

  /** Rebuilds the instruments if the global meter provider changed since the last call. Never throws. */
  refresh(): void {
    try {
      const provider = metrics.getMeterProvider();
      if (provider === this.provider) return;
      this.close();
      this.provider = provider;
      const meter = provider.getMeter('@factorywatch/sdk', SDK_VERSION);
      // The API's no-op provider hands out one shared no-op meter: nothing to record into.
      this.recording = meter !== createNoopMeter();
      this.build(meter);
    } catch {
      /* a broken host SDK must not break the monitor: keep the instruments we have */
    }
  }

  /** Records what is pending and stops reporting (the monitor shut down, or the provider changed). */
  close(): void {
    this.drainAll();
    this.unregister?.();
    this.unregister = undefined;
  }

  private build(meter: Meter): void {
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
      this.drainAll();
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
