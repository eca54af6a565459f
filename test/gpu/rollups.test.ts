/**
 * GPU idle rollups in the embedded store, beyond the store contract: the hand-computed truths of
 * idle-trace.test.ts and data-starved.test.ts hold when the report reads rolled-up hours; the
 * report really reads rollups (samples written behind the store's back stay invisible until
 * their hour is marked stale); and the rollup job rolls up closed hours, counts them on
 * /metrics and logs its progress.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_CONFIG_DEFAULTS, type GpuConfig } from '../../collector/gpu/config.js';
import { idleReport, type IdleReportRow } from '../../collector/gpu/idle.js';
import { startGpuRollup } from '../../collector/gpu/rollup.js';
import { DuckDb } from '../../collector/store/duckdb/connection.js';
import { createDuckDbGpuStore } from '../../collector/store/duckdb/gpu.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import { createDuckDbIngestStore } from '../../collector/store/duckdb/ingest.js';
import type { GpuIdleQuery, GpuStore } from '../../collector/store/gpu-store.js';
import type { Store } from '../../collector/store/store.js';
import { testContext } from '../helpers/context.js';
import { batchOf, gpuSampleRow, pipelineStatRow } from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';
import { fixture, loadExposition, loadPipelineStats, openScratchStore, T0 } from './helpers.js';

const H = 3_600_000;
const WINDOW = { tenant: 'default', from: T0, until: T0 + H };

async function rollUp(gpu: GpuStore, threshold = 0.05): Promise<number> {
  const r = await gpu.rollUpIdle({ threshold, closedBefore: T0 + 48 * H, maxBuckets: 100 });
  expect(r.pending).toBe(0);
  return r.buckets;
}

const pick = (rows: IdleReportRow[], uuid: string, mig = '') =>
  rows.find((r) => r.uuid === uuid && (r.mig_instance ?? '') === mig);

describe('hand-computed idle truths from rollups', () => {
  let trace: Store;
  let starved: Store;
  beforeAll(async () => {
    trace = await openScratchStore();
    await loadExposition(trace, fixture('idle-trace.prom'));
    expect(await rollUp(trace.gpu)).toBe(1);
    expect(await rollUp(trace.gpu, 0.5)).toBe(1);
    starved = await openScratchStore();
    // data-starved.test.ts: GPU-P labelled, GPU-R mapped by rule, GPU-U unallocated; the
    // training-loader's queue is empty at 120 s and 150 s, so it starves [120 s, 180 s).
    const lines: string[] = [];
    for (let i = 0; i < 10; i++) {
      const ts = T0 + i * 30_000;
      const labels = 'modelName="NVIDIA H100 80GB HBM3",Hostname="n1"';
      lines.push(
        `DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="0",UUID="GPU-P",${labels},namespace="ml",pipeline="training-loader",pod="train-0"} ${i >= 4 && i <= 6 ? 0.01 : 0.8} ${ts}`,
        `DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="1",UUID="GPU-R",${labels},namespace="ml",pod="loader-train-1"} ${i === 5 ? 0 : 0.6} ${ts}`,
        `DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu="2",UUID="GPU-U",${labels}} 0 ${ts}`,
      );
    }
    await loadExposition(starved, `${lines.join('\n')}\n`);
    await loadPipelineStats(
      starved,
      Array.from({ length: 12 }, (_, i) =>
        pipelineStatRow({
          ts: T0 + i * 30_000,
          pipeline: 'training-loader',
          stage: 'batches',
          queueDepth: i === 4 || i === 5 ? 0 : 64,
          lagSeconds: 2,
        }),
      ),
    );
    expect(await rollUp(starved.gpu)).toBe(1);
  });
  afterAll(async () => {
    await trace.close();
    await starved.close();
  });

  it('gives idle-trace.test.ts figures per GPU and per host, also at another rolled-up threshold', async () => {
    const { rows } = await idleReport(trace.gpu, GPU_CONFIG_DEFAULTS, { ...WINDOW, by: 'gpu' });
    expect(pick(rows, 'GPU-A')).toMatchObject({ observed_seconds: 300, idle_seconds: 120 });
    expect(pick(rows, 'GPU-B')).toMatchObject({ observed_seconds: 210, idle_seconds: 150 });
    expect(pick(rows, 'GPU-C', '1')).toMatchObject({ observed_seconds: 120, idle_seconds: 60 });
    expect(pick(rows, 'GPU-C', '2')).toMatchObject({ observed_seconds: 120, idle_seconds: 120 });
    const byHost = await idleReport(trace.gpu, GPU_CONFIG_DEFAULTS, { ...WINDOW, by: 'host' });
    expect(byHost.rows.map((r) => [r.host, r.observed_seconds, r.idle_seconds])).toEqual([
      ['n2', 450, 330],
      ['n1', 300, 120],
    ]);
    const half = await idleReport(
      trace.gpu,
      { ...GPU_CONFIG_DEFAULTS, threshold: 0.5 },
      { ...WINDOW, by: 'gpu' },
    );
    expect(pick(half.rows, 'GPU-C', '1')?.idle_seconds).toBe(60);
    expect(pick(half.rows, 'GPU-B')?.idle_seconds).toBe(180);
  });

  it('gives data-starved.test.ts figures: a starved span inside a rolled-up hour reads that hour raw', async () => {
    const config: GpuConfig = {
      ...GPU_CONFIG_DEFAULTS,
      pipelines: [{ pipeline: 'training-loader', namespace: 'ml', pod: 'loader-*', job: null }],
    };
    const { rows } = await idleReport(starved.gpu, config, { ...WINDOW, by: 'gpu' });
    expect(pick(rows, 'GPU-P')).toMatchObject({ idle_seconds: 90, data_starved_seconds: 60 });
    expect(pick(rows, 'GPU-R')).toMatchObject({ idle_seconds: 30, data_starved_seconds: 30 });
    expect(pick(rows, 'GPU-U')).toMatchObject({ idle_seconds: 300, data_starved_seconds: 0 });
  });
});

describe('the idle report reads rollups', () => {
  let db: DuckDb;
  let gpu: GpuStore;
  beforeAll(async () => {
    const path = join(scratchDir('fw-rollups-'), 'store.duckdb');
    await (await openDuckDbStore(path)).close();
    db = await DuckDb.open(path);
    gpu = createDuckDbGpuStore(db);
  });
  afterAll(() => db.close());

  it('keeps samples written behind the store invisible until their hour is marked stale', async () => {
    const rows = Array.from({ length: 3 * 120 }, (_, i) =>
      gpuSampleRow({ walSeq: i, ts: T0 + i * 30_000, values: { gpu_util: i % 3 === 0 ? 1 : 80 } }),
    );
    await createDuckDbIngestStore(db).applyBatch(batchOf('w', 0, rows.length - 1, { gpuSamples: rows }));
    expect(await rollUp(gpu)).toBe(3);
    const query: GpuIdleQuery = {
      tenant: 'default',
      from: T0,
      until: T0 + 3 * H,
      threshold: 0.05,
      defaultIntervalMs: 30_000,
      maxIntervalMs: 300_000,
      pipelineRules: [],
      starved: [],
    };
    const before = await gpu.idleAggregates(query);
    expect(before).toEqual(await gpu.idleAggregates({ ...query, rollups: false }));
    // Idle samples in the middle hour, 15 s after each sample, not through ingest: no stale mark.
    await db.run(
      `INSERT INTO gpu_samples (tenant, ts, host, gpu, uuid, device, pci_bus_id, model_name, driver_version,
         mig_profile, mig_instance, namespace, pod, container, hpc_job, pipeline, xid_err_code, gpu_util, extras, labels)
       SELECT tenant, ts + 15000, host, gpu, uuid, device, pci_bus_id, model_name, driver_version, mig_profile,
         mig_instance, namespace, pod, container, hpc_job, pipeline, xid_err_code, 0, extras, labels
       FROM gpu_samples WHERE ts >= ? AND ts < ?`,
      [T0 + H, T0 + 2 * H],
    );
    const raw = await gpu.idleAggregates({ ...query, rollups: false });
    expect(raw[0]?.idleMs).toBeGreaterThan(before[0]?.idleMs ?? Infinity);
    expect(await gpu.idleAggregates(query)).toEqual(before);
    // A late sample through ingest marks the hour stale: read raw until rolled up again.
    await createDuckDbIngestStore(db).applyBatch(
      batchOf('late', 0, 0, { gpuSamples: [gpuSampleRow({ ts: T0 + H + 30_001, values: { gpu_util: 0 } })] }),
    );
    const stale = await gpu.idleAggregates(query);
    expect(stale).toEqual(await gpu.idleAggregates({ ...query, rollups: false }));
    expect(stale[0]?.idleMs).toBeGreaterThan(raw[0]?.idleMs ?? Infinity);
    expect(await rollUp(gpu)).toBe(1);
    expect(await gpu.idleAggregates(query)).toEqual(stale);
  });
});

describe('the rollup job', () => {
  it('rolls up closed hours on start, counts them on /metrics and logs its progress', async () => {
    const store = await openScratchStore();
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      }),
    );
    try {
      const rows = Array.from({ length: 5 * 120 }, (_, i) =>
        gpuSampleRow({ walSeq: i, ts: T0 + i * 30_000, values: { gr_engine_active: 0.5 } }),
      );
      await store.ingest.applyBatch(batchOf('w', 0, rows.length - 1, { gpuSamples: rows }));
      const ctx = { ...testContext({ store }), logger };
      // Five hours of samples and a clock 4 h 5 min in: an hour counts as closed 2 × maxInterval
      // (10 min) after its end, so hours 0-2 are rolled up and hour 3 waits.
      const job = startGpuRollup(ctx, { clock: () => T0 + 4 * H + 5 * 60_000 });
      await job.stop();
      const metrics = await ctx.registry.metrics();
      expect(metrics).toMatch(/^factorywatch_gpu_idle_rollup_buckets_total 3$/m);
      expect(metrics).toMatch(/^factorywatch_gpu_idle_rollup_pending_buckets 0$/m);
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: 'GPU idle rollup: hours rolled up', buckets: 3, samples: 360 }),
      );
      const report = await idleReport(store.gpu, ctx.config.gpu, { ...WINDOW, until: T0 + 4 * H, by: 'gpu' });
      expect(report.rows[0]).toMatchObject({ observed_seconds: 4 * 3600, idle_seconds: 0 });
    } finally {
      await store.close();
    }
  });
});
