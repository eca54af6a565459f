/**
 * The health queries of the embedded store. Everything heavy (the label join, quantiles, confusion
 * counts, the ROC concordance sum, error sums, per-stage window sums) is one SQL aggregation each,
 * written in plain SQL (CASE sums, arg_max, one window function) so the ClickHouse port stays close.
 */
import type {
  HealthStore,
  ModelQualityQuery,
  ModelQualityRow,
  ModelTotalsRow,
  ModelTrafficRow,
  ModelWindow,
  PipelineStageAggregate,
  PipelineTotalsRow,
  PipelineWindowQuery,
  TenantScope,
} from '../health-store.js';
import type { DuckDb, SqlParam } from './connection.js';
import type { Migration } from './migrations.js';
import { MAPE_EPSILON } from '../../models/quality/regression.js';

export const HEALTH_MIGRATIONS: readonly Migration[] = [];

/** `tenant = ? AND` or nothing, for a table alias. */
function tenantClause(alias: string, tenant: TenantScope, params: SqlParam[]): string {
  if (tenant === null) return '';
  params.push(tenant);
  return `${alias}tenant = ? AND `;
}

/** `?, ?, ?` for `values`, pushing them to params. */
function placeholders(values: readonly string[], params: SqlParam[]): string {
  params.push(...values);
  return values.map(() => '?').join(', ');
}

const num = (v: unknown): number =>
  typeof v === 'number' ? v : v === null || v === undefined ? 0 : Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function createDuckDbHealthStore(db: DuckDb): HealthStore {
  return {
    async modelTraffic(w: ModelWindow): Promise<ModelTrafficRow[]> {
      const params: SqlParam[] = [];
      const tenant = tenantClause('', w.tenant, params);
      params.push(w.from, w.until);
      const segment = w.bySegment ? 'segment' : 'CAST(NULL AS VARCHAR)';
      const rows = await db.all(
        `SELECT model, version, ${segment} AS segment, count(*) AS predictions,
           quantile_cont(latency_ms, 0.5) AS p50, quantile_cont(latency_ms, 0.95) AS p95,
           quantile_cont(latency_ms, 0.99) AS p99
         FROM predictions WHERE ${tenant}ts >= ? AND ts < ?
         GROUP BY model, version${w.bySegment ? ', segment' : ''}
         ORDER BY model, version${w.bySegment ? ', segment' : ''}`,
        params,
      );
      return rows.map((r) => ({
        model: String(r.model),
        version: String(r.version),
        segment: r.segment === null ? null : String(r.segment),
        predictions: num(r.predictions),
        latencyP50: numOrNull(r.p50),
        latencyP95: numOrNull(r.p95),
        latencyP99: numOrNull(r.p99),
      }));
    },

    async modelQuality(q: ModelQualityQuery): Promise<ModelQualityRow[]> {
      const groups = new Map<string, ModelQualityRow>();
      const group = (r: Record<string, unknown>) => {
        const segment = r.segment === null ? null : String(r.segment);
        const key = JSON.stringify([r.model, r.version, segment]);
        let g = groups.get(key);
        if (!g) {
          g = {
            model: String(r.model),
            version: String(r.version),
            segment,
            labeled: 0,
            numeric: {
              n: 0,
              nonBinary: 0,
              positives: 0,
              negatives: 0,
              tp: 0,
              fp: 0,
              tn: 0,
              fn: 0,
              concordance: 0,
              absError: 0,
              squaredError: 0,
              absPercentError: 0,
            },
            cells: [],
          };
          groups.set(key, g);
        }
        return g;
      };

      const [sql, params] = qualitySql(q);
      for (const r of await db.all(sql, params)) {
        const g = group(r);
        const n = num(r.n);
        g.labeled += n;
        if (r.actual !== null && r.predicted !== null) {
          g.cells.push({ actual: String(r.actual), predicted: String(r.predicted), count: n });
        }
        if (num(r.numeric_n) === 0) continue;
        const positives = num(r.positives);
        const negatives = num(r.negatives);
        // Mann–Whitney: the positives' average ranks (ties share the mean of their ranks) minus the
        // least they could sum to leaves Σ over positives of (negatives below + ½ negatives tied).
        const averageRankSum =
          (num(r.positive_low_rank_sum) + (positives + negatives) * num(r.positive_cume_dist_sum)) / 2;
        g.numeric = {
          n: num(r.numeric_n),
          nonBinary: num(r.non_binary),
          positives,
          negatives,
          tp: num(r.tp),
          fp: num(r.fp),
          tn: num(r.tn),
          fn: num(r.fn),
          concordance: positives === 0 ? 0 : averageRankSum - (positives * (positives + 1)) / 2,
          absError: num(r.abs_error),
          squaredError: num(r.squared_error),
          absPercentError: num(r.abs_percent_error),
        };
      }
      return [...groups.values()].sort(
        (a, b) =>
          a.model.localeCompare(b.model) ||
          a.version.localeCompare(b.version) ||
          (a.segment ?? '').localeCompare(b.segment ?? ''),
      );
    },

    async modelTotals(tenant, boundsSeconds): Promise<ModelTotalsRow[]> {
      const params: SqlParam[] = [];
      const buckets = boundsSeconds.map((bound, i) => {
        params.push(bound * 1000);
        return `sum(CASE WHEN latency_ms <= ? THEN 1 ELSE 0 END) AS b${i}`;
      });
      const where = tenant === null ? '' : 'WHERE tenant = ?';
      if (tenant !== null) params.push(tenant);
      const rows = await db.all(
        `SELECT model, version, count(*) AS predictions, count(latency_ms) AS latency_count,
           coalesce(sum(latency_ms), 0) / 1000.0 AS latency_sum${buckets.map((b) => `, ${b}`).join('')}
         FROM predictions ${where} GROUP BY model, version ORDER BY model, version`,
        params,
      );
      return rows.map((r) => ({
        model: String(r.model),
        version: String(r.version),
        predictions: num(r.predictions),
        latencyBuckets: boundsSeconds.map((_, i) => num(r[`b${i}`])),
        latencyCount: num(r.latency_count),
        latencySumSeconds: num(r.latency_sum),
      }));
    },

    async pipelineWindows(q: PipelineWindowQuery): Promise<PipelineStageAggregate[]> {
      const [sql, params] = pipelineWindowSql(q);
      const rows = await db.all(sql, params);
      return rows.map((r) => {
        const part = (p: string) => ({
          reports: num(r[`${p}_reports`]),
          rowsIn: num(r[`${p}_rows_in`]),
          rowsOut: num(r[`${p}_rows_out`]),
          firstTs: numOrNull(r[`${p}_first`]),
          lastTs: numOrNull(r[`${p}_last`]),
        });
        const sums = (p: string) => ({
          n: num(r[`${p}_n`]),
          sumX: num(r[`${p}_sx`]),
          sumY: num(r[`${p}_sy`]),
          sumXX: num(r[`${p}_sxx`]),
          sumXY: num(r[`${p}_sxy`]),
          sumYY: num(r[`${p}_syy`]),
        });
        return {
          pipeline: String(r.pipeline),
          stage: String(r.stage),
          window: { ...part('w'), errors: num(r.w_errors) },
          baseline: part('b'),
          recent: part('r'),
          lastSeen: num(r.last_seen),
          lastStatus: r.last_status === null ? null : String(r.last_status),
          lastSuccess: numOrNull(r.last_success),
          latestLagSeconds: numOrNull(r.latest_lag),
          latestQueueDepth: numOrNull(r.latest_queue),
          queueTrend: sums('q'),
          lagTrend: sums('l'),
          queueThirds: { early: numOrNull(r.q_early), late: numOrNull(r.q_late) },
          lagThirds: { early: numOrNull(r.l_early), late: numOrNull(r.l_late) },
        };
      });
    },

    async pipelineTotals(tenant): Promise<PipelineTotalsRow[]> {
      const params: SqlParam[] = tenant === null ? [] : [tenant];
      const rows = await db.all(
        `SELECT pipeline, stage, sum(rows_out) AS rows_out, coalesce(sum(errors), 0) AS errors
         FROM pipeline_stats ${tenant === null ? '' : 'WHERE tenant = ?'}
         GROUP BY pipeline, stage ORDER BY pipeline, stage`,
        params,
      );
      return rows.map((r) => ({
        pipeline: String(r.pipeline),
        stage: String(r.stage),
        rowsOut: num(r.rows_out),
        errors: num(r.errors),
      }));
    },
  };
}

/**
 * `WITH latest …, labelled AS (…)`: one row per labelled prediction of the window with its effective
 * label. The newest label (by ts) of a request wins, an inline label included; a label row holds
 * either a number or a class name, so the newest row's kind is told apart by comparing timestamps.
 */
function labelledSql(w: ModelWindow): [string, SqlParam[]] {
  const params: SqlParam[] = [];
  const labelTenant = tenantClause('', w.tenant, params);
  const predictionTenant = tenantClause('p.', w.tenant, params);
  params.push(w.from, w.until);
  const segment = w.bySegment ? 'p.segment' : 'CAST(NULL AS VARCHAR)';
  const sql = `
    WITH latest AS (
      SELECT tenant, request_id, max(ts) AS label_ts,
        arg_max(label_num, ts) AS label_num, max(CASE WHEN label_num IS NOT NULL THEN ts END) AS num_ts,
        arg_max(label_str, ts) AS label_str
      FROM labels WHERE ${labelTenant}TRUE GROUP BY tenant, request_id
    ),
    joined AS (
      SELECT p.model, p.version, ${segment} AS segment, p.prediction_num AS yhat, p.prediction_str AS yhat_str,
        p.label_num AS inline_num, p.label_str AS inline_str, l.label_num AS late_num, l.label_str AS late_str,
        l.num_ts = l.label_ts AS late_is_num,
        (l.label_ts IS NOT NULL AND (l.label_ts >= p.ts OR (p.label_num IS NULL AND p.label_str IS NULL))) AS late_wins
      FROM predictions p LEFT JOIN latest l ON l.tenant = p.tenant AND l.request_id = p.request_id
      WHERE ${predictionTenant}p.ts >= ? AND p.ts < ?
    ),
    labelled AS (
      SELECT model, version, segment, yhat, yhat_str,
        CASE WHEN late_wins THEN (CASE WHEN late_is_num THEN late_num END) ELSE inline_num END AS y,
        CASE WHEN late_wins THEN (CASE WHEN late_is_num THEN NULL ELSE late_str END) ELSE inline_str END AS y_str
      FROM joined WHERE late_wins OR inline_num IS NOT NULL OR inline_str IS NOT NULL
    )`;
  return [sql, params];
}

/**
 * Every labelled prediction in one pass: grouped by the class-name pair (numeric pairs fall in the
 * null/null cell), with confusion counts at the model's threshold, error sums, and for 0/1 labels
 * with scores in [0, 1] the rank sums behind ROC AUC. rank() gives a tie group's lowest rank and
 * cume_dist() × size its highest; their mean is the tie-averaged rank. Ranking functions only sort,
 * which is much cheaper than a running-sum window (measured in bench/health.bench.ts).
 */
function qualitySql(q: ModelQualityQuery): [string, SqlParam[]] {
  const [labelled, params] = labelledSql(q);
  const overrides = Object.entries(q.thresholds);
  const threshold =
    overrides.length === 0 ? '?' : `CASE model ${overrides.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ? END`;
  for (const [model, t] of overrides) params.push(model, t);
  params.push(q.defaultThreshold, MAPE_EPSILON);
  const numeric = 'y IS NOT NULL AND yhat IS NOT NULL';
  const sql = `${labelled},
    flagged AS (
      SELECT *, coalesce(y IN (0, 1) AND yhat >= 0 AND yhat <= 1, FALSE) AS binary_pair, yhat >= ${threshold} AS above
      FROM labelled
    ),
    ranked AS (
      SELECT *, rank() OVER w AS low_rank, cume_dist() OVER w AS cume
      FROM flagged WINDOW w AS (PARTITION BY model, version, segment, binary_pair ORDER BY yhat)
    )
    SELECT model, version, segment, y_str AS actual, yhat_str AS predicted, count(*) AS n,
      sum(CASE WHEN ${numeric} THEN 1 ELSE 0 END) AS numeric_n,
      sum(CASE WHEN ${numeric} AND NOT binary_pair THEN 1 ELSE 0 END) AS non_binary,
      sum(CASE WHEN binary_pair AND y = 1 THEN 1 ELSE 0 END) AS positives,
      sum(CASE WHEN binary_pair AND y = 0 THEN 1 ELSE 0 END) AS negatives,
      sum(CASE WHEN binary_pair AND y = 1 AND above THEN 1 ELSE 0 END) AS tp,
      sum(CASE WHEN binary_pair AND y = 0 AND above THEN 1 ELSE 0 END) AS fp,
      sum(CASE WHEN binary_pair AND y = 0 AND NOT above THEN 1 ELSE 0 END) AS tn,
      sum(CASE WHEN binary_pair AND y = 1 AND NOT above THEN 1 ELSE 0 END) AS fn,
      sum(CASE WHEN binary_pair AND y = 1 THEN low_rank ELSE 0 END) AS positive_low_rank_sum,
      sum(CASE WHEN binary_pair AND y = 1 THEN cume ELSE 0 END) AS positive_cume_dist_sum,
      sum(CASE WHEN ${numeric} THEN abs(y - yhat) ELSE 0 END) AS abs_error,
      sum(CASE WHEN ${numeric} THEN (y - yhat) * (y - yhat) ELSE 0 END) AS squared_error,
      sum(CASE WHEN ${numeric} THEN abs(y - yhat) / greatest(abs(y), ?) ELSE 0 END) AS abs_percent_error
    FROM ranked GROUP BY model, version, segment, y_str, yhat_str`;
  return [sql, params];
}

/**
 * One pass over the stage's reports since `forgetAfterSeconds`: conditional sums per part of the
 * window, and Σ-statistics of queue depth and lag against x = seconds before the evaluation time.
 */
function pipelineWindowSql(q: PipelineWindowQuery): [string, SqlParam[]] {
  const windowStart = q.until - q.windowSeconds * 1000;
  const split = q.until - q.recentSeconds * 1000;
  const trendStart = q.until - q.trendSeconds * 1000;
  // Parameters in the order their placeholders appear in the text.
  const trendMs = q.trendSeconds * 1000;
  const params: SqlParam[] = [
    q.until,
    windowStart,
    split,
    trendStart,
    trendStart,
    trendStart + (2 / 3) * trendMs,
    q.until - trendMs / 3,
  ];
  const tenant = tenantClause('', q.tenant, params);
  params.push(q.until - q.forgetAfterSeconds * 1000, q.until);
  let filter = '';
  if (q.only) filter += ` AND pipeline IN (${q.only.length ? placeholders(q.only, params) : 'NULL'})`;
  if (q.except?.length) filter += ` AND pipeline NOT IN (${placeholders(q.except, params)})`;

  const part = (p: string, cond: string) => `
      sum(CASE WHEN ${cond} THEN 1 ELSE 0 END) AS ${p}_reports,
      sum(CASE WHEN ${cond} THEN rows_in ELSE 0 END) AS ${p}_rows_in,
      sum(CASE WHEN ${cond} THEN rows_out ELSE 0 END) AS ${p}_rows_out,
      min(CASE WHEN ${cond} THEN ts END) AS ${p}_first, max(CASE WHEN ${cond} THEN ts END) AS ${p}_last`;
  const sums = (p: string, column: string) => {
    const cond = `in_trend AND ${column} IS NOT NULL`;
    return `
      sum(CASE WHEN ${cond} THEN 1 ELSE 0 END) AS ${p}_n, sum(CASE WHEN ${cond} THEN x END) AS ${p}_sx,
      sum(CASE WHEN ${cond} THEN ${column} END) AS ${p}_sy, sum(CASE WHEN ${cond} THEN x * x END) AS ${p}_sxx,
      sum(CASE WHEN ${cond} THEN x * ${column} END) AS ${p}_sxy,
      sum(CASE WHEN ${cond} THEN ${column} * ${column} END) AS ${p}_syy,
      quantile_cont(CASE WHEN in_early THEN ${column} END, 0.5) AS ${p}_early,
      quantile_cont(CASE WHEN in_late THEN ${column} END, 0.5) AS ${p}_late`;
  };
  const sql = `
    SELECT pipeline, stage, ${part('w', 'in_window')}, ${part('b', 'in_window AND NOT in_recent')},
      ${part('r', 'in_recent')},
      sum(CASE WHEN in_window THEN coalesce(errors, 0) ELSE 0 END) AS w_errors,
      max(ts) AS last_seen, arg_max(coalesce(status, 'ok'), ts) AS last_status,
      max(CASE WHEN progress THEN ts END) AS last_success,
      arg_max(lag_seconds, ts) AS latest_lag, arg_max(queue_depth, ts) AS latest_queue,
      ${sums('q', 'queue_depth')}, ${sums('l', 'lag_seconds')}
    FROM (
      SELECT pipeline, stage, ts, rows_in, rows_out, errors, status, lag_seconds, queue_depth,
        (ts - ?) / 1000.0 AS x,
        (coalesce(status, 'ok') = 'ok' OR (status = 'running' AND rows_out > 0)) AS progress,
        ts >= ? AS in_window, ts >= ? AS in_recent, ts >= ? AS in_trend,
        ts >= ? AND ts < ? AS in_early, ts >= ? AS in_late
      FROM pipeline_stats WHERE ${tenant}ts >= ? AND ts <= ?${filter}
    ) s
    GROUP BY pipeline, stage ORDER BY pipeline, stage`;
  return [sql, params];
}
