/**
 * A metric whose series are recomputed from the store and swapped in whole: counters derived from
 * store totals, gauges of the latest evaluation, histograms from stored bucket counts. prom-client's
 * own types only count what happens in this process, which would lose everything stored before a
 * restart (and double count across a fleet of collectors sharing one store).
 */
import type { Metric, Registry } from 'prom-client';

/** One exposed sample: `metricName` overrides the name (histograms' _bucket, _sum, _count). */
export interface SnapshotSample {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

/** A prom-client-compatible metric whose samples are replaced by `set()`. */
export class SnapshotMetric {
  readonly aggregator = 'sum' as const;
  private samples: SnapshotSample[] = [];

  constructor(
    registry: Registry,
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** Replaces every sample at once (scrapes never see half an update). */
  set(samples: SnapshotSample[]): void {
    this.samples = samples;
  }

  /** What prom-client's registry renders. */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: 'sum';
    values: SnapshotSample[];
  }> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.samples,
    };
  }

  reset(): void {
    this.samples = [];
  }
}

/** Histogram samples from cumulative bucket counts (`bounds` ascending, in seconds). */
export function histogramSamples(
  name: string,
  labels: Record<string, string>,
  bounds: readonly number[],
  cumulative: readonly number[],
  count: number,
  sum: number,
): SnapshotSample[] {
  const out: SnapshotSample[] = bounds.map((bound, i) => ({
    metricName: `${name}_bucket`,
    labels: { ...labels, le: String(bound) },
    value: cumulative[i] ?? 0,
  }));
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
  out.push({ metricName: `${name}_sum`, labels, value: sum });
  out.push({ metricName: `${name}_count`, labels, value: count });
  return out;
}

/** Runs `refresh` now and every `seconds`, never two at once; failures are logged, never thrown. */
export function refreshLoop(
  seconds: number,
  refresh: () => Promise<void>,
  onError: (error: unknown) => void,
): { stop(): Promise<void>; refresh(): Promise<void> } {
  let running: Promise<void> | null = null;
  const once = () => {
    running ??= refresh()
      .catch(onError)
      .finally(() => {
        running = null;
      });
    return running;
  };
  void once();
  const timer = setInterval(() => void once(), seconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
    refresh: async () => {
      await running;
      await once();
    },
  };
}
