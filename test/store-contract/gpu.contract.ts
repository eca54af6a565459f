/** The GPU store contract: idle aggregates computed in the database, identical for every adapter. */
import { describe, expect, it } from 'vitest';
import { batchOf, gpuSampleRow, pipelineStatRow } from '../helpers/rows.js';
import type { OpenStore } from './contract.js';
import { describeGpuRollupContract } from './gpu-rollup.contract.js';

const T0 = Date.UTC(2026, 0, 1);
const base = {
  tenant: 'default',
  from: T0,
  until: T0 + 3_600_000,
  threshold: 0.05,
  defaultIntervalMs: 30_000,
  maxIntervalMs: 300_000,
};

export function describeGpuContract(open: OpenStore): void {
  describe('gpu store', () => {
    it('sums coverage per series: next sample capped at 2 × median spacing, last covers one interval', async () => {
      const store = await open();
      try {
        // 0, 30, 60 s then a gap to 600 s: the 60 s sample covers 60 s (cap), the last 30 s.
        const samples = [
          [0, 0.5],
          [30, 0.01],
          [60, 0.0],
          [600, 0.04],
        ].map(([s, a], i) =>
          gpuSampleRow({
            walSeq: i,
            ts: T0 + (s as number) * 1000,
            pod: 'p',
            values: { gr_engine_active: a as number },
          }),
        );
        samples.push(gpuSampleRow({ walSeq: 4, ts: T0, uuid: 'GPU-1', values: { gpu_util: 5 } }));
        await store.ingest.applyBatch(batchOf('w', 0, 4, { gpuSamples: samples }));
        const rows = await store.gpu.idleAggregates({ ...base, pipelineRules: [], starved: [] });
        expect(rows.map((r) => [r.uuid, r.pod, r.observedMs, r.idleMs, r.starvedIdleMs])).toEqual([
          ['GPU-0', 'p', 150_000, 120_000, 0],
          ['GPU-1', '', 30_000, 0, 0],
        ]);
      } finally {
        await store.close();
      }
    });

    it('maps pipelines by label or LIKE rule and overlaps idle time with starved spans', async () => {
      const store = await open();
      try {
        const samples = [0, 30, 60].map((s, i) =>
          gpuSampleRow({
            walSeq: i,
            ts: T0 + s * 1000,
            namespace: 'ml',
            pod: 'loader-1',
            values: { gr_engine_active: 0 },
          }),
        );
        await store.ingest.applyBatch(batchOf('w', 0, 2, { gpuSamples: samples }));
        await store.ingest.applyBatch(
          batchOf('s', 0, 0, {
            pipelineStats: [pipelineStatRow({ ts: T0, pipeline: 'etl', queueDepth: 0 })],
          }),
        );
        const rules = [{ pipeline: 'etl', namespaceLike: 'ml', podLike: 'loader-%', jobLike: '%' }];
        expect(await store.gpu.mappedPipelines({ ...base, pipelineRules: rules })).toEqual(['etl']);
        const points = await store.gpu.pipelinePoints('default', ['etl'], T0, T0 + 1000);
        expect(points).toEqual([{ pipeline: 'etl', stage: 'load', ts: T0, queueDepth: 0, lagSeconds: null }]);
        const rows = await store.gpu.idleAggregates({
          ...base,
          pipelineRules: rules,
          starved: [{ pipeline: 'etl', start: T0 + 20_000, end: T0 + 45_000 }],
        });
        expect(rows.map((r) => [r.pipeline, r.idleMs, r.starvedIdleMs])).toEqual([['etl', 90_000, 25_000]]);
      } finally {
        await store.close();
      }
    });
  });
  describeGpuRollupContract(open);
}
