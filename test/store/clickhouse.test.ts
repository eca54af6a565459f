/**
 * The ClickHouse store on a real server started here (Debian's 18.16 in CI): the shared Store
 * contract, plus what only this adapter has: the escaping path against an injection corpus,
 * version detection, day-partition retention, replays after a partial batch, and the split of
 * transient and permanent errors.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseDb } from '../../collector/store/clickhouse/connection.js';
import { isTransientStoreError } from '../../collector/store/clickhouse/errors.js';
import { openClickHouseStore, type ClickHouseStore } from '../../collector/store/clickhouse/index.js';
import { PREDICTIONS, PREDICTION_FEATURES } from '../../collector/store/clickhouse/ingest-tables.js';
import { createTableSql } from '../../collector/store/clickhouse/schema.js';
import { bindInline, sqlLiteral } from '../../collector/store/clickhouse/sql.js';
import { parseClickHouseUrl } from '../../collector/store/clickhouse/url.js';
import { featuresOf, parseServerVersion } from '../../collector/store/clickhouse/version.js';
import { startClickHouse, TEST_CLUSTER, type ClickHouseTestServer } from '../helpers/clickhouse-server.js';
import { runClickHouseCli } from '../../collector/store/clickhouse/cli.js';
import { clusterDdl } from '../../collector/store/clickhouse/cluster-ddl.js';
import { EXPIRING_TABLES } from '../../collector/store/clickhouse/retention.js';
import { batchOf, featureRow, gpuSampleRow, pipelineStatRow, predictionRow } from '../helpers/rows.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { Store } from '../../collector/store/store.js';
import type {
  GpuIdleQuery,
  GpuStore,
  PipelineLikeRule,
  PipelinePoint,
} from '../../collector/store/gpu-store.js';
import { createClickHouseGpuStore } from '../../collector/store/clickhouse/gpu.js';
import type { AuditEventRow } from '../../collector/store/audit-store.js';
import type { FeatureRow, GpuSampleRow, PipelineStatRow } from '../../collector/ingest/rows.js';
import { scratchDir } from '../helpers/tmp.js';
import { describeParameterRoundTrips, INJECTION_CORPUS } from '../helpers/injection-corpus.js';
import { join } from 'node:path';
import { describeStoreContract } from '../store-contract/contract.js';
import { mulberry32 } from '../../collector/demo/seeded-random.js';

let server: ClickHouseTestServer;
let databases = 0;
/** A URL to a fresh, empty database on the test server. */
const freshUrl = () => `${server.url}?database=t${process.pid}_${++databases}`;

beforeAll(async () => {
  server = await startClickHouse();
});
afterAll(async () => {
  await server?.stop();
});

describe('ClickHouse store', () => {
  describeStoreContract(() => openClickHouseStore(freshUrl()));
});

describe('ClickHouse escaping (servers without query parameters)', () => {
  let db: ClickHouseDb;
  beforeAll(async () => {
    db = await ClickHouseDb.open(parseClickHouseUrl(freshUrl()));
  });
  afterAll(async () => {
    await db.close();
  });

  it('binds inline on this server, which has no query parameters', () => {
    expect(db.features.queryParameters).toBe(false);
    expect(bindInline('SELECT {v:String}', { v: "it's" })).toBe("SELECT CAST('it\\'s' AS String)");
  });

  describeParameterRoundTrips(() => db);

  it('stores corpus strings as names and finds them again by tenant, leaving every table in place', async () => {
    const store = await openClickHouseStore(freshUrl());
    try {
      await store.ingest.applyBatch(
        batchOf('w1', 0, INJECTION_CORPUS.length - 1, {
          predictions: INJECTION_CORPUS.map((s, i) =>
            predictionRow({ walSeq: i, tenant: `t${i}:${s}`, model: s, requestId: s }),
          ),
        }),
      );
      for (const [i, s] of INJECTION_CORPUS.entries()) {
        const counts = await store.ingest.counts(`t${i}:${s}`);
        expect(counts.find((c) => c.stream === 'predictions')?.records, JSON.stringify(s.slice(0, 40))).toBe(
          1,
        );
      }
      const tables = await tableNames(store.database);
      expect(tables).toEqual(
        expect.arrayContaining([
          'predictions',
          'prediction_features',
          'labels',
          'pipeline_stats',
          'gpu_samples',
        ]),
      );
      const models = await db.query<{ model: string }>(
        `SELECT model FROM ${store.database}.predictions ORDER BY wal_seq`,
      );
      expect(models.map((m) => m.model)).toEqual(INJECTION_CORPUS);
    } finally {
      await store.close();
    }
  });

  it('escapes a literal so that the server parses it back to the same value', () => {
    expect(sqlLiteral("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(['x', null, 2])).toBe("['x', NULL, 2]");
  });

  async function tableNames(database: string): Promise<string[]> {
    const rows = await db.query<{ name: string }>(
      'SELECT name FROM system.tables WHERE database = {d:String}',
      { d: database },
    );
    return rows.map((r) => r.name);
  }
});

describe('ClickHouse version detection', () => {
  it('reads the running server version and picks the 18.16 feature set for it', async () => {
    const store = await openClickHouseStore(freshUrl());
    try {
      const client = spawnSync('clickhouse-client', ['--version'], { encoding: 'utf8' }).stdout;
      const expected = /(\d+\.\d+\.\d+)/.exec(client)?.[1];
      expect(expected).toBeDefined();
      expect(store.serverVersion.text.startsWith(expected as string)).toBe(true);
      if (store.serverVersion.major < 19) {
        expect(store.features).toEqual({
          queryParameters: false,
          codecs: false,
          ttl: false,
          dateTime64: false,
          lowCardinalityStable: false,
          parallelParsingSetting: false,
        });
      }
    } finally {
      await store.close();
    }
  });

  it('turns every feature on for current releases and renders the schema with them', () => {
    const features = featuresOf(parseServerVersion('24.8.4.13'));
    expect(Object.values(features).every(Boolean)).toBe(true);
    const ddl = createTableSql(PREDICTIONS.spec, features, { retentionDays: 30 });
    expect(ddl).toContain('tenant LowCardinality(String)');
    expect(ddl).toContain('ts Int64 CODEC(DoubleDelta, ZSTD(1))');
    expect(ddl).toContain("time DateTime64(3, 'UTC') ALIAS fromUnixTimestamp64Milli(ts, 'UTC')");
    expect(ddl).toContain("TTL toDate(toDateTime(intDiv(ts, 1000), 'UTC')) + toIntervalDay(30)");
    const legacy = createTableSql(PREDICTIONS.spec, featuresOf(parseServerVersion('18.16.1')), {
      retentionDays: 30,
    });
    expect(legacy).not.toMatch(/CODEC|TTL|LowCardinality|DateTime64/);
    expect(featuresOf(parseServerVersion('19.15.2')).queryParameters).toBe(true);
    expect(featuresOf(parseServerVersion('19.14.9')).queryParameters).toBe(false);
  });

  it('creates the database named in the URL, and factorywatch by default', async () => {
    expect(parseClickHouseUrl('clickhouse:http://h:8123').database).toBe('factorywatch');
    expect(parseClickHouseUrl('http://u:p%40ss@h:8123/?database=fw2')).toEqual({
      url: 'http://h:8123',
      database: 'fw2',
      username: 'u',
      password: 'p@ss',
    });
    expect(() => parseClickHouseUrl('http://h:8123?database=a;b')).toThrow(/letters, digits/);
    const store = await openClickHouseStore(server.url);
    try {
      expect(store.database).toBe('factorywatch');
      const res = await fetch(
        `${server.url}/?query=${encodeURIComponent("SELECT count() FROM system.databases WHERE name = 'factorywatch'")}`,
      );
      expect((await res.text()).trim()).toBe('1');
    } finally {
      await store.close();
    }
  });
});

describe('ClickHouse retention', () => {
  it('drops whole UTC-day partitions before the cutoff and keeps the rest', async () => {
    const store = await openClickHouseStore(freshUrl());
    try {
      const day = (d: number, hour = 12) => Date.UTC(2026, 0, d, hour);
      await store.ingest.applyBatch(
        batchOf('w1', 0, 3, {
          predictions: [
            predictionRow({ walSeq: 0, ts: day(1) }),
            predictionRow({ walSeq: 1, ts: day(2, 23) }),
            predictionRow({ walSeq: 2, ts: day(3, 0) }),
            predictionRow({ walSeq: 3, ts: day(3, 23) }),
          ],
          features: [featureRow({ walSeq: 0, ts: day(1) }), featureRow({ walSeq: 3, ts: day(3) })],
        }),
      );
      // The GPU idle rollups expire with the samples they summarise.
      expect(EXPIRING_TABLES).toEqual(
        expect.arrayContaining([
          'gpu_samples',
          'gpu_idle_rollups',
          'gpu_idle_rollup_buckets',
          'gpu_idle_stale',
        ]),
      );
      const dropped = await store.dropPartitionsBefore(day(3, 6));
      expect(dropped).toEqual([
        { table: 'prediction_features', partition: '20260101' },
        { table: 'predictions', partition: '20260101' },
        { table: 'predictions', partition: '20260102' },
      ]);
      const counts = Object.fromEntries((await store.ingest.counts()).map((c) => [c.stream, c.records]));
      expect(counts.predictions).toBe(2);
      // The batch ledger is not time-series data: the high-water mark survives retention.
      expect(await store.ingest.appliedHighWater('w1')).toBe(3);
      expect(await store.dropPartitionsBefore(day(3, 6))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('ClickHouse replay after a partial batch', () => {
  it('stores every entry exactly once when a crash left some tables and days written', async () => {
    const url = freshUrl();
    const first = await openClickHouseStore(url);
    const dayA = Date.UTC(2026, 0, 1, 23);
    const dayB = Date.UTC(2026, 0, 2, 1);
    const preds = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) =>
        predictionRow({ walSeq: from + i, ts: (from + i) % 2 ? dayA : dayB, requestId: `r${from + i}` }),
      );
    const feats = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => [
        featureRow({ walSeq: from + i, ts: dayA, feature: 'a', valueNum: from + i }),
        featureRow({ walSeq: from + i, ts: dayB, feature: 'b', valueNum: from + i }),
      ]).flat();
    try {
      await first.ingest.applyBatch(batchOf('w1', 0, 4, { predictions: preds(0, 4), features: feats(0, 4) }));
      // The crash: entries 5..7 reached predictions on day A only, and nothing else, and the
      // batch ledger never heard of them.
      const partial = preds(5, 7).filter((p) => p.ts === dayA);
      expect(partial.length).toBeGreaterThan(0);
      const body = partial.map((p) => PREDICTIONS.line(p, 'w1')).join('');
      await insertRaw(`INSERT INTO ${first.database}.predictions FORMAT TabSeparated`, body);
      const featureBody = feats(5, 5)
        .filter((f) => f.ts === dayB)
        .map((f) => PREDICTION_FEATURES.line(f, 'w1'))
        .join('');
      await insertRaw(`INSERT INTO ${first.database}.prediction_features FORMAT TabSeparated`, featureBody);
    } finally {
      await first.close();
    }

    // A new process replays an overlapping range (3..9).
    const second = await openClickHouseStore(url);
    try {
      expect(await second.ingest.appliedHighWater('w1')).toBe(4);
      await second.ingest.applyBatch(
        batchOf('w1', 3, 9, { predictions: preds(3, 9), features: feats(3, 9) }),
      );
      await second.ingest.applyBatch(
        batchOf('w1', 3, 9, { predictions: preds(3, 9), features: feats(3, 9) }),
      );
      const perSeq = await queryRaw<{ seq: number; n: number }>(
        `SELECT wal_seq AS seq, count() AS n FROM ${second.database}.predictions GROUP BY seq ORDER BY seq FORMAT JSONEachRow`,
      );
      expect(perSeq).toEqual(Array.from({ length: 10 }, (_, i) => ({ seq: i, n: 1 })));
      const perFeature = await queryRaw<{ seq: number; n: number }>(
        `SELECT wal_seq AS seq, count() AS n FROM ${second.database}.prediction_features GROUP BY seq ORDER BY seq FORMAT JSONEachRow`,
      );
      expect(perFeature).toEqual(Array.from({ length: 10 }, (_, i) => ({ seq: i, n: 2 })));
      expect(await second.ingest.appliedHighWater('w1')).toBe(9);
    } finally {
      await second.close();
    }
  });
});

describe('ClickHouse errors', () => {
  it('calls a refused connection transient, and syntax or schema errors permanent', async () => {
    const db = await ClickHouseDb.open(parseClickHouseUrl(freshUrl()));
    try {
      const syntax = await db.query('SELEC 1').catch((e: unknown) => e);
      expect(isTransientStoreError(syntax)).toBe(false);
      expect(String(syntax)).toMatch(/Syntax error/);
      const unknownTable = await db.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
      expect(isTransientStoreError(unknownTable)).toBe(false);
    } finally {
      await db.close();
    }
    const [port] = await import('../helpers/clickhouse-server.js').then((m) => m.freePorts(1));
    const refused = await ClickHouseDb.open(parseClickHouseUrl(`http://127.0.0.1:${port}`)).catch(
      (e: unknown) => e,
    );
    expect(isTransientStoreError(refused)).toBe(true);
    expect(String(refused)).toMatch(/ECONNREFUSED/);
  });

  it('fails a batch with a transient error while the server is down, then applies it once when it is back', async () => {
    const store: ClickHouseStore = await openClickHouseStore(freshUrl());
    try {
      await store.ingest.applyBatch(batchOf('w1', 0, 0, { predictions: [predictionRow({ walSeq: 0 })] }));
      await server.kill();
      const rows = [predictionRow({ walSeq: 1 }), predictionRow({ walSeq: 2 })];
      const failure = await store.ingest
        .applyBatch(batchOf('w1', 1, 2, { predictions: rows }))
        .catch((e: unknown) => e);
      expect(isTransientStoreError(failure)).toBe(true);
      await expect(store.ping()).rejects.toThrow();
      await server.restart();
      await store.ping();
      await store.ingest.applyBatch(batchOf('w1', 1, 2, { predictions: rows }));
      await store.ingest.applyBatch(batchOf('w1', 1, 2, { predictions: rows }));
      expect((await store.ingest.counts()).find((c) => c.stream === 'predictions')?.records).toBe(3);
    } finally {
      await store.close();
    }
  });

  it('never duplicates audit events when a failed append had landed and is retried', async () => {
    const url = freshUrl();
    const store = await openClickHouseStore(url);
    const other = await openClickHouseStore(url);
    const event = (seq: number): AuditEventRow => ({
      chainId: 'c1',
      seq,
      ts: 1000 + seq,
      kind: 'api_request',
      actor: 'alice',
      tenant: '',
      action: 'GET /v1/stats',
      resource: '/v1/stats',
      decision: 'allow',
      body: `{"seq":${seq}}`,
      prevHash: String(seq - 1).padStart(64, '0'),
      hash: String(seq).padStart(64, '0'),
    });
    const batch = Array.from({ length: 10 }, (_, i) => event(i));
    try {
      await server.kill();
      const failure = await store.audit.appendEvents(batch).catch((e: unknown) => e);
      expect(isTransientStoreError(failure)).toBe(true);
      await server.restart();
      // The lost answer: the first half of the batch was stored after all.
      await other.audit.appendEvents(batch.slice(0, 5));
      await store.audit.appendEvents(batch);
      await store.audit.appendEvents([event(10)]);
      const stored = await store.audit.eventsInRange('c1', 0, 100);
      expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i));
    } finally {
      await store.close();
      await other.close();
    }
  });
});

const byKey = <T>(rows: readonly T[]) =>
  [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

/**
 * The GPU and audit queries on ClickHouse against the embedded store's on the same rows: the
 * idle statement's edge cases (median spacing with half-ms ties, capped coverage across holes,
 * single-sample series, window edges, attribute changes, LIKE rules with escapes, duplicate and
 * foreign starved spans) and every audit read, including a retention delete.
 */
describe('ClickHouse GPU and audit stores agree with the embedded store', () => {
  const T0 = Date.UTC(2026, 0, 1);
  const from = T0 + 10 * 60_000;
  const until = T0 + 70 * 60_000;
  let ch: ClickHouseStore;
  let duck: Store;
  let splitDb: ClickHouseDb;
  let split: GpuStore;
  // Each tenant holds the same shapes of series drawn with another seed.
  const SEEDS = [
    [42, 'default'],
    [7, 'seed-7'],
    [1234, 'seed-1234'],
  ] as const;

  beforeAll(async () => {
    const url = freshUrl();
    ch = await openClickHouseStore(url);
    splitDb = await ClickHouseDb.open(parseClickHouseUrl(url));
    split = createClickHouseGpuStore(splitDb, { samplesPerQuery: 300 });
    duck = await openDuckDbStore(join(scratchDir(), 'parity.duckdb'));
    const batch = batchOf('w1', 0, 0, {
      gpuSamples: SEEDS.flatMap(([seed, tenant]) => gpuRows(seed, tenant)),
      pipelineStats: pipelineRows(),
      features: featureRows(),
    });
    await ch.ingest.applyBatch(batch);
    await duck.ingest.applyBatch(batch);
  });
  afterAll(async () => {
    await ch?.close();
    await splitDb?.close();
    await duck?.close();
  });

  function gpuRows(seed: number, tenant: string): GpuSampleRow[] {
    const rand = mulberry32(seed);
    const rows: GpuSampleRow[] = [];
    const pods = [
      { namespace: 'ml', pod: 'train_a-1', pipeline: '' },
      { namespace: '', pod: '', pipeline: '' },
      { namespace: 'data', pod: 'etl-x', pipeline: '' },
      { namespace: 'data', pod: 'etl-y', pipeline: 'lbl' },
      { namespace: 'ml', pod: 'trainXa-2', pipeline: '' },
    ];
    const series = (
      host: string,
      gpu: string,
      migInstance: string,
      startMs: number,
      endMs: number,
      spacing: number,
    ) => {
      let ts = startMs;
      while (ts < endMs) {
        const p = pods[Math.floor((ts - T0) / (17 * 60_000)) % pods.length]!;
        const active = rand();
        const values: Record<string, number> =
          active < 0.1
            ? {}
            : active < 0.5
              ? { gr_engine_active: rand() * 0.1 }
              : { gpu_util: Math.round(rand() * 100) };
        rows.push(
          gpuSampleRow({
            host,
            gpu,
            uuid: `GPU-${host}-${gpu}`,
            migInstance,
            migProfile: migInstance ? '1g.10gb' : '',
            ts,
            ...p,
            values,
          }),
        );
        // A 5-minute hole now and then: coverage is capped at 2 × the nominal interval.
        ts += rand() < 0.02 ? 300_000 : spacing + Math.floor(rand() * spacing * 0.5);
      }
    };
    series('h1', '0', '', T0, T0 + 80 * 60_000, 10_000);
    series('h1', '1', '', T0 + 30 * 60_000, T0 + 90 * 60_000, 7_000);
    series('h2', '0', '1', T0 + 8 * 60_000, T0 + 72 * 60_000, 15_000);
    series('h2', '0', '2', T0 + 12 * 60_000, T0 + 69 * 60_000, 20_000);
    // Spacings 1001 and 1002 (median 1001.5 → 1002), 1000 and 1001 (1000.5 → 1000): half-even.
    for (const [host, steps] of [
      ['h3', [0, 1001, 2003]],
      ['h4', [0, 1000, 2001]],
    ] as const) {
      for (const step of steps) {
        rows.push(
          gpuSampleRow({ host, ts: from + 5000 + step, hpcJob: 'job-7', values: { gr_engine_active: 0 } }),
        );
      }
    }
    // One sample only (the default interval), one just before the window, one outside the read range.
    rows.push(
      gpuSampleRow({
        host: 'h5',
        ts: from + 60_000,
        pod: 'etl-z',
        namespace: 'data',
        values: { gpu_util: 1 },
      }),
    );
    rows.push(
      gpuSampleRow({
        host: 'h6',
        ts: from - 10_000,
        pod: 'etl-z',
        namespace: 'data',
        values: { gpu_util: 0 },
      }),
    );
    rows.push(gpuSampleRow({ host: 'h7', ts: from - 200_000, values: { gpu_util: 0 } }));
    rows.push(gpuSampleRow({ host: 'h8', ts: until + 1000, values: { gpu_util: 0 } }));
    return rows.map((r) => ({ ...r, tenant }));
  }

  function pipelineRows(): PipelineStatRow[] {
    const rand = mulberry32(7);
    return Array.from({ length: 400 }, (_, i) =>
      pipelineStatRow({
        pipeline: ['etl', 'train', 'other'][i % 3]!,
        stage: ['load', 'fetch'][i % 2]!,
        ts: T0 + i * 13_000,
        queueDepth: rand() < 0.3 ? null : Math.floor(rand() * 50),
        lagSeconds: rand() < 0.3 ? null : rand() * 100,
      }),
    );
  }

  /** A numeric feature with ties and extremes, and a categorical one holding numbers too. */
  function featureRows(): FeatureRow[] {
    const rand = mulberry32(99);
    const rows: FeatureRow[] = [];
    for (let i = 0; i < 2000; i++) {
      const ts = from + i * 1000;
      const v = rand();
      rows.push(
        featureRow({
          ts,
          feature: 'num',
          valueNum: v < 0.05 ? null : v < 0.1 ? 0 : v < 0.15 ? 1e300 : Math.round(rand() * 1000) / 8 - 40,
        }),
      );
      const mixed = [3, 2.5, 1e-5, 1e16, 0, -7, 123456789012345680, 0.1][i % 8]!;
      rows.push(
        featureRow({
          ts,
          feature: 'cat',
          valueNum: i % 3 === 0 ? mixed : null,
          valueStr: i % 3 === 1 ? ['red', 'blue', "it's", '3.0'][i % 4]! : null,
        }),
      );
    }
    return rows;
  }

  it('answers the drift window queries the same', async () => {
    const window = { tenant: 'default', model: 'm', version: 'v1', segment: '', from, to: until };
    expect(await ch.drift.featureCounts(window)).toEqual(await duck.drift.featureCounts(window));
    expect(await ch.drift.scopes(from, until)).toEqual(await duck.drift.scopes(from, until));
    const columns = await ch.drift.numericColumns(window, ['num', 'cat', 'none']);
    expect(columns).toEqual(await duck.drift.numericColumns(window, ['num', 'cat', 'none']));
    expect(columns.get('num')!.length).toBeGreaterThan(1800);
    const edges = Float64Array.from([-Infinity, -10, 0, 0.125, 50, 1e300]);
    expect(await ch.drift.histogram(window, 'num', edges)).toEqual(
      await duck.drift.histogram(window, 'num', edges),
    );
    const categories = await ch.drift.categoryCounts(window, ['cat', 'num']);
    expect(categories).toEqual(await duck.drift.categoryCounts(window, ['cat', 'num']));
    expect(Object.fromEntries(categories.get('cat')!)).toMatchObject({
      '3.0': expect.any(Number),
      '1e-05': expect.any(Number),
      '1e+16': expect.any(Number),
    });
  });

  const rules: PipelineLikeRule[] = [
    { pipeline: 'etl', namespaceLike: 'data', podLike: 'etl-%', jobLike: '%' },
    { pipeline: 'train', namespaceLike: 'ml', podLike: 'train\\_a%', jobLike: '%' },
    { pipeline: 'hpc', namespaceLike: '%', podLike: '%', jobLike: 'job-_' },
  ];
  const idleQuery = (over: Partial<GpuIdleQuery> = {}): GpuIdleQuery => ({
    tenant: 'default',
    from,
    until,
    threshold: 0.05,
    defaultIntervalMs: 15_000,
    maxIntervalMs: 60_000,
    pipelineRules: rules,
    starved: [
      { pipeline: 'etl', start: from + 5 * 60_000, end: from + 15 * 60_000 },
      { pipeline: 'etl', start: from + 5 * 60_000, end: from + 15 * 60_000 },
      { pipeline: 'etl', start: from + 30 * 60_000, end: from + 31 * 60_000 },
      { pipeline: 'train', start: from, end: until },
      { pipeline: 'lbl', start: from + 40 * 60_000, end: from + 50 * 60_000 },
      { pipeline: 'hpc', start: from + 5500, end: from + 7000 },
      { pipeline: 'nobody', start: from, end: until },
    ],
    ...over,
  });

  it('computes the same idle aggregates', async () => {
    for (const query of [
      ...SEEDS.map(([, tenant]) => idleQuery({ tenant })),
      idleQuery({ pipelineRules: [], starved: [] }),
      idleQuery({ threshold: 0.5, maxIntervalMs: 12_000, defaultIntervalMs: 4000 }),
      idleQuery({ tenant: 'nobody' }),
    ]) {
      const expected = await duck.gpu.idleAggregates(query);
      const actual = await ch.gpu.idleAggregates(query);
      expect(byKey(actual)).toEqual(byKey(expected));
      // Split into host ranges of a few hundred samples: the same rows in the same order.
      expect(await split.idleAggregates(query)).toEqual(actual);
      if (query.tenant !== 'nobody') expect(expected.length).toBeGreaterThan(8);
    }
    const rows = await ch.gpu.idleAggregates(idleQuery());
    expect(rows.some((r) => r.starvedIdleMs > 0 && r.pipeline === 'etl')).toBe(true);
    expect(rows.some((r) => r.starvedIdleMs > 0 && r.pipeline === 'hpc')).toBe(true);
    expect(rows.find((r) => r.host === 'h3')?.observedMs).toBe(1001 + 1002 + 1002);
    expect(rows.find((r) => r.host === 'h4')?.observedMs).toBe(1000 + 1001 + 1000);
  });

  it('maps the same pipelines and reads the same pipeline points', async () => {
    const window = { tenant: 'default', from, until, maxIntervalMs: 60_000, pipelineRules: rules };
    expect(await ch.gpu.mappedPipelines(window)).toEqual(await duck.gpu.mappedPipelines(window));
    expect(await ch.gpu.mappedPipelines(window)).toEqual(['etl', 'hpc', 'lbl', 'train']);
    const sortPoints = (points: PipelinePoint[]) =>
      [...points].sort(
        (a, b) => a.ts - b.ts || a.pipeline.localeCompare(b.pipeline) || a.stage.localeCompare(b.stage),
      );
    const points = await ch.gpu.pipelinePoints('default', ['etl', 'train'], T0 + 60_000, T0 + 3_000_000);
    expect(points.length).toBeGreaterThan(100);
    expect(points).toEqual(
      sortPoints(await duck.gpu.pipelinePoints('default', ['etl', 'train'], T0 + 60_000, T0 + 3_000_000)),
    );
    expect(await ch.gpu.pipelinePoints('default', [], T0, T0 + 3_000_000)).toEqual([]);
  });

  it('answers every audit read the same, before and after a retention delete', async () => {
    const events: AuditEventRow[] = [];
    for (const chainId of ['collector-a', "collector-'b"]) {
      for (let seq = 0; seq < 150; seq++) {
        events.push({
          chainId,
          seq,
          ts: T0 + seq * 1000 + (chainId === 'collector-a' ? 0 : 500),
          kind: seq % 10 === 0 ? 'retention_cut' : 'request',
          actor: ['alice', 'bob', 'svc\ttab'][seq % 3]!,
          tenant: seq % 4 === 0 ? '' : 'default',
          action: ['ingest', 'drift.pin', 'policy.read'][seq % 3]!,
          resource: `/v1/things/${seq % 5}`,
          decision: seq % 7 === 0 ? 'deny' : 'allow',
          body: JSON.stringify({ seq, note: "it's \\ \n" }),
          prevHash: (seq === 0 ? '0' : String(seq - 1)).padStart(64, '0'),
          hash: String(seq).padStart(64, '0'),
        });
      }
    }
    for (const store of [ch, duck]) {
      await store.audit.appendEvents(events.slice(0, 100));
      await store.audit.appendEvents(events.slice(100));
      await store.audit.appendEvents([]);
      for (const treeSize of [10, 150]) {
        await store.audit.appendCheckpoint({
          chainId: 'collector-a',
          treeSize,
          ts: T0 + treeSize,
          rootHash: 'ab'.repeat(32),
          headHash: 'cd'.repeat(32),
          keyId: 'k1',
          signature: 'c2ln',
        });
      }
    }
    const reads = async (store: Store) => ({
      chains: await store.audit.chains(),
      last: await store.audit.lastEvent("collector-'b"),
      none: await store.audit.lastEvent('nobody'),
      range: await store.audit.seqRange('collector-a'),
      noRange: await store.audit.seqRange('nobody'),
      inRange: await store.audit.eventsInRange('collector-a', 20, 40),
      hashes: await store.audit.hashesInRange("collector-'b", 140, 200),
      all: await store.audit.queryEvents({ limit: 1000 }),
      page: await store.audit.queryEvents({ limit: 7, afterSeq: 30 }),
      filtered: await store.audit.queryEvents({
        chainId: 'collector-a',
        actor: 'svc\ttab',
        action: 'policy.read',
        decision: 'allow',
        tenant: 'default',
        kind: 'request',
        resource: '/v1/things/2',
        from: T0 + 10_000,
        until: T0 + 120_000,
        limit: 100,
      }),
      cuts: await store.audit.queryEvents({ kind: 'retention_cut', limit: 10_000 }),
      checkpoints: await store.audit.checkpoints('collector-a'),
    });
    const before = await reads(ch);
    expect(before).toEqual(await reads(duck));
    expect(before.filtered.length).toBeGreaterThan(0);
    expect(before.all.length).toBe(300);

    expect(await ch.audit.deleteEventsBefore('collector-a', 50)).toBe(
      await duck.audit.deleteEventsBefore('collector-a', 50),
    );
    expect(await ch.audit.deleteEventsBefore('collector-a', 10)).toBe(0);
    await duck.audit.deleteEventsBefore('collector-a', 10);
    const after = await reads(ch);
    expect(after).toEqual(await reads(duck));
    expect(after.range).toEqual({ first: 50, last: 149 });
  });
});

describe('ClickHouse cluster DDL', () => {
  it('prints Replicated local tables and Distributed tables sharded by WAL entry', async () => {
    let out = '';
    let err = '';
    const io = {
      stdout: { write: (s: string) => ((out += s), true) },
      stderr: { write: (s: string) => ((err += s), true) },
    } as unknown as Parameters<typeof runClickHouseCli>[1];
    expect(
      await runClickHouseCli(['ddl', '--cluster', 'prod', '--database', 'fw', '--retention-days', '30'], io),
    ).toBe(0);
    expect(err).toBe('');
    expect(out).toContain('CREATE DATABASE IF NOT EXISTS `fw` ON CLUSTER `prod`;');
    for (const table of ['predictions', 'prediction_features', 'labels', 'pipeline_stats', 'gpu_samples']) {
      expect(out).toContain(`CREATE TABLE IF NOT EXISTS \`fw\`.\`${table}_local\` ON CLUSTER \`prod\``);
      expect(out).toContain(
        `ReplicatedMergeTree('/clickhouse/tables/{shard}/fw/${table}_local', '{replica}')`,
      );
      expect(out).toContain(
        `ENGINE = Distributed(\`prod\`, \`fw\`, \`${table}_local\`, cityHash64(wal_id, wal_seq))`,
      );
    }
    expect(out).toContain('toIntervalDay(30)');
    expect(await runClickHouseCli(['ddl'], io)).toBe(2);
    expect(err).toMatch(/--cluster is required/);
    expect(await runClickHouseCli(['ddl', '--cluster', 'a;b'], io)).toBe(2);
  });

  it('gives tables the store writes through exactly once, and reads back, over Distributed', async () => {
    // Replication needs Keeper, which the test machine lacks: the same DDL with plain MergeTree
    // local tables and without ON CLUSTER, over a one-node cluster, exercises everything else.
    const database = `cluster_${process.pid}`;
    const ddl = clusterDdl({ cluster: TEST_CLUSTER, database, serverVersion: '18.16.1' })
      .replaceAll(` ON CLUSTER \`${TEST_CLUSTER}\``, '')
      .replace(/ReplicatedMergeTree\('[^']*', '\{replica\}'\)/g, 'MergeTree');
    for (const statement of ddl
      .split(';\n')
      .map((s) => s.trim())
      .filter(Boolean))
      await commandRaw(statement);
    const engines = await queryRaw<{ name: string; engine: string }>(
      `SELECT name, engine FROM system.tables WHERE database = '${database}' AND name = 'predictions' FORMAT JSONEachRow`,
    );
    expect(engines).toEqual([{ name: 'predictions', engine: 'Distributed' }]);

    const store = await openClickHouseStore(`${server.url}?database=${database}`);
    try {
      const rows = Array.from({ length: 50 }, (_, i) => predictionRow({ walSeq: i }));
      await store.ingest.applyBatch(
        batchOf('w1', 0, 49, {
          predictions: rows,
          features: rows.map((r) => featureRow({ walSeq: r.walSeq })),
        }),
      );
      await store.ingest.applyBatch(batchOf('w1', 0, 49, { predictions: rows }));
      const counts = Object.fromEntries((await store.ingest.counts()).map((c) => [c.stream, c.records]));
      expect(counts.predictions).toBe(50);
      expect(await store.ingest.appliedHighWater('w1')).toBe(49);
      const local = await queryRaw<{ n: number }>(
        `SELECT count() AS n FROM ${database}.predictions_local FORMAT JSONEachRow`,
      );
      expect(local).toEqual([{ n: 50 }]);
    } finally {
      await store.close();
    }
  });
});

async function commandRaw(query: string): Promise<void> {
  const res = await fetch(server.url, { method: 'POST', body: query });
  if (!res.ok) throw new Error(`${await res.text()}\n${query}`);
}

async function insertRaw(query: string, body: string): Promise<void> {
  const res = await fetch(`${server.url}/?query=${encodeURIComponent(query)}`, { method: 'POST', body });
  if (!res.ok) throw new Error(await res.text());
}

async function queryRaw<T>(query: string): Promise<T[]> {
  const res = await fetch(`${server.url}/?output_format_json_quote_64bit_integers=0`, {
    method: 'POST',
    body: query,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}
