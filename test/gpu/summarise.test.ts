/** Grouping store aggregates into report rows: sums, split, cost, and seconds without float noise. */
import { describe, expect, it } from 'vitest';
import { summariseIdle } from '../../collector/gpu/idle.js';
import type { GpuIdleAggregate } from '../../collector/store/gpu-store.js';

function aggregate(over: Partial<GpuIdleAggregate>): GpuIdleAggregate {
  return {
    host: 'h1',
    gpu: '0',
    uuid: 'GPU-1',
    migInstance: '',
    migProfile: '',
    modelName: 'NVIDIA A100 80GB PCIe',
    namespace: '',
    pod: '',
    container: '',
    hpcJob: '',
    pipeline: '',
    observedMs: 0,
    idleMs: 0,
    starvedIdleMs: 0,
    ...over,
  };
}

describe('summariseIdle', () => {
  it('sums milliseconds exactly and prints seconds as decimals of them', () => {
    const rows = summariseIdle(
      [
        aggregate({ observedMs: 100, idleMs: 100 }),
        aggregate({ pod: 'train-0', namespace: 'ml', observedMs: 200, idleMs: 200, starvedIdleMs: 100 }),
      ],
      'host',
      { '*': 3.6 },
    );
    expect(rows).toEqual([
      {
        host: 'h1',
        gpu: null,
        uuid: null,
        mig_instance: null,
        model_name: null,
        namespace: null,
        pod: null,
        // 0.1 + 0.2 in floating point is 0.30000000000000004.
        observed_seconds: 0.3,
        idle_seconds: 0.3,
        idle_ratio: 1,
        allocated_idle_seconds: 0.2,
        unallocated_idle_seconds: 0.1,
        data_starved_seconds: 0.1,
        idle_cost: 0.0003,
      },
    ]);
  });
});
