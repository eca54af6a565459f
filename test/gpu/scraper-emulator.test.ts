/** The scraper against the emulated dcgm-exporter (a real HTTP server), and against broken targets. */
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../collector/config/config.js';
import { emulatorScrape, startDcgmEmulator } from '../../collector/demo/dcgm-emulator.js';
import { scrapeOnce, startGpuScraper } from '../../collector/gpu/scraper.js';
import type { GpuSeriesSample } from '../../collector/gpu/parse-exposition.js';
import { parseExposition } from '../../collector/gpu/parse-exposition.js';
import type { AppContext } from '../../collector/http/context.js';
import type { Store } from '../../collector/store/store.js';
import { T0 } from './helpers.js';

const NOW = T0 + 60_000; // minute 1 of 10: the training loader is stalled
let exporter: { url: string; stop(): Promise<void> };
const appended: Array<{ tenant: string; rows: GpuSeriesSample[] }> = [];

function context(scrape: unknown[]): AppContext {
  return {
    config: resolveConfig({ file: { gpu: { scrape, tenant: 'fleet' } } }),
    store: {} as Store,
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    audit: { append: () => undefined },
    ingest: {
      appendGpuSamples: async (tenant, rows) => {
        appended.push({ tenant, rows });
      },
    },
  };
}

beforeAll(async () => {
  exporter = await startDcgmEmulator({ port: 0, seed: 3, now: () => NOW });
});
afterAll(() => exporter.stop());

describe('dcgm-exporter emulator', () => {
  it('is deterministic for a seed and clock and reshuffles families between scrapes', () => {
    expect(emulatorScrape({ seed: 3, nowMs: NOW })).toBe(emulatorScrape({ seed: 3, nowMs: NOW }));
    const familyOrder = (body: string) => body.split('\n').filter((l) => l.startsWith('# TYPE'));
    expect(familyOrder(emulatorScrape({ seed: 3, nowMs: NOW }))).not.toEqual(
      familyOrder(emulatorScrape({ seed: 3, nowMs: NOW + 30_000 })),
    );
  });

  it('covers MIG, both Hostname spellings, a GPU without profiling, hpc_job and a starving pipeline', () => {
    const body = emulatorScrape({ seed: 3, nowMs: NOW });
    expect(body).toContain('Hostname="gpu-node-1"');
    expect(body).toContain('hostname="gpu-node-2"');
    const { rows, errors } = parseExposition(body, NOW);
    expect(errors).toEqual([]);
    expect(rows).toHaveLength(8);
    expect(rows.filter((r) => r.migInstance !== '').map((r) => r.migProfile)).toEqual(['3g.40gb', '3g.40gb']);
    const t4 = rows.find((r) => r.modelName === 'Tesla T4');
    expect(t4?.values.gr_engine_active).toBeUndefined();
    expect(t4?.values.gpu_util).toBeTypeOf('number');
    expect(rows.some((r) => r.hpcJob === 'slurm-4411')).toBe(true);
    const train = rows.find((r) => r.pod === 'train-0');
    expect(train?.pipeline).toBe('training-loader');
    expect(train?.values.gr_engine_active).toBeLessThan(0.05); // stalled now
    const busy = parseExposition(emulatorScrape({ seed: 3, nowMs: T0 + 5 * 60_000 }), 0).rows.find(
      (r) => r.pod === 'train-0',
    );
    expect(busy?.values.gr_engine_active).toBeGreaterThan(0.5);
  });
});

describe('GPU scraper', () => {
  it('scrapes a target, adds its labels and hands the rows to the WAL under the configured tenant', async () => {
    appended.length = 0;
    const ctx = context([{ url: exporter.url, interval: '1s', labels: { cluster: 'eu-1' } }]);
    const outcome = await scrapeOnce(ctx, ctx.config.gpu.scrape[0]!);
    expect(outcome).toEqual({ target: exporter.url, rows: 8, malformedLines: 0 });
    expect(appended[0]?.tenant).toBe('fleet');
    expect(
      appended[0]?.rows.every((r) => r.labels.cluster === 'eu-1' && r.ts === appended[0]?.rows[0]?.ts),
    ).toBe(true);
  });

  it('counts failures per target and keeps going', async () => {
    const ctx = context([
      { url: 'http://127.0.0.1:9/metrics', interval: 60 },
      { url: exporter.url.replace('/metrics', '/nope'), interval: 60 },
      { url: exporter.url, interval: 60 },
    ]);
    appended.length = 0;
    const job = startGpuScraper(ctx);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await job.stop();
    const metric = await ctx.registry.getSingleMetric('factorywatch_scrape_errors_total')!.get();
    const errorsByTarget = Object.fromEntries(metric.values.map((v) => [v.labels.target, v.value]));
    expect(errorsByTarget['http://127.0.0.1:9/metrics']).toBe(1);
    expect(errorsByTarget[exporter.url.replace('/metrics', '/nope')]).toBe(1);
    expect(errorsByTarget[exporter.url]).toBe(0);
    expect(appended).toHaveLength(1);
  });
});
