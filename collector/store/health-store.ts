/**
 * The health queries a store answers: per model version the traffic and the labelled-outcome
 * aggregates behind every quality metric, per pipeline stage the window aggregates behind its
 * status. Every figure is a count or a sum computed in the database; collector/models and
 * collector/pipeline turn them into metrics and statuses.
 */
import type { LinearSums, ThirdMedians } from '../pipeline/trend.js';

/** `null` tenant = every tenant (what /metrics reports: its series carry no tenant label). */
export type TenantScope = string | null;

/** Predictions with from ≤ ts < until (epoch ms), grouped per model and version, and per segment when asked. */
export interface ModelWindow {
  tenant: TenantScope;
  from: number;
  until: number;
  /** false: one row per model and version over all segments (segment = null). */
  bySegment: boolean;
}

/** Volume and latency of one group of predictions. */
export interface ModelTrafficRow {
  model: string;
  version: string;
  segment: string | null;
  predictions: number;
  /** Linear-interpolated quantiles of latency_ms (numpy's default); null when no prediction has a latency. */
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
}

export interface ModelQualityQuery extends ModelWindow {
  /** Scores at or above the threshold count as class 1. */
  defaultThreshold: number;
  /** Model name → its own threshold. */
  thresholds: Readonly<Record<string, number>>;
}

/**
 * Aggregates over the labelled predictions of one group. The effective label of a prediction is the
 * newest by ts among its inline label and the labels posted for its request_id.
 */
export interface ModelQualityRow {
  model: string;
  version: string;
  segment: string | null;
  /** Predictions with an effective label, of any type. */
  labeled: number;
  /** Predictions where both prediction and label are numbers. */
  numeric: NumericOutcomeSums;
  /** Predictions where both prediction and label are class names. */
  cells: { actual: string; predicted: string; count: number }[];
}

/** Sums over numeric (prediction, label) pairs, enough for every classification and regression metric. */
export interface NumericOutcomeSums {
  n: number;
  /** Pairs whose label is not 0/1 or whose prediction is outside [0, 1]: evidence of regression. */
  nonBinary: number;
  /** Labels equal to 1 and to 0, among pairs with a prediction in [0, 1]. */
  positives: number;
  negatives: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** Σ over positives of (negatives with a lower score + ½ negatives with an equal score). */
  concordance: number;
  absError: number;
  squaredError: number;
  absPercentError: number;
}

/** All-time totals of one model version, for /metrics. */
export interface ModelTotalsRow {
  model: string;
  version: string;
  predictions: number;
  /** Cumulative counts of latency ≤ each bound of the query (a Prometheus histogram's buckets). */
  latencyBuckets: number[];
  latencyCount: number;
  /** Σ latency in seconds. */
  latencySumSeconds: number;
}

/** The pipeline stats window a status is computed from. */
export interface PipelineWindowQuery {
  tenant: TenantScope;
  /** Evaluation time, epoch ms; reports after it are ignored. */
  until: number;
  windowSeconds: number;
  recentSeconds: number;
  trendSeconds: number;
  /** Stages whose newest report is older than this many seconds are left out. */
  forgetAfterSeconds: number;
  /** Restrict to these pipelines… */
  only?: readonly string[];
  /** …or leave these out (used when they have their own thresholds). */
  except?: readonly string[];
}

/** Count, rows and time span of the reports in one part of the window. */
export interface ReportPart {
  reports: number;
  rowsIn: number;
  rowsOut: number;
  /** Epoch ms of the first and last report, null without reports. */
  firstTs: number | null;
  lastTs: number | null;
}

/** What the store knows about one pipeline stage at the evaluation time. */
export interface PipelineStageAggregate {
  pipeline: string;
  stage: string;
  /** Every report of the window. */
  window: ReportPart & { errors: number };
  /** Window reports before the recent part, and in it. */
  baseline: ReportPart;
  recent: ReportPart;
  /** Newest report (any status) up to the evaluation time and its status. */
  lastSeen: number;
  lastStatus: string | null;
  /** Newest report whose status is ok or absent; null when none within forgetAfterSeconds. */
  lastSuccess: number | null;
  /** Latest non-null lag and queue depth. */
  latestLagSeconds: number | null;
  latestQueueDepth: number | null;
  /** Queue depth and lag against seconds before the evaluation time, over the trend window. */
  queueTrend: LinearSums;
  lagTrend: LinearSums;
  /** Medians of queue depth and lag in the first and last third of the trend window. */
  queueThirds: ThirdMedians;
  lagThirds: ThirdMedians;
}

/** All-time totals of one pipeline stage, for /metrics. */
export interface PipelineTotalsRow {
  pipeline: string;
  stage: string;
  rowsOut: number;
  errors: number;
}

export interface HealthStore {
  /** Prediction volume and latency quantiles per group of the window. */
  modelTraffic(window: ModelWindow): Promise<ModelTrafficRow[]>;
  /** Labelled-outcome aggregates per group of the window (groups without labels are left out). */
  modelQuality(query: ModelQualityQuery): Promise<ModelQualityRow[]>;
  /** All-time prediction counts and latency histogram per model version; bounds in seconds, ascending. */
  modelTotals(tenant: TenantScope, latencyBoundsSeconds: readonly number[]): Promise<ModelTotalsRow[]>;
  /** Window aggregates per pipeline stage. */
  pipelineWindows(query: PipelineWindowQuery): Promise<PipelineStageAggregate[]>;
  /** All-time rows_out and errors per pipeline stage. */
  pipelineTotals(tenant: TenantScope): Promise<PipelineTotalsRow[]>;
}
