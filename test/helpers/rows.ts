/** Row builders for store tests: a complete row with overridable fields. */
import type {
  FeatureRow,
  GpuSampleRow,
  IngestBatch,
  LabelRow,
  PipelineStatRow,
  PredictionRow,
} from '../../collector/ingest/rows.js';

export function predictionRow(over: Partial<PredictionRow> = {}): PredictionRow {
  return {
    walSeq: 0,
    tenant: 'default',
    ts: Date.UTC(2026, 0, 1),
    model: 'm',
    version: 'v1',
    segment: '',
    requestId: null,
    predictionNum: 0.5,
    predictionStr: null,
    labelNum: null,
    labelStr: null,
    latencyMs: 3,
    ...over,
  };
}

export function featureRow(over: Partial<FeatureRow> = {}): FeatureRow {
  return {
    walSeq: 0,
    tenant: 'default',
    ts: Date.UTC(2026, 0, 1),
    model: 'm',
    version: 'v1',
    segment: '',
    feature: 'x',
    valueNum: 1,
    valueStr: null,
    ...over,
  };
}

export function labelRow(over: Partial<LabelRow> = {}): LabelRow {
  return {
    walSeq: 0,
    tenant: 'default',
    ts: Date.UTC(2026, 0, 1),
    requestId: 'r1',
    labelNum: 1,
    labelStr: null,
    ...over,
  };
}

export function pipelineStatRow(over: Partial<PipelineStatRow> = {}): PipelineStatRow {
  return {
    walSeq: 0,
    tenant: 'default',
    ts: Date.UTC(2026, 0, 1),
    pipeline: 'etl',
    stage: 'load',
    runId: null,
    rowsIn: 100,
    rowsOut: 100,
    bytes: null,
    lagSeconds: null,
    queueDepth: null,
    errors: null,
    durationMs: null,
    status: null,
    ...over,
  };
}

export function gpuSampleRow(over: Partial<GpuSampleRow> = {}): GpuSampleRow {
  return {
    walSeq: 0,
    tenant: 'default',
    ts: Date.UTC(2026, 0, 1),
    host: 'gpu-node-1',
    gpu: '0',
    uuid: 'GPU-0',
    device: 'nvidia0',
    pciBusId: '00000000:00:09.0',
    modelName: 'NVIDIA H100 80GB HBM3',
    driverVersion: '535.183.01',
    migProfile: '',
    migInstance: '',
    namespace: '',
    pod: '',
    container: '',
    hpcJob: '',
    pipeline: '',
    values: {},
    extras: {},
    labels: {},
    xidErrCode: '',
    ...over,
  };
}

/** A batch holding only the given rows. */
export function batchOf(
  walId: string,
  fromSeq: number,
  toSeq: number,
  rows: Partial<IngestBatch>,
): IngestBatch {
  return {
    walId,
    fromSeq,
    toSeq,
    predictions: [],
    features: [],
    labels: [],
    pipelineStats: [],
    gpuSamples: [],
    ...rows,
  };
}
