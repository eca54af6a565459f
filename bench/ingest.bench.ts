/**
 * End-to-end ingest: a real collector process (HTTP → WAL fsync → DuckDB) fed batches of 1,000
 * predictions with 10 features by 4 concurrent clients, timed until every record is applied;
 * beside it, in the same run, raw DuckDB appender inserts of the same rows.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { BenchCase } from './case.js';
import { createToken, startCollectorProcess } from '../test/helpers/process.js';
import { scratchDir } from '../test/helpers/tmp.js';
import { INGEST_MIGRATIONS } from '../collector/store/duckdb/ingest.js';

const BATCH = 1_000;
const BATCHES = 300;
const CLIENTS = 4;

function predictions(batchIndex: number) {
  return Array.from({ length: BATCH }, (_, i) => {
    const n = batchIndex * BATCH + i;
    return {
      model: 'bench',
      version: 'v1',
      ts: 1767225600000 + n,
      request_id: `req-${n}`,
      features: {
        f0: n % 97,
        f1: (n * 7) % 13,
        f2: n / 3,
        f3: n % 2 === 0 ? 'even' : 'odd',
        f4: Math.sin(n),
        f5: n % 1000,
        f6: 'segment-' + (n % 5),
        f7: null,
        f8: n * 0.5,
        f9: (n % 10) / 10,
      },
      prediction: (n % 100) / 100,
      latency_ms: 3.5,
    };
  });
}

/** CPU seconds (user + system) of a thread of `pid`, or of the whole process when `tid` is omitted. */
function cpuSeconds(pid: number, tid?: number): number {
  const path = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function endToEnd(): Promise<{
  rate: number;
  peakRssMiB: number;
  cpuSeconds: number;
  mainThreadCpuSeconds: number;
}> {
  const dataDir = scratchDir('fw-bench-');
  const token = createToken(dataDir, 'admin');
  const collector = await startCollectorProcess(['--data-dir', dataDir]);
  const pid = collector.child.pid as number;
  const bodies = Array.from({ length: 8 }, (_, i) => JSON.stringify({ records: predictions(i) }));
  let peakRssMiB = rssMiB(pid);
  const sampler = setInterval(() => (peakRssMiB = Math.max(peakRssMiB, rssMiB(pid))), 100);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < BATCHES) {
        const body = bodies[next++ % bodies.length] as string;
        const response = await fetch(`${collector.url}/v1/predictions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        });
        if (response.status !== 202) throw new Error(`ingest answered ${response.status}`);
        await response.arrayBuffer();
      }
    }),
  );
  for (;;) {
    const stats = (await (
      await fetch(`${collector.url}/v1/stats`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      streams: { stream: string; records: number }[];
    };
    if (stats.streams.find((s) => s.stream === 'predictions')?.records === BATCHES * BATCH) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const cpu = { cpuSeconds: cpuSeconds(pid), mainThreadCpuSeconds: cpuSeconds(pid, pid) };
  await collector.stop();
  return { rate: (BATCHES * BATCH) / seconds, peakRssMiB, ...cpu };
}

/** The same rows through DuckDB's appender, one value call at a time, no HTTP, no WAL. */
async function rawAppender(): Promise<number> {
  const instance = await DuckDBInstance.create(join(scratchDir('fw-bench-raw-'), 'raw.duckdb'));
  const connection = await instance.connect();
  for (const migration of INGEST_MIGRATIONS) await connection.run(migration.sql);
  const batches = Array.from({ length: 8 }, (_, i) => predictions(i));
  const started = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const rows = batches[b % batches.length] as ReturnType<typeof predictions>;
    const p = await connection.createAppender('predictions');
    const f = await connection.createAppender('prediction_features');
    for (const r of rows) {
      p.appendVarchar('default');
      p.appendBigInt(BigInt(r.ts));
      p.appendVarchar(r.model);
      p.appendVarchar(r.version);
      p.appendVarchar('');
      p.appendVarchar(r.request_id);
      p.appendDouble(r.prediction);
      p.appendNull();
      p.appendNull();
      p.appendNull();
      p.appendDouble(r.latency_ms);
      p.endRow();
      for (const [name, value] of Object.entries(r.features)) {
        f.appendVarchar('default');
        f.appendBigInt(BigInt(r.ts));
        f.appendVarchar(r.model);
        f.appendVarchar(r.version);
        f.appendVarchar('');
        f.appendVarchar(name);
        if (typeof value === 'number') f.appendDouble(value);
        else f.appendNull();
        if (typeof value === 'string') f.appendVarchar(value);
        else f.appendNull();
        f.endRow();
      }
    }
    p.closeSync();
    f.closeSync();
  }
  const seconds = (performance.now() - started) / 1000;
  connection.closeSync();
  instance.closeSync();
  return (BATCHES * BATCH) / seconds;
}

export const cases: BenchCase[] = [
  {
    name: 'ingest-e2e',
    description: `HTTP → WAL → DuckDB, ${BATCHES} batches of ${BATCH} predictions × 10 features, vs raw DuckDB appender`,
    async run() {
      const e2e = await endToEnd();
      const raw = await rawAppender();
      const cpu = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
      return {
        predictions: BATCHES * BATCH,
        ours_per_s: Math.round(e2e.rate),
        raw_appender_per_s: Math.round(raw),
        ratio: Number((e2e.rate / raw).toFixed(3)),
        collector_peak_rss_mib: Math.round(e2e.peakRssMiB),
        // Includes the collector's start-up; CPU is far less sensitive to other load than rates.
        collector_cpu_s: e2e.cpuSeconds,
        collector_main_thread_cpu_s: e2e.mainThreadCpuSeconds,
        cores: cpu,
      };
    },
  },
];
