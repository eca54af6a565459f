import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../collector/store/store.js';
import {
  batchOf,
  featureRow,
  gpuSampleRow,
  labelRow,
  pipelineStatRow,
  predictionRow,
} from '../helpers/rows.js';
import type { OpenStore } from './contract.js';

export function describeIngestContract(open: OpenStore): void {
  describe('ingest store', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    it('starts empty with every stream listed', async () => {
      store = await open();
      const counts = await store.ingest.counts();
      expect(counts.map((c) => [c.stream, c.records, c.lastTs])).toEqual([
        ['predictions', 0, null],
        ['labels', 0, null],
        ['pipeline_stats', 0, null],
        ['gpu_samples', 0, null],
      ]);
      expect(await store.ingest.appliedHighWater('w1')).toBe(-1);
    });

    it('stores every stream and reports the high-water mark', async () => {
      store = await open();
      const ts = Date.UTC(2026, 2, 3, 4, 5, 6, 789);
      await store.ingest.applyBatch(
        batchOf('w1', 0, 2, {
          predictions: [predictionRow({ walSeq: 0, ts }), predictionRow({ walSeq: 1, ts: ts - 5 })],
          features: [
            featureRow({ walSeq: 0 }),
            featureRow({ walSeq: 0, feature: 'c', valueNum: null, valueStr: 'a' }),
          ],
          labels: [labelRow({ walSeq: 2 })],
          pipelineStats: [pipelineStatRow({ walSeq: 2 })],
          gpuSamples: [gpuSampleRow({ walSeq: 2, values: { gpu_util: 87, power_usage_watts: 312.457 } })],
        }),
      );
      const counts = Object.fromEntries((await store.ingest.counts()).map((c) => [c.stream, c]));
      expect(counts.predictions).toEqual({ stream: 'predictions', records: 2, lastTs: ts });
      expect(counts.labels?.records).toBe(1);
      expect(counts.pipeline_stats?.records).toBe(1);
      expect(counts.gpu_samples?.records).toBe(1);
      expect(await store.ingest.appliedHighWater('w1')).toBe(2);
      expect(await store.ingest.appliedHighWater('w2')).toBe(-1);
    });

    it('skips entries it already holds when a batch is replayed or overlaps', async () => {
      store = await open();
      const rows = (from: number, to: number) =>
        Array.from({ length: to - from + 1 }, (_, i) => predictionRow({ walSeq: from + i }));
      await store.ingest.applyBatch(batchOf('w1', 0, 4, { predictions: rows(0, 4) }));
      await store.ingest.applyBatch(batchOf('w1', 0, 4, { predictions: rows(0, 4) }));
      await store.ingest.applyBatch(batchOf('w1', 3, 7, { predictions: rows(3, 7) }));
      const counts = await store.ingest.counts();
      expect(counts.find((c) => c.stream === 'predictions')?.records).toBe(8);
      expect(await store.ingest.appliedHighWater('w1')).toBe(7);
    });

    it('counts per tenant', async () => {
      store = await open();
      await store.ingest.applyBatch(
        batchOf('w1', 0, 1, {
          predictions: [predictionRow({ walSeq: 0, tenant: 'a' }), predictionRow({ walSeq: 1, tenant: 'b' })],
        }),
      );
      const a = await store.ingest.counts('a');
      expect(a.find((c) => c.stream === 'predictions')?.records).toBe(1);
    });

    it('stores large batches across many data chunks', async () => {
      store = await open();
      const features = Array.from({ length: 10_000 }, (_, i) => featureRow({ walSeq: 0, valueNum: i }));
      const predictions = Array.from({ length: 5_000 }, () => predictionRow({ walSeq: 0 }));
      await store.ingest.applyBatch(batchOf('w1', 0, 0, { predictions, features }));
      expect((await store.ingest.counts()).find((c) => c.stream === 'predictions')?.records).toBe(5_000);
    });
  });
}
