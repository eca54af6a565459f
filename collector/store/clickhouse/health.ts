/**
 * The health queries of the ClickHouse store: the same aggregations as the embedded store, in SQL
 * that 18.16 runs (no CTEs, no window functions): nested subqueries, an ANY LEFT JOIN for the
 * delayed labels, and arrays (arraySort + arrayCumSum) for the ROC concordance running sum.
 */
import { MAPE_EPSILON } from '../../models/quality/regression.js';
import type {
  HealthStore,
  ModelQualityQuery,
  ModelWindow,
  PipelineWindowQuery,
  TenantScope,
} from '../health-store.js';
import { num, numOrNull, pipelineStageFromRow, QualityGroups } from '../health-rows.js';
import type { ClickHouseSettings } from '@clickhouse/client';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import type { TableSpec } from './schema.js';
import type { SqlParams } from './sql.js';

/** The health tables (also rendered by the cluster DDL): none, it reads the ingest tables. */
export const HEALTH_TABLES: readonly TableSpec[] = [];

export const HEALTH_MIGRATIONS: readonly ClickHouseMigration[] = [];

// Unmatched rows of a LEFT JOIN get NULL, not the type's default (0, ''), as in standard SQL.
const JOIN_SETTINGS: ClickHouseSettings = { join_use_nulls: 1 };

/** `tenant = {tenant:String} AND ` or nothing, for a table alias. */
function tenantClause(tenant: TenantScope): string {
  return tenant === null ? '' : 'tenant = {tenant:String} AND ';
}

/** NumPy's default (linear) quantile of the sorted array `a` of length `n`, NULL when empty. */
function linearQuantile(q: number, a = 'a', n = 'n'): string {
  const h = `((${n} - 1) * ${q})`;
  const lo = `toUInt64(floor(${h}))`;
  return `if(${n} = 0, NULL, ${a}[${lo} + 1] + (${h} - floor(${h})) * (${a}[${lo} + 2] - ${a}[${lo} + 1]))`;
}

/** The linear median of `column` over rows where `cond` holds (NULLs skipped), NULL when none. */
function conditionalMedian(column: string, cond: string, name: string): string {
  const a = `${name}_sorted`;
  return `arraySort(groupArray(if(${cond}, ${column}, NULL))) AS ${a}, ${linearQuantile(0.5, a, `length(${a})`)} AS ${name}`;
}

export function createClickHouseHealthStore(db: ClickHouseDb): HealthStore {
  return {
    async modelTraffic(w) {
      const segment = w.bySegment ? 'segment' : "''";
      // An array of the window's latencies per group (NULLs skipped), sorted once for three
      // quantiles; the upper neighbour of the last element reads as 0 with a weight of 0.
      const rows = await db.query<Record<string, unknown>>(
        `SELECT model, version, seg, predictions,
           ${linearQuantile(0.5)} AS p50, ${linearQuantile(0.95)} AS p95, ${linearQuantile(0.99)} AS p99
         FROM (
           SELECT model, version, ${segment} AS seg, count() AS predictions,
             arraySort(groupArray(latency_ms)) AS a, length(a) AS n
           FROM predictions WHERE ${tenantClause(w.tenant)}ts >= {from:Int64} AND ts < {until:Int64}
           GROUP BY model, version, seg
         )
         ORDER BY model, version, seg`,
        { tenant: w.tenant, from: w.from, until: w.until },
      );
      return rows.map((r) => ({
        model: String(r.model),
        version: String(r.version),
        segment: w.bySegment ? String(r.seg) : null,
        predictions: num(r.predictions),
        latencyP50: numOrNull(r.p50),
        latencyP95: numOrNull(r.p95),
        latencyP99: numOrNull(r.p99),
      }));
    },

    async modelQuality(q) {
      const groups = new QualityGroups();
      const group = (r: Record<string, unknown>) => groups.of(r, q.bySegment ? String(r.seg) : null);
      const params = qualityParams(q);
      for (const r of await db.query<Record<string, unknown>>(numericQualitySql(q), params, JOIN_SETTINGS)) {
        group(r).numeric = {
          n: num(r.n),
          nonBinary: num(r.non_binary),
          positives: num(r.positives),
          negatives: num(r.negatives),
          tp: num(r.tp),
          fp: num(r.fp),
          tn: num(r.tn),
          fn: num(r.fn),
          concordance: num(r.concordance),
          absError: num(r.abs_error),
          squaredError: num(r.squared_error),
          absPercentError: num(r.abs_percent_error),
        };
      }
      const cells = await db.query<Record<string, unknown>>(
        `SELECT model, version, seg, y_str AS actual, yhat_str AS predicted, count() AS n
         FROM (${labelledSql(q)}) GROUP BY model, version, seg, actual, predicted`,
        params,
        JOIN_SETTINGS,
      );
      for (const r of cells) {
        const g = group(r);
        g.labeled += num(r.n);
        if (r.actual !== null && r.predicted !== null) {
          g.cells.push({ actual: String(r.actual), predicted: String(r.predicted), count: num(r.n) });
        }
      }
      return [...groups.values()].sort(
        (a, b) =>
          a.model.localeCompare(b.model) ||
          a.version.localeCompare(b.version) ||
          (a.segment ?? '').localeCompare(b.segment ?? ''),
      );
    },

    async modelTotals(tenant, boundsSeconds) {
      const params: Record<string, number | string | null> = { tenant };
      const buckets = boundsSeconds.map((bound, i) => {
        params[`b${i}`] = bound * 1000;
        return `, countIf(latency_ms <= {b${i}:Float64}) AS b${i}`;
      });
      const rows = await db.query<Record<string, unknown>>(
        `SELECT model, version, count() AS predictions, count(latency_ms) AS latency_count,
           ifNull(sum(latency_ms), 0) / 1000.0 AS latency_sum${buckets.join('')}
         FROM predictions ${tenant === null ? '' : 'WHERE tenant = {tenant:String}'}
         GROUP BY model, version ORDER BY model, version`,
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

    async pipelineWindows(q) {
      const [sql, params] = pipelineWindowSql(q);
      const rows = await db.query<Record<string, unknown>>(sql, params);
      return rows.map(pipelineStageFromRow);
    },

    async pipelineTotals(tenant) {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT pipeline, stage, sum(rows_out) AS rows_out, ifNull(sum(errors), 0) AS errors
         FROM pipeline_stats ${tenant === null ? '' : 'WHERE tenant = {tenant:String}'}
         GROUP BY pipeline, stage ORDER BY pipeline, stage`,
        { tenant },
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

function qualityParams(q: ModelQualityQuery): SqlParams {
  const overrides = Object.entries(q.thresholds);
  return {
    tenant: q.tenant,
    from: q.from,
    until: q.until,
    // transform() refuses empty arrays: a NUL-named entry no model can have keeps them non-empty.
    thresholdModels: ['\0', ...overrides.map(([model]) => model)],
    thresholdValues: [q.defaultThreshold, ...overrides.map(([, t]) => t)],
    defaultThreshold: q.defaultThreshold,
    mapeEpsilon: MAPE_EPSILON,
  };
}

/**
 * One row per labelled prediction of the window with its effective label. The newest label (by
 * ts) of a request wins, an inline label included; argMax skips NULLs, so the newest row's kind
 * (number or class name) is told apart by comparing timestamps, as in the embedded store.
 */
function labelledSql(w: ModelWindow): string {
  const segment = w.bySegment ? 'segment' : "''";
  const tenant = tenantClause(w.tenant);
  return `
    SELECT model, version, seg, yhat, yhat_str,
      if(late_wins, if(late_is_num, late_num, NULL), inline_num) AS y,
      if(late_wins, if(late_is_num, NULL, late_str), inline_str) AS y_str
    FROM (
      SELECT model, version, seg, prediction_num AS yhat, prediction_str AS yhat_str,
        label_num AS inline_num, label_str AS inline_str, l_num AS late_num, l_str AS late_str,
        ifNull(l_num_ts = l_ts, 0) AS late_is_num,
        isNotNull(l_ts) AND (ifNull(l_ts, 0) >= ts OR (isNull(label_num) AND isNull(label_str))) AS late_wins
      FROM (
        SELECT tenant, ifNull(request_id, '') AS rid, model, version, ${segment} AS seg, ts,
          prediction_num, prediction_str, label_num, label_str
        FROM predictions WHERE ${tenant}ts >= {from:Int64} AND ts < {until:Int64}
      ) AS served
      ANY LEFT JOIN (
        SELECT tenant, request_id AS rid, max(ts) AS l_ts, argMax(label_num, ts) AS l_num,
          max(if(isNotNull(label_num), ts, NULL)) AS l_num_ts, argMax(label_str, ts) AS l_str
        FROM labels WHERE ${tenant}request_id != '' GROUP BY tenant, rid
      ) AS late USING (tenant, rid)
    )
    WHERE late_wins OR isNotNull(inline_num) OR isNotNull(inline_str)`;
}

/**
 * Numeric pairs grouped by distinct score (which also merges ties); per group the negatives of
 * every score, sorted by score, give the negatives below each score by a running sum (arrays
 * stand in for a window function, which 18.16 lacks), hence the ROC concordance.
 */
function numericQualitySql(q: ModelQualityQuery): string {
  // Inner names differ from outer aliases: in ClickHouse an alias is visible in the whole SELECT
  // (WHERE included), so reusing a column's name for an expression over it would shadow it.
  return `
    SELECT model, version, seg, sum(cnt) AS n, sum(nb) AS non_binary, sum(pos) AS positives,
      sum(neg) AS negatives,
      sum(if(above, pos, 0)) AS tp, sum(if(above, neg, 0)) AS fp,
      sum(if(above, 0, neg)) AS tn, sum(if(above, 0, pos)) AS fn,
      arraySort((v, k) -> k, groupArray(neg), groupArray(score)) AS negs,
      arraySort((v, k) -> k, groupArray(pos), groupArray(score)) AS poss,
      arraySum(arrayMap((p, c, g) -> p * (c - g + g / 2.0), poss, arrayCumSum(negs), negs)) AS concordance,
      sum(ae) AS abs_error, sum(se) AS squared_error, sum(ape) AS abs_percent_error
    FROM (
      SELECT model, version, seg, score,
        score >= transform(model, {thresholdModels:Array(String)}, {thresholdValues:Array(Float64)}, {defaultThreshold:Float64}) AS above,
        count() AS cnt,
        sum(if(NOT (truth = 0 OR truth = 1) OR score < 0 OR score > 1, 1, 0)) AS nb,
        sum(if(truth = 1 AND score >= 0 AND score <= 1, 1, 0)) AS pos,
        sum(if(truth = 0 AND score >= 0 AND score <= 1, 1, 0)) AS neg,
        sum(abs(truth - score)) AS ae, sum((truth - score) * (truth - score)) AS se,
        sum(abs(truth - score) / greatest(abs(truth), {mapeEpsilon:Float64})) AS ape
      FROM (
        SELECT model, version, seg, assumeNotNull(yhat) AS score, assumeNotNull(y) AS truth
        FROM (${labelledSql(q)}) WHERE isNotNull(y) AND isNotNull(yhat)
      )
      GROUP BY model, version, seg, score, above
    )
    GROUP BY model, version, seg`;
}

/**
 * One pass over the stage's reports since `forgetAfterSeconds`: conditional sums per part of the
 * window, and Σ-statistics of queue depth and lag against x = seconds before the evaluation time.
 */
function pipelineWindowSql(q: PipelineWindowQuery): [string, SqlParams] {
  const params: Record<string, string | number | null | string[]> = {
    tenant: q.tenant,
    until: q.until,
    windowStart: q.until - q.windowSeconds * 1000,
    split: q.until - q.recentSeconds * 1000,
    trendStart: q.until - q.trendSeconds * 1000,
    forget: q.until - q.forgetAfterSeconds * 1000,
    // The same thirds as the embedded store's (see pipeline/trend.ts for how they are used).
    earlyEnd: q.until - q.trendSeconds * 1000 + (2 / 3) * q.trendSeconds * 1000,
    lateStart: q.until - (q.trendSeconds * 1000) / 3,
  };
  let filter = '';
  if (q.only) {
    params.only = [...q.only];
    filter += ' AND has({only:Array(String)}, pipeline)';
  }
  if (q.except?.length) {
    params.except = [...q.except];
    filter += ' AND NOT has({except:Array(String)}, pipeline)';
  }
  // if(…, ts, NULL) keeps min/max NULL when no report matches (minIf would answer 0).
  const part = (p: string, cond: string) => `
      sum(if(${cond}, 1, 0)) AS ${p}_reports,
      sum(if(${cond}, rows_in, 0)) AS ${p}_rows_in,
      sum(if(${cond}, rows_out, 0)) AS ${p}_rows_out,
      min(if(${cond}, ts, NULL)) AS ${p}_first, max(if(${cond}, ts, NULL)) AS ${p}_last`;
  const sums = (p: string, column: string) => {
    const cond = `in_trend AND isNotNull(${column})`;
    const y = `assumeNotNull(${column})`;
    return `
      sum(if(${cond}, 1, 0)) AS ${p}_n, sum(if(${cond}, x, 0)) AS ${p}_sx,
      sum(if(${cond}, ${y}, 0)) AS ${p}_sy, sum(if(${cond}, x * x, 0)) AS ${p}_sxx,
      sum(if(${cond}, x * ${y}, 0)) AS ${p}_sxy,
      sum(if(${cond}, ${y} * ${y}, 0)) AS ${p}_syy,
      ${conditionalMedian(column, 'in_early', `${p}_early`)}, ${conditionalMedian(column, 'in_late', `${p}_late`)}`;
  };
  const sql = `
    SELECT pipeline, stage, ${part('w', 'in_window')}, ${part('b', 'in_window AND NOT in_recent')},
      ${part('r', 'in_recent')},
      sum(if(in_window, ifNull(errors, 0), 0)) AS w_errors,
      max(ts) AS last_seen, argMax(ifNull(status, 'ok'), ts) AS last_status,
      max(if(progress, ts, NULL)) AS last_success,
      argMax(lag_seconds, ts) AS latest_lag, argMax(queue_depth, ts) AS latest_queue,
      ${sums('q', 'queue_depth')}, ${sums('l', 'lag_seconds')}
    FROM (
      SELECT pipeline, stage, ts, rows_in, rows_out, errors, status, lag_seconds, queue_depth,
        (ts - {until:Int64}) / 1000.0 AS x,
        (ifNull(status, 'ok') = 'ok' OR (ifNull(status, '') = 'running' AND rows_out > 0)) AS progress,
        ts >= {windowStart:Int64} AS in_window, ts >= {split:Int64} AS in_recent, ts >= {trendStart:Int64} AS in_trend,
        ts >= {trendStart:Int64} AND ts < {earlyEnd:Float64} AS in_early, ts >= {lateStart:Float64} AS in_late
      FROM pipeline_stats WHERE ${tenantClause(q.tenant)}ts >= {forget:Int64} AND ts <= {until:Int64}${filter}
    )
    GROUP BY pipeline, stage ORDER BY pipeline, stage`;
  return [sql, params];
}
