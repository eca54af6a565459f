/** Flattens WAL entries into the rows of the logical tables. */
import type { LabelRecord, PipelineStatRecord, PredictionRecord } from '../../sdk/src/wire.js';
import type { GpuSeriesSample } from '../gpu/parse-exposition.js';
import type { WalEntry } from '../wal/entry.js';
import type { IngestBatch } from './rows.js';
import type { Normalized } from './validate.js';

type Outcome = string | number | boolean;

/** A numeric outcome goes to the `_num` column, a class name to `_str`; booleans count as 1/0. */
function splitOutcome(value: Outcome | undefined): [number | null, string | null] {
  if (value === undefined) return [null, null];
  if (typeof value === 'number') return [value, null];
  if (typeof value === 'boolean') return [value ? 1 : 0, null];
  return [null, value];
}

export function entriesToBatch(walId: string, entries: readonly WalEntry[]): IngestBatch {
  const first = entries[0];
  const last = entries.at(-1);
  if (!first || !last) throw new Error('entriesToBatch needs at least one entry');
  const batch: IngestBatch = {
    walId,
    fromSeq: first.seq,
    toSeq: last.seq,
    predictions: [],
    features: [],
    labels: [],
    pipelineStats: [],
    gpuSamples: [],
  };
  for (const entry of entries) {
    const { seq: walSeq, tenant } = entry;
    switch (entry.stream) {
      case 'predictions':
        for (const r of entry.records as Normalized<PredictionRecord>[]) {
          const segment = r.segment ?? '';
          const [predictionNum, predictionStr] = splitOutcome(r.prediction);
          const [labelNum, labelStr] = splitOutcome(r.label);
          batch.predictions.push({
            walSeq,
            tenant,
            ts: r.ts,
            model: r.model,
            version: r.version,
            segment,
            requestId: r.request_id ?? null,
            predictionNum,
            predictionStr,
            labelNum,
            labelStr,
            latencyMs: r.latency_ms ?? null,
          });
          for (const feature in r.features) {
            const value = r.features[feature];
            batch.features.push({
              walSeq,
              tenant,
              ts: r.ts,
              model: r.model,
              version: r.version,
              segment,
              feature,
              valueNum: typeof value === 'number' ? value : null,
              valueStr: typeof value === 'string' ? value : null,
            });
          }
        }
        break;
      case 'labels':
        for (const r of entry.records as Normalized<LabelRecord>[]) {
          const [labelNum, labelStr] = splitOutcome(r.label);
          batch.labels.push({ walSeq, tenant, ts: r.ts, requestId: r.request_id, labelNum, labelStr });
        }
        break;
      case 'pipeline_stats':
        for (const r of entry.records as Normalized<PipelineStatRecord>[]) {
          batch.pipelineStats.push({
            walSeq,
            tenant,
            ts: r.ts,
            pipeline: r.pipeline,
            stage: r.stage,
            runId: r.run_id ?? null,
            rowsIn: r.rows_in,
            rowsOut: r.rows_out,
            bytes: r.bytes ?? null,
            lagSeconds: r.lag_seconds ?? null,
            queueDepth: r.queue_depth ?? null,
            errors: r.errors ?? null,
            durationMs: r.duration_ms ?? null,
            status: r.status ?? null,
          });
        }
        break;
      case 'gpu_samples':
        for (const r of entry.records as GpuSeriesSample[]) batch.gpuSamples.push({ ...r, walSeq, tenant });
        break;
    }
  }
  return batch;
}

/** Rows a batch adds, per table, for metrics. */
export function batchRowCounts(batch: IngestBatch): Record<string, number> {
  return {
    predictions: batch.predictions.length,
    prediction_features: batch.features.length,
    labels: batch.labels.length,
    pipeline_stats: batch.pipelineStats.length,
    gpu_samples: batch.gpuSamples.length,
  };
}
