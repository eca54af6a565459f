/**
 * Drift benchmarks. `ks-1m` times our two-sample KS (both sorts included) against SciPy's
 * ks_2samp on the same 1M × 1M doubles in the same run (python3 child process); `psi-1m` bins
 * 1M current values against a stored reference; `drift-100x100k` evaluates 100 numeric features
 * of 100k rows each from a DuckDB store against stored references.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DRIFT_CONFIG_DEFAULTS } from '../collector/drift/config.js';
import { numericReference } from '../collector/drift/reference.js';
import { evaluateScope } from '../collector/drift/service.js';
import { ks2samp } from '../collector/drift/stats/ks.js';
import { binCounts, psiFromCounts } from '../collector/drift/stats/psi.js';
import { sortedCopy } from '../collector/drift/stats/sort.js';
import { openDuckDbStore } from '../collector/store/duckdb/index.js';
import type { StoredReference } from '../collector/store/drift-store.js';
import type { BenchCase } from './case.js';
import { seededNormals } from '../collector/demo/seeded-random.js';

/** The 1-minute load average when a case finishes: figures on a shared machine need it beside them. */
const load1 = () => Number(loadavg()[0]!.toFixed(2));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const SCIPY_KS = `
import json, sys, time
import numpy as np
from scipy import stats
a = np.fromfile(sys.argv[1], dtype='<f8'); b = np.fromfile(sys.argv[2], dtype='<f8')
times = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter(); r = stats.ks_2samp(a, b); times.append((time.perf_counter() - t) * 1000)
print(json.dumps({'ms': sorted(times)[len(times) // 2], 'statistic': float(r.statistic), 'pvalue': float(r.pvalue)}))
`;

const ks1m: BenchCase = {
  name: 'ks-1m',
  description:
    'two-sample KS on 1M vs 1M doubles (sorting included): ours vs scipy.stats.ks_2samp, same data, same run',
  async run() {
    const a = seededNormals(1_000_000, 0, 1);
    const b = seededNormals(1_000_000, 0.002, 2);
    const runs = 5;
    const times: number[] = [];
    let result = ks2samp(sortedCopy(a), sortedCopy(b)); // warm-up
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      result = ks2samp(sortedCopy(a), sortedCopy(b));
      times.push(performance.now() - started);
    }
    const dir = mkdtempSync(join(tmpdir(), 'fw-bench-ks-'));
    try {
      writeFileSync(join(dir, 'a.f64'), new Uint8Array(a.buffer));
      writeFileSync(join(dir, 'b.f64'), new Uint8Array(b.buffer));
      const scipy = JSON.parse(
        execFileSync('python3', ['-c', SCIPY_KS, join(dir, 'a.f64'), join(dir, 'b.f64'), String(runs)], {
          encoding: 'utf8',
        }),
      ) as { ms: number; statistic: number; pvalue: number };
      const ours = median(times);
      return {
        ours_ms: Number(ours.toFixed(1)),
        scipy_ms: Number(scipy.ms.toFixed(1)),
        ratio: Number((ours / scipy.ms).toFixed(3)),
        same_statistic: result.statistic === scipy.statistic ? 1 : 0,
        p_value_rel_error: Math.abs(result.pValue - scipy.pvalue) / Math.max(scipy.pvalue, 1e-300),
        load1: load1(),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const psi1m: BenchCase = {
  name: 'psi-1m',
  description: 'PSI of 1M current values against a stored reference (10 quantile bins of 100k values)',
  async run() {
    const reference = numericReference(sortedCopy(seededNormals(100_000, 0, 3)), 0, 10, 1_000_000, 4096);
    const current = seededNormals(1_000_000, 0.05, 4);
    const times: number[] = [];
    let psi = 0;
    for (let i = 0; i < 7; i++) {
      const started = performance.now();
      psi = psiFromCounts(
        reference.psiCounts,
        reference.n,
        binCounts(current, reference.psiEdges),
        current.length,
      );
      times.push(performance.now() - started);
    }
    return { ms: Number(median(times.slice(2)).toFixed(2)), psi: Number(psi.toFixed(6)), load1: load1() };
  },
};

const FEATURES = 100;
const ROWS = 100_000;

const drift100x100k: BenchCase = {
  name: 'drift-100x100k',
  description:
    'drift of 100 numeric features × 100k rows each, read from a DuckDB store, against stored references',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'fw-bench-drift-'));
    const path = join(dir, 'bench.duckdb');
    const now = Date.UTC(2026, 0, 1, 12);
    const scope = { tenant: 'default', model: 'm', version: 'v1', segment: '' };
    try {
      // Schema through the store, then bulk rows with one SQL statement (setup, not timed).
      await (await openDuckDbStore(path)).close();
      const instance = await DuckDBInstance.create(path);
      const connection = await instance.connect();
      const setupStarted = performance.now();
      await connection.run(
        `INSERT INTO prediction_features
         SELECT 'default', ${now - 1_800_000} + (i % 1000000), 'm', 'v1', '', 'f' || lpad(CAST(i // ${ROWS} AS VARCHAR), 3, '0'),
                sqrt(-2 * ln(random())) * cos(2 * pi() * random()) + (i // ${ROWS}) * 0.001, NULL
         FROM range(${FEATURES * ROWS}) t(i)`,
      );
      connection.closeSync();
      instance.closeSync();
      const setupMs = performance.now() - setupStarted;

      const store = await openDuckDbStore(path);
      const references: StoredReference[] = [];
      for (let f = 0; f < FEATURES; f++) {
        const ref = numericReference(sortedCopy(seededNormals(ROWS, 0, 100 + f)), 0, 10, 1_000_000, 4096);
        references.push({
          ...scope,
          feature: `f${String(f).padStart(3, '0')}`,
          kind: 'numeric',
          source: 'dataset',
          createdAt: now,
          windowFrom: null,
          windowTo: null,
          n: ref.n,
          missing: 0,
          sample: ref.sample,
          sketch: false,
          sketchCounts: null,
          bins: ref.bins,
          psiEdges: ref.psiEdges,
          psiCounts: ref.psiCounts,
          std: ref.std,
          categories: null,
        });
      }
      await store.drift.replaceReferences(scope, references);
      const times: number[] = [];
      let drifting = 0;
      let features = 0;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const evaluation = await evaluateScope(store.drift, scope, DRIFT_CONFIG_DEFAULTS, now);
        times.push(performance.now() - started);
        features = evaluation.features.length;
        drifting = evaluation.features.filter((f) => f.drift).length;
      }
      await store.close();
      return {
        ms: Math.round(median(times)),
        best_ms: Math.round(Math.min(...times)),
        features,
        rows_per_feature: ROWS,
        drifting,
        setup_insert_ms: Math.round(setupMs),
        load1: load1(),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const cases: BenchCase[] = [ks1m, psi1m, drift100x100k];
