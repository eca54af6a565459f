/**
 * The gpu queries of the ClickHouse store: the embedded store's idle statement in SQL that 18.16
 * runs. 18.16 has no lead() and no CTEs, so each series' samples are gathered into one array
 * sorted by time; successors, the median spacing (nominal interval) and each sample's coverage are
 * array expressions, ARRAY JOIN turns the coverages back into rows, and they are summed per series
 * and attribute set. Attribute names travel as a 64-bit id (as in the embedded store) and are
 * joined back at the end, so the per-series arrays hold 32-byte tuples, not strings.
 *
 * Rollups follow the embedded store (duckdb/gpu.ts has the design and the exactness argument):
 * per tenant, threshold, UTC hour, series and attribute set, (idle, gap, count) rows for samples
 * whose successor lies in the same hour, each series' last sample and first timestamp of the
 * hour, and the attribute sets of activity-less samples. Without transactions or deletes:
 * - a rollup is written under a new version (basis × 10^6 + random, basis = server time in
 *   seconds read before the samples), rows first, then its gpu_idle_rollup_buckets row; readers
 *   take a bucket's highest version, so a half-written rollup is never read, and superseded
 *   versions stay until their day's partition goes;
 * - ingest appends (tenant, hour, server time in seconds) to gpu_idle_stale after writing the
 *   samples; a rollup takes its basis from the server clock and reads the samples only once that
 *   second is over, so every mark stamped at or before the basis belongs to samples it read, and
 *   a bucket is fresh while its newest mark is not newer than its rollup's basis;
 * - a rolled-up bucket whose day partition of gpu_samples was dropped (retention) is not used.
 * The query then sorts, per series, the raw samples, each used bucket's last sample and its
 * first timestamp together (the marker sorts before a sample at the same time), so successors
 * across bucket boundaries are found as the raw statement finds them; the (gap, count) rows join
 * the median as weights and add count × min(gap, 2 × nominal).
 *
 * Exactness (see duckdb/gpu.ts) has one limit here: the raw statement orders samples of one
 * series that share a millisecond and an activity value by the id of their attribute set with
 * the mapped pipeline, which depends on the query's rules; a rollup orders them by the id of the
 * stored attributes. Only such exact duplicates with different attribute sets can be counted
 * under a different attribute set than the raw statement counts them.
 */
import { gpuIdleAggregateFromRow, type GpuIdleSqlRow } from '../gpu-rows.js';
import {
  bucketRuns,
  idleReadRange,
  idleRollupPlan,
  readRangePlan,
  type IdleRollupPlan,
  type TimeRange,
} from '../gpu-rollup-plan.js';
import {
  GPU_IDLE_BUCKET_MS,
  gpuIdleBucketOf,
  staleBuckets,
  type GpuIdleQuery,
  type GpuStore,
  type PipelineLikeRule,
  type PipelinePoint,
  type StarvedSpan,
} from '../gpu-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import { createTablesStatements, type TableSpec } from './schema.js';

const H = GPU_IDLE_BUCKET_MS;
const NAME_COLUMNS = [
  'host',
  'uuid',
  'gpu',
  'mig_instance',
  'model_name',
  'mig_profile',
  'namespace',
  'pod',
  'container',
  'hpc_job',
  'pipeline',
] as const;

/**
 * Rollup rows by `kind`: 0 = (idle, gap, n) of samples whose successor lies in the same bucket;
 * 1 = the series' last sample of the bucket (idle, last_ts) and its first timestamp (first_ts);
 * 2 = an attribute set seen only on samples without activity (n = 0). `ts` is the bucket start.
 */
const GPU_IDLE_ROLLUPS: TableSpec = {
  name: 'gpu_idle_rollups',
  columns: [
    { name: 'tenant', type: 'Name' },
    { name: 'threshold', type: 'Float64' },
    { name: 'ts', type: 'Int64' },
    { name: 'version', type: 'UInt64' },
    ...NAME_COLUMNS.map((name) => ({ name, type: 'Name' })),
    { name: 'kind', type: 'UInt8' },
    { name: 'idle', type: 'UInt8' },
    { name: 'gap', type: 'Int64' },
    { name: 'n', type: 'UInt64' },
    { name: 'first_ts', type: 'Int64' },
    { name: 'last_ts', type: 'Int64' },
  ],
  orderBy: ['tenant', 'threshold', 'ts', 'version', 'host', 'uuid', 'mig_instance'],
  partitionByDay: true,
  expires: true,
};

/** One row per rollup written; readers take a bucket's max(version). */
const GPU_IDLE_ROLLUP_BUCKETS: TableSpec = {
  name: 'gpu_idle_rollup_buckets',
  columns: [
    { name: 'tenant', type: 'Name' },
    { name: 'threshold', type: 'Float64' },
    { name: 'ts', type: 'Int64' },
    { name: 'version', type: 'UInt64' },
    { name: 'samples', type: 'UInt64' },
    { name: 'rolled_at', type: 'Int64' },
  ],
  orderBy: ['tenant', 'threshold', 'ts'],
  partitionByDay: true,
  expires: true,
};

/**
 * (tenant, bucket, server time in s) per ingest batch and bucket; readers take max(marked_at).
 * A row per batch: at one batch a second, about 2.6M rows a month, which the rollup job's
 * per-minute scan aggregates in tens of milliseconds; TTL expires them with their day.
 */
const GPU_IDLE_STALE: TableSpec = {
  name: 'gpu_idle_stale',
  columns: [
    { name: 'tenant', type: 'Name' },
    { name: 'ts', type: 'Int64' },
    { name: 'marked_at', type: 'Int64' },
  ],
  orderBy: ['tenant', 'ts'],
  partitionByDay: true,
  expires: true,
};

/** The gpu tables (also rendered by the cluster DDL): the idle rollups; it reads gpu_samples too. */
export const GPU_TABLES: readonly TableSpec[] = [GPU_IDLE_ROLLUPS, GPU_IDLE_ROLLUP_BUCKETS, GPU_IDLE_STALE];

export const GPU_MIGRATIONS: readonly ClickHouseMigration[] = [
  { id: 'gpu-001', statements: createTablesStatements(GPU_TABLES) },
];

/** A rollup version: the basis (server seconds) in the high digits, so max(version) is the newest. */
const VERSION_SCALE = 1_000_000;

type Params = Record<string, string | number | number[] | string[] | number[][]>;

const SERIES = 'host, uuid, gpu, mig_instance';
const ATTRIBUTES = 'model_name, mig_profile, namespace, pod, container, hpc_job';
/** The id of a row's attribute set (the embedded store hashes the same columns). */
const AID = `cityHash64(${ATTRIBUTES}, mapped)`;

/**
 * A row's pipeline: the label, else (allocated rows only) the first rule whose LIKE patterns all
 * match, else ''. ClickHouse's LIKE has the embedded store's semantics: `%`, `_` (one
 * character), backslash escapes, case-sensitive.
 */
function pipelineExpression(rules: readonly PipelineLikeRule[], params: Params): string {
  const branches = rules.map((rule, i) => {
    params[`r${i}ns`] = rule.namespaceLike;
    params[`r${i}pod`] = rule.podLike;
    params[`r${i}job`] = rule.jobLike;
    params[`r${i}p`] = rule.pipeline;
    return `namespace LIKE {r${i}ns:String} AND pod LIKE {r${i}pod:String} AND hpc_job LIKE {r${i}job:String}, {r${i}p:String}`;
  });
  return `multiIf(pipeline != '', pipeline, pod = '' AND hpc_job = '', '', ${branches.map((b) => `${b}, `).join('')}'')`;
}

/** The WHERE of the samples read for a window: 2 × maxInterval either side, so coverage crossing an edge counts. */
function sampleRange(
  query: Pick<GpuIdleQuery, 'tenant' | 'from' | 'until' | 'maxIntervalMs'>,
  params: Params,
): string {
  params.tenant = query.tenant;
  params.readFrom = query.from - 2 * query.maxIntervalMs;
  params.readUntil = query.until + 2 * query.maxIntervalMs;
  return 'tenant = {tenant:String} AND ts >= {readFrom:Int64} AND ts < {readUntil:Int64}';
}

/**
 * DuckDB's CAST(DOUBLE AS BIGINT) rounds half to even; 18.16's round() rounds half away from
 * zero, so ties are settled by hand (x ≥ 0 here: spacings and caps are positive).
 */
const halfEven = (x: string) =>
  `toInt64(if(${x} - floor(${x}) = 0.5, floor(${x}) + (toInt64(floor(${x})) % 2), round(${x})))`;

/**
 * The embedded store's nominal interval: the median (interpolated) of the positive spacings,
 * capped at maxInterval, as a whole number of ms; the default when a series has no spacing.
 */
const NOMINAL = `if(m = 0, {defaultInterval:Int64}, ${halfEven(
  'least(if(m % 2 = 1, toFloat64(gaps[intDiv(m + 1, 2)]), (gaps[intDiv(m, 2)] + gaps[intDiv(m, 2) + 1]) / 2), {maxInterval:Float64})',
)})`;

/** Spans per pipeline, deduplicated (the embedded store joins DISTINCT spans). */
function spanParams(starved: readonly StarvedSpan[], params: Params): void {
  const byPipeline = new Map<string, Map<string, [number, number]>>();
  for (const s of starved) {
    let spans = byPipeline.get(s.pipeline);
    if (!spans) byPipeline.set(s.pipeline, (spans = new Map()));
    spans.set(`${s.start}:${s.end}`, [s.start, s.end]);
  }
  const pipelines = [...byPipeline.keys()];
  // 18.16 cannot CAST an empty [] to Array(Array(Int64)): a first, empty span [0, 0) of a
  // NUL-named pipeline (which no series maps to) keeps the lists non-empty and adds nothing.
  const names = ['\0', ...pipelines];
  params.spanPipelines = names;
  // transform() maps a pipeline to its list's index through a hash table built once per query
  // (indexOf() on an array parameter would scan the array per row on 18.16).
  params.spanSets = names.map((_, i) => i + 1);
  params.spanStarts = [[0], ...pipelines.map((p) => [...byPipeline.get(p)!.values()].map((s) => s[0]))];
  params.spanEnds = [[0], ...pipelines.map((p) => [...byPipeline.get(p)!.values()].map((s) => s[1]))];
}

/**
 * A series' samples live in one array while its successors are found, so one query holds every
 * sample it reads in memory (2.5M samples stayed under a 512 MiB query limit on 18.16). Larger
 * windows are split into ranges of whole hosts (the table's key after tenant, so each range reads
 * only its own granules) of about this many samples.
 */
export const SAMPLES_PER_QUERY = 2_000_000;

/**
 * Consecutive [first, last] host ranges, each about `perQuery` rows of `counts` (a query of
 * (host, n) rows ordered by host).
 */
async function hostRanges(
  db: ClickHouseDb,
  counts: string,
  params: Params,
  perQuery: number,
): Promise<[string, string][]> {
  const hosts = await db.query<{ host: string; n: number }>(counts, params);
  const ranges: [string, string][] = [];
  let size = 0;
  for (const { host, n } of hosts) {
    const last = ranges[ranges.length - 1];
    if (last && size + Number(n) <= perQuery) {
      last[1] = String(host);
      size += Number(n);
    } else {
      ranges.push([String(host), String(host)]);
      size = Number(n);
    }
  }
  return ranges;
}

/** Per-host sample counts of `range`, for hostRanges. */
const sampleCounts = (range: string) =>
  `SELECT host, count() AS n FROM gpu_samples WHERE ${range} GROUP BY host ORDER BY host`;

/** Per sample: (ts, activity, attribute id, span set), as idleSql and rollupIdleSql read them. */
function samplesSql(mapped: string, where: string): string {
  // The span set is the 1-based index of the row's pipeline's starved spans, or 0 when the row is
  // unallocated or its pipeline was never starved.
  return `
    SELECT ${SERIES}, ts, assumeNotNull(ifNull(gr_engine_active, gpu_util / 100.0)) AS activity,
      ${AID} AS aid, ${SPAN_SET} AS span_set
    FROM (SELECT ${SERIES}, ${ATTRIBUTES}, ts, gr_engine_active, gpu_util, ${mapped} AS mapped
          FROM gpu_samples WHERE ${where})`;
}

const SPAN_SET = `if(pod != '' OR hpc_job != '', transform(mapped, {spanPipelines:Array(String)}, {spanSets:Array(UInt32)}, toUInt32(0)), toUInt32(0))`;

/** Idle time inside the starved spans of the row's pipeline (start_ms, stop_ms, span_set). */
const STARVED_OVERLAP = `arraySum(arrayMap((a, b) -> if(a < stop_ms AND b > start_ms,
      least(stop_ms, b) - greatest(start_ms, a), 0),
    arrayElement({spanStarts:Array(Array(Int64))}, span_set), arrayElement({spanEnds:Array(Array(Int64))}, span_set)))`;

/** The idle statement over the samples of `range` whose host lies in [hostLo, hostHi]. */
function idleSql(mapped: string, range: string): string {
  const where = `${range} AND host >= {hostLo:String} AND host <= {hostHi:String}`;
  const samples = samplesSql(mapped, where);
  // Per series, sorted by time (ties by the rest of the tuple, so the result is deterministic),
  // with each sample's successor from the array shifted by one (a lambda capturing the array,
  // tss[i + 1], would copy it once per element) and the nominal interval.
  const series = `
    SELECT ${SERIES}, s, nexts, arrayEnumerate(s) AS idx, n, nominal FROM (
      SELECT ${SERIES}, arraySort(groupArray((ts, activity, aid, span_set))) AS s,
        arrayMap(x -> tupleElement(x, 1), s) AS tss, length(tss) AS n,
        arraySort(arrayFilter(g -> g > 0, arrayMap((a, b) -> b - a, arrayPopBack(tss), arrayPopFront(tss)))) AS gaps,
        length(gaps) AS m, ${NOMINAL} AS nominal, arrayPushBack(arrayPopFront(tss), toInt64(0)) AS nexts
      FROM (${samples}) GROUP BY ${SERIES})`;
  // Each sample covers [max(ts, from), min(next, ts + 2·nominal, until)), the last one
  // [max(ts, from), min(ts + nominal, until)).
  const covered = `
    SELECT ${SERIES}, tupleElement(sample, 2) AS activity, tupleElement(sample, 3) AS aid,
      tupleElement(sample, 4) AS span_set, tupleElement(sample, 1) AS t,
      greatest(t, {from:Int64}) AS start_ms,
      least(if(i < n, least(next_ts, t + 2 * nominal), t + nominal), {until:Int64}) AS stop_ms
    FROM (${series}) ARRAY JOIN s AS sample, nexts AS next_ts, idx AS i`;
  const totals = `
    SELECT ${SERIES}, aid, sum(stop_ms - start_ms) AS observed_ms,
      sum(if(activity < {threshold:Float64}, stop_ms - start_ms, 0)) AS idle_ms,
      sum(if(activity < {threshold:Float64} AND span_set > 0, ${STARVED_OVERLAP}, 0)) AS starved_ms
    FROM (${covered}) WHERE stop_ms > start_ms GROUP BY ${SERIES}, aid`;
  const names = `
    SELECT ${SERIES}, aid, any(model_name) AS model_name, any(mig_profile) AS mig_profile,
      any(namespace) AS namespace, any(pod) AS pod, any(container) AS container, any(hpc_job) AS hpc_job,
      any(mapped) AS pipeline
    FROM (SELECT ${SERIES}, ${ATTRIBUTES}, mapped, ${AID} AS aid FROM (
      SELECT ${SERIES}, ${ATTRIBUTES}, ${mapped} AS mapped FROM gpu_samples WHERE ${where}))
    GROUP BY ${SERIES}, aid`;
  return `SELECT ${SERIES}, ${ATTRIBUTES}, pipeline, observed_ms, idle_ms, starved_ms
    FROM (${totals}) AS totals ANY INNER JOIN (${names}) AS names USING (host, uuid, gpu, mig_instance, aid)
    ORDER BY host, gpu, uuid, mig_instance, namespace, pod, container, hpc_job, pipeline`;
}

/** Bucket start of `ts` (floor division, also below 0). */
const BUCKET_OF_TS = `(ts - (((ts % ${H}) + ${H}) % ${H}))`;
const HAS_ACTIVITY = '(isNotNull(gr_engine_active) OR isNotNull(gpu_util))';
const ROLLUP_COLUMNS = `tenant, threshold, ts, version, ${NAME_COLUMNS.join(', ')}, kind, idle, gap, n, first_ts, last_ts`;

/** `(ts >= lo AND ts < hi) OR …` over `ranges`, with their values in `params` under `prefix`. */
function rangesWhere(ranges: readonly TimeRange[], prefix: string, params: Params): string {
  const terms = ranges.map(([lo, hi], i) => {
    params[`${prefix}${i}lo`] = lo;
    params[`${prefix}${i}hi`] = hi;
    return `(ts >= {${prefix}${i}lo:Int64} AND ts < {${prefix}${i}hi:Int64})`;
  });
  return terms.length === 0 ? '0' : `(${terms.join(' OR ')})`;
}

/**
 * Marks the buckets of `rows` stale, after ingest wrote them: one row per (tenant, hour) with
 * the server's time.
 */
export async function markGpuIdleStale(
  db: ClickHouseDb,
  rows: readonly { readonly tenant: string; readonly ts: number }[],
): Promise<void> {
  const values = staleBuckets(rows);
  if (values.length === 0) return;
  await db.command(
    `INSERT INTO gpu_idle_stale (tenant, ts, marked_at)
     SELECT tenant, bucket, toInt64(now()) FROM (SELECT {tenants:Array(String)} AS tenants, {buckets:Array(Int64)} AS buckets)
     ARRAY JOIN tenants AS tenant, buckets AS bucket`,
    { tenants: values.map((v) => v[0]), buckets: values.map((v) => v[1]) },
  );
}

/**
 * The fresh rollups of the buckets in [lo, hi]: per bucket, the newest version (of `threshold`,
 * or of any threshold when undefined) whose basis is newer than the bucket's newest stale mark,
 * in a day whose gpu_samples partition still exists.
 */
async function freshVersions(
  db: ClickHouseDb,
  tenant: string,
  threshold: number | undefined,
  lo: number,
  hi: number,
): Promise<Map<number, number>> {
  const rows = await db.query<{ bucket: number; version: number }>(
    `SELECT bucket, version FROM (
       SELECT ts AS bucket, max(version) AS version FROM gpu_idle_rollup_buckets
       WHERE tenant = {tenant:String} AND ts >= {lo:Int64} AND ts <= {hi:Int64}
         ${threshold === undefined ? '' : 'AND threshold = {threshold:Float64}'}
       GROUP BY ts, threshold) AS rolled
     ANY LEFT JOIN (
       SELECT ts AS bucket, max(marked_at) AS marked FROM gpu_idle_stale
       WHERE tenant = {tenant:String} AND ts >= {lo:Int64} AND ts <= {hi:Int64} GROUP BY ts) AS marks USING (bucket)
     WHERE marked <= intDiv(version, ${VERSION_SCALE})
       AND toString(toYYYYMMDD(toDateTime(intDiv(bucket, 1000), 'UTC'))) IN (
         SELECT partition_id FROM system.parts
         WHERE database = currentDatabase() AND table IN ('gpu_samples', 'gpu_samples_local') AND active)
     ORDER BY bucket, version`,
    threshold === undefined ? { tenant, lo, hi } : { tenant, lo, hi, threshold },
  );
  const versions = new Map<number, number>();
  for (const r of rows) versions.set(Number(r.bucket), Number(r.version));
  return versions;
}

/** The WHERE of the rollup rows of `buckets` at their versions (params rb, rv, rbLo, rbHi, tenant). */
function rolledWhere(buckets: ReadonlyMap<number, number>, params: Params): string {
  const list = [...buckets.keys()].sort((a, b) => a - b);
  params.rb = list;
  params.rv = list.map((b) => buckets.get(b) as number);
  params.rbLo = list[0] as number;
  params.rbHi = list[list.length - 1] as number;
  return `tenant = {tenant:String} AND ts >= {rbLo:Int64} AND ts <= {rbHi:Int64}
    AND version = transform(ts, {rb:Array(Int64)}, {rv:Array(UInt64)}, toUInt64(0))`;
}

/** Key of a (series, bucket) pair: the same expression on samples (bucket of ts) and on rollups. */
const seriesBucketKey = (bucket: string) => `toString(cityHash64(host, uuid, gpu, mig_instance, ${bucket}))`;

/**
 * The (series, bucket) pairs of used rollups where an allocated attribute set maps to a pipeline
 * whose starved span starts or ends inside the bucket: those read raw. A hash collision only
 * sends one more pair raw (both sides test the same key), never changes a sum.
 */
async function partialSeries(
  db: ClickHouseDb,
  mapped: string,
  plan: IdleRollupPlan,
  rolled: string,
  params: Params,
): Promise<string[]> {
  if (plan.partial.length === 0) return [];
  const rows = await db.query<{ key: string }>(
    `SELECT DISTINCT ${seriesBucketKey('ts')} AS key FROM gpu_idle_rollups
     WHERE ${rolled} AND threshold = {threshold:Float64} AND kind < 2 AND (pod != '' OR hpc_job != '')
       AND has({partialKeys:Array(String)}, concat(toString(ts), ':', ${mapped}))`,
    { ...params, partialKeys: plan.partial.map((p) => `${p.bucket}:${p.pipeline}`) },
  );
  return rows.map((r) => String(r.key));
}

/**
 * The rollup-backed idle statement over the series whose host lies in [hostLo, hostHi]: raw
 * samples of the plan's raw ranges and of the `partialSeries` pairs, and the rollup rows of the
 * other (series, bucket) pairs. Kept shallow: 18.16 analyses nested subqueries over and over.
 */
function rollupIdleSql(
  mapped: string,
  plan: IdleRollupPlan,
  rolled: string,
  partial: readonly string[],
  params: Params,
): string {
  const hosts = 'host >= {hostLo:String} AND host <= {hostHi:String}';
  // [''] when empty: 18.16 cannot CAST an empty literal list, and no key is ''.
  params.partialSeries = partial.length === 0 ? [''] : [...partial];
  params.wholeKeys = ['', ...plan.whole.map((p) => `${p.bucket}:${p.pipeline}`)];
  const partialBuckets = [...new Set(plan.partial.map((p) => p.bucket))].sort((a, b) => a - b);
  const inPartial = (bucket: string) => `has({partialSeries:Array(String)}, ${seriesBucketKey(bucket)})`;
  const rawWhere = `tenant = {tenant:String} AND ${HAS_ACTIVITY} AND ${hosts} AND (${rangesWhere(plan.rawRanges, 'r', params)}${
    partial.length === 0
      ? ''
      : ` OR (${rangesWhere(
          partialBuckets.map((b): TimeRange => [b, b + H]),
          'p',
          params,
        )} AND ${inPartial(BUCKET_OF_TS)})`
  })`;
  const used = `
    SELECT ${SERIES}, ts AS bucket, ${ATTRIBUTES}, mapped, kind, idle, gap, n, first_ts, last_ts,
      ${AID} AS aid, ${SPAN_SET} AS span_set
    FROM (SELECT *, ${mapped} AS mapped FROM gpu_idle_rollups
      WHERE ${rolled} AND threshold = {threshold:Float64} AND ${hosts} AND kind < 2
        ${partial.length === 0 ? '' : `AND NOT ${inPartial('ts')}`})`;
  // One row shape for everything a series sorts or counts: k = 0 a used bucket's first
  // timestamp, 1 a sample with its timestamp (raw, or a bucket's last), 2 a (gap, count) row.
  const rows = `
    SELECT ${SERIES}, toUInt8(1) AS k, ts AS t, activity, toUInt8(activity < {threshold:Float64}) AS idle, aid, span_set,
      toInt64(0) AS gap, toUInt64(1) AS count, toUInt8(0) AS whole
    FROM (${samplesSql(mapped, rawWhere)})
    UNION ALL
    SELECT ${SERIES}, k, multiIf(k = 1, last_ts, k = 0, first_ts, toInt64(0)) AS t, toFloat64(0) AS activity, idle, aid,
      span_set, gap, if(k = 2, n, toUInt64(1)) AS count,
      toUInt8(k = 2 AND idle = 1 AND (pod != '' OR hpc_job != '')
        AND has({wholeKeys:Array(String)}, concat(toString(bucket), ':', mapped))) AS whole
    FROM (${used}) ARRAY JOIN if(kind = 1, [toUInt8(1), toUInt8(0)], [toUInt8(2)]) AS k`;
  // Per series: the sorted points (the marker before a sample at the same time) with successors,
  // and the (gap, count) rows; the median of the points' positive gaps and the rows' positive
  // gaps weighted by count, at positions (m - 1) // 2 and m // 2 as the raw statement takes them.
  // No lambda captures a column: 18.16 prunes a subquery's columns that its parent names only
  // inside a lambda, so per-series values reach lambdas as arrays (arrayResize) or are applied
  // after ARRAY JOIN. Items (k, aid, span_set, idle, t, next or gap, has-next or count, whole).
  const series = `
    SELECT ${SERIES},
      arraySort(groupArrayIf((t, k, activity, aid, span_set, idle), k < 2)) AS pts,
      groupArrayIf((aid, span_set, idle, gap, count, whole), k = 2) AS hist,
      arrayMap(x -> tupleElement(x, 1), pts) AS tss,
      arrayPushBack(arrayPopFront(tss), toInt64(0)) AS nexts,
      arrayPushBack(arrayMap(x -> toUInt8(1), arrayPopFront(pts)), toUInt8(0)) AS has_next,
      arrayFilter((g, kk, hn) -> kk = 1 AND hn = 1 AND g > 0,
        arrayMap((a, b) -> b - a, tss, nexts), arrayMap(x -> tupleElement(x, 2), pts), has_next) AS point_gaps,
      arraySort(arrayConcat(arrayMap(g -> (g, toUInt64(1)), point_gaps),
        arrayMap(h -> (tupleElement(h, 4), tupleElement(h, 5)), arrayFilter(h -> tupleElement(h, 4) > 0, hist)))) AS weighted,
      arrayMap(x -> tupleElement(x, 1), weighted) AS gaps,
      arrayCumSum(arrayMap(x -> tupleElement(x, 2), weighted)) AS upto,
      toInt64(arraySum(arrayMap(x -> tupleElement(x, 2), weighted))) AS m,
      arrayFirst((g, c, pos) -> c > pos, gaps, upto, arrayResize(emptyArrayInt64(), length(upto), intDiv(m - 1, 2))) AS lower,
      arrayFirst((g, c, pos) -> c > pos, gaps, upto, arrayResize(emptyArrayInt64(), length(upto), intDiv(m, 2))) AS upper,
      if(m = 0, {defaultInterval:Int64}, ${halfEven('least((lower + upper) / 2, {maxInterval:Float64})')}) AS nominal,
      arrayConcat(
        arrayMap((p, next_ts, hn) -> (tupleElement(p, 2), tupleElement(p, 4), tupleElement(p, 5), tupleElement(p, 6),
          tupleElement(p, 1), next_ts, toUInt64(hn), toUInt8(0)), pts, nexts, has_next),
        arrayMap(h -> (toUInt8(2), tupleElement(h, 1), tupleElement(h, 2), tupleElement(h, 3), toInt64(0),
          tupleElement(h, 4), tupleElement(h, 5), tupleElement(h, 6)), hist)) AS all_items
    FROM (${rows}) GROUP BY ${SERIES}`;
  // A point (k = 1) covers [max(t, from), min(next, t + 2·nominal, until)), or [max(t, from),
  // min(t + nominal, until)) without a successor; a (gap, count) row (k = 2) covers
  // min(gap, 2·nominal) per sample, never clipped (the plan's buckets lie inside the window);
  // markers (k = 0) cover nothing.
  const items = `
    SELECT ${SERIES}, tupleElement(item, 1) AS k, tupleElement(item, 2) AS aid, tupleElement(item, 3) AS span_set,
      tupleElement(item, 4) AS idle, tupleElement(item, 5) AS t, tupleElement(item, 6) AS next_or_gap,
      tupleElement(item, 7) AS count_or_next, tupleElement(item, 8) AS whole, toUInt8(k = 1) AS exact,
      if(k = 1, toUInt64(1), count_or_next) AS n,
      if(k = 1, greatest(t, {from:Int64}), toInt64(0)) AS start_ms,
      if(k = 1, least(if(count_or_next = 1, least(next_or_gap, t + 2 * nominal), t + nominal), {until:Int64}),
        least(next_or_gap, 2 * nominal)) AS stop_ms
    FROM (${series}) ARRAY JOIN all_items AS item
    WHERE k != 0`;
  const totals = `
    SELECT ${SERIES}, aid, sum(toInt64(n) * (stop_ms - start_ms)) AS observed_ms,
      sum(if(idle = 1, toInt64(n) * (stop_ms - start_ms), 0)) AS idle_ms,
      sum(if(idle = 1 AND exact = 1 AND span_set > 0, ${STARVED_OVERLAP}, 0))
        + sum(if(whole = 1, toInt64(n) * (stop_ms - start_ms), 0)) AS starved_ms
    FROM (${items}) WHERE stop_ms > start_ms GROUP BY ${SERIES}, aid`;
  const names = `
    SELECT ${SERIES}, aid, any(model_name) AS model_name, any(mig_profile) AS mig_profile,
      any(namespace) AS namespace, any(pod) AS pod, any(container) AS container, any(hpc_job) AS hpc_job,
      any(mapped) AS pipeline
    FROM (
      SELECT ${SERIES}, ${ATTRIBUTES}, mapped, ${AID} AS aid FROM (
        SELECT ${SERIES}, ${ATTRIBUTES}, ${mapped} AS mapped FROM gpu_samples WHERE ${rawWhere})
      UNION ALL
      SELECT ${SERIES}, ${ATTRIBUTES}, mapped, aid FROM (${used}))
    GROUP BY ${SERIES}, aid`;
  return `SELECT ${SERIES}, ${ATTRIBUTES}, pipeline, observed_ms, idle_ms, starved_ms
    FROM (${totals}) AS totals ANY INNER JOIN (${names}) AS names USING (host, uuid, gpu, mig_instance, aid)
    ORDER BY host, gpu, uuid, mig_instance, namespace, pod, container, hpc_job, pipeline`;
}

/**
 * Rollup rows of tenant {tenant} for buckets [{lo}, {hi}) at {threshold} under {version}: per
 * (series, bucket) the samples sorted by (ts, activity, stored attribute id), successors from the
 * array shifted by one; names joined back by id, as in the idle statement (LEFT: current
 * releases' ANY INNER JOIN keeps one left row per key too, and every id has its names).
 */
const ROLL_UP_SQL = `
  INSERT INTO gpu_idle_rollups (${ROLLUP_COLUMNS})
  SELECT {tenant:String}, {threshold:Float64}, bucket, {version:UInt64}, ${NAME_COLUMNS.join(', ')},
    kind, idle, gap, n, first_ts, last_ts
  FROM (
    SELECT bucket, ${SERIES}, aid, kind, idle, gap, count() AS n, first_ts, last_ts FROM (
      SELECT bucket, ${SERIES}, tupleElement(sample, 3) AS aid, toUInt8(i = cnt) AS kind,
        toUInt8(tupleElement(sample, 2) < {threshold:Float64}) AS idle,
        if(i < cnt, next_ts - tupleElement(sample, 1), toInt64(0)) AS gap,
        if(i = cnt, first, toInt64(0)) AS first_ts, if(i = cnt, tupleElement(sample, 1), toInt64(0)) AS last_ts
      FROM (
        SELECT bucket, ${SERIES}, arraySort(groupArray((ts, activity, aid))) AS s,
          arrayMap(x -> tupleElement(x, 1), s) AS tss, length(s) AS cnt, tss[1] AS first,
          arrayPushBack(arrayPopFront(tss), toInt64(0)) AS nexts, arrayEnumerate(s) AS idx
        FROM (
          SELECT ${SERIES}, ${BUCKET_OF_TS} AS bucket, ts,
            assumeNotNull(ifNull(gr_engine_active, gpu_util / 100.0)) AS activity, cityHash64(${ATTRIBUTES}, pipeline) AS aid
          FROM gpu_samples WHERE tenant = {tenant:String} AND ts >= {lo:Int64} AND ts < {hi:Int64} AND ${HAS_ACTIVITY})
        GROUP BY bucket, ${SERIES})
      ARRAY JOIN s AS sample, nexts AS next_ts, idx AS i)
    GROUP BY bucket, ${SERIES}, aid, kind, idle, gap, first_ts, last_ts) AS counted
  ANY LEFT JOIN (
    SELECT bucket, ${SERIES}, aid, ${['model_name', 'mig_profile', 'namespace', 'pod', 'container', 'hpc_job', 'pipeline'].map((c) => `any(${c}) AS ${c}`).join(', ')}
    FROM (
      SELECT ${BUCKET_OF_TS} AS bucket, ${SERIES}, ${ATTRIBUTES}, pipeline, cityHash64(${ATTRIBUTES}, pipeline) AS aid
      FROM gpu_samples WHERE tenant = {tenant:String} AND ts >= {lo:Int64} AND ts < {hi:Int64} AND ${HAS_ACTIVITY})
    GROUP BY bucket, ${SERIES}, aid) AS names USING (bucket, ${SERIES}, aid)`;

/** Attribute sets seen only on samples without activity (kind 2), for pipeline lookups. */
const ROLL_UP_LABELS_SQL = `
  INSERT INTO gpu_idle_rollups (${ROLLUP_COLUMNS})
  SELECT DISTINCT {tenant:String}, {threshold:Float64}, ${BUCKET_OF_TS}, {version:UInt64}, ${NAME_COLUMNS.join(', ')},
    toUInt8(2), toUInt8(0), toInt64(0), toUInt64(0), toInt64(0), toInt64(0)
  FROM gpu_samples WHERE tenant = {tenant:String} AND ts >= {lo:Int64} AND ts < {hi:Int64} AND NOT ${HAS_ACTIVITY}`;

/** One statement rolls up at most this many buckets: the per-(series, bucket) arrays stay small. */
const BUCKETS_PER_STATEMENT = 6;

/** Buckets to roll up: marked since their newest rollup at `threshold` (or never rolled), and past the frontier. */
async function pendingBuckets(
  db: ClickHouseDb,
  threshold: number,
  closedBefore: number,
): Promise<{ tenant: string; bucket: number }[]> {
  const closedEnd = gpuIdleBucketOf(closedBefore);
  const stale = await db.query<{ tenant: string; bucket: number }>(
    `SELECT tenant, bucket FROM (
       SELECT tenant, ts AS bucket, max(marked_at) AS marked FROM gpu_idle_stale WHERE ts < {closedEnd:Int64} GROUP BY tenant, ts) AS marks
     ANY LEFT JOIN (
       SELECT tenant, ts AS bucket, max(version) AS version FROM gpu_idle_rollup_buckets
       WHERE threshold = {threshold:Float64} AND ts < {closedEnd:Int64} GROUP BY tenant, ts) AS rolled USING (tenant, bucket)
     WHERE marked > intDiv(version, ${VERSION_SCALE})`,
    { threshold, closedEnd },
  );
  // The frontier scan finds buckets written without passing through ingest (imports, and data
  // stored before these tables existed).
  const [frontier] = await db.query<{ rolled: number; last: number }>(
    'SELECT count() AS rolled, max(ts) AS last FROM gpu_idle_rollup_buckets WHERE threshold = {threshold:Float64}',
    { threshold },
  );
  const from = frontier && Number(frontier.rolled) > 0 ? Number(frontier.last) + H : Number.MIN_SAFE_INTEGER;
  const unrolled = await db.query<{ tenant: string; bucket: number }>(
    `SELECT DISTINCT tenant, ${BUCKET_OF_TS} AS bucket FROM gpu_samples WHERE ts >= {from:Int64} AND ts < {closedEnd:Int64}`,
    { from, closedEnd },
  );
  const all = new Map<string, { tenant: string; bucket: number }>();
  for (const r of [...stale, ...unrolled]) {
    const item = { tenant: String(r.tenant), bucket: Number(r.bucket) };
    all.set(`${item.bucket}\u0000${item.tenant}`, item);
  }
  return [...all.values()].sort(
    (a, b) => a.bucket - b.bucket || (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0),
  );
}

/** Options of the gpu sub-store. */
export interface ClickHouseGpuStoreOptions {
  /** Samples one idle query may hold (see SAMPLES_PER_QUERY); tests lower it to split windows. */
  readonly samplesPerQuery?: number;
}

/** The gpu sub-store over `db`. */
export function createClickHouseGpuStore(
  db: ClickHouseDb,
  options: ClickHouseGpuStoreOptions = {},
): GpuStore {
  const perQuery = options.samplesPerQuery ?? SAMPLES_PER_QUERY;
  return {
    async idleAggregates(query) {
      const params: Params = {
        tenant: query.tenant,
        from: query.from,
        until: query.until,
        threshold: query.threshold,
        maxInterval: query.maxIntervalMs,
        defaultInterval: query.defaultIntervalMs,
      };
      const mapped = pipelineExpression(query.pipelineRules, params);
      spanParams(query.starved, params);
      let sql: string;
      let counts: string;
      const fresh =
        query.rollups === false
          ? new Map<number, number>()
          : await freshVersions(db, query.tenant, query.threshold, query.from, query.until - H);
      const plan = idleRollupPlan(query, [...fresh.keys()]);
      if (plan.buckets.length > 0) {
        const used = new Map(plan.buckets.map((b) => [b, fresh.get(b) as number]));
        const rolled = rolledWhere(used, params);
        sql = rollupIdleSql(
          mapped,
          plan,
          rolled,
          await partialSeries(db, mapped, plan, rolled, params),
          params,
        );
        counts = `SELECT host, sum(n) AS n FROM (
            SELECT host, count() AS n FROM gpu_samples
            WHERE tenant = {tenant:String} AND ${rangesWhere(plan.rawRanges, 'r', params)} GROUP BY host
            UNION ALL
            SELECT host, count() AS n FROM gpu_idle_rollups
            WHERE ${rolled} AND threshold = {threshold:Float64} AND kind < 2 GROUP BY host)
          GROUP BY host ORDER BY host`;
      } else {
        const range = `${sampleRange(query, params)} AND ${HAS_ACTIVITY}`;
        sql = idleSql(mapped, range);
        counts = sampleCounts(range);
      }
      const rows: GpuIdleSqlRow[] = [];
      // Host ranges run one after another, in host order, so the rows arrive sorted as one query's.
      for (const [hostLo, hostHi] of await hostRanges(db, counts, params, perQuery)) {
        rows.push(...(await db.query<GpuIdleSqlRow>(sql, { ...params, hostLo, hostHi })));
      }
      return rows.map(gpuIdleAggregateFromRow);
    },

    async mappedPipelines(query) {
      const params: Params = {};
      const mapped = pipelineExpression(query.pipelineRules, params);
      const [lo, hi] = idleReadRange(query);
      const fresh =
        query.rollups === false
          ? new Map<number, number>()
          : await freshVersions(db, query.tenant, undefined, lo, hi);
      const plan = readRangePlan(query, [...fresh.keys()]);
      let sources: string;
      if (plan.buckets.length > 0) {
        params.tenant = query.tenant;
        const rolled = rolledWhere(new Map(plan.buckets.map((b) => [b, fresh.get(b) as number])), params);
        // Rollup rows carry every attribute set of their bucket's samples (kind 2: those without activity).
        sources = `SELECT ${mapped} AS mapped FROM gpu_samples
            WHERE tenant = {tenant:String} AND ${rangesWhere(plan.rawRanges, 'r', params)}
          UNION ALL
          SELECT ${mapped} AS mapped FROM gpu_idle_rollups WHERE ${rolled}`;
      } else {
        sources = `SELECT ${mapped} AS mapped FROM gpu_samples WHERE ${sampleRange(query, params)}`;
      }
      const rows = await db.query<{ pipeline: string }>(
        `SELECT DISTINCT mapped AS pipeline FROM (${sources}) WHERE pipeline != '' ORDER BY pipeline`,
        params,
      );
      return rows.map((r) => String(r.pipeline));
    },

    async rollUpIdle(request) {
      const pending = await pendingBuckets(db, request.threshold, request.closedBefore);
      const batch = pending.slice(0, Math.max(0, request.maxBuckets));
      if (batch.length === 0) return { buckets: 0, samples: 0, pending: pending.length };
      const serverSecond = async () =>
        Number((await db.query<{ s: number }>('SELECT toInt64(now()) AS s'))[0]?.s);
      const basis = await serverSecond();
      // Samples are read once the server's clock has left the basis second: every mark stamped
      // at or before the basis then belongs to samples this rollup reads.
      while ((await serverSecond()) <= basis) await new Promise((resolve) => setTimeout(resolve, 50));
      let samples = 0;
      for (const { tenant, lo, hi, buckets } of bucketRuns(batch, BUCKETS_PER_STATEMENT)) {
        const params = {
          tenant,
          threshold: request.threshold,
          lo,
          hi,
          // The basis (read before the samples) in the high digits; the low ones tell apart two
          // collectors rolling the same bucket in the same second.
          version: basis * VERSION_SCALE + Math.floor(Math.random() * VERSION_SCALE),
        };
        await db.command(ROLL_UP_SQL, params);
        await db.command(ROLL_UP_LABELS_SQL, params);
        const counted = await db.query<{ bucket: number; samples: number }>(
          `SELECT ts AS bucket, sum(n) AS samples FROM gpu_idle_rollups
           WHERE tenant = {tenant:String} AND threshold = {threshold:Float64} AND ts >= {lo:Int64} AND ts < {hi:Int64}
             AND version = {version:UInt64} AND kind < 2
           GROUP BY ts`,
          params,
        );
        const perBucket = new Map(counted.map((c) => [Number(c.bucket), Number(c.samples)]));
        // The bucket rows last: until they exist, readers keep to the previous version.
        await db.command(
          `INSERT INTO gpu_idle_rollup_buckets (tenant, threshold, ts, version, samples, rolled_at)
           SELECT {tenant:String}, {threshold:Float64}, bucket, {version:UInt64}, samples, {rolledAt:Int64}
           FROM (SELECT {buckets:Array(Int64)} AS buckets, {samples:Array(UInt64)} AS counts)
           ARRAY JOIN buckets AS bucket, counts AS samples`,
          {
            ...params,
            buckets,
            samples: buckets.map((b) => perBucket.get(b) ?? 0),
            rolledAt: Date.now(),
          },
        );
        for (const b of buckets) samples += perBucket.get(b) ?? 0;
      }
      return { buckets: batch.length, samples, pending: pending.length - batch.length };
    },

    async pipelinePoints(tenant, pipelines, from, until) {
      if (pipelines.length === 0) return [];
      const rows = await db.query<{
        pipeline: string;
        stage: string;
        ts: number;
        queue_depth: number | null;
        lag_seconds: number | null;
      }>(
        `SELECT pipeline, stage, ts, queue_depth, lag_seconds FROM pipeline_stats
         WHERE tenant = {tenant:String} AND pipeline IN (SELECT arrayJoin({pipelines:Array(String)}))
           AND ts >= {from:Int64} AND ts < {until:Int64}
           AND (isNotNull(queue_depth) OR isNotNull(lag_seconds))
         ORDER BY ts, pipeline, stage`,
        { tenant, pipelines: [...pipelines], from, until },
      );
      return rows.map((r): PipelinePoint => ({
        pipeline: String(r.pipeline),
        stage: String(r.stage),
        ts: Number(r.ts),
        queueDepth: r.queue_depth === null ? null : Number(r.queue_depth),
        lagSeconds: r.lag_seconds === null ? null : Number(r.lag_seconds),
      }));
    },
  };
}
