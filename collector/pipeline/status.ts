/**
 * The status of one pipeline stage, from its window aggregates and thresholds: pure, no clock.
 * Rules (thresholds in config.ts, documented in the README ("Model and pipeline health")), most severe first:
 * stalled > throughput_collapsed > queue_growing > degraded > ok. Every triggered rule adds a reason.
 */
import type { PipelineStageAggregate, ReportPart } from '../store/health-store.js';
import type { PipelineThresholds } from './config.js';
import { isRobustRise, trendFromSums } from './trend.js';

/** Stage statuses, least to most severe. */
export const PIPELINE_STATUSES = [
  'ok',
  'degraded',
  'queue_growing',
  'throughput_collapsed',
  'stalled',
] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

/** One row of `GET /v1/pipelines/health`. */
export interface StageHealth {
  pipeline: string;
  stage: string;
  status: PipelineStatus;
  /** `code: detail` for every triggered rule, most severe first. */
  reasons: string[];
  throughput_rows_per_s: number;
  /** rows_out / rows_in over the window; null when no rows came in. */
  output_input_ratio: number | null;
  lag_seconds: number | null;
  lag_slope_per_s: number | null;
  queue_depth: number | null;
  queue_slope_per_s: number | null;
  error_rate: number;
  /** Epoch ms of the newest report, and of the newest report that showed progress. */
  last_seen: number;
  last_success: number | null;
  /** Seconds since last_success; null when there was none. */
  freshness_seconds: number | null;
}

/**
 * Rows per second over one part: the part's reports cover (n − 1) intervals between first and last,
 * so n reports stand for n × that mean interval. Null below 2 reports.
 */
export function partRate(part: ReportPart): number | null {
  if (part.reports < 2 || part.firstTs === null || part.lastTs === null || part.lastTs <= part.firstTs)
    return null;
  const meanIntervalSeconds = (part.lastTs - part.firstTs) / 1000 / (part.reports - 1);
  return part.rowsOut / (part.reports * meanIntervalSeconds);
}

/** The status of a stage at `now` (epoch ms) under thresholds `t`. */
export function stageHealth(a: PipelineStageAggregate, t: PipelineThresholds, now: number): StageHealth {
  const found: [PipelineStatus, string][] = [];
  const freshness = a.lastSuccess === null ? null : Math.max(0, (now - a.lastSuccess) / 1000);
  const baselineRate = partRate(a.baseline);
  const recentRate = partRate(a.recent);
  const queueTrend = trendFromSums(a.queueTrend);
  const lagTrend = trendFromSums(a.lagTrend);
  const round = (x: number) => Number(x.toPrecision(4));

  if (freshness === null || freshness > t.stalledAfterSeconds) {
    found.push([
      'stalled',
      freshness === null
        ? 'no_progress: no successful report in the retained history'
        : `no_progress: no successful report for ${Math.round(freshness)} s (limit ${t.stalledAfterSeconds} s)`,
    ]);
  }
  const workWaiting = a.recent.rowsIn > 0 || (a.latestQueueDepth ?? 0) > 0;
  if (a.recent.reports >= t.minPoints && a.recent.rowsOut === 0 && workWaiting) {
    found.push([
      'stalled',
      `zero_output: ${a.recent.reports} reports in the last ${t.recentSeconds} s moved no rows out`,
    ]);
  }
  if (
    a.baseline.reports >= t.minPoints &&
    a.recent.reports >= t.minPoints &&
    baselineRate !== null &&
    baselineRate > 0 &&
    recentRate !== null &&
    recentRate < t.collapseRatio * baselineRate
  ) {
    found.push([
      'throughput_collapsed',
      `throughput_collapsed: ${round(recentRate)} rows/s in the last ${t.recentSeconds} s vs ${round(baselineRate)} before (below ${t.collapseRatio}×)`,
    ]);
  }
  const queueRule = {
    minPoints: t.minPoints,
    minT: t.trendMinT,
    spanX: t.trendSeconds,
    minChange: Math.max(t.queueGrowthMin, t.queueGrowthRelative * (queueTrend?.meanY ?? 0)),
  };
  if (isRobustRise(queueTrend, a.queueThirds, queueRule) && queueTrend) {
    found.push([
      'queue_growing',
      `queue_growing: +${round(queueTrend.slope)} items/s over ${t.trendSeconds} s (t = ${round(queueTrend.tStatistic)})`,
    ]);
  }
  const errorRate = a.window.rowsIn > 0 ? a.window.errors / a.window.rowsIn : a.window.errors > 0 ? 1 : 0;
  if (errorRate > t.maxErrorRate) {
    found.push([
      'degraded',
      `error_rate_high: ${round(errorRate)} errors per input row (limit ${t.maxErrorRate})`,
    ]);
  }
  if (a.latestLagSeconds !== null && a.latestLagSeconds > t.maxLagSeconds) {
    found.push(['degraded', `lag_high: ${round(a.latestLagSeconds)} s (limit ${t.maxLagSeconds} s)`]);
  }
  const lagRule = {
    minPoints: t.minPoints,
    minT: t.trendMinT,
    spanX: t.trendSeconds,
    minChange: t.lagGrowthMinSeconds,
  };
  if (isRobustRise(lagTrend, a.lagThirds, lagRule) && lagTrend) {
    found.push([
      'degraded',
      `lag_growing: +${round(lagTrend.slope)} s/s over ${t.trendSeconds} s (t = ${round(lagTrend.tStatistic)})`,
    ]);
  }
  const outputRatio = a.window.rowsIn > 0 ? a.window.rowsOut / a.window.rowsIn : null;
  if (t.minOutputRatio > 0 && outputRatio !== null && outputRatio < t.minOutputRatio) {
    found.push([
      'degraded',
      `output_ratio_low: ${round(outputRatio)} rows out per row in (limit ${t.minOutputRatio})`,
    ]);
  }
  if (a.lastStatus === 'failed')
    found.push(['degraded', 'last_run_failed: the newest report has status failed']);

  const severity = (s: PipelineStatus) => PIPELINE_STATUSES.indexOf(s);
  found.sort((x, y) => severity(y[0]) - severity(x[0]));
  return {
    pipeline: a.pipeline,
    stage: a.stage,
    status: found[0]?.[0] ?? 'ok',
    reasons: found.map(([, reason]) => reason),
    throughput_rows_per_s: recentRate ?? (a.recent.reports === 0 ? 0 : a.recent.rowsOut / t.recentSeconds),
    output_input_ratio: outputRatio,
    lag_seconds: a.latestLagSeconds,
    lag_slope_per_s: lagTrend?.slope ?? null,
    queue_depth: a.latestQueueDepth,
    queue_slope_per_s: queueTrend?.slope ?? null,
    error_rate: errorRate,
    last_seen: a.lastSeen,
    last_success: a.lastSuccess,
    freshness_seconds: freshness,
  };
}
