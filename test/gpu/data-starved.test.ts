/**
 * A pipeline stall makes allocated GPUs idle; that idle time is attributed as data-starved.
 * The training-loader reports every 30 s: queue 64, except an empty queue at T0+120 s and
 * T0+150 s (starved [120 s, 180 s)). Two GPUs feed on it, 30 s scrapes from T0 to T0+270 s:
 * - GPU-P carries `pipeline="training-loader"`, idle at 120, 150, 180 s → 90 s idle, of which
 *   [120, 180) = 60 s starved;
 * - GPU-R (pod loader-train-1 in ns ml) is mapped by a configured rule, idle at 150 s only → 30 s
 *   idle, all starved;
 * - GPU-U, unallocated and idle throughout, is never data-starved (300 s idle, 0 starved).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_CONFIG_DEFAULTS, type GpuConfig } from '../../collector/gpu/config.js';
import { idleReport } from '../../collector/gpu/idle.js';
import type { Store } from '../../collector/store/store.js';
import { pipelineStatRow } from '../helpers/rows.js';
import { loadExposition, loadPipelineStats, openScratchStore, T0 } from './helpers.js';

const config: GpuConfig = {
  ...GPU_CONFIG_DEFAULTS,
  pipelines: [{ pipeline: 'training-loader', namespace: 'ml', pod: 'loader-*', job: null }],
};

function trace(): string {
  const lines: string[] = [];
  const labels = {
    P: 'gpu="0",UUID="GPU-P",modelName="NVIDIA H100 80GB HBM3",Hostname="n1",namespace="ml",pipeline="training-loader",pod="train-0"',
    R: 'gpu="1",UUID="GPU-R",modelName="NVIDIA H100 80GB HBM3",Hostname="n1",namespace="ml",pod="loader-train-1"',
    U: 'gpu="2",UUID="GPU-U",modelName="NVIDIA H100 80GB HBM3",Hostname="n1"',
  };
  for (let i = 0; i < 10; i++) {
    const ts = T0 + i * 30_000;
    const p = i >= 4 && i <= 6 ? 0.01 : 0.8;
    const r = i === 5 ? 0 : 0.6;
    lines.push(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${labels.P}} ${p.toFixed(6)} ${ts}`);
    lines.push(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${labels.R}} ${r.toFixed(6)} ${ts}`);
    lines.push(`DCGM_FI_PROF_GR_ENGINE_ACTIVE{${labels.U}} 0.000000 ${ts}`);
  }
  return `${lines.join('\n')}\n`;
}

let store: Store;
beforeAll(async () => {
  store = await openScratchStore();
  await loadExposition(store, trace());
  await loadPipelineStats(
    store,
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
  // Another pipeline starving at the same time must not count for these GPUs.
  await loadPipelineStats(store, [pipelineStatRow({ ts: T0, pipeline: 'other', stage: 's', queueDepth: 0 })]);
});
afterAll(() => store.close());

describe('data-starved idle', () => {
  it('attributes allocated idle time during an empty queue to the pipeline, by label and by rule', async () => {
    const { rows } = await idleReport(store.gpu, config, {
      tenant: 'default',
      from: T0,
      until: T0 + 3_600_000,
      by: 'gpu',
    });
    const byUuid = Object.fromEntries(rows.map((r) => [r.uuid, r]));
    expect(byUuid['GPU-P']).toMatchObject({
      idle_seconds: 90,
      allocated_idle_seconds: 90,
      data_starved_seconds: 60,
    });
    expect(byUuid['GPU-R']).toMatchObject({
      idle_seconds: 30,
      allocated_idle_seconds: 30,
      data_starved_seconds: 30,
    });
    expect(byUuid['GPU-U']).toMatchObject({
      idle_seconds: 300,
      unallocated_idle_seconds: 300,
      data_starved_seconds: 0,
    });
  });

  it('attributes nothing without the mapping rule for the unlabelled pod', async () => {
    const { rows } = await idleReport(store.gpu, GPU_CONFIG_DEFAULTS, {
      tenant: 'default',
      from: T0,
      until: T0 + 3_600_000,
      by: 'gpu',
    });
    expect(rows.find((r) => r.uuid === 'GPU-R')?.data_starved_seconds).toBe(0);
    expect(rows.find((r) => r.uuid === 'GPU-P')?.data_starved_seconds).toBe(60);
  });

  it('sums data-starved time per pod', async () => {
    const { rows } = await idleReport(store.gpu, config, {
      tenant: 'default',
      from: T0,
      until: T0 + 3_600_000,
      by: 'pod',
    });
    expect(rows.find((r) => r.pod === 'train-0')?.data_starved_seconds).toBe(60);
  });
});
