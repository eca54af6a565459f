/**
 * The ClickHouse store on the current ClickHouse engine (chDB, test/helpers/chdb-server.ts): the
 * whole Store contract through the current-release path (server-side query parameters,
 * LowCardinality, codecs, TTL, DateTime64), which the Debian 18.16 server cannot take, plus
 * the parameter escaping corpus bound server-side and the retention path on this schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseDb } from '../../collector/store/clickhouse/connection.js';
import { openClickHouseStore } from '../../collector/store/clickhouse/index.js';
import { parseClickHouseUrl } from '../../collector/store/clickhouse/url.js';
import { startChdbServer, type ChdbTestServer } from '../helpers/chdb-server.js';
import { describeParameterRoundTrips } from '../helpers/injection-corpus.js';
import { batchOf, featureRow, predictionRow } from '../helpers/rows.js';
import { describeStoreContract } from '../store-contract/contract.js';

let server: ChdbTestServer;
let databases = 0;
const freshUrl = () => `${server.url}?database=c${process.pid}_${++databases}`;

beforeAll(async () => {
  server = await startChdbServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('ClickHouse store on the current engine', () => {
  it('runs a current release with every feature on', async () => {
    expect(Number(server.version.split('.')[0])).toBeGreaterThanOrEqual(24);
    const db = await ClickHouseDb.open(parseClickHouseUrl(freshUrl()));
    try {
      expect(db.version.text).toBe(server.version);
      expect(Object.values(db.features).every(Boolean)).toBe(true);
    } finally {
      await db.close();
    }
  });

  describeStoreContract(() => openClickHouseStore(freshUrl()));
});

describe('ClickHouse schema on the current engine', () => {
  it('creates the ingest tables with LowCardinality names, codecs, DateTime64 and a TTL', async () => {
    const store = await openClickHouseStore(freshUrl(), { retentionDays: 30 });
    const db = await ClickHouseDb.open(parseClickHouseUrl(freshUrl()));
    try {
      const rows = await db.query<{ statement: string }>(
        `SELECT create_table_query AS statement FROM system.tables
         WHERE database = {d:String} AND name = 'predictions'`,
        { d: store.database },
      );
      const statement = rows[0]?.statement ?? '';
      expect(statement).toMatch(/LowCardinality\(String\)/);
      expect(statement).toMatch(/CODEC\(/);
      expect(statement).toMatch(/DateTime64\(3/);
      expect(statement).toMatch(/TTL /);
    } finally {
      await db.close();
      await store.close();
    }
  });

  it('drops whole UTC-day partitions before the cutoff', async () => {
    const store = await openClickHouseStore(freshUrl());
    try {
      const day = (d: number, hour = 12) => Date.UTC(2026, 0, d, hour);
      await store.ingest.applyBatch(
        batchOf('w1', 0, 2, {
          predictions: [
            predictionRow({ walSeq: 0, ts: day(1) }),
            predictionRow({ walSeq: 1, ts: day(2) }),
            predictionRow({ walSeq: 2, ts: day(3) }),
          ],
          features: [featureRow({ walSeq: 0, ts: day(1) })],
        }),
      );
      expect(await store.dropPartitionsBefore(day(2, 6))).toEqual([
        { table: 'prediction_features', partition: '20260101' },
        { table: 'predictions', partition: '20260101' },
      ]);
      const counts = Object.fromEntries((await store.ingest.counts()).map((c) => [c.stream, c.records]));
      expect(counts.predictions).toBe(2);
    } finally {
      await store.close();
    }
  });
});

describe('ClickHouse query parameters on the current engine', () => {
  let db: ClickHouseDb;
  beforeAll(async () => {
    db = await ClickHouseDb.open(parseClickHouseUrl(freshUrl()));
  });
  afterAll(async () => {
    await db.close();
  });

  it('binds server-side', () => {
    expect(db.features.queryParameters).toBe(true);
  });

  describeParameterRoundTrips(() => db);
});
