/**
 * Real collector processes (the built CLI) against a real ClickHouse started here: the server
 * killed during ingest, the collector killed with SIGKILL during ingest, and two collectors on one
 * database. In every case each acknowledged record is stored exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouseTestServer } from '../helpers/clickhouse-server.js';
import { createToken, startCollectorProcess, type CollectorProcess } from '../helpers/process.js';
import { scratchDir } from '../helpers/tmp.js';

const BATCH = 100;

let clickhouse: ClickHouseTestServer;
beforeAll(async () => {
  clickhouse = await startClickHouse();
});
afterAll(async () => {
  await clickhouse?.stop();
});

function body(prefix: string) {
  return JSON.stringify({
    records: Array.from({ length: BATCH }, (_, i) => ({
      model: 'outage',
      version: 'v1',
      request_id: `${prefix}-${i}`,
      features: { a: i, b: 'x' },
      prediction: i % 2,
    })),
  });
}

/** Posts one batch; true when acknowledged (202). */
async function post(collector: CollectorProcess, token: string, prefix: string): Promise<boolean> {
  const response = await fetch(`${collector.url}/v1/predictions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body(prefix),
  });
  await response.arrayBuffer();
  return response.status === 202;
}

async function get(
  collector: CollectorProcess,
  path: string,
  token: string,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, text: await response.text() };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function waitDrained(collector: CollectorProcess, admin: string): Promise<void> {
  await waitFor('the WAL to drain', async () => {
    const stats = JSON.parse((await get(collector, '/v1/stats', admin)).text) as {
      wal: { backlog_bytes: number; applied_seq: number; next_seq: number };
    };
    return stats.wal.backlog_bytes === 0 && stats.wal.applied_seq === stats.wal.next_seq - 1;
  });
}

/** Per stored request_id prefix (one acknowledged batch), how many rows ClickHouse holds. */
async function storedBatches(
  database: string,
): Promise<{ rows: number; distinct: number; prefixes: Set<string> }> {
  const query = `SELECT request_id FROM ${database}.predictions WHERE model = 'outage' FORMAT TabSeparated`;
  const response = await fetch(`${clickhouse.url}/?query=${encodeURIComponent(query)}`);
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  const ids = text.split('\n').filter(Boolean);
  return {
    rows: ids.length,
    distinct: new Set(ids).size,
    prefixes: new Set(ids.map((id) => id.replace(/-\d+$/, ''))),
  };
}

function collectorArgs(dataDir: string, database: string): string[] {
  return ['--data-dir', dataDir, '--store', `clickhouse:${clickhouse.url}?database=${database}`];
}

describe('ClickHouse outage and crash behaviour of real collectors', () => {
  it('keeps acknowledging into the WAL while ClickHouse is down, reports not ready, and drains exactly once', async () => {
    const database = 'outage_server';
    const dataDir = scratchDir();
    const service = createToken(dataDir, 'service');
    const admin = createToken(dataDir, 'admin');
    const collector = await startCollectorProcess(collectorArgs(dataDir, database));
    const acknowledged: string[] = [];
    try {
      for (let i = 0; i < 10; i++)
        if (await post(collector, service, `up-${i}`)) acknowledged.push(`up-${i}`);
      await waitDrained(collector, admin);

      await clickhouse.kill();
      // Ingest goes on: every batch is acknowledged from the WAL alone.
      for (let i = 0; i < 30; i++) {
        expect(await post(collector, service, `down-${i}`)).toBe(true);
        acknowledged.push(`down-${i}`);
      }
      await waitFor(
        '/readyz to say not ready',
        async () => (await get(collector, '/readyz', admin)).status === 503,
      );
      const readyz = JSON.parse((await get(collector, '/readyz', admin)).text) as {
        status: string;
        reason: string;
      };
      expect(readyz.status).toBe('not_ready');
      expect(readyz.reason).toMatch(/ClickHouse|ECONNREFUSED|connect/i);
      const metrics = (await get(collector, '/metrics', admin)).text;
      const backlog = Number(/^factorywatch_wal_backlog_bytes(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1]);
      expect(backlog).toBeGreaterThan(0);
      expect(metrics).toMatch(/^factorywatch_store_up\{[^}]*\} 0$/m);

      await clickhouse.restart();
      for (let i = 0; i < 5; i++)
        if (await post(collector, service, `back-${i}`)) acknowledged.push(`back-${i}`);
      await waitDrained(collector, admin);
      await waitFor(
        '/readyz to say ready',
        async () => (await get(collector, '/readyz', admin)).status === 200,
      );
    } finally {
      expect(await collector.stop()).toBe(0);
    }
    const stored = await storedBatches(database);
    expect(acknowledged).toHaveLength(45);
    expect(stored.rows).toBe(stored.distinct);
    expect(stored.rows).toBe(acknowledged.length * BATCH);
    expect(acknowledged.filter((p) => !stored.prefixes.has(p))).toEqual([]);
  });

  it('stores every acknowledged record once across repeated kill -9 of the collector', async () => {
    const database = 'outage_kill9';
    const dataDir = scratchDir();
    const service = createToken(dataDir, 'service');
    const admin = createToken(dataDir, 'admin');
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      const collector = await startCollectorProcess(collectorArgs(dataDir, database));
      let killed = false;
      let sent = 0;
      const worker = async (w: number) => {
        for (;;) {
          const prefix = `r${round}-w${w}-b${sent++}`;
          try {
            if (!(await post(collector, service, prefix))) return;
            acknowledged.push(prefix);
            if (!killed && acknowledged.length >= (round + 1) * 15) {
              killed = true;
              await collector.kill9();
            }
          } catch {
            return; // the process is gone: this request was never acknowledged
          }
        }
      };
      await Promise.all([0, 1, 2].map(worker));
    }
    const collector = await startCollectorProcess(collectorArgs(dataDir, database));
    await waitDrained(collector, admin);
    expect(await collector.stop()).toBe(0);
    const stored = await storedBatches(database);
    expect(acknowledged.length).toBeGreaterThanOrEqual(45);
    expect(stored.rows).toBe(stored.distinct);
    expect(acknowledged.filter((p) => !stored.prefixes.has(p))).toEqual([]);
    // A request in flight at the kill may be in the WAL without its 202: at most one per worker.
    expect(stored.rows).toBeLessThanOrEqual((acknowledged.length + 9) * BATCH);
    expect(stored.rows % BATCH).toBe(0);
  });

  it('lets two collectors write to one ClickHouse database side by side', async () => {
    const database = 'outage_two';
    const dirs = [scratchDir(), scratchDir()];
    const tokens = dirs.map((d) => ({ service: createToken(d, 'service'), admin: createToken(d, 'admin') }));
    const collectors = await Promise.all(dirs.map((d) => startCollectorProcess(collectorArgs(d, database))));
    const acknowledged: string[] = [];
    try {
      await Promise.all(
        collectors.map(async (c, k) => {
          for (let i = 0; i < 20; i++) {
            const prefix = `c${k}-${i}`;
            expect(await post(c, tokens[k]!.service, prefix)).toBe(true);
            acknowledged.push(prefix);
          }
        }),
      );
      await Promise.all(collectors.map((c, k) => waitDrained(c, tokens[k]!.admin)));
      // Each collector reports the shared database's totals.
      for (const [k, c] of collectors.entries()) {
        const stats = JSON.parse((await get(c, '/v1/stats', tokens[k]!.admin)).text) as {
          streams: { stream: string; records: number }[];
          wal: { id: string };
        };
        expect(stats.streams.find((s) => s.stream === 'predictions')?.records).toBe(40 * BATCH);
      }
    } finally {
      for (const c of collectors) expect(await c.stop()).toBe(0);
    }
    const stored = await storedBatches(database);
    expect(stored.rows).toBe(stored.distinct);
    expect(stored.rows).toBe(40 * BATCH);
    // Two WALs, two ledgers: each collector's batches are tracked under its own WAL id.
    const walIds = await fetch(
      `${clickhouse.url}/?query=${encodeURIComponent(`SELECT uniqExact(wal_id) FROM ${database}.ingest_batches`)}`,
    );
    expect((await walIds.text()).trim()).toBe('2');
  });
});
