/**
 * Which parts of a GPU idle window both stores read from rollups and which from raw samples.
 * Pure: the stores hand in the buckets whose rollups are fresh and get back the buckets to read
 * from rollups, the time ranges to read raw, and how starved spans meet the rolled-up buckets.
 *
 * A rolled-up bucket is used where it lies inside the window, from ≤ bucket and bucket end ≤
 * until. A sample whose successor lies in the same bucket then covers min(gap, 2 × nominal) of
 * the bucket, which the window never clips; the bucket's last sample keeps its timestamp and is
 * clipped exactly as a raw sample. So the (idle, gap, count) rows say all the raw computation
 * needs, except the data-starved overlap: a bucket that lies wholly inside a starved span of a
 * pipeline adds all of its idle coverage, one wholly outside adds none, and a series mapped to a
 * pipeline whose span starts or ends inside the bucket reads that bucket raw.
 */
import { GPU_IDLE_BUCKET_MS, type GpuIdleQuery, type StarvedSpan } from './gpu-store.js';

/** A half-open range [start, end) of epoch ms. */
export type TimeRange = readonly [start: number, end: number];

/** A rolled-up bucket and a pipeline, for starved-span lookups. */
export interface BucketPipeline {
  readonly bucket: number;
  readonly pipeline: string;
}

/** How an idle query splits its read range between rollups and raw samples. */
export interface IdleRollupPlan {
  /** Bucket starts, ascending, whose rollups replace their samples. */
  readonly buckets: readonly number[];
  /** The read range minus `buckets`: read from raw samples. */
  readonly rawRanges: readonly TimeRange[];
  /** A starved span of `pipeline` starts or ends strictly inside `bucket`. */
  readonly partial: readonly BucketPipeline[];
  /** `bucket` lies wholly inside a starved span of `pipeline`. */
  readonly whole: readonly BucketPipeline[];
}

type Window = Pick<GpuIdleQuery, 'from' | 'until' | 'maxIntervalMs'>;

/** The samples an idle query reads: the window and 2 × maxInterval either side. */
export function idleReadRange(query: Window): TimeRange {
  return [query.from - 2 * query.maxIntervalMs, query.until + 2 * query.maxIntervalMs];
}

/**
 * The last timestamp whose coverage the window never clips: a sample's coverage ends by
 * ts + max(2 × maxInterval, defaultInterval).
 */
export function idleInteriorEnd(query: Pick<GpuIdleQuery, 'until' | 'maxIntervalMs' | 'defaultIntervalMs'>) {
  return query.until - Math.max(2 * query.maxIntervalMs, query.defaultIntervalMs);
}

/** [lo, hi) minus the buckets (ascending, each inside [lo, hi)), as ascending ranges. */
export function rangesBetween(lo: number, hi: number, buckets: readonly number[]): TimeRange[] {
  const ranges: TimeRange[] = [];
  let cursor = lo;
  for (const bucket of buckets) {
    if (bucket > cursor) ranges.push([cursor, bucket]);
    cursor = Math.max(cursor, bucket + GPU_IDLE_BUCKET_MS);
  }
  if (cursor < hi) ranges.push([cursor, hi]);
  return ranges;
}

/** The plan of an idle query given the buckets (any order) whose rollups are fresh for its threshold. */
export function idleRollupPlan(query: GpuIdleQuery, fresh: readonly number[]): IdleRollupPlan {
  const buckets = [...new Set(fresh)]
    .filter((b) => b >= query.from && b + GPU_IDLE_BUCKET_MS <= query.until)
    .sort((a, b) => a - b);
  const [lo, hi] = idleReadRange(query);
  const { partial, whole } = spansOverBuckets(query.starved, buckets);
  return { buckets, rawRanges: rangesBetween(lo, hi, buckets), partial, whole };
}

/** The plan of a pipeline lookup: every fresh bucket inside the read range counts, clipped or not. */
export function readRangePlan(
  query: Window,
  fresh: readonly number[],
): Pick<IdleRollupPlan, 'buckets' | 'rawRanges'> {
  const [lo, hi] = idleReadRange(query);
  const buckets = [...new Set(fresh)]
    .filter((b) => b >= lo && b + GPU_IDLE_BUCKET_MS <= hi)
    .sort((a, b) => a - b);
  return { buckets, rawRanges: rangesBetween(lo, hi, buckets) };
}

function spansOverBuckets(
  spans: readonly StarvedSpan[],
  buckets: readonly number[],
): Pick<IdleRollupPlan, 'partial' | 'whole'> {
  const partial = new Map<string, BucketPipeline>();
  const whole = new Map<string, BucketPipeline>();
  for (const span of spans) {
    if (!(span.end > span.start)) continue;
    for (const bucket of buckets) {
      const end = bucket + GPU_IDLE_BUCKET_MS;
      const key = `${bucket}\u0000${span.pipeline}`;
      if (span.start <= bucket && span.end >= end) whole.set(key, { bucket, pipeline: span.pipeline });
      else if ((span.start > bucket && span.start < end) || (span.end > bucket && span.end < end))
        partial.set(key, { bucket, pipeline: span.pipeline });
    }
  }
  return { partial: [...partial.values()], whole: [...whole.values()] };
}

/** Consecutive buckets of one tenant: [lo, hi) covers `buckets`. */
export interface BucketRun {
  readonly tenant: string;
  readonly lo: number;
  readonly hi: number;
  readonly buckets: readonly number[];
}

/**
 * Splits pending buckets (sorted by tenant, then bucket) into runs of consecutive buckets of one
 * tenant, at most `maxLength` each: one rollup statement per run.
 */
export function bucketRuns(
  pending: readonly { readonly tenant: string; readonly bucket: number }[],
  maxLength: number,
): BucketRun[] {
  const runs: BucketRun[] = [];
  for (let i = 0; i < pending.length;) {
    const first = pending[i] as { tenant: string; bucket: number };
    let j = i + 1;
    while (
      j < pending.length &&
      j - i < maxLength &&
      pending[j]?.tenant === first.tenant &&
      pending[j]?.bucket === first.bucket + (j - i) * GPU_IDLE_BUCKET_MS
    )
      j++;
    const buckets = pending.slice(i, j).map((b) => b.bucket);
    runs.push({
      tenant: first.tenant,
      lo: first.bucket,
      hi: first.bucket + (j - i) * GPU_IDLE_BUCKET_MS,
      buckets,
    });
    i = j;
  }
  return runs;
}
