/**
 * `kill -9` of a real collector process while clients are ingesting, then a restart on the same
 * data dir: every acknowledged prediction is stored, none twice.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DuckDb } from '../../collector/store/duckdb/connection.js';
import { createToken, startCollectorProcess, type CollectorProcess } from '../helpers/process.js';
import { scratchDir } from '../helpers/tmp.js';

const BATCH = 200;

function batch(prefix: string) {
  return {
    records: Array.from({ length: BATCH }, (_, i) => ({
      model: 'crash',
      version: 'v1',
      request_id: `${prefix}-${i}`,
      features: { a: i, b: 'x', c: i / 3 },
      prediction: i % 2,
    })),
  };
}

async function ingestUntilKilled(
  collector: CollectorProcess,
  token: string,
  round: number,
  killAfterAcks: number,
) {
  const acknowledged: string[] = [];
  let sent = 0;
  let killed = false;
  const client = async (worker: number) => {
    for (;;) {
      const prefix = `r${round}-w${worker}-b${sent++}`;
      try {
        const response = await fetch(`${collector.url}/v1/predictions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(batch(prefix)),
        });
        if (response.status !== 202) throw new Error(`status ${response.status}`);
        acknowledged.push(prefix);
        if (acknowledged.length >= killAfterAcks && !killed) {
          killed = true;
          await collector.kill9();
        }
      } catch {
        return; // the process is gone: this request was never acknowledged.
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(client));
  return acknowledged;
}

async function waitDrained(url: string, token: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const stats = (await (
      await fetch(`${url}/v1/stats`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as {
      wal: { backlog_bytes: number; applied_seq: number; next_seq: number };
    };
    if (stats.wal.backlog_bytes === 0 && stats.wal.applied_seq === stats.wal.next_seq - 1) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the WAL did not drain');
}

describe('crash recovery', () => {
  it('loses nothing acknowledged and duplicates nothing across repeated kill -9', async () => {
    const dataDir = scratchDir();
    const service = createToken(dataDir, 'service');
    const admin = createToken(dataDir, 'admin');
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      const collector = await startCollectorProcess(['--data-dir', dataDir]);
      acknowledged.push(...(await ingestUntilKilled(collector, service, round, 15 + round * 10)));
    }
    const collector = await startCollectorProcess(['--data-dir', dataDir]);
    await waitDrained(collector.url, admin);
    expect(await collector.stop()).toBe(0);

    const db = await DuckDb.open(join(dataDir, 'factorywatch.duckdb'));
    const [totals] = await db.all<{ n: number; distinct_ids: number }>(
      "SELECT count(*) AS n, count(DISTINCT request_id) AS distinct_ids FROM predictions WHERE model = 'crash'",
    );
    const stored = new Set(
      (
        await db.all<{ prefix: string }>(
          "SELECT DISTINCT regexp_replace(request_id, '-[0-9]+$', '') AS prefix FROM predictions",
        )
      ).map((r) => r.prefix),
    );
    await db.close();
    expect(acknowledged.length).toBeGreaterThan(60);
    expect(totals?.n).toBe(totals?.distinct_ids);
    expect(acknowledged.filter((prefix) => !stored.has(prefix))).toEqual([]);
    // Requests in flight at the kill may have been written but not acknowledged: at most 4 per round.
    expect(totals?.n).toBeGreaterThanOrEqual(acknowledged.length * BATCH);
    expect(totals?.n).toBeLessThanOrEqual((acknowledged.length + 12) * BATCH);
  });
});
