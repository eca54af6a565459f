/**
 * The rows the WAL writer hands to a store: validated records flattened into the logical
 * tables of the data model. Timestamps are epoch milliseconds. `walSeq` is the WAL entry the
 * row came from; stores use it to make replays idempotent.
 */

export type Stream = 'predictions' | 'labels' | 'pipeline_stats' | 'gpu_samples';
export const STREAMS: readonly Stream[] = ['predictions', 'labels', 'pipeline_stats', 'gpu_samples'];

/** A prediction, its outcome split into a numeric and a categorical column. */
export interface PredictionRow {
  walSeq: number;
  tenant: string;
  ts: number;
  model: string;
  version: string;
  segment: string;
  requestId: string | null;
  predictionNum: number | null;
  predictionStr: string | null;
  labelNum: number | null;
  labelStr: string | null;
  latencyMs: number | null;
}

/** One feature of one prediction (the long table); both values null means missing. */
export interface FeatureRow {
  walSeq: number;
  tenant: string;
  ts: number;
  model: string;
  version: string;
  segment: string;
  feature: string;
  valueNum: number | null;
  valueStr: string | null;
}

export interface LabelRow {
  walSeq: number;
  tenant: string;
  ts: number;
  requestId: string;
  labelNum: number | null;
  labelStr: string | null;
}

export interface PipelineStatRow {
  walSeq: number;
  tenant: string;
  ts: number;
  pipeline: string;
  stage: string;
  runId: string | null;
  rowsIn: number;
  rowsOut: number;
  bytes: number | null;
  lagSeconds: number | null;
  queueDepth: number | null;
  errors: number | null;
  durationMs: number | null;
  status: string | null;
}

/**
 * One GPU series (a GPU, or a MIG instance: uuid + migInstance) at one instant: every known
 * DCGM field in `values` keyed by column (see gpu/fields.ts), any other metric in `extras`.
 */
export interface GpuSampleRow {
  walSeq: number;
  tenant: string;
  ts: number;
  host: string;
  gpu: string;
  uuid: string;
  device: string;
  pciBusId: string;
  modelName: string;
  driverVersion: string;
  migProfile: string;
  migInstance: string;
  namespace: string;
  pod: string;
  container: string;
  hpcJob: string;
  pipeline: string;
  values: Record<string, number>;
  extras: Record<string, number>;
  /** Labels beyond the known ones, kept verbatim. */
  labels: Record<string, string>;
  /** err_code of DCGM_FI_DEV_XID_ERRORS when present. */
  xidErrCode: string;
}

/** What the WAL writer applies in one go: consecutive WAL entries fromSeq..toSeq. */
export interface IngestBatch {
  walId: string;
  fromSeq: number;
  toSeq: number;
  predictions: PredictionRow[];
  features: FeatureRow[];
  labels: LabelRow[];
  pipelineStats: PipelineStatRow[];
  gpuSamples: GpuSampleRow[];
}
