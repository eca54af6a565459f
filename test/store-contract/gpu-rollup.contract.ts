/**
 * GPU idle rollups: on generated data, the rollup-backed idle aggregates and pipeline lookups
 * equal the raw-only computation of the same store, before and after late samples land in
 * rolled-up hours, and rollUpIdle re-rolls exactly the hours those samples touched.
 *
 * Twelve hours of 30 s scrapes (jittered by up to 2.5 s, so spacings differ and the median
 * matters) over: a GPU scraped exactly on the hour; one offline across two hour boundaries and
 * gone before the window ends; one moving between pods (mid-hour and on the hour); MIG instances;
 * GPU_UTIL-only and mixed GPUs with values exactly at the threshold; a GPU with activity-less
 * samples; sparse GPUs (7 min, so gaps beyond maxInterval, and one sample an hour); a second tenant.
 * Windows are aligned and not, with starved spans wholly covering hours, crossing hour boundaries
 * and touching each other.
 */
import { describe, expect, it } from 'vitest';
import type { GpuSampleRow } from '../../collector/ingest/rows.js';
import {
  GPU_IDLE_BUCKET_MS,
  gpuIdleBucketOf,
  type GpuIdleAggregate,
  type GpuIdleQuery,
  type PipelineLikeRule,
  type StarvedSpan,
} from '../../collector/store/gpu-store.js';
import type { Store } from '../../collector/store/store.js';
import { batchOf, gpuSampleRow } from '../helpers/rows.js';
import type { OpenStore } from './contract.js';
import { mulberry32 } from '../../collector/demo/seeded-random.js';

const T0 = Date.UTC(2026, 0, 1);
const H = GPU_IDLE_BUCKET_MS;
const MIN = 60_000;
const HOURS = 12;

/** Activity values around the threshold 0.05 (0.05 itself is active). */
const ACTIVE = [0, 0.01, 0.049, 0.05, 0.051, 0.3, 0.9];
/** GPU_UTIL percentages around 5 (5 / 100 = 0.05 is active). */
const UTIL = [0, 1, 4, 5, 6, 40, 100];

function generate(): GpuSampleRow[] {
  const rand = mulberry32(20260101);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)] as T;
  const rows: GpuSampleRow[] = [];
  const scrape = (
    stepMs: number,
    jitterMs: number,
    row: (ts: number) => Partial<GpuSampleRow> | undefined,
    from = T0,
    until = T0 + HOURS * H,
  ) => {
    for (let t = from; t < until; t += stepMs) {
      const ts = t + Math.floor(rand() * jitterMs);
      const over = row(ts);
      if (over) rows.push(gpuSampleRow({ ts, ...over }));
    }
  };
  // Exactly on the 30 s grid: samples at every hour's first millisecond; a rule maps it to etl.
  scrape(30_000, 0, () => ({
    host: 'h1',
    gpu: '0',
    uuid: 'GPU-0',
    namespace: 'ml',
    pod: 'train-a',
    values: { gr_engine_active: pick(ACTIVE) },
  }));
  // Offline 03:20–05:40 (across two hour boundaries), gone for good at 09:12.
  scrape(30_000, 2500, (ts) =>
    (ts >= T0 + 200 * MIN && ts < T0 + 340 * MIN) || ts >= T0 + 552 * MIN
      ? undefined
      : {
          host: 'h1',
          gpu: '1',
          uuid: 'GPU-1',
          namespace: 'ml',
          pod: 'train-b',
          values: { gr_engine_active: pick(ACTIVE) },
        },
  );
  // Moves between pods: job-x until 02:30, unallocated until 04:00, then job-y labelled pipeline lbl.
  scrape(30_000, 2500, (ts) => ({
    host: 'h1',
    gpu: '2',
    uuid: 'GPU-2',
    ...(ts < T0 + 150 * MIN
      ? { namespace: 'batch', pod: 'job-x' }
      : ts < T0 + 4 * H
        ? {}
        : { namespace: 'batch', pod: 'job-y', pipeline: 'lbl' }),
    values: { gr_engine_active: pick(ACTIVE) },
  }));
  // MIG: two instances of one GPU, one allocated.
  for (const [instance, profile, pod] of [
    ['1', '1g.10gb', 'mig-a'],
    ['2', '3g.40gb', ''],
  ] as const) {
    scrape(30_000, 2500, () => ({
      host: 'h2',
      gpu: '3',
      uuid: 'GPU-3',
      migInstance: instance,
      migProfile: profile,
      namespace: pod === '' ? '' : 'mig',
      pod,
      values: { gr_engine_active: pick(ACTIVE) },
    }));
  }
  // GPU_UTIL only (an HPC job a rule maps to hpc); and GR_ENGINE_ACTIVE on some samples only.
  scrape(30_000, 2500, () => ({
    host: 'h2',
    gpu: '4',
    uuid: 'GPU-4',
    hpcJob: 'slurm-1',
    values: { gpu_util: pick(UTIL) },
  }));
  scrape(30_000, 2500, () => ({
    host: 'h2',
    gpu: '5',
    uuid: 'GPU-5',
    values: (rand() < 0.5
      ? { gpu_util: pick(UTIL) }
      : { gpu_util: pick(UTIL), gr_engine_active: pick(ACTIVE) }) as Record<string, number>,
  }));
  // Samples without activity between active ones, and a labelled pipeline seen only on them.
  scrape(30_000, 2500, (): Partial<GpuSampleRow> =>
    rand() < 0.3
      ? {
          host: 'h3',
          gpu: '6',
          uuid: 'GPU-6',
          pod: 'side',
          pipeline: 'sidecar',
          values: { power_usage_watts: 70 },
        }
      : { host: 'h3', gpu: '6', uuid: 'GPU-6', values: { gr_engine_active: pick(ACTIVE) } },
  );
  // Sparse: every 7 min (spacing beyond maxInterval), and one sample an hour (some hours none).
  scrape(7 * MIN, 20_000, () => ({
    host: 'h3',
    gpu: '7',
    uuid: 'GPU-7',
    pod: 'sparse',
    values: { gr_engine_active: pick(ACTIVE) },
  }));
  scrape(65 * MIN, 60_000, () => ({
    host: 'h3',
    gpu: '8',
    uuid: 'GPU-8',
    values: { gr_engine_active: pick(ACTIVE) },
  }));
  // Another tenant with the same series names.
  scrape(30_000, 2500, () => ({
    tenant: 'other',
    host: 'h1',
    gpu: '0',
    uuid: 'GPU-0',
    values: { gr_engine_active: pick(ACTIVE) },
  }));
  return rows;
}

const RULES: PipelineLikeRule[] = [
  { pipeline: 'etl', namespaceLike: 'ml', podLike: 'train-%', jobLike: '%' },
  { pipeline: 'hpc', namespaceLike: '%', podLike: '%', jobLike: 'slurm-%' },
];

/** Starved spans: whole hours, hour-crossing, touching, and one pipeline nothing maps to. */
const SPANS: StarvedSpan[] = [
  { pipeline: 'etl', start: T0 + 2 * H, end: T0 + 4 * H },
  { pipeline: 'etl', start: T0 + 5 * H + 13 * MIN + 7, end: T0 + 6 * H + MIN },
  { pipeline: 'lbl', start: T0 + H + 59 * MIN, end: T0 + 3 * H },
  { pipeline: 'lbl', start: T0 + 8 * H, end: T0 + 8 * H + 30 * MIN },
  { pipeline: 'lbl', start: T0 + 8 * H + 30 * MIN, end: T0 + 9 * H },
  { pipeline: 'hpc', start: T0 + 7 * H, end: T0 + 7 * H + 30 * MIN },
  { pipeline: 'none', start: T0, end: T0 + HOURS * H },
];

const BASE = {
  tenant: 'default',
  threshold: 0.05,
  defaultIntervalMs: 30_000,
  maxIntervalMs: 5 * MIN,
  pipelineRules: RULES,
  starved: SPANS,
};

/** Windows aligned to hours and not, with the settings that move their edges. */
const QUERIES: GpuIdleQuery[] = [
  { ...BASE, from: T0, until: T0 + HOURS * H },
  { ...BASE, from: T0 + 17 * MIN + 3, until: T0 + 11 * H - 7_000 },
  { ...BASE, from: T0 + H, until: T0 + 6 * H, starved: [] },
  { ...BASE, from: T0 + 2 * H, until: T0 + 9 * H + 30 * MIN, pipelineRules: [] },
  { ...BASE, from: T0 + 90 * MIN, until: T0 + 10 * H, maxIntervalMs: 40 * MIN },
  { ...BASE, from: T0, until: T0 + 8 * H, defaultIntervalMs: 2 * H },
  { ...BASE, from: T0 + 3 * H + 1, until: T0 + 12 * H + 59 * MIN },
  { ...BASE, tenant: 'other', from: T0 + 30 * MIN, until: T0 + 7 * H + 30 * MIN },
  { ...BASE, threshold: 0.5, from: T0 + H, until: T0 + 11 * H },
];

let batches = 0;

async function ingest(store: Store, rows: GpuSampleRow[]): Promise<void> {
  const stamped = rows.map((r, i) => ({ ...r, walSeq: i }));
  await store.ingest.applyBatch(
    batchOf(`rollup-${batches++}`, 0, stamped.length - 1, { gpuSamples: stamped }),
  );
}

async function rollUpAll(store: Store, threshold: number) {
  const total = { buckets: 0, samples: 0, calls: 0, largest: 0 };
  for (;;) {
    const r = await store.gpu.rollUpIdle({ threshold, closedBefore: T0 + 13 * H, maxBuckets: 8 });
    total.buckets += r.buckets;
    total.samples += r.samples;
    total.calls++;
    total.largest = Math.max(total.largest, r.buckets);
    if (r.pending === 0) return total;
  }
}

const byKey = (rows: GpuIdleAggregate[]) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : 1));
const key = (r: GpuIdleAggregate) =>
  [
    r.host,
    r.gpu,
    r.uuid,
    r.migInstance,
    r.modelName,
    r.migProfile,
    r.namespace,
    r.pod,
    r.hpcJob,
    r.pipeline,
  ].join('|');

async function expectRollupsEqualRaw(store: Store): Promise<void> {
  for (const query of QUERIES) {
    const raw = await store.gpu.idleAggregates({ ...query, rollups: false });
    expect(raw.length).toBeGreaterThan(0);
    expect(byKey(await store.gpu.idleAggregates(query)), JSON.stringify(query)).toEqual(byKey(raw));
    const window = { ...query, pipelineRules: RULES };
    expect(await store.gpu.mappedPipelines(window)).toEqual(
      await store.gpu.mappedPipelines({ ...window, rollups: false }),
    );
  }
}

/** Activity samples, and (tenant, hour) buckets holding any sample, of `rows` before `end`. */
function census(rows: readonly GpuSampleRow[], end: number) {
  const buckets = new Set<string>();
  let samples = 0;
  for (const r of rows) {
    if (r.ts >= end) continue;
    buckets.add(`${r.tenant}:${gpuIdleBucketOf(r.ts)}`);
    if (r.values.gr_engine_active !== undefined || r.values.gpu_util !== undefined) samples++;
  }
  return { buckets: buckets.size, samples };
}

export function describeGpuRollupContract(open: OpenStore): void {
  describe('gpu idle rollups', () => {
    it('give the raw aggregates on generated data, also after late samples, and re-roll only what those touched', async () => {
      const store = await open();
      try {
        const rows = generate();
        await ingest(store, rows);
        await expectRollupsEqualRaw(store);

        // Every hour with samples, of both tenants, is rolled up once, in calls of at most 8 hours.
        const expected = census(rows, T0 + HOURS * H);
        const first = await rollUpAll(store, 0.05);
        expect(first).toMatchObject({ buckets: expected.buckets, samples: expected.samples });
        expect(first.largest).toBe(8);
        await rollUpAll(store, 0.5);
        expect(await rollUpAll(store, 0.05)).toMatchObject({ buckets: 0, samples: 0 });
        await expectRollupsEqualRaw(store);

        // Late samples: inside a rolled-up hour, after an hour's last sample, in the offline gap
        // (the hour before then finds a new successor), before an hour's first sample, a new series.
        const late = [
          gpuSampleRow({
            ts: T0 + 2 * H + 10 * MIN + 15_000,
            host: 'h1',
            gpu: '0',
            uuid: 'GPU-0',
            namespace: 'ml',
            pod: 'train-a',
            values: { gr_engine_active: 0 },
          }),
          gpuSampleRow({
            ts: T0 + 7 * H - 1,
            host: 'h1',
            gpu: '0',
            uuid: 'GPU-0',
            namespace: 'ml',
            pod: 'train-a',
            values: { gr_engine_active: 0.01 },
          }),
          gpuSampleRow({
            ts: T0 + 4 * H + 10 * MIN,
            host: 'h1',
            gpu: '1',
            uuid: 'GPU-1',
            namespace: 'ml',
            pod: 'train-b',
            values: { gr_engine_active: 0 },
          }),
          gpuSampleRow({
            ts: T0 + 8 * H,
            host: 'h3',
            gpu: '8',
            uuid: 'GPU-8',
            values: { gr_engine_active: 0 },
          }),
          gpuSampleRow({
            ts: T0 + 5 * H + 30 * MIN,
            host: 'h9',
            gpu: '0',
            uuid: 'GPU-9',
            pod: 'new',
            values: { gpu_util: 1 },
          }),
        ];
        await ingest(store, late);
        await expectRollupsEqualRaw(store);
        const stale = new Set(late.map((r) => gpuIdleBucketOf(r.ts))).size;
        expect(await rollUpAll(store, 0.05)).toMatchObject({ buckets: stale });
        await expectRollupsEqualRaw(store);
      } finally {
        await store.close();
      }
    });

    it('rolls up only closed hours, oldest first, and reports what is left', async () => {
      const store = await open();
      try {
        await ingest(
          store,
          [0, 1, 2, 3].map((hour) => gpuSampleRow({ ts: T0 + hour * H + 5 * MIN, values: { gpu_util: 50 } })),
        );
        const closedBefore = T0 + 3 * H + 1;
        expect(await store.gpu.rollUpIdle({ threshold: 0.05, closedBefore, maxBuckets: 2 })).toEqual({
          buckets: 2,
          samples: 2,
          pending: 1,
        });
        expect(await store.gpu.rollUpIdle({ threshold: 0.05, closedBefore, maxBuckets: 2 })).toEqual({
          buckets: 1,
          samples: 1,
          pending: 0,
        });
        expect(await store.gpu.rollUpIdle({ threshold: 0.05, closedBefore, maxBuckets: 2 })).toEqual({
          buckets: 0,
          samples: 0,
          pending: 0,
        });
      } finally {
        await store.close();
      }
    });
  });
}
