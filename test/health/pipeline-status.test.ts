import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineStatRow } from '../../collector/ingest/rows.js';
import { parseHealthConfig } from '../../collector/pipeline/config.js';
import { pipelineHealth } from '../../collector/pipeline/health.js';
import type { StageHealth } from '../../collector/pipeline/status.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { Store } from '../../collector/store/store.js';
import { batchOf } from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';
import { jitter, stream } from './streams.js';

const END = Date.UTC(2026, 2, 1, 12);
const config = parseHealthConfig({
  pipelines: {
    overrides: {
      'nightly-batch': {
        windowSeconds: 172_800,
        recentSeconds: 86_400,
        trendSeconds: 172_800,
        stalledAfterSeconds: 90_000,
      },
    },
  },
});

describe('pipeline status on generated stat streams', () => {
  let store: Store;
  let health: Map<string, StageHealth>;
  const noisySeeds = Array.from({ length: 12 }, (_, i) => i + 1);

  beforeAll(async () => {
    store = await openDuckDbStore(join(scratchDir(), 'pipelines.duckdb'));
    const rows: PipelineStatRow[] = [
      ...stream('steady', END, () => ({})),
      // Recent part: rows fall to 10 % while reports keep coming.
      ...stream('collapsed', END, (s) => (s <= 300 ? { rowsOut: 150, rowsIn: 150 } : {})),
      // Last 15 minutes: the queue climbs from 50 to ~950 with noise.
      ...stream('queue-growing', END, (s, r) => ({
        queueDepth: s <= 900 ? jitter(50 + (900 - s), 0.2, r) : jitter(50, 0.2, r),
      })),
      // Nothing for the last 15 minutes.
      ...stream('stalled', END, (s) => (s <= 900 ? null : {})),
      // Reports keep coming, rows wait, nothing comes out.
      ...stream('stuck', END, (s) => (s <= 400 ? { rowsOut: 0, queueDepth: 500 } : {})),
      // Stalled from 60 to 20 minutes ago with a queue pile-up, then caught up: healthy now.
      ...stream('recovered', END, (s) =>
        s > 1200 && s <= 3600
          ? null
          : s <= 1200 && s > 900
            ? { rowsOut: 3000, queueDepth: 50 + (s - 900) }
            : {},
      ),
      // A collapse 40 minutes ago that lasted 10 minutes, then normal again.
      ...stream('recovered-throughput', END, (s) => (s > 1800 && s <= 2400 ? { rowsOut: 30 } : {})),
      ...stream('erroring', END, (_s, r) => ({ errors: Math.round(jitter(150, 0.3, r)) })),
      ...stream('lagging', END, (s, r) => ({
        lagSeconds: s <= 900 ? jitter(2 + (900 - s) * 0.5, 0.1, r) : jitter(2, 0.3, r),
      })),
      ...stream('failing', END, (s) => (s === 0 ? { status: 'failed', rowsOut: 0 } : {})),
      // Once a day at 02:00, ten hours ago: fine under its own thresholds.
      ...stream(
        'nightly-batch',
        END,
        (s) => (s === 36_000 || s === 36_000 + 86_400 ? { status: 'ok' } : null),
        {
          durationSeconds: 3 * 86_400,
          everySeconds: 600,
        },
      ),
      ...noisySeeds.flatMap((seed) =>
        stream(
          `noisy-${seed}`,
          END,
          (_s, r) => {
            const rowsIn = jitter(1500, 0.6, r);
            return {
              rowsIn,
              rowsOut: jitter(rowsIn, 0.1, r),
              queueDepth: r() < 0.05 ? 400 : jitter(50, 0.7, r), // occasional single-sample spikes
              lagSeconds: r() < 0.05 ? 400 : jitter(5, 0.8, r),
              errors: r() < 0.02 ? 30 : 0,
            };
          },
          { seed, durationSeconds: 4 * 3600 },
        ),
      ),
    ];
    await store.ingest.applyBatch(batchOf('w', 0, 0, { pipelineStats: rows }));
    health = new Map(
      (await pipelineHealth(store.health, config, { tenant: 'default', now: END })).map((h) => [
        h.pipeline,
        h,
      ]),
    );
  });
  afterAll(() => store.close());

  const statusOf = (pipeline: string) => health.get(pipeline)?.status;

  it('keeps a steady stream ok with its figures', () => {
    const steady = health.get('steady')!;
    expect(steady).toMatchObject({
      status: 'ok',
      reasons: [],
      queue_depth: 50,
      lag_seconds: 2,
      error_rate: 0,
      output_input_ratio: 1,
    });
    expect(steady.throughput_rows_per_s).toBeCloseTo(100, 6);
    expect(steady.queue_slope_per_s).toBeCloseTo(0, 9);
    expect(steady.last_seen).toBe(END);
    expect(steady.freshness_seconds).toBe(0);
  });

  it('flags a throughput collapse from the recent trend', () => {
    expect(statusOf('collapsed')).toBe('throughput_collapsed');
    expect(health.get('collapsed')!.throughput_rows_per_s).toBeCloseTo(10, 6);
  });

  it('flags a growing queue with its slope', () => {
    expect(statusOf('queue-growing')).toBe('queue_growing');
    expect(health.get('queue-growing')!.queue_slope_per_s).toBeGreaterThan(0.8);
  });

  it('flags a stage that stopped reporting, and one that reports but moves nothing', () => {
    expect(statusOf('stalled')).toBe('stalled');
    expect(health.get('stalled')!.reasons[0]).toMatch(/^no_progress: no successful report for 915 s/);
    expect(health.get('stalled')!.throughput_rows_per_s).toBe(0);
    expect(statusOf('stuck')).toBe('stalled');
    expect(health.get('stuck')!.reasons[0]).toMatch(/^zero_output/);
  });

  it('returns to ok once a stage recovered', () => {
    expect(health.get('recovered')).toMatchObject({ status: 'ok', reasons: [] });
    expect(health.get('recovered-throughput')).toMatchObject({ status: 'ok', reasons: [] });
  });

  it('calls errors, growing lag and a failed run degraded', () => {
    expect(health.get('erroring')).toMatchObject({ status: 'degraded' });
    expect(health.get('erroring')!.reasons[0]).toMatch(/^error_rate_high/);
    expect(health.get('lagging')!.status).toBe('degraded');
    expect(health.get('lagging')!.reasons[0]).toMatch(/^lag_growing/);
    expect(health.get('failing')!.reasons).toEqual(['last_run_failed: the newest report has status failed']);
  });

  it('judges a pipeline by its own thresholds', () => {
    expect(statusOf('nightly-batch')).toBe('ok');
    const defaults = parseHealthConfig({});
    return pipelineHealth(store.health, defaults, {
      tenant: 'default',
      now: END,
      pipeline: 'nightly-batch',
    }).then(([h]) => expect(h?.status).toBe('stalled'));
  });

  it('never flags a noisy but healthy stream, at any evaluation time', async () => {
    const flagged: string[] = [];
    for (let minutes = 0; minutes <= 120; minutes += 2) {
      const now = END - minutes * 60_000;
      for (const seed of noisySeeds) {
        const [h] = await pipelineHealth(store.health, config, {
          tenant: 'default',
          now,
          pipeline: `noisy-${seed}`,
        });
        if (h?.status !== 'ok') flagged.push(`noisy-${seed} at -${minutes} min: ${h?.reasons.join('; ')}`);
      }
    }
    expect(flagged).toEqual([]);
  });

  it('scopes stages to the tenant', async () => {
    expect(await pipelineHealth(store.health, config, { tenant: 'someone-else', now: END })).toEqual([]);
  });
});
