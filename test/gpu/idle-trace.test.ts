/**
 * The idle analysis on a recorded-format trace (test/fixtures/gpu/idle-trace.prom: families
 * shuffled, newest sample first, ms timestamps) against hand-computed truth. 30 s scrapes from T0:
 * - GPU-A (n1, `Hostname`, exported_pod train-0): GR_ENGINE_ACTIVE 0.8 0.8 0.01 0.05 0.049 0.9 0 0
 *   0.7 0.7 (GPU_UTIL 99 is ignored): 10 samples × 30 s = 300 s observed; 0.01, 0.049, 0, 0 idle
 *   = 120 s (0.05 is active).
 * - GPU-B (n2, `hostname`, a T4 without profiling): GPU_UTIL 5 4 0 at 0/30/60 s, offline, then
 *   50 3 3 at 300/330/360 s. Median spacing 30 s; the 0 before the gap covers 2 × 30 = 60 s,
 *   the rest 30 s: 210 s observed, 4 (30) + 0 (60) + 3 (30) + 3 (30) = 150 s idle; unallocated.
 * - GPU-C MIG 1 (pod batch-0): 0.5 0.02 0.02 0.5 → 120 s observed, 60 s idle; MIG 2: all 0,
 *   unallocated → 120 s observed and idle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GPU_CONFIG_DEFAULTS, type GpuConfig } from '../../collector/gpu/config.js';
import { idleReport, type IdleReportRow } from '../../collector/gpu/idle.js';
import type { Store } from '../../collector/store/store.js';
import { fixture, loadExposition, openScratchStore, T0 } from './helpers.js';

const PRICES = { 'NVIDIA H100 80GB HBM3': 4, 'Tesla T4': 0.36, 'NVIDIA A100 80GB PCIe': 2.8 };
const config: GpuConfig = { ...GPU_CONFIG_DEFAULTS, prices: PRICES };
const WINDOW = { tenant: 'default', from: T0, until: T0 + 3_600_000 };

let store: Store;
beforeAll(async () => {
  store = await openScratchStore();
  await loadExposition(store, fixture('idle-trace.prom'));
});
afterAll(() => store.close());

function find(rows: IdleReportRow[], match: Partial<IdleReportRow>): IdleReportRow {
  const row = rows.find((r) => Object.entries(match).every(([k, v]) => r[k as keyof IdleReportRow] === v));
  if (!row) throw new Error(`no row ${JSON.stringify(match)} in ${JSON.stringify(rows)}`);
  return row;
}

describe('idle report per GPU on a recorded trace', () => {
  it('matches the hand-computed observed and idle seconds, split and cost of every series', async () => {
    const { rows, threshold } = await idleReport(store.gpu, config, { ...WINDOW, by: 'gpu' });
    expect(threshold).toBe(0.05);
    expect(rows).toHaveLength(4);
    const a = find(rows, { uuid: 'GPU-A' });
    expect(a).toMatchObject({
      host: 'n1',
      gpu: '0',
      mig_instance: '',
      model_name: 'NVIDIA H100 80GB HBM3',
      namespace: null,
      pod: null,
    });
    expect(a).toMatchObject({
      observed_seconds: 300,
      idle_seconds: 120,
      allocated_idle_seconds: 120,
      unallocated_idle_seconds: 0,
    });
    expect(a.idle_ratio).toBeCloseTo(0.4, 12);
    expect(a.idle_cost).toBeCloseTo((120 / 3600) * 4, 6);

    const b = find(rows, { uuid: 'GPU-B' });
    expect(b).toMatchObject({
      host: 'n2',
      observed_seconds: 210,
      idle_seconds: 150,
      allocated_idle_seconds: 0,
      unallocated_idle_seconds: 150,
    });
    expect(b.idle_ratio).toBeCloseTo(150 / 210, 12);
    expect(b.idle_cost).toBeCloseTo((150 / 3600) * 0.36, 6);

    const mig1 = find(rows, { uuid: 'GPU-C', mig_instance: '1' });
    expect(mig1).toMatchObject({
      host: 'n2',
      observed_seconds: 120,
      idle_seconds: 60,
      allocated_idle_seconds: 60,
    });
    expect(mig1.idle_cost).toBeCloseTo((60 / 3600) * 2.8 * (3 / 7), 6);
    const mig2 = find(rows, { uuid: 'GPU-C', mig_instance: '2' });
    expect(mig2).toMatchObject({
      observed_seconds: 120,
      idle_seconds: 120,
      unallocated_idle_seconds: 120,
      idle_ratio: 1,
    });
    for (const row of rows) expect(row.data_starved_seconds).toBe(0);
    // Most wasted first.
    expect(rows.map((r) => r.idle_seconds)).toEqual([150, 120, 120, 60]);
  });

  it('groups by host across both Hostname spellings', async () => {
    const { rows } = await idleReport(store.gpu, config, { ...WINDOW, by: 'host' });
    expect(rows.map((r) => [r.host, r.observed_seconds, r.idle_seconds])).toEqual([
      ['n2', 450, 330],
      ['n1', 300, 120],
    ]);
    expect(rows[0]?.gpu).toBeNull();
  });

  it('groups by pod using the exported_* labels, unallocated time under an empty pod', async () => {
    const { rows } = await idleReport(store.gpu, config, { ...WINDOW, by: 'pod' });
    expect(rows.map((r) => [r.namespace, r.pod, r.idle_seconds])).toEqual([
      ['', '', 270],
      ['ml', 'train-0', 120],
      ['ml', 'batch-0', 60],
    ]);
    const byNamespace = await idleReport(store.gpu, config, { ...WINDOW, by: 'namespace' });
    expect(byNamespace.rows.map((r) => [r.namespace, r.idle_seconds, r.observed_seconds])).toEqual([
      ['', 270, 330],
      ['ml', 180, 420],
    ]);
  });

  it('groups by model', async () => {
    const { rows } = await idleReport(store.gpu, config, { ...WINDOW, by: 'model' });
    expect(rows.map((r) => [r.model_name, r.idle_seconds])).toEqual([
      ['NVIDIA A100 80GB PCIe', 180],
      ['Tesla T4', 150],
      ['NVIDIA H100 80GB HBM3', 120],
    ]);
  });

  it('clips coverage to the window', async () => {
    // [T0+45 s, T0+105 s): GPU-A samples at 30 (0.8, covers 45–60), 60 (0.01, idle 60–90), 90 (0.05, active 90–105).
    const { rows } = await idleReport(store.gpu, config, {
      tenant: 'default',
      from: T0 + 45_000,
      until: T0 + 105_000,
      by: 'gpu',
    });
    expect(find(rows, { uuid: 'GPU-A' })).toMatchObject({ observed_seconds: 60, idle_seconds: 30 });
  });

  it('honours a configured threshold', async () => {
    const { rows, threshold } = await idleReport(
      store.gpu,
      { ...config, threshold: 0.5 },
      { ...WINDOW, by: 'gpu' },
    );
    expect(threshold).toBe(0.5);
    // GPU-C MIG 1: 0.5 is active at threshold 0.5, 0.02 twice is idle.
    expect(find(rows, { uuid: 'GPU-C', mig_instance: '1' }).idle_seconds).toBe(60);
    // GPU-B: 5 % and 50 %: only the 50 % sample is active.
    expect(find(rows, { uuid: 'GPU-B' }).idle_seconds).toBe(180);
  });

  it('keeps data of another tenant out', async () => {
    const { rows } = await idleReport(store.gpu, config, { ...WINDOW, tenant: 'other', by: 'gpu' });
    expect(rows).toEqual([]);
  });
});
