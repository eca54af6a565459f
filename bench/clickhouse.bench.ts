/**
 * `clickhouse-ingest`: predictions end to end (HTTP → WAL → ClickHouse) through a real collector
 * process, against `clickhouse-client` inserting the same rows (TabSeparated over the native
 * protocol) into the same server in the same run. Needs clickhouse-server and clickhouse-client
 * (test/setup/ensure-clickhouse.sh) and a build (`npm run bench` builds).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './case.js';

const PREDICTIONS = Number(process.env.FACTORYWATCH_BENCH_PREDICTIONS ?? 200_000);
const PER_REQUEST = 1_000;
const CONCURRENCY = 4;
const FEATURES = ['f0', 'f1', 'f2', 'f3'];
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'collector', 'cli', 'main.js');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A scratch clickhouse-server on free ports (the bench's own; tests use test/helpers). */
async function startServer(dir: string): Promise<{ url: string; tcpPort: number; child: ChildProcess }> {
  const [httpPort, tcpPort] = [await freePort(), await freePort()];
  mkdirSync(join(dir, 'data', 'tmp'), { recursive: true });
  writeFileSync(
    join(dir, 'users.xml'),
    `<?xml version="1.0"?><yandex><profiles><default><max_memory_usage>1073741824</max_memory_usage></default></profiles>
<users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
<quotas><default></default></quotas></yandex>`,
  );
  writeFileSync(
    join(dir, 'config.xml'),
    `<?xml version="1.0"?><yandex><logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/err.log</errorlog></logger>
<http_port>${httpPort}</http_port><tcp_port>${tcpPort}</tcp_port><listen_host>127.0.0.1</listen_host>
<path>${dir}/data/</path><tmp_path>${dir}/data/tmp/</tmp_path><users_config>${dir}/users.xml</users_config>
<mark_cache_size>67108864</mark_cache_size><default_profile>default</default_profile><default_database>default</default_database><timezone>UTC</timezone></yandex>`,
  );
  const child = spawn('clickhouse-server', [`--config-file=${dir}/config.xml`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; i < 600; i++) {
    if (
      await fetch(`${url}/?query=SELECT%201`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, tcpPort, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('clickhouse-server did not start; run test/setup/ensure-clickhouse.sh');
}

async function sql(url: string, query: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', body: query });
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  return text.trim();
}

function requestBody(batch: number): string {
  const records = [];
  for (let i = 0; i < PER_REQUEST; i++) {
    const n = batch * PER_REQUEST + i;
    records.push({
      model: 'bench',
      version: 'v1',
      ts: 1_767_225_600_000 + n,
      request_id: `r${n}`,
      features: { f0: n % 97, f1: (n % 13) / 13, f2: `c${n % 5}`, f3: n % 2 },
      prediction: (n % 100) / 100,
      latency_ms: n % 50,
    });
  }
  return JSON.stringify({ records });
}

/** The same rows as TabSeparated bodies for the clickhouse-client baseline. */
function tsvBodies(): { predictions: string; features: string } {
  const p: string[] = [];
  const f: string[] = [];
  for (let n = 0; n < PREDICTIONS; n++) {
    const ts = 1_767_225_600_000 + n;
    p.push(
      `default\t${ts}\tbench\tv1\t\tr${n}\t${(n % 100) / 100}\t\\N\t\\N\t\\N\t${n % 50}\tbaseline\t${n}`,
    );
    const values: [string, string][] = [
      [String(n % 97), '\\N'],
      [String((n % 13) / 13), '\\N'],
      ['\\N', `c${n % 5}`],
      [String(n % 2), '\\N'],
    ];
    FEATURES.forEach((name, i) =>
      f.push(`default\t${ts}\tbench\tv1\t\t${name}\t${values[i]![0]}\t${values[i]![1]}\tbaseline\t${n}`),
    );
  }
  return { predictions: `${p.join('\n')}\n`, features: `${f.join('\n')}\n` };
}

async function waitStored(url: string, database: string, expected: number): Promise<void> {
  for (;;) {
    const n = Number(await sql(url, `SELECT count() FROM ${database}.predictions`));
    if (n >= expected) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const clickhouseIngest: BenchCase = {
  name: 'clickhouse-ingest',
  description: `${PREDICTIONS} predictions x ${FEATURES.length} features: HTTP -> WAL -> ClickHouse vs clickhouse-client`,
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'factorywatch-bench-ch-'));
    const server = await startServer(dir);
    let collector: ChildProcess | undefined;
    try {
      const dataDir = join(dir, 'collector');
      const token = spawnSync(
        process.execPath,
        [CLI, 'token', 'create', '--subject', 'bench', '--role', 'service', '--data-dir', dataDir],
        {
          encoding: 'utf8',
        },
      ).stdout.split('\n')[0]!;
      const port = await freePort();
      collector = spawn(
        process.execPath,
        [
          CLI,
          'start',
          '--port',
          String(port),
          '--data-dir',
          dataDir,
          '--store',
          `clickhouse:${server.url}?database=e2e`,
          '--log-level',
          'warn',
        ],
        { stdio: 'ignore' },
      );
      const base = `http://127.0.0.1:${port}`;
      for (
        let i = 0;
        i < 600 &&
        !(await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 50));

      const bodies = Array.from({ length: PREDICTIONS / PER_REQUEST }, (_, b) => requestBody(b));
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < bodies.length) {
            const body = bodies[next++]!;
            const response = await fetch(`${base}/v1/predictions`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body,
            });
            if (response.status !== 202)
              throw new Error(`ingest answered ${response.status}: ${await response.text()}`);
            await response.arrayBuffer();
          }
        }),
      );
      const acknowledgedMs = performance.now() - started;
      await waitStored(server.url, 'e2e', PREDICTIONS);
      const endToEndMs = performance.now() - started;

      // Baseline: the same rows (predictions and the long feature table) through clickhouse-client.
      await sql(server.url, 'CREATE DATABASE baseline');
      for (const table of ['predictions', 'prediction_features']) {
        await sql(server.url, `CREATE TABLE baseline.${table} AS e2e.${table}`);
      }
      const tsv = tsvBodies();
      const clientStarted = performance.now();
      for (const [table, input] of [
        ['predictions', tsv.predictions],
        ['prediction_features', tsv.features],
      ] as const) {
        const result = spawnSync(
          'clickhouse-client',
          [
            '--port',
            String(server.tcpPort),
            '--query',
            `INSERT INTO baseline.${table} (tenant, ts, model, version, segment, ${table === 'predictions' ? 'request_id, prediction_num, prediction_str, label_num, label_str, latency_ms' : 'feature, value_num, value_str'}, wal_id, wal_seq) FORMAT TabSeparated`,
          ],
          { input, encoding: 'utf8', maxBuffer: 1 << 28 },
        );
        if (result.status !== 0) throw new Error(`clickhouse-client failed: ${result.stderr}`);
      }
      const clientMs = performance.now() - clientStarted;
      const version = await sql(server.url, 'SELECT version()');
      return {
        server: version,
        predictions: PREDICTIONS,
        features_per_prediction: FEATURES.length,
        acknowledged_per_s: Math.round(PREDICTIONS / (acknowledgedMs / 1000)),
        end_to_end_per_s: Math.round(PREDICTIONS / (endToEndMs / 1000)),
        end_to_end_ms: Math.round(endToEndMs),
        clickhouse_client_per_s: Math.round(PREDICTIONS / (clientMs / 1000)),
        clickhouse_client_ms: Math.round(clientMs),
        ratio_end_to_end_vs_client: Number((clientMs / endToEndMs).toFixed(3)),
      };
    } finally {
      collector?.kill('SIGTERM');
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 500));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export const cases: BenchCase[] = [clickhouseIngest];
