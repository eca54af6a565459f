/**
 * The gpu queries of the embedded store. The idle query does the heavy lifting in one statement:
 * lead() finds each sample's successor within its series, the median spacing gives the series'
 * nominal interval, and coverage, idle time and the overlap with starved pipeline spans are
 * summed per series and attribute set. Plain SQL (window function, median, LIKE, a range join)
 * so the ClickHouse adapter can follow it closely.
 */
import type {
  GpuIdleAggregate,
  GpuIdleQuery,
  GpuStore,
  PipelineLikeRule,
  PipelinePoint,
} from '../gpu-store.js';
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
      // Parameters are positional: each fragment pushes its values in the order its text uses them.
      const keyedSource = windowSamples(query, params);
      params.push(query.maxIntervalMs, query.defaultIntervalMs, query.from, query.until, query.threshold);
      const namesSource = windowSamples(query, params);
      const spans = query.starved.map((span) => {
        params.push(span.pipeline, span.start, span.end);
        return '(?, CAST(? AS BIGINT), CAST(? AS BIGINT))';
      });
      if (spans.length > 0) params.push(query.threshold);
      // Starved spans are attached to attribute sets first (few rows), then range-joined with idle coverage.
      const starvedCtes =
        spans.length === 0
          ? ''
          : `spans(s_pipeline, s_start, s_end) AS (VALUES ${spans.join(', ')}),
        aid_spans AS (
          SELECT DISTINCT n.aid, s.s_start, s.s_end FROM names n JOIN spans s ON s.s_pipeline = n.pipeline
          WHERE n.pod <> '' OR n.hpc_job <> ''),
        starved_idle AS (
          SELECT c.sid, c.aid, sum(least(c.stop_ms, a.s_end) - greatest(c.start_ms, a.s_start)) AS starved_ms
          FROM covered c JOIN aid_spans a ON a.aid = c.aid AND a.s_start < c.stop_ms AND a.s_end > c.start_ms
          WHERE c.activity < ? GROUP BY c.sid, c.aid),`;
      // keyed is MATERIALIZED so the window sorts four fixed-width columns: inlined, the text columns
      // behind hash() rode through lead()'s sort, 14 of 20 s (bench/gpu.bench.ts, gpu-idle-20m).
      const sql = `
        WITH keyed AS MATERIALIZED (SELECT ${SID} AS sid, ${AID} AS aid, ts, activity FROM ${keyedSource}),
        successors AS MATERIALIZED (
          SELECT sid, aid, ts, activity, lead(ts) OVER (PARTITION BY sid ORDER BY ts) AS next_ts FROM keyed),
        nominal AS (
          SELECT sid, CAST(least(median(next_ts - ts), ?) AS BIGINT) AS nominal_ms FROM successors WHERE next_ts > ts GROUP BY sid),
        with_nominal AS (
          SELECT s.*, coalesce(n.nominal_ms, ?) AS nominal_ms FROM successors s LEFT JOIN nominal n USING (sid)),
        covered AS MATERIALIZED (
          SELECT sid, aid, activity, greatest(ts, ?) AS start_ms,
            least(CASE WHEN next_ts IS NULL THEN ts + nominal_ms
                       ELSE least(next_ts, ts + 2 * nominal_ms) END, ?) AS stop_ms
          FROM with_nominal),
        totals AS (
          SELECT sid, aid, sum(stop_ms - start_ms) AS observed_ms,
            sum(CASE WHEN activity < ? THEN stop_ms - start_ms ELSE 0 END) AS idle_ms
          FROM covered WHERE stop_ms > start_ms GROUP BY sid, aid),
        names AS (SELECT ${SID} AS sid, ${AID} AS aid, ${FIRST_NAMES} FROM ${namesSource} GROUP BY sid, aid),
        ${starvedCtes}
        result AS (
          SELECT n.*, t.observed_ms, t.idle_ms, ${spans.length === 0 ? '0' : 'coalesce(si.starved_ms, 0)'} AS starved_ms
          FROM totals t JOIN names n USING (sid, aid)
          ${spans.length === 0 ? '' : 'LEFT JOIN starved_idle si USING (sid, aid)'})
        SELECT ${SERIES}, ${ATTRIBUTES}, observed_ms, idle_ms, starved_ms FROM result
        ORDER BY host, gpu, uuid, mig_instance, namespace, pod, container, hpc_job, pipeline`;
      const rows = await db.all<IdleRow>(sql, params);
      return rows.map(toAggregate);
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

interface IdleRow {
  host: string;
  uuid: string;
  gpu: string;
  mig_instance: string;
  model_name: string;
  mig_profile: string;
  namespace: string;
  pod: string;
  container: string;
  hpc_job: string;
  pipeline: string;
  observed_ms: number;
  idle_ms: number;
  starved_ms: number;
}

function toAggregate(r: IdleRow): GpuIdleAggregate {
  return {
    host: r.host,
    gpu: r.gpu,
    uuid: r.uuid,
    migInstance: r.mig_instance,
    migProfile: r.mig_profile,
    modelName: r.model_name,
    namespace: r.namespace,
    pod: r.pod,
    container: r.container,
    hpcJob: r.hpc_job,
    pipeline: r.pipeline,
    observedMs: Number(r.observed_ms),
    idleMs: Number(r.idle_ms),
    starvedIdleMs: Number(r.starved_ms),
  };
}
