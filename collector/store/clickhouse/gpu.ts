/**
 * The gpu queries of the ClickHouse store: the embedded store's idle statement in SQL that 18.16
 * runs. 18.16 has no lead() and no CTEs, so each series' samples are gathered into one array
 * sorted by time; successors, the median spacing (nominal interval) and each sample's coverage are
 * array expressions, ARRAY JOIN turns the coverages back into rows, and they are summed per series
 * and attribute set. Attribute names travel as a 64-bit id (as in the embedded store) and are
 * joined back at the end, so the per-series arrays hold 32-byte tuples, not strings.
 */
import { gpuIdleAggregateFromRow, type GpuIdleSqlRow } from '../gpu-rows.js';
import type { GpuIdleQuery, GpuStore, PipelineLikeRule, PipelinePoint, StarvedSpan } from '../gpu-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import type { TableSpec } from './schema.js';

/** The gpu tables (also rendered by the cluster DDL): none, it reads gpu_samples and pipeline_stats. */
export const GPU_TABLES: readonly TableSpec[] = [];

/** The gpu migrations: none (see GPU_TABLES). */
export const GPU_MIGRATIONS: readonly ClickHouseMigration[] = [];

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

/** Consecutive [first, last] host ranges of the window's samples, each about `perQuery` samples. */
async function hostRanges(
  db: ClickHouseDb,
  range: string,
  params: Params,
  perQuery: number,
): Promise<[string, string][]> {
  const hosts = await db.query<{ host: string; n: number }>(
    `SELECT host, count() AS n FROM gpu_samples WHERE ${range} GROUP BY host ORDER BY host`,
    params,
  );
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

/** The idle statement over the samples of `range` whose host lies in [hostLo, hostHi]. */
function idleSql(mapped: string, range: string): string {
  const where = `${range} AND host >= {hostLo:String} AND host <= {hostHi:String}`;
  // Per sample: (ts, activity, attribute id, 1-based index of its pipeline's starved spans or 0
  // when the row is unallocated or its pipeline was never starved).
  const samples = `
    SELECT ${SERIES}, ts, assumeNotNull(ifNull(gr_engine_active, gpu_util / 100.0)) AS activity,
      ${AID} AS aid,
      if(pod != '' OR hpc_job != '', transform(mapped, {spanPipelines:Array(String)}, {spanSets:Array(UInt32)}, toUInt32(0)), toUInt32(0)) AS span_set
    FROM (SELECT ${SERIES}, ${ATTRIBUTES}, ts, gr_engine_active, gpu_util, ${mapped} AS mapped
          FROM gpu_samples WHERE ${where})`;
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
  // Idle time inside the starved spans of the row's pipeline.
  const starvedOverlap = `arraySum(arrayMap((a, b) -> if(a < stop_ms AND b > start_ms,
      least(stop_ms, b) - greatest(start_ms, a), 0),
    arrayElement({spanStarts:Array(Array(Int64))}, span_set), arrayElement({spanEnds:Array(Array(Int64))}, span_set)))`;
  const totals = `
    SELECT ${SERIES}, aid, sum(stop_ms - start_ms) AS observed_ms,
      sum(if(activity < {threshold:Float64}, stop_ms - start_ms, 0)) AS idle_ms,
      sum(if(activity < {threshold:Float64} AND span_set > 0, ${starvedOverlap}, 0)) AS starved_ms
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
        from: query.from,
        until: query.until,
        threshold: query.threshold,
        maxInterval: query.maxIntervalMs,
        defaultInterval: query.defaultIntervalMs,
      };
      const mapped = pipelineExpression(query.pipelineRules, params);
      const range = `${sampleRange(query, params)} AND (isNotNull(gr_engine_active) OR isNotNull(gpu_util))`;
      spanParams(query.starved, params);
      const sql = idleSql(mapped, range);
      const rows: GpuIdleSqlRow[] = [];
      // Host ranges run one after another, in host order, so the rows arrive sorted as one query's.
      for (const [hostLo, hostHi] of await hostRanges(db, range, params, perQuery)) {
        rows.push(...(await db.query<GpuIdleSqlRow>(sql, { ...params, hostLo, hostHi })));
      }
      return rows.map(gpuIdleAggregateFromRow);
    },

    async rollUpIdle() {
      return { buckets: 0, samples: 0, pending: 0 };
    },

    async mappedPipelines(query) {
      const params: Params = {};
      const mapped = pipelineExpression(query.pipelineRules, params);
      const range = sampleRange(query, params);
      const rows = await db.query<{ pipeline: string }>(
        `SELECT DISTINCT mapped AS pipeline FROM (SELECT ${mapped} AS mapped FROM gpu_samples WHERE ${range})
         WHERE pipeline != '' ORDER BY pipeline`,
        params,
      );
      return rows.map((r) => String(r.pipeline));
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
