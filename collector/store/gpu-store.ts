/** The gpu queries a store answers: per-series activity intervals aggregated inside the database. */

/** Maps allocated series without a `pipeline` label to a pipeline; patterns are SQL LIKE ('%' = any). */
export interface PipelineLikeRule {
  readonly pipeline: string;
  readonly namespaceLike: string;
  readonly podLike: string;
  readonly jobLike: string;
}

/** A span [start, end) in epoch ms during which `pipeline` was starved; one pipeline's spans never overlap. */
export interface StarvedSpan {
  readonly pipeline: string;
  readonly start: number;
  readonly end: number;
}

/** What the idle analysis asks for; every number is already validated by the caller. */
export interface GpuIdleQuery {
  readonly tenant: string;
  /** Window [from, until) in epoch ms; coverage is clipped to it. */
  readonly from: number;
  readonly until: number;
  /** Activity strictly below this is idle. */
  readonly threshold: number;
  /** Nominal interval of a series with a single sample (others: median spacing of their samples). */
  readonly defaultIntervalMs: number;
  /** Nominal intervals are capped here; samples are read this far × 2 around the window. */
  readonly maxIntervalMs: number;
  /** First matching rule wins; a series' own `pipeline` label beats every rule. */
  readonly pipelineRules: readonly PipelineLikeRule[];
  /** Spans in which allocated idle time counts as data-starved. */
  readonly starved: readonly StarvedSpan[];
  /**
   * false reads raw samples only, ignoring stored rollups (same result, slower); for comparisons.
   * Default true.
   */
  readonly rollups?: boolean;
}

/**
 * Rollups summarise closed UTC hours: per tenant, threshold, hour, series and attribute set, the
 * samples whose successor lies in the same hour as (idle, gap to that successor, count), plus
 * each series' first and last sample of the hour. An hour holds 120 samples of a 30 s scrape
 * and rolls up into ~3 rows; the report reads whole fresh hours from rollups and at most about
 * an hour plus 2 × maxInterval of raw samples at each window edge.
 */
export const GPU_IDLE_BUCKET_MS = 3_600_000;

/** The start of the rollup bucket holding `ts` (floor, also for times before 1970). */
export function gpuIdleBucketOf(ts: number): number {
  return Math.floor(ts / GPU_IDLE_BUCKET_MS) * GPU_IDLE_BUCKET_MS;
}

/**
 * The distinct (tenant, bucket) pairs of `rows`, the buckets ingest marks stale. Consecutive rows
 * mostly share tenant and bucket, so the key string is only built when either changes.
 */
export function staleBuckets(
  rows: readonly { readonly tenant: string; readonly ts: number }[],
): [tenant: string, bucket: number][] {
  const keys = new Map<string, [string, number]>();
  let tenant: string | undefined;
  let bucket = NaN;
  for (const row of rows) {
    const b = gpuIdleBucketOf(row.ts);
    if (row.tenant === tenant && b === bucket) continue;
    tenant = row.tenant;
    bucket = b;
    keys.set(`${b}\u0000${tenant}`, [tenant, b]);
  }
  return [...keys.values()];
}

/** One pass of the rollup job. */
export interface GpuIdleRollupRequest {
  /** Idle is activity below this, as the idle queries that will read the rollups ask. */
  readonly threshold: number;
  /** Only buckets ending at or before this (epoch ms) are rolled up: later ones still receive samples. */
  readonly closedBefore: number;
  /** At most this many buckets, oldest first, so one call holds the store briefly. */
  readonly maxBuckets: number;
}

/** What one rollup pass did. */
export interface GpuIdleRollupResult {
  /** Buckets (tenant, hour) rolled up or re-rolled after late samples. */
  buckets: number;
  /** Activity samples those buckets hold. */
  samples: number;
  /** Closed buckets still waiting (another call picks them up). */
  pending: number;
}

/**
 * Observed, idle and data-starved idle milliseconds of one series under one set of attributes
 * (a GPU moves between pods, so one series can yield several aggregates).
 */
export interface GpuIdleAggregate {
  host: string;
  gpu: string;
  uuid: string;
  migInstance: string;
  migProfile: string;
  modelName: string;
  namespace: string;
  pod: string;
  container: string;
  hpcJob: string;
  /** The `pipeline` label, else the first matching rule's pipeline, else ''. */
  pipeline: string;
  observedMs: number;
  idleMs: number;
  /** Idle time inside a starved span of `pipeline` (only for allocated series). */
  starvedIdleMs: number;
}

/** One pipeline stat report, as pipeline/starvation.ts reads it. */
export interface PipelinePoint {
  pipeline: string;
  stage: string;
  ts: number;
  queueDepth: number | null;
  lagSeconds: number | null;
}

export interface GpuStore {
  /**
   * The idle aggregates of every series with samples in (or covering into) the window: from
   * fresh rollups where they cover whole interior buckets, else from raw samples; equal either way.
   */
  idleAggregates(query: GpuIdleQuery): Promise<GpuIdleAggregate[]>;
  /**
   * Rolls up closed buckets that have no rollup for `threshold` yet, or whose rollup went stale
   * because samples were written into them since.
   */
  rollUpIdle(request: GpuIdleRollupRequest): Promise<GpuIdleRollupResult>;
  /** The pipelines allocated series of the window map to (label or rule), for starvation lookups. */
  mappedPipelines(
    query: Pick<GpuIdleQuery, 'tenant' | 'from' | 'until' | 'maxIntervalMs' | 'pipelineRules' | 'rollups'>,
  ): Promise<string[]>;
  /** Queue-depth and lag reports of `pipelines` with from ≤ ts < until, sorted by ts. */
  pipelinePoints(
    tenant: string,
    pipelines: readonly string[],
    from: number,
    until: number,
  ): Promise<PipelinePoint[]>;
}
