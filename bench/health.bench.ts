/**
 * Model quality over 1M labelled predictions and pipeline health over 10,000 stages, both computed
 * by the embedded store from data on disk (goal: quality under 1 s). The quality case also times,
 * side by side on the same file, the rank-window ROC AUC path (what every window used before the
 * listed-score path; larger windows still use it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabelRow, PipelineStatRow, PredictionRow } from '../collector/ingest/rows.js';
import { summarizeModels } from '../collector/models/summary.js';
import { HEALTH_CONFIG_DEFAULTS } from '../collector/pipeline/config.js';
import { pipelineHealth } from '../collector/pipeline/health.js';
import { DuckDb } from '../collector/store/duckdb/connection.js';
import { createDuckDbHealthStore } from '../collector/store/duckdb/health.js';
import { DUCKDB_DEFAULT_SETTINGS, openDuckDbStore } from '../collector/store/duckdb/index.js';
import type { Store } from '../collector/store/store.js';
import type { BenchCase } from './case.js';
import { mulberry32 } from '../collector/demo/seeded-random.js';

const T0 = Date.UTC(2026, 0, 1);

async function withStore<T>(work: (store: Store, path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'factorywatch-bench-'));
  const path = join(dir, 'bench.duckdb');
  const store = await openDuckDbStore(path);
  try {
    return await work(store, path);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const empty = { predictions: [], features: [], labels: [], pipelineStats: [], gpuSamples: [] };

/** Median of `runs` timings of `work`, in ms. */
async function medianMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const qualityCase: BenchCase = {
  name: 'health-quality-1m',
  description:
    'GET /v1/models work over 1M predictions with 1M delayed labels: volume, latency quantiles, quality',
  run: () =>
    withStore(async (store, path) => {
      const n = 1_000_000;
      const r = mulberry32(9);
      let seq = 0;
      const chunk = 100_000;
      for (let start = 0; start < n; start += chunk) {
        const predictions: PredictionRow[] = [];
        const labels: LabelRow[] = [];
        for (let i = start; i < start + chunk; i++) {
          const y = r() < 0.3 ? 1 : 0;
          const score = Math.min(1, Math.max(0, 0.35 * y + 0.65 * r()));
          const base = { walSeq: seq, tenant: 'default', requestId: `r${i}` };
          predictions.push({
            ...base,
            ts: T0 + i,
            model: 'ranker',
            version: i % 10 === 0 ? 'canary' : 'stable',
            segment: i % 3 === 0 ? 'eu' : 'us',
            predictionNum: score,
            predictionStr: null,
            labelNum: null,
            labelStr: null,
            latencyMs: 5 + 20 * r(),
          });
          labels.push({ ...base, ts: T0 + n + i, labelNum: y, labelStr: null });
        }
        await store.ingest.applyBatch({
          ...empty,
          walId: 'bench',
          fromSeq: seq,
          toSeq: seq,
          predictions,
          labels,
        });
        seq++;
      }
      const window = { tenant: 'default', from: T0, until: T0 + n, bySegment: true };
      const qualityQuery = { ...window, defaultThreshold: 0.5, thresholds: {} };
      const summarize = () => summarizeModels(store.health, HEALTH_CONFIG_DEFAULTS, window);
      await summarize(); // warm the file cache
      const models = await summarize();
      const summarizeMs = await medianMs(3, summarize);
      const qualityMs = await medianMs(3, () => store.health.modelQuality(qualityQuery));
      const trafficMs = await medianMs(3, () => store.health.modelTraffic(window));
      await store.close(); // withStore closes it again, which is a no-op
      // The same file through the rank-window path, with the store's default settings.
      const db = await DuckDb.open(path, { ...DUCKDB_DEFAULT_SETTINGS });
      const rankWindow = createDuckDbHealthStore(db, { listScoresUpTo: 0 });
      let rankWindowMs: number;
      try {
        rankWindowMs = await medianMs(3, () => rankWindow.modelQuality(qualityQuery));
      } finally {
        await db.close();
      }
      return {
        predictions: n,
        groups: models.length,
        summarize_ms: summarizeMs,
        quality_only_ms: qualityMs,
        traffic_only_ms: trafficMs,
        quality_rank_window_ms: rankWindowMs,
        roc_auc_stable_us: (
          models.find((m) => m.version === 'stable' && m.segment === 'us')?.quality as { roc_auc: number }
        ).roc_auc,
      };
    }),
};

const pipelinesCase: BenchCase = {
  name: 'health-pipelines-10k',
  description: 'GET /v1/pipelines/health over 10,000 stages × 1 h of reports every 60 s (600k rows)',
  run: () =>
    withStore(async (store) => {
      const stages = 10_000;
      const reports = 60;
      const now = T0 + 3_600_000;
      const r = mulberry32(3);
      const rows: PipelineStatRow[] = [];
      for (let s = 0; s < stages; s++) {
        for (let k = 0; k < reports; k++) {
          rows.push({
            walSeq: 0,
            tenant: 'default',
            ts: now - k * 60_000,
            pipeline: `p${Math.floor(s / 10)}`,
            stage: `s${s % 10}`,
            runId: null,
            rowsIn: 1000 * (0.5 + r()),
            rowsOut: 1000 * (0.5 + r()),
            bytes: null,
            lagSeconds: 5 * r(),
            queueDepth: s % 100 === 0 ? 10 * (reports - k) : 50 * r(),
            errors: 0,
            durationMs: null,
            status: null,
          });
        }
      }
      await store.ingest.applyBatch({ ...empty, walId: 'bench', fromSeq: 0, toSeq: 0, pipelineStats: rows });
      const evaluate = () => pipelineHealth(store.health, HEALTH_CONFIG_DEFAULTS, { tenant: 'default', now });
      const health = await evaluate();
      return {
        stages: health.length,
        rows: rows.length,
        health_ms: await medianMs(3, evaluate),
        queue_growing: health.filter((h) => h.status === 'queue_growing').length,
        not_ok: health.filter((h) => h.status !== 'ok').length,
      };
    }),
};

export const cases: BenchCase[] = [qualityCase, pipelinesCase];
