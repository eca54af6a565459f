/**
 * The ingest tables (DESIGN.md's data model) and how each row becomes one TabSeparated line.
 * Every row carries `wal_id` and `wal_seq`, the WAL entry it came from: that is what makes a
 * replayed batch detectable after a crash (see ingest.ts).
 */
import { GPU_FIELDS } from '../../gpu/fields.js';
import type {
  FeatureRow,
  GpuSampleRow,
  LabelRow,
  PipelineStatRow,
  PredictionRow,
} from '../../ingest/rows.js';
import type { ColumnSpec, TableSpec } from './schema.js';
import { tsvNullableNumber, tsvNullableString, tsvNumber, tsvString } from './tsv.js';

const WAL_COLUMNS: readonly ColumnSpec[] = [
  { name: 'wal_id', type: 'Name' },
  { name: 'wal_seq', type: 'Int64', codec: 'sequence' },
];

/** A table with the encoder of its rows, columns in table order. */
export interface IngestTable<R> {
  readonly spec: TableSpec;
  readonly columnNames: readonly string[];
  /** One TSV line (with its newline) for `row` written from WAL `walId`. */
  line(row: R, walId: string): string;
}

function table<R>(spec: TableSpec, line: (row: R, walId: string) => string): IngestTable<R> {
  return { spec, columnNames: spec.columns.map((c) => c.name), line };
}

// ORDER BY keys serve the drift queries (model, version, feature, segment over a window).
export const PREDICTIONS = table<PredictionRow>(
  {
    name: 'predictions',
    columns: [
      { name: 'tenant', type: 'Name' },
      { name: 'ts', type: 'Int64', codec: 'timestamp' },
      { name: 'model', type: 'Name' },
      { name: 'version', type: 'Name' },
      { name: 'segment', type: 'Name' },
      { name: 'request_id', type: 'Nullable(String)' },
      { name: 'prediction_num', type: 'Nullable(Float64)' },
      { name: 'prediction_str', type: 'Nullable(String)' },
      { name: 'label_num', type: 'Nullable(Float64)' },
      { name: 'label_str', type: 'Nullable(String)' },
      { name: 'latency_ms', type: 'Nullable(Float64)', codec: 'gauge' },
      ...WAL_COLUMNS,
    ],
    orderBy: ['tenant', 'model', 'version', 'segment', 'ts'],
    partitionByDay: true,
    expires: true,
  },
  (r, walId) =>
    `${tsvString(r.tenant)}\t${r.ts}\t${tsvString(r.model)}\t${tsvString(r.version)}\t${tsvString(r.segment)}\t` +
    `${tsvNullableString(r.requestId)}\t${tsvNullableNumber(r.predictionNum)}\t${tsvNullableString(r.predictionStr)}\t` +
    `${tsvNullableNumber(r.labelNum)}\t${tsvNullableString(r.labelStr)}\t${tsvNullableNumber(r.latencyMs)}\t` +
    `${tsvString(walId)}\t${r.walSeq}\n`,
);

export const PREDICTION_FEATURES = table<FeatureRow>(
  {
    name: 'prediction_features',
    columns: [
      { name: 'tenant', type: 'Name' },
      { name: 'ts', type: 'Int64', codec: 'timestamp' },
      { name: 'model', type: 'Name' },
      { name: 'version', type: 'Name' },
      { name: 'segment', type: 'Name' },
      { name: 'feature', type: 'Name' },
      { name: 'value_num', type: 'Nullable(Float64)' },
      { name: 'value_str', type: 'Nullable(String)' },
      ...WAL_COLUMNS,
    ],
    orderBy: ['tenant', 'model', 'version', 'feature', 'segment', 'ts'],
    partitionByDay: true,
    expires: true,
  },
  (r, walId) =>
    `${tsvString(r.tenant)}\t${r.ts}\t${tsvString(r.model)}\t${tsvString(r.version)}\t${tsvString(r.segment)}\t` +
    `${tsvString(r.feature)}\t${tsvNullableNumber(r.valueNum)}\t${tsvNullableString(r.valueStr)}\t${tsvString(walId)}\t${r.walSeq}\n`,
);

// Labels are looked up by request_id to join delayed ground truth.
export const LABELS = table<LabelRow>(
  {
    name: 'labels',
    columns: [
      { name: 'tenant', type: 'Name' },
      { name: 'ts', type: 'Int64', codec: 'timestamp' },
      { name: 'request_id', type: 'String' },
      { name: 'label_num', type: 'Nullable(Float64)' },
      { name: 'label_str', type: 'Nullable(String)' },
      ...WAL_COLUMNS,
    ],
    orderBy: ['tenant', 'request_id', 'ts'],
    partitionByDay: true,
    expires: true,
  },
  (r, walId) =>
    `${tsvString(r.tenant)}\t${r.ts}\t${tsvString(r.requestId)}\t${tsvNullableNumber(r.labelNum)}\t` +
    `${tsvNullableString(r.labelStr)}\t${tsvString(walId)}\t${r.walSeq}\n`,
);

export const PIPELINE_STATS = table<PipelineStatRow>(
  {
    name: 'pipeline_stats',
    columns: [
      { name: 'tenant', type: 'Name' },
      { name: 'ts', type: 'Int64', codec: 'timestamp' },
      { name: 'pipeline', type: 'Name' },
      { name: 'stage', type: 'Name' },
      { name: 'run_id', type: 'Nullable(String)' },
      { name: 'rows_in', type: 'Float64' },
      { name: 'rows_out', type: 'Float64' },
      { name: 'bytes', type: 'Nullable(Float64)' },
      { name: 'lag_seconds', type: 'Nullable(Float64)' },
      { name: 'queue_depth', type: 'Nullable(Float64)' },
      { name: 'errors', type: 'Nullable(Float64)' },
      { name: 'duration_ms', type: 'Nullable(Float64)' },
      { name: 'status', type: 'Nullable(String)' },
      ...WAL_COLUMNS,
    ],
    orderBy: ['tenant', 'pipeline', 'stage', 'ts'],
    partitionByDay: true,
    expires: true,
  },
  (r, walId) =>
    `${tsvString(r.tenant)}\t${r.ts}\t${tsvString(r.pipeline)}\t${tsvString(r.stage)}\t${tsvNullableString(r.runId)}\t` +
    `${tsvNumber(r.rowsIn)}\t${tsvNumber(r.rowsOut)}\t${tsvNullableNumber(r.bytes)}\t${tsvNullableNumber(r.lagSeconds)}\t` +
    `${tsvNullableNumber(r.queueDepth)}\t${tsvNullableNumber(r.errors)}\t${tsvNullableNumber(r.durationMs)}\t` +
    `${tsvNullableString(r.status)}\t${tsvString(walId)}\t${r.walSeq}\n`,
);

const GPU_LABEL_COLUMNS = [
  'host',
  'gpu',
  'uuid',
  'device',
  'pci_bus_id',
  'model_name',
  'driver_version',
  'mig_profile',
  'mig_instance',
  'namespace',
  'pod',
  'container',
  'hpc_job',
  'pipeline',
  'xid_err_code',
] as const;

// Ordered per GPU series and time: the idle computation walks each series' samples in order.
export const GPU_SAMPLES = table<GpuSampleRow>(
  {
    name: 'gpu_samples',
    columns: [
      { name: 'tenant', type: 'Name' },
      { name: 'ts', type: 'Int64', codec: 'timestamp' },
      ...GPU_LABEL_COLUMNS.map((name) => ({ name, type: 'Name' })),
      ...GPU_FIELDS.map((f): ColumnSpec => ({ name: f.column, type: 'Nullable(Float64)', codec: 'gauge' })),
      { name: 'extras', type: 'String' },
      { name: 'labels', type: 'String' },
      ...WAL_COLUMNS,
    ],
    orderBy: ['tenant', 'host', 'uuid', 'mig_instance', 'ts'],
    partitionByDay: true,
    expires: true,
  },
  (r, walId) => {
    let line =
      `${tsvString(r.tenant)}\t${r.ts}\t${tsvString(r.host)}\t${tsvString(r.gpu)}\t${tsvString(r.uuid)}\t` +
      `${tsvString(r.device)}\t${tsvString(r.pciBusId)}\t${tsvString(r.modelName)}\t${tsvString(r.driverVersion)}\t` +
      `${tsvString(r.migProfile)}\t${tsvString(r.migInstance)}\t${tsvString(r.namespace)}\t${tsvString(r.pod)}\t` +
      `${tsvString(r.container)}\t${tsvString(r.hpcJob)}\t${tsvString(r.pipeline)}\t${tsvString(r.xidErrCode)}`;
    for (const field of GPU_FIELDS) line += `\t${tsvNullableNumber(r.values[field.column])}`;
    return `${line}\t${tsvString(JSON.stringify(r.extras))}\t${tsvString(JSON.stringify(r.labels))}\t${tsvString(walId)}\t${r.walSeq}\n`;
  },
);

/** Which batches of which WAL are fully stored: the high-water mark per WAL. */
export const INGEST_BATCHES: TableSpec = {
  name: 'ingest_batches',
  columns: [
    { name: 'wal_id', type: 'String' },
    { name: 'from_seq', type: 'Int64' },
    { name: 'to_seq', type: 'Int64' },
    { name: 'applied_at', type: 'Int64' },
  ],
  orderBy: ['wal_id', 'from_seq'],
  partitionByDay: false,
  expires: false,
};

/** Every table the ingest store writes, time-series first. */
export const INGEST_TABLE_SPECS: readonly TableSpec[] = [
  PREDICTIONS.spec,
  PREDICTION_FEATURES.spec,
  LABELS.spec,
  PIPELINE_STATS.spec,
  GPU_SAMPLES.spec,
  INGEST_BATCHES,
];
