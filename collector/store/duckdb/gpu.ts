/**
 * The gpu queries of the embedded store. The idle query does the heavy lifting in one statement:
 * lead() finds each sample's gap to its successor within its series, samples are counted per
 * (series, attributes, idle, gap), the median gap (from those counts) gives the series' nominal
 * interval, and coverage, idle time and the overlap with starved pipeline spans are summed per
 * series and attribute set. Plain SQL (window function, GROUP BY, LIKE, a range join) so the
 * ClickHouse adapter can follow it closely.
 */
import { gpuIdleAggregateFromRow, type GpuIdleSqlRow } from '../gpu-rows.js';
import type { GpuIdleQuery, GpuStore, PipelineLikeRule, PipelinePoint } from '../gpu-store.js';
import type { DuckDb, SqlParam } from './connection.js';
import type { Migration } from './migrations.js';

export const GPU_MIGRATIONS: readonly Migration[] = [];

const SERIES = 'host, uuid, gpu, mig_instance';
const ATTRIBUTES = 'model_name, mig_profile, namespace, pod, container, hpc_job, pipeline';

/** `CASE` mapping a row to its pipeline: the label, else the first matching rule (allocated rows only). */
function pipelineExpression(rules: readonly PipelineLikeRule[], params: SqlParam[]): string {
  const whens = rules.map((rule) => {
    params.push(rule.namespaceLike, rule.podLike, rule.jobLike, rule.pipeline);
    return `WHEN namespace LIKE ? ESCAPE '\\' AND pod LIKE ? ESCAPE '\\' AND hpc_job LIKE ? ESCAPE '\\' THEN ?`;
  });
  return `CASE WHEN pipeline <> '' THEN pipeline WHEN pod = '' AND hpc_job = '' THEN '' ${whens.join(' ')} ELSE '' END`;
}

/**
 * The window's activity samples with the mapped pipeline, read 2 × maxInterval either side so
 * coverage crossing an edge counts. Inlined (not a shared CTE) wherever used: a CTE referenced
 * twice is materialised with all its text columns, which cost more than scanning twice.
 */
function windowSamples(query: GpuIdleQuery, params: SqlParam[]): string {
  const pipeline = pipelineExpression(query.pipelineRules, params);
  params.push(query.tenant, query.from - 2 * query.maxIntervalMs, query.until + 2 * query.maxIntervalMs);
  return `(SELECT ${SERIES}, model_name, mig_profile, namespace, pod, container, hpc_job, ${pipeline} AS mapped, ts,
      coalesce(gr_engine_active, gpu_util / 100.0) AS activity
    FROM gpu_samples
    WHERE tenant = ? AND ts >= ? AND ts < ? AND (gr_engine_active IS NOT NULL OR gpu_util IS NOT NULL))`;
}

/** 64-bit ids of a series and of an attribute set, so the sort behind lead() moves 32-byte rows. */
const SID = `hash(${SERIES})`;
const AID = 'hash(model_name, mig_profile, namespace, pod, container, hpc_job, mapped)';
const FIRST_NAMES = `${SERIES.split(', ')
  .concat(['model_name', 'mig_profile', 'namespace', 'pod', 'container', 'hpc_job'])
  .map((c) => `first(${c}) AS ${c}`)
  .join(', ')}, first(mapped) AS pipeline`;

export function createDuckDbGpuStore(db: DuckDb): GpuStore {
  return {
    async idleAggregates(query) {
      const params: SqlParam[] = [];
      // Parameters are positional: `bind` and windowSamples push values as the text is assembled,
      // strictly left to right, inside the one template below.
      const bind = (value: SqlParam): string => {
        params.push(value);
        return '?';
      };
      const starved = query.starved.length > 0;
      // Starved spans are attached to attribute sets first (few rows), then range-joined with idle coverage.
      const spanCtes = (): string => {
        if (!starved) return '';
        const spans = query.starved.map(
          (span) =>
            `(${bind(span.pipeline)}, CAST(${bind(span.start)} AS BIGINT), CAST(${bind(span.end)} AS BIGINT))`,
        );
        return `spans(s_pipeline, s_start, s_end) AS (VALUES ${spans.join(', ')}),
        aid_spans AS (
          SELECT DISTINCT n.aid, s.s_start, s.s_end FROM names n JOIN spans s ON s.s_pipeline = n.pipeline
          WHERE n.pod <> '' OR n.hpc_job <> ''),`;
      };
      // A sample at from <= ts <= interiorEnd is never clipped by the window (its coverage ends by
      // ts + max(2 × maxInterval, defaultInterval)), so only its gap to the next sample matters.
      const interiorEnd = query.until - Math.max(2 * query.maxIntervalMs, query.defaultIntervalMs);
      // Samples sharing series, attributes, idleness and gap to the next sample have equal coverage,
      // so after lead() they collapse into a few (gap, count) rows per series: no join or CTE holds the
      // 20M samples after the sort (bench/gpu.bench.ts, gpu-idle-20m: 4.4 s → 3.4 s on the same data at
      // load 1.5). Samples the window clips, and idle samples that starved spans may overlap, keep
      // their own timestamp (exact_ts). keyed is materialised once, four fixed-width columns per
      // sample, because lead()'s sort is now nearly all of the query's time.
      const sql = `
        WITH names AS MATERIALIZED (SELECT ${SID} AS sid, ${AID} AS aid, ${FIRST_NAMES} FROM ${windowSamples(query, params)} GROUP BY sid, aid),
        keyed AS MATERIALIZED (
          SELECT ${SID} AS sid, ${AID} AS aid, ts, activity < ${bind(query.threshold)} AS idle
          FROM ${windowSamples(query, params)}),
        ${spanCtes()}
        gaps AS (
          SELECT sid, aid, ts, idle,
            lead(ts) OVER (PARTITION BY sid ORDER BY ts) - ts AS gap
          FROM keyed),
        hist AS (
          SELECT sid, aid, idle, gap,
            CASE WHEN ts < ${bind(query.from)} OR ts > ${bind(interiorEnd)}
              ${starved ? 'OR (idle AND aid IN (SELECT aid FROM aid_spans))' : ''} THEN ts END AS exact_ts,
            count(*) AS n
          FROM gaps GROUP BY ALL),
        -- The median of the positive gaps, as median() computes it: the mean of the values at
        -- positions (N - 1) // 2 and N // 2 of the sorted gaps; a gap covers positions [upto - n, upto).
        gap_counts AS (SELECT sid, gap, sum(n) AS n FROM hist WHERE gap > 0 GROUP BY sid, gap),
        gap_ranks AS (
          SELECT sid, gap, sum(n) OVER (PARTITION BY sid ORDER BY gap ROWS UNBOUNDED PRECEDING) AS upto,
            sum(n) OVER (PARTITION BY sid) AS total
          FROM gap_counts),
        nominal AS (
          SELECT sid, CAST(least((min(gap) FILTER (WHERE upto > (total - 1) // 2)
              + min(gap) FILTER (WHERE upto > total // 2)) / 2, ${bind(query.maxIntervalMs)}) AS BIGINT) AS nominal_ms
          FROM gap_ranks GROUP BY sid),
        with_nominal AS (
          SELECT h.*, coalesce(nm.nominal_ms, ${bind(query.defaultIntervalMs)}) AS nominal_ms FROM hist h LEFT JOIN nominal nm USING (sid)),
        covered AS (
          SELECT sid, aid, idle, n,
            CASE WHEN exact_ts IS NOT NULL THEN greatest(exact_ts, ${bind(query.from)}) END AS start_ms,
            CASE WHEN exact_ts IS NOT NULL THEN least(CASE WHEN gap IS NULL THEN exact_ts + nominal_ms
              ELSE least(exact_ts + gap, exact_ts + 2 * nominal_ms) END, ${bind(query.until)}) END AS stop_ms,
            CASE WHEN exact_ts IS NOT NULL
              THEN least(CASE WHEN gap IS NULL THEN exact_ts + nominal_ms
                ELSE least(exact_ts + gap, exact_ts + 2 * nominal_ms) END, ${bind(query.until)}) - greatest(exact_ts, ${bind(query.from)})
              WHEN gap IS NULL THEN nominal_ms ELSE least(gap, 2 * nominal_ms) END AS covered_ms
          FROM with_nominal),
        totals AS (
          SELECT sid, aid, sum(n * covered_ms) AS observed_ms,
            sum(CASE WHEN idle THEN n * covered_ms ELSE 0 END) AS idle_ms
          FROM covered WHERE covered_ms > 0 GROUP BY sid, aid),
        ${
          starved
            ? `starved_idle AS (
          SELECT c.sid, c.aid, sum(c.n * (least(c.stop_ms, a.s_end) - greatest(c.start_ms, a.s_start))) AS starved_ms
          FROM covered c JOIN aid_spans a ON a.aid = c.aid AND a.s_start < c.stop_ms AND a.s_end > c.start_ms
          WHERE c.idle GROUP BY c.sid, c.aid),`
            : ''
        }
        result AS (
          SELECT n.*, t.observed_ms, t.idle_ms, ${starved ? 'coalesce(si.starved_ms, 0)' : '0'} AS starved_ms
          FROM totals t JOIN names n USING (sid, aid)
          ${starved ? 'LEFT JOIN starved_idle si USING (sid, aid)' : ''})
        SELECT ${SERIES}, ${ATTRIBUTES}, observed_ms, idle_ms, starved_ms FROM result
        ORDER BY host, gpu, uuid, mig_instance, namespace, pod, container, hpc_job, pipeline`;
      const rows = await db.all<GpuIdleSqlRow>(sql, params);
      return rows.map(gpuIdleAggregateFromRow);
    },

    async mappedPipelines(query) {
      const params: SqlParam[] = [];
      const pipeline = pipelineExpression(query.pipelineRules, params);
      params.push(query.tenant, query.from - 2 * query.maxIntervalMs, query.until + 2 * query.maxIntervalMs);
      const rows = await db.all<{ pipeline: string }>(
        `SELECT DISTINCT mapped AS pipeline FROM (
           SELECT ${pipeline} AS mapped FROM gpu_samples WHERE tenant = ? AND ts >= ? AND ts < ?)
         WHERE mapped <> '' ORDER BY pipeline`,
        params,
      );
      return rows.map((r) => r.pipeline);
    },

    async pipelinePoints(tenant, pipelines, from, until) {
      if (pipelines.length === 0) return [];
      const rows = await db.all<{
        pipeline: string;
        stage: string;
        ts: number;
        queue_depth: number | null;
        lag_seconds: number | null;
      }>(
        `SELECT pipeline, stage, ts, queue_depth, lag_seconds FROM pipeline_stats
         WHERE tenant = ? AND pipeline IN (${pipelines.map(() => '?').join(', ')}) AND ts >= ? AND ts < ?
           AND (queue_depth IS NOT NULL OR lag_seconds IS NOT NULL)
         ORDER BY ts`,
        [tenant, ...pipelines, from, until],
      );
      return rows.map((r): PipelinePoint => ({
        pipeline: r.pipeline,
        stage: r.stage,
        ts: r.ts,
        queueDepth: r.queue_depth,
        lagSeconds: r.lag_seconds,
      }));
    },
  };
}
