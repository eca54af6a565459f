/**
 * Every SQL query of the dashboards, in one place so a test can run each against the real stores.
 * The SQL is deliberately portable between ClickHouse (Debian's 18.16 and 24.x) and DuckDB: plain
 * aggregates, CASE instead of countIf, UNION ALL, floor() for time buckets. Timestamps are BIGINT
 * epoch milliseconds in both stores, so the dashboard range arrives through Grafana's global
 * `${__from}` / `${__to}` (epoch ms) rather than the plugin's DateTime macros; time-series panels
 * turn the bucket column into a time field with a convertFieldType transformation.
 */

/** One named SQL query and the logical tables it reads. */
export interface SqlQuery {
  readonly name: string;
  /** The tables of the data model it reads (for the test that runs it). */
  readonly tables: readonly string[];
  readonly sql: string;
  /** Result columns a panel relies on, in order. */
  readonly columns: readonly string[];
}

const RANGE = 'ts >= ${__from} AND ts < ${__to}';

/** Stored records and the newest timestamp per stream: what reached the store, not just the WAL. */
export const STORED_RECORDS_PER_STREAM: SqlQuery = {
  name: 'storedRecordsPerStream',
  tables: ['predictions', 'labels', 'pipeline_stats', 'gpu_samples'],
  columns: ['stream', 'records', 'last_ts_ms'],
  sql: `SELECT 'predictions' AS stream, count(*) AS records, max(ts) AS last_ts_ms FROM predictions
UNION ALL SELECT 'labels' AS stream, count(*) AS records, max(ts) AS last_ts_ms FROM labels
UNION ALL SELECT 'pipeline_stats' AS stream, count(*) AS records, max(ts) AS last_ts_ms FROM pipeline_stats
UNION ALL SELECT 'gpu_samples' AS stream, count(*) AS records, max(ts) AS last_ts_ms FROM gpu_samples`,
};

/** Per host: GPU samples in range, the share below the idle threshold, distinct GPUs. */
export const GPU_IDLE_SAMPLES_BY_HOST: SqlQuery = {
  name: 'gpuIdleSamplesByHost',
  tables: ['gpu_samples'],
  columns: ['host', 'gpus', 'samples', 'idle_sample_share'],
  // Activity is GR_ENGINE_ACTIVE when the exporter has profiling metrics, else GPU_UTIL / 100
  // (DESIGN.md, GPU idle); 0.05 is the default idle threshold.
  sql: `SELECT host, count(DISTINCT uuid) AS gpus, count(*) AS samples,
  sum(CASE WHEN coalesce(gr_engine_active, gpu_util / 100) < 0.05 THEN 1 ELSE 0 END) / count(*) AS idle_sample_share
FROM gpu_samples
WHERE ${RANGE} AND (gr_engine_active IS NOT NULL OR gpu_util IS NOT NULL)
GROUP BY host
ORDER BY idle_sample_share DESC, host`,
};

/** Predictions per model version in range with their mean latency. */
export const PREDICTIONS_BY_VERSION: SqlQuery = {
  name: 'predictionsByVersion',
  tables: ['predictions'],
  columns: ['model', 'version', 'predictions', 'mean_latency_ms', 'last_ts_ms'],
  sql: `SELECT model, version, count(*) AS predictions, avg(latency_ms) AS mean_latency_ms, max(ts) AS last_ts_ms
FROM predictions
WHERE ${RANGE}
GROUP BY model, version
ORDER BY predictions DESC, model, version`,
};

/** Predictions per minute, for a time series straight from the store. */
export const PREDICTIONS_PER_MINUTE: SqlQuery = {
  name: 'predictionsPerMinute',
  tables: ['predictions'],
  columns: ['time', 'predictions'],
  sql: `SELECT floor(ts / 60000) * 60000 AS time, count(*) AS predictions
FROM predictions
WHERE ${RANGE}
GROUP BY time
ORDER BY time`,
};

/** Missing-value share per model and feature in range, from the long feature table. */
export const FEATURE_MISSING_SHARE: SqlQuery = {
  name: 'featureMissingShare',
  tables: ['prediction_features'],
  columns: ['model', 'feature', 'values_seen', 'missing_share'],
  sql: `SELECT model, feature, count(*) AS values_seen,
  sum(CASE WHEN value_num IS NULL AND value_str IS NULL THEN 1 ELSE 0 END) / count(*) AS missing_share
FROM prediction_features
WHERE ${RANGE}
GROUP BY model, feature
ORDER BY missing_share DESC, model, feature`,
};

/** Per pipeline stage: reports, rows out, errors and worst lag in range, and the newest report. */
export const PIPELINE_STAGE_SUMMARY: SqlQuery = {
  name: 'pipelineStageSummary',
  tables: ['pipeline_stats'],
  columns: ['pipeline', 'stage', 'reports', 'rows_out', 'errors', 'max_lag_seconds', 'last_report_ms'],
  sql: `SELECT pipeline, stage, count(*) AS reports, sum(rows_out) AS rows_out, sum(coalesce(errors, 0)) AS errors,
  max(lag_seconds) AS max_lag_seconds, max(ts) AS last_report_ms
FROM pipeline_stats
WHERE ${RANGE}
GROUP BY pipeline, stage
ORDER BY pipeline, stage`,
};

/** The newest audit events in range: who did what to which resource, and the RBAC decision. */
export const AUDIT_EVENTS: SqlQuery = {
  name: 'auditEvents',
  tables: ['audit_events'],
  columns: ['ts', 'seq', 'actor', 'tenant', 'action', 'resource', 'decision', 'kind', 'chain_id'],
  sql: `SELECT ts, seq, actor, tenant, action, resource, decision, kind, chain_id
FROM audit_events
WHERE ${RANGE}
ORDER BY ts DESC
LIMIT 500`,
};

/** Every SQL query the dashboards use. */
export const SQL_QUERIES: readonly SqlQuery[] = [
  STORED_RECORDS_PER_STREAM,
  GPU_IDLE_SAMPLES_BY_HOST,
  PREDICTIONS_BY_VERSION,
  PREDICTIONS_PER_MINUTE,
  FEATURE_MISSING_SHARE,
  PIPELINE_STAGE_SUMMARY,
  AUDIT_EVENTS,
];
