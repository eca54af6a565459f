/**
 * GPU benchmarks: exposition parsing throughput, and the idle report over a week of a
 * 1,000-GPU fleet scraped every 30 s (~20M samples) in the embedded store, read from hourly
 * rollups (the rollup pass timed on its own) beside the raw-only computation of the same report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExposition } from '../collector/gpu/parse-exposition.js';
import { GPU_CONFIG_DEFAULTS } from '../collector/gpu/config.js';
import { idleReport, type IdleReport } from '../collector/gpu/idle.js';
import { ROLLUP_BUCKETS_PER_CALL } from '../collector/gpu/rollup.js';
import { openDuckDbStore } from '../collector/store/duckdb/index.js';
import { DuckDb } from '../collector/store/duckdb/connection.js';
import type { GpuStore } from '../collector/store/gpu-store.js';
import type { BenchCase } from './case.js';
import { emulatorScrape } from '../collector/demo/dcgm-emulator.js';

/** A realistic body: the emulator's 8 hosts, scraped many times with ms timestamps (an import). */
function exportBody(scrapes: number): { body: string; lines: number } {
  const parts: string[] = [];
  const start = Date.UTC(2026, 0, 1);
  for (let s = 0; s < scrapes; s++)
    parts.push(emulatorScrape({ seed: 7, nowMs: start + s * 30_000, timestamps: true }));
  const body = parts.join('');
  let lines = 0;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) lines++;
  return { body, lines };
}

const gpuParse: BenchCase = {
  name: 'gpu-parse',
  description: 'parseExposition throughput on emulated dcgm-exporter scrapes with timestamps (lines/s)',
  async run() {
    const { body, lines } = exportBody(200);
    for (let i = 0; i < 3; i++) parseExposition(body, 0); // warm-up: let V8 optimise the scanner
    const runs = 10;
    const started = performance.now();
    let rows = 0;
    for (let i = 0; i < runs; i++) rows = parseExposition(body, 0).rows.length;
    const ms = (performance.now() - started) / runs;
    return { lines, rows, bytes: body.length, ms_per_body: ms, lines_per_s: Math.round(lines / (ms / 1000)) };
  },
};

const load1 = () => Number(loadavg()[0]?.toFixed(2));

const GPUS = 1000;
const DAYS = 7;
const STEP_MS = 30_000;

const gpuIdle20m: BenchCase = {
  name: 'gpu-idle-20m',
  description: `idle report (by gpu) over ${GPUS} GPUs × ${DAYS} days × 30 s in DuckDB, with a starved pipeline: hourly rollup pass, report from rollups, report from raw samples`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'fw-bench-gpu-'));
    const path = join(dir, 'bench.duckdb');
    const store = await openDuckDbStore(path);
    await store.close();
    const db = await DuckDb.open(path);
    const samplesPerGpu = (DAYS * 86_400_000) / STEP_MS;
    const t0 = Date.UTC(2026, 0, 1);
    const loadStarted = performance.now();
    // Time-major order, like scrapes arriving; every 7th GPU has no profiling metrics (GPU_UTIL
    // only); busy/idle phases of 1 h; half the GPUs allocated; 1 sample in 997 missing (gaps).
    await db.run(
      `INSERT INTO gpu_samples (tenant, ts, host, gpu, uuid, device, pci_bus_id, model_name, driver_version,
         mig_profile, mig_instance, namespace, pod, container, hpc_job, pipeline, xid_err_code,
         gpu_util, gr_engine_active, power_usage_watts, extras, labels)
       SELECT 'default', ? + i * ${STEP_MS}, 'node-' || (k // 8), CAST(k % 8 AS VARCHAR), 'GPU-' || k, 'nvidia' || (k % 8),
         '0000:' || k, CASE WHEN k % 2 = 0 THEN 'NVIDIA H100 80GB HBM3' ELSE 'NVIDIA A100 80GB PCIe' END, '550.54',
         '', '', CASE WHEN k % 2 = 0 THEN 'ml' ELSE '' END, CASE WHEN k % 2 = 0 THEN 'train-' || k ELSE '' END,
         '', '', CASE WHEN k % 4 = 0 THEN 'etl' ELSE '' END, '',
         CASE WHEN (i // 120 + k) % 3 = 0 THEN 1 ELSE 80 END,
         CASE WHEN k % 7 = 0 THEN NULL WHEN (i // 120 + k) % 3 = 0 THEN 0.01 ELSE 0.75 END,
         300.0, '{}', '{}'
       FROM range(${samplesPerGpu}) t(i) CROSS JOIN range(${GPUS}) g(k)
       WHERE (i * 31 + k) % 997 <> 0`,
      [t0],
    );
    const [{ n } = { n: 0 }] = await db.all<{ n: number }>('SELECT count(*) AS n FROM gpu_samples');
    // The etl pipeline reports every minute; its queue runs empty one hour in six.
    await db.run(
      `INSERT INTO pipeline_stats (tenant, ts, pipeline, stage, rows_in, rows_out, queue_depth)
       SELECT 'default', ? + i * 60000, 'etl', 'load', 100, 100, CASE WHEN (i // 60) % 6 = 0 THEN 0 ELSE 50 END
       FROM range(${(DAYS * 86_400_000) / 60_000}) t(i)`,
      [t0],
    );
    const loadMs = performance.now() - loadStarted;
    await db.close();

    const reopened = await openDuckDbStore(path);
    const config = { ...GPU_CONFIG_DEFAULTS };
    const query = { tenant: 'default', from: t0, until: t0 + DAYS * 86_400_000, by: 'gpu' as const };

    // The rollup job's work for the whole week, in its own calls of at most a day of hours.
    const rollupLoad = load1();
    const rollupStarted = performance.now();
    let buckets = 0;
    for (;;) {
      const pass = await reopened.gpu.rollUpIdle({
        threshold: config.threshold,
        closedBefore: t0 + (DAYS + 1) * 86_400_000,
        maxBuckets: ROLLUP_BUCKETS_PER_CALL,
      });
      buckets += pass.buckets;
      if (pass.pending === 0 || pass.buckets === 0) break;
    }
    const rollupMs = performance.now() - rollupStarted;

    await idleReport(reopened.gpu, config, query); // warm the file cache once
    const reportLoad = load1();
    const timings: number[] = [];
    let report: IdleReport | undefined;
    for (let r = 0; r < 3; r++) {
      const started = performance.now();
      report = await idleReport(reopened.gpu, config, query);
      timings.push(performance.now() - started);
    }
    timings.sort((a, b) => a - b);

    // The same report from raw samples only, once: the figure the rollups replace.
    const rawOnly: GpuStore = {
      ...reopened.gpu,
      idleAggregates: (q) => reopened.gpu.idleAggregates({ ...q, rollups: false }),
      mappedPipelines: (q) => reopened.gpu.mappedPipelines({ ...q, rollups: false }),
    };
    const rawLoad = load1();
    const rawStarted = performance.now();
    const raw = await idleReport(rawOnly, config, query);
    const rawMs = performance.now() - rawStarted;
    await reopened.close();
    rmSync(dir, { recursive: true, force: true });
    return {
      samples: n,
      load_ms: Math.round(loadMs),
      rollup_buckets: buckets,
      rollup_ms: Math.round(rollupMs),
      rollup_load_1m: rollupLoad,
      idle_report_ms_median: Math.round(timings[1] as number),
      idle_report_ms_min: Math.round(timings[0] as number),
      report_load_1m: reportLoad,
      raw_report_ms: Math.round(rawMs),
      raw_load_1m: rawLoad,
      rows: report?.rows.length ?? 0,
      // 1 when the rollup-backed report equals the raw-only one, row for row.
      same_as_raw: JSON.stringify(report?.rows) === JSON.stringify(raw.rows) ? 1 : 0,
      samples_per_s: Math.round(n / ((timings[1] as number) / 1000)),
    };
  },
};

export const cases: BenchCase[] = [gpuParse, gpuIdle20m];
