/**
 * The health queries of the embedded store. Everything heavy (the label join, quantiles, confusion
 * counts, error sums, per-stage window sums) is one SQL aggregation each, written in plain SQL (CASE
 * sums, arg_max, FILTER) so the ClickHouse port stays close. The ROC concordance sum comes from the
 * scores the same aggregation lists (sorted and merged in JS), or for windows too large to list from
 * a rank window that DuckDB can spill to disk.
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
import { num, numOrNull, pipelineStageFromRow, QualityGroups } from '../health-rows.js';
import type { DuckDb, SqlParam } from './connection.js';
import type { Migration } from './migrations.js';
import { MAPE_EPSILON } from '../../models/quality/regression.js';
import { concordanceFromScores } from '../../models/quality/roc-auc.js';

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

/** A listed score column as a typed array (an absent list: no such scores). */
const scoresOf = (v: unknown): Float64Array => Float64Array.from((v ?? []) as number[]);

/**
 * Mann–Whitney from the rank window: the positives' average ranks (ties share the mean of their
 * ranks) minus the least they could sum to leaves Σ over positives of (negatives below + ½ tied).
 */
function concordanceFromRanks(r: Record<string, unknown>, positives: number, negatives: number): number {
  if (positives === 0) return 0;
  const averageRankSum =
    (num(r.positive_low_rank_sum) + (positives + negatives) * num(r.positive_cume_dist_sum)) / 2;
  return averageRankSum - (positives * (positives + 1)) / 2;
}

/** Tuning of the DuckDB health queries. */
export interface DuckDbHealthOptions {
  /**
   * Windows with at most this many predictions get ROC AUC from listed scores (fast); larger ones
   * from a rank window (spills to disk). Listed scores cost 8–16 bytes each inside DuckDB's
   * memory_limit (256 MB by default): 20M of them failed with Out of Memory, 10M passed.
   */
  listScoresUpTo?: number;
}

/** Predictions per window up to which scores are listed: 1M runs in health-quality-1m, well under the OOM point. */
export const LIST_SCORES_UP_TO = 4_000_000;

export function createDuckDbHealthStore(db: DuckDb, options: DuckDbHealthOptions = {}): HealthStore {
  const listScoresUpTo = options.listScoresUpTo ?? LIST_SCORES_UP_TO;
  return {
    async modelTraffic(w: ModelWindow): Promise<ModelTrafficRow[]> {
      const params: SqlParam[] = [];
      const tenant = tenantClause('', w.tenant, params);
      params.push(w.from, w.until);
      const segment = w.bySegment ? 'segment' : 'CAST(NULL AS VARCHAR)';
      // One quantile_cont with a list of quantiles shares one sorted state instead of three: same
      // figures, half the time of the traffic query in health-quality-1m (bench/health.bench.ts).
      const rows = await db.all(
        `SELECT model, version, ${segment} AS segment, count(*) AS predictions,
           quantile_cont(latency_ms, [0.5, 0.95, 0.99]) AS latency_quantiles
         FROM predictions WHERE ${tenant}ts >= ? AND ts < ?
         GROUP BY model, version${w.bySegment ? ', segment' : ''}
         ORDER BY model, version${w.bySegment ? ', segment' : ''}`,
        params,
      );
      return rows.map((r) => {
        const quantiles = (r.latency_quantiles ?? []) as unknown[];
        return {
          model: String(r.model),
          version: String(r.version),
          segment: r.segment === null ? null : String(r.segment),
          predictions: num(r.predictions),
          latencyP50: numOrNull(quantiles[0]),
          latencyP95: numOrNull(quantiles[1]),
          latencyP99: numOrNull(quantiles[2]),
        };
      });
    },

    async modelQuality(q: ModelQualityQuery): Promise<ModelQualityRow[]> {
      const groups = new QualityGroups();
      const group = (r: Record<string, unknown>) =>
        groups.of(r, r.segment === null ? null : String(r.segment));

      const countParams: SqlParam[] = [];
      const countTenant = tenantClause('', q.tenant, countParams);
      countParams.push(q.from, q.until);
      const [count] = await db.all(
        `SELECT count(*) AS n FROM predictions WHERE ${countTenant}ts >= ? AND ts < ?`,
        countParams,
      );
      const listScores = num(count?.n) <= listScoresUpTo;
      const [sql, params] = qualitySql(q, listScores);
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
        g.numeric = {
          n: num(r.numeric_n),
          nonBinary: num(r.non_binary),
          positives,
          negatives,
          tp: num(r.tp),
          fp: num(r.fp),
          tn: num(r.tn),
          fn: num(r.fn),
          concordance: listScores
            ? concordanceFromScores(scoresOf(r.positive_scores), scoresOf(r.negative_scores))
            : concordanceFromRanks(r, positives, negatives),
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
      return rows.map(pipelineStageFromRow);
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
 * The newest posted label is resolved to (label_ts, late_num, late_str) before the join, and with a
 * tenant given the grouping and join key is request_id alone: a narrower hash table and join payload
 * (health-quality-1m, bench/health.bench.ts: the label grouping and join are most of what is left).
 */
function labelledSql(w: ModelWindow): [string, SqlParam[]] {
  const params: SqlParam[] = [];
  const labelTenant = tenantClause('', w.tenant, params);
  const predictionTenant = tenantClause('p.', w.tenant, params);
  params.push(w.from, w.until);
  const segment = w.bySegment ? 'p.segment' : 'CAST(NULL AS VARCHAR)';
  const key = w.tenant === null ? 'tenant, request_id' : 'request_id';
  const join =
    w.tenant === null ? 'l.tenant = p.tenant AND l.request_id = p.request_id' : 'l.request_id = p.request_id';
  // late_wins of a prediction: its request has a posted label at least as recent, or no inline label.
  const lateWins = '(l.label_ts >= p.ts OR (p.label_num IS NULL AND p.label_str IS NULL))';
  const sql = `
    WITH latest AS (
      SELECT ${key}, max(ts) AS label_ts,
        arg_max(label_num, ts) AS label_num, max(CASE WHEN label_num IS NOT NULL THEN ts END) AS num_ts,
        arg_max(label_str, ts) AS label_str
      FROM labels WHERE ${labelTenant}TRUE GROUP BY ${key}
    ),
    late AS (
      SELECT ${key}, label_ts, CASE WHEN num_ts = label_ts THEN label_num END AS late_num,
        CASE WHEN num_ts = label_ts THEN NULL ELSE label_str END AS late_str
      FROM latest
    ),
    labelled AS (
      SELECT p.model, p.version, ${segment} AS segment, p.prediction_num AS yhat, p.prediction_str AS yhat_str,
        CASE WHEN ${lateWins} THEN l.late_num ELSE p.label_num END AS y,
        CASE WHEN ${lateWins} THEN l.late_str ELSE p.label_str END AS y_str
      FROM predictions p LEFT JOIN late l ON ${join}
      WHERE ${predictionTenant}p.ts >= ? AND p.ts < ?
        AND (l.label_ts IS NOT NULL OR p.label_num IS NOT NULL OR p.label_str IS NOT NULL)
    )`;
  return [sql, params];
}

/**
 * Every labelled prediction in one pass: grouped by the class-name pair (numeric pairs fall in the
 * null/null cell), with confusion counts at the model's threshold, error sums, and for 0/1 labels
 * with scores in [0, 1] what ROC AUC needs. `listScores`: the positives' and negatives' scores as two
 * lists, in the same hash aggregation; this replaced a rank window whose sort took about half of
 * health-quality-1m (bench/health.bench.ts). Otherwise (windows too large to list within DuckDB's
 * memory_limit) the rank sums: rank() gives a tie group's lowest rank and cume_dist() × size its
 * highest; their mean is the tie-averaged rank.
 */
function qualitySql(q: ModelQualityQuery, listScores: boolean): [string, SqlParam[]] {
  const [labelled, params] = labelledSql(q);
  const overrides = Object.entries(q.thresholds);
  const threshold =
    overrides.length === 0 ? '?' : `CASE model ${overrides.map(() => 'WHEN ? THEN ?').join(' ')} ELSE ? END`;
  for (const [model, t] of overrides) params.push(model, t);
  params.push(q.defaultThreshold, MAPE_EPSILON);
  const numeric = 'y IS NOT NULL AND yhat IS NOT NULL';
  const ranked = listScores
    ? ''
    : `,
    ranked AS (
      SELECT *, rank() OVER w AS low_rank, cume_dist() OVER w AS cume
      FROM flagged WINDOW w AS (PARTITION BY model, version, segment, binary_pair ORDER BY yhat)
    )`;
  const rocColumns = listScores
    ? `list(yhat) FILTER (WHERE binary_pair AND y = 1) AS positive_scores,
      list(yhat) FILTER (WHERE binary_pair AND y = 0) AS negative_scores`
    : `sum(CASE WHEN binary_pair AND y = 1 THEN low_rank ELSE 0 END) AS positive_low_rank_sum,
      sum(CASE WHEN binary_pair AND y = 1 THEN cume ELSE 0 END) AS positive_cume_dist_sum`;
  const sql = `${labelled},
    flagged AS (
      SELECT *, coalesce(y IN (0, 1) AND yhat >= 0 AND yhat <= 1, FALSE) AS binary_pair, yhat >= ${threshold} AS above
      FROM labelled
    )${ranked}
    SELECT model, version, segment, y_str AS actual, yhat_str AS predicted, count(*) AS n,
      sum(CASE WHEN ${numeric} THEN 1 ELSE 0 END) AS numeric_n,
      sum(CASE WHEN ${numeric} AND NOT binary_pair THEN 1 ELSE 0 END) AS non_binary,
      sum(CASE WHEN binary_pair AND y = 1 THEN 1 ELSE 0 END) AS positives,
      sum(CASE WHEN binary_pair AND y = 0 THEN 1 ELSE 0 END) AS negatives,
      sum(CASE WHEN binary_pair AND y = 1 AND above THEN 1 ELSE 0 END) AS tp,
      sum(CASE WHEN binary_pair AND y = 0 AND above THEN 1 ELSE 0 END) AS fp,
      sum(CASE WHEN binary_pair AND y = 0 AND NOT above THEN 1 ELSE 0 END) AS tn,
      sum(CASE WHEN binary_pair AND y = 1 AND NOT above THEN 1 ELSE 0 END) AS fn,
      ${rocColumns},
      sum(CASE WHEN ${numeric} THEN abs(y - yhat) ELSE 0 END) AS abs_error,
      sum(CASE WHEN ${numeric} THEN (y - yhat) * (y - yhat) ELSE 0 END) AS squared_error,
      sum(CASE WHEN ${numeric} THEN abs(y - yhat) / greatest(abs(y), ?) ELSE 0 END) AS abs_percent_error
    FROM ${listScores ? 'flagged' : 'ranked'} GROUP BY model, version, segment, y_str, yhat_str`;
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
