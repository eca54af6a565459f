/**
 * Every SQL query of the dashboards runs against the real embedded store (DuckDB) after the
 * store's own migrations, on rows written through the store's ingest path. The same SQL is
 * portable to ClickHouse; a ClickHouse run of SQL_QUERIES can reuse runStoreSql below.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import { DuckDb } from '../../collector/store/duckdb/connection.js';
import { expandSql, type MacroValues } from '../../dashboards/grafana-macros.js';
import { SQL_QUERIES } from '../../dashboards/sql/queries.js';
import {
  batchOf,
  featureRow,
  gpuSampleRow,
  labelRow,
  pipelineStatRow,
  predictionRow,
} from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0);
const RANGE: MacroValues = {
  rateInterval: '2m',
  interval: '1m',
  range: '1h',
  fromMs: T0 - 3_600_000,
  toMs: T0 + 3_600_000,
};

let db: DuckDb;

beforeAll(async () => {
  const path = `${scratchDir('fw-sql-')}/store.duckdb`;
  const store = await openDuckDbStore(path);
  await store.ingest.applyBatch(
    batchOf('w1', 0, 9, {
      predictions: [
        predictionRow({ ts: T0, latencyMs: 10 }),
        predictionRow({ ts: T0 + 90_000, latencyMs: 30, version: 'v2' }),
      ],
      features: [featureRow({ ts: T0 }), featureRow({ ts: T0, valueNum: null, valueStr: null })],
      labels: [labelRow({ ts: T0 })],
      pipelineStats: [pipelineStatRow({ ts: T0 }), pipelineStatRow({ ts: T0 + 60_000 })],
      gpuSamples: [
        gpuSampleRow({ ts: T0, host: 'gpu-node-1', uuid: 'GPU-a', values: { gr_engine_active: 0 } }),
        gpuSampleRow({
          ts: T0 + 15_000,
          host: 'gpu-node-1',
          uuid: 'GPU-a',
          values: { gr_engine_active: 0.9 },
        }),
      ],
    }),
  );
  await store.audit.appendEvents([
    {
      chainId: 'c1',
      seq: 0,
      ts: T0,
      kind: 'api',
      actor: 'alice',
      tenant: 'default',
      action: 'read',
      resource: 'drift',
      decision: 'allow',
      body: '{}',
      prevHash: '0'.repeat(64),
      hash: 'a'.repeat(64),
    },
  ]);
  await store.close();
  db = await DuckDb.open(path);
});

afterAll(async () => {
  await db?.close();
});

/** Runs one dashboard query with the time range expanded the way Grafana expands it. */
async function runStoreSql(sql: string): Promise<Record<string, unknown>[]> {
  return db.all(expandSql(sql, RANGE));
}

describe('dashboard SQL against the embedded store', () => {
  it.each(SQL_QUERIES.map((q) => [q.name, q] as const))(
    '%s runs and returns its columns',
    async (_name, query) => {
      const rows = await runStoreSql(query.sql);
      expect(rows.length).toBeGreaterThan(0);
      for (const column of query.columns) expect(Object.keys(rows[0]!)).toContain(column);
    },
  );

  it('computes what the panels claim', async () => {
    const idle = await runStoreSql(SQL_QUERIES.find((q) => q.name === 'gpuIdleSamplesByHost')!.sql);
    expect(idle[0]).toMatchObject({ host: 'gpu-node-1', gpus: 1, samples: 2, idle_sample_share: 0.5 });
    const missing = await runStoreSql(SQL_QUERIES.find((q) => q.name === 'featureMissingShare')!.sql);
    expect(missing[0]).toMatchObject({ values_seen: 2, missing_share: 0.5 });
    const perMinute = await runStoreSql(SQL_QUERIES.find((q) => q.name === 'predictionsPerMinute')!.sql);
    expect(perMinute.map((r) => [Number(r.time), Number(r.predictions)])).toEqual([
      [T0, 1],
      [T0 + 60_000, 1],
    ]);
  });

  it('honours the dashboard range', async () => {
    const rows = await db.all(
      expandSql(SQL_QUERIES.find((q) => q.name === 'predictionsByVersion')!.sql, { ...RANGE, toMs: T0 - 1 }),
    );
    expect(rows).toEqual([]);
  });
});
