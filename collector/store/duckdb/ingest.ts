/** The ingest tables of the embedded store, written with DuckDB data chunks in one transaction per batch. */
import {
  BIGINT,
  DOUBLE,
  DuckDBDataChunk,
  INTEGER,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { GPU_FIELDS } from '../../gpu/fields.js';
import { STREAMS, type FeatureRow, type IngestBatch, type Stream } from '../../ingest/rows.js';
import type { IngestStore, StreamCount } from '../ingest-store.js';
import type { DuckDb } from './connection.js';
import { markGpuIdleStale } from './gpu.js';
import type { Migration } from './migrations.js';

const GPU_COLUMNS_SQL = GPU_FIELDS.map((f) => `${f.column} DOUBLE`).join(', ');

export const INGEST_MIGRATIONS: readonly Migration[] = [
  {
    id: 'ingest-001',
    sql: `
      CREATE TABLE predictions (tenant VARCHAR NOT NULL, ts BIGINT NOT NULL, model VARCHAR NOT NULL,
        version VARCHAR NOT NULL, segment VARCHAR NOT NULL, request_id VARCHAR, prediction_num DOUBLE,
        prediction_str VARCHAR, label_num DOUBLE, label_str VARCHAR, latency_ms DOUBLE);
      CREATE TABLE prediction_features (tenant VARCHAR NOT NULL, ts BIGINT NOT NULL, model VARCHAR NOT NULL,
        version VARCHAR NOT NULL, segment VARCHAR NOT NULL, feature VARCHAR NOT NULL, value_num DOUBLE,
        value_str VARCHAR);
      CREATE TABLE labels (tenant VARCHAR NOT NULL, ts BIGINT NOT NULL, request_id VARCHAR NOT NULL,
        label_num DOUBLE, label_str VARCHAR);
      CREATE TABLE pipeline_stats (tenant VARCHAR NOT NULL, ts BIGINT NOT NULL, pipeline VARCHAR NOT NULL,
        stage VARCHAR NOT NULL, run_id VARCHAR, rows_in DOUBLE NOT NULL, rows_out DOUBLE NOT NULL, bytes DOUBLE,
        lag_seconds DOUBLE, queue_depth DOUBLE, errors DOUBLE, duration_ms DOUBLE, status VARCHAR);
      CREATE TABLE gpu_samples (tenant VARCHAR NOT NULL, ts BIGINT NOT NULL, host VARCHAR NOT NULL,
        gpu VARCHAR NOT NULL, uuid VARCHAR NOT NULL, device VARCHAR NOT NULL, pci_bus_id VARCHAR NOT NULL,
        model_name VARCHAR NOT NULL, driver_version VARCHAR NOT NULL, mig_profile VARCHAR NOT NULL,
        mig_instance VARCHAR NOT NULL, namespace VARCHAR NOT NULL, pod VARCHAR NOT NULL, container VARCHAR NOT NULL,
        hpc_job VARCHAR NOT NULL, pipeline VARCHAR NOT NULL, xid_err_code VARCHAR NOT NULL, ${GPU_COLUMNS_SQL},
        extras VARCHAR NOT NULL, labels VARCHAR NOT NULL);
      CREATE TABLE ingest_batches (wal_id VARCHAR NOT NULL, from_seq BIGINT NOT NULL, to_seq BIGINT NOT NULL,
        applied_at BIGINT NOT NULL, PRIMARY KEY (wal_id, from_seq));
    `,
  },
];

/** The table behind each stream's count. */
const STREAM_TABLE: Record<Stream, string> = {
  predictions: 'predictions',
  labels: 'labels',
  pipeline_stats: 'pipeline_stats',
  gpu_samples: 'gpu_samples',
};

type Column = readonly [DuckDBType, (DuckDBValue | null)[]];

/** Assigns small integer ids to repeated strings, in first-seen order. */
class Dictionary {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }
}

/**
 * Feature rows travel as numbers. Consecutive rows of one prediction (same key and ts) form a
 * group, staged once with its key id and ts; each value is staged as (group, name id, value) in
 * the table of its kind (number, string, missing), so no staged column holds a NULL. Writing a
 * string into a DuckDB vector costs one native call per value, a NULL or a BIGINT a BigInt
 * operation in the JS binding; the strings, ts and NULLs are attached by one INSERT … SELECT
 * join inside DuckDB instead (BENCHMARKS.md, "ingest-e2e").
 */
function stageFeatures(rows: readonly FeatureRow[]) {
  const keys = new Dictionary();
  const names = new Dictionary();
  const groupKeys: number[] = [];
  const groupTs: bigint[] = [];
  const byKind = {
    num: { group: [] as number[], name: [] as number[], value: [] as number[] },
    str: { group: [] as number[], name: [] as number[], value: [] as string[] },
    missing: { group: [] as number[], name: [] as number[] },
  };
  let previous: FeatureRow | undefined;
  let keyId = -1;
  let group = -1;
  for (const r of rows) {
    const sameKey =
      previous !== undefined &&
      r.tenant === previous.tenant &&
      r.model === previous.model &&
      r.version === previous.version &&
      r.segment === previous.segment;
    if (!sameKey) keyId = keys.id(`${r.tenant}\u0000${r.model}\u0000${r.version}\u0000${r.segment}`);
    if (!sameKey || r.ts !== previous?.ts) {
      group = groupKeys.length;
      groupKeys.push(keyId);
      groupTs.push(BigInt(r.ts));
    }
    previous = r;
    const name = names.id(r.feature);
    if (r.valueNum !== null) {
      byKind.num.group.push(group);
      byKind.num.name.push(name);
      byKind.num.value.push(r.valueNum);
    } else if (r.valueStr !== null) {
      byKind.str.group.push(group);
      byKind.str.name.push(name);
      byKind.str.value.push(r.valueStr);
    } else {
      byKind.missing.group.push(group);
      byKind.missing.name.push(name);
    }
  }
  const keyParts = keys.values.map((k) => k.split('\u0000'));
  const ids = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    groups: [
      [INTEGER, ids(groupKeys.length)],
      [INTEGER, groupKeys],
      [BIGINT, groupTs],
    ] as Column[],
    numbers: [
      [INTEGER, byKind.num.group],
      [INTEGER, byKind.num.name],
      [DOUBLE, byKind.num.value],
    ] as Column[],
    strings: [
      [INTEGER, byKind.str.group],
      [INTEGER, byKind.str.name],
      [VARCHAR, byKind.str.value],
    ] as Column[],
    missing: [
      [INTEGER, byKind.missing.group],
      [INTEGER, byKind.missing.name],
    ] as Column[],
    keys: [
      [INTEGER, ids(keyParts.length)],
      ...[0, 1, 2, 3].map((part): Column => [VARCHAR, keyParts.map((k) => k[part] ?? '')]),
    ] as Column[],
    names: [
      [INTEGER, ids(names.values.length)],
      [VARCHAR, names.values],
    ] as Column[],
  };
}

/** The staging tables, in the order stageFeatures returns their columns. */
const STAGING_TABLES = [
  ['stage_feature_groups', 'group_id INTEGER, key_id INTEGER, ts BIGINT', 'groups'],
  ['stage_feature_numbers', 'group_id INTEGER, name_id INTEGER, value DOUBLE', 'numbers'],
  ['stage_feature_strings', 'group_id INTEGER, name_id INTEGER, value VARCHAR', 'strings'],
  ['stage_feature_missing', 'group_id INTEGER, name_id INTEGER', 'missing'],
  [
    'stage_feature_keys',
    'key_id INTEGER, tenant VARCHAR, model VARCHAR, version VARCHAR, segment VARCHAR',
    'keys',
  ],
  ['stage_feature_names', 'name_id INTEGER, feature VARCHAR', 'names'],
] as const;

// Created afresh for every batch: DELETE only marks rows, and a temp table emptied by DELETE kept
// its memory, growing the collector's RSS batch after batch.
const STAGING_SQL = STAGING_TABLES.map(
  ([table, columns]) => `CREATE OR REPLACE TEMP TABLE ${table} (${columns});`,
).join('\n');

const INSERT_STAGED_FEATURES = `
  INSERT INTO prediction_features
  SELECT k.tenant, g.ts, k.model, k.version, k.segment, n.feature, v.value_num, v.value_str
  FROM (
    SELECT group_id, name_id, value AS value_num, NULL::VARCHAR AS value_str FROM stage_feature_numbers
    UNION ALL SELECT group_id, name_id, NULL, value FROM stage_feature_strings
    UNION ALL SELECT group_id, name_id, NULL, NULL FROM stage_feature_missing
  ) v
  JOIN stage_feature_groups g USING (group_id)
  JOIN stage_feature_keys k USING (key_id)
  JOIN stage_feature_names n USING (name_id);
  ${STAGING_TABLES.map(([table]) => `DROP TABLE ${table};`).join(' ')}`;

export function createDuckDbIngestStore(db: DuckDb): IngestStore {
  // One reusable chunk per table: a chunk's native memory is only released when its JS wrapper
  // is collected, so a fresh chunk per 2,048 rows let RSS grow by hundreds of MB under load.
  const chunks = new Map<string, DuckDBDataChunk>();

  async function appendColumns(table: string, columns: readonly Column[]): Promise<void> {
    const rowCount = columns[0]?.[1].length ?? 0;
    if (rowCount === 0) return;
    const appender = await db.appender(table);
    let chunk = chunks.get(table);
    if (!chunk) {
      chunk = DuckDBDataChunk.create(columns.map(([type]) => type));
      chunks.set(table, chunk);
    }
    // A data chunk holds at most 2048 rows (DuckDB's vector size); appending whole column
    // vectors costs one native call per column instead of one per value.
    for (let start = 0; start < rowCount; start += 2048) {
      const end = Math.min(rowCount, start + 2048);
      chunk.reset();
      chunk.rowCount = end - start;
      for (let i = 0; i < columns.length; i++) {
        const values = (columns[i] as Column)[1];
        chunk.setColumnValues(i, start === 0 && end === values.length ? values : values.slice(start, end));
      }
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  }

  const bigints = (values: number[]) => values.map((v) => BigInt(v));

  return {
    async appliedHighWater(walId) {
      const rows = await db.all<{ hw: number | null }>(
        'SELECT max(to_seq) AS hw FROM ingest_batches WHERE wal_id = ?',
        [walId],
      );
      return rows[0]?.hw ?? -1;
    },

    async applyBatch(batch: IngestBatch) {
      await db.transaction(async () => {
        const done = await db.allNow<{ hw: number | null }>(
          'SELECT max(to_seq) AS hw FROM ingest_batches WHERE wal_id = ?',
          [batch.walId],
        );
        const highWater = done[0]?.hw ?? -1;
        const fresh = <R extends { walSeq: number }>(rows: R[]) =>
          batch.fromSeq > highWater ? rows : rows.filter((r) => r.walSeq > highWater);
        if (batch.toSeq <= highWater) return;

        const p = fresh(batch.predictions);
        await appendColumns('predictions', [
          [VARCHAR, p.map((r) => r.tenant)],
          [BIGINT, bigints(p.map((r) => r.ts))],
          [VARCHAR, p.map((r) => r.model)],
          [VARCHAR, p.map((r) => r.version)],
          [VARCHAR, p.map((r) => r.segment)],
          [VARCHAR, p.map((r) => r.requestId)],
          [DOUBLE, p.map((r) => r.predictionNum)],
          [VARCHAR, p.map((r) => r.predictionStr)],
          [DOUBLE, p.map((r) => r.labelNum)],
          [VARCHAR, p.map((r) => r.labelStr)],
          [DOUBLE, p.map((r) => r.latencyMs)],
        ]);

        const f = fresh(batch.features);
        if (f.length > 0) {
          await db.runNow(STAGING_SQL);
          const stage = stageFeatures(f);
          for (const [table, , part] of STAGING_TABLES) await appendColumns(table, stage[part]);
          await db.runNow(INSERT_STAGED_FEATURES);
        }

        const l = fresh(batch.labels);
        await appendColumns('labels', [
          [VARCHAR, l.map((r) => r.tenant)],
          [BIGINT, bigints(l.map((r) => r.ts))],
          [VARCHAR, l.map((r) => r.requestId)],
          [DOUBLE, l.map((r) => r.labelNum)],
          [VARCHAR, l.map((r) => r.labelStr)],
        ]);

        const s = fresh(batch.pipelineStats);
        await appendColumns('pipeline_stats', [
          [VARCHAR, s.map((r) => r.tenant)],
          [BIGINT, bigints(s.map((r) => r.ts))],
          [VARCHAR, s.map((r) => r.pipeline)],
          [VARCHAR, s.map((r) => r.stage)],
          [VARCHAR, s.map((r) => r.runId)],
          [DOUBLE, s.map((r) => r.rowsIn)],
          [DOUBLE, s.map((r) => r.rowsOut)],
          [DOUBLE, s.map((r) => r.bytes)],
          [DOUBLE, s.map((r) => r.lagSeconds)],
          [DOUBLE, s.map((r) => r.queueDepth)],
          [DOUBLE, s.map((r) => r.errors)],
          [DOUBLE, s.map((r) => r.durationMs)],
          [VARCHAR, s.map((r) => r.status)],
        ]);

        const g = fresh(batch.gpuSamples);
        await appendColumns('gpu_samples', [
          [VARCHAR, g.map((r) => r.tenant)],
          [BIGINT, bigints(g.map((r) => r.ts))],
          [VARCHAR, g.map((r) => r.host)],
          [VARCHAR, g.map((r) => r.gpu)],
          [VARCHAR, g.map((r) => r.uuid)],
          [VARCHAR, g.map((r) => r.device)],
          [VARCHAR, g.map((r) => r.pciBusId)],
          [VARCHAR, g.map((r) => r.modelName)],
          [VARCHAR, g.map((r) => r.driverVersion)],
          [VARCHAR, g.map((r) => r.migProfile)],
          [VARCHAR, g.map((r) => r.migInstance)],
          [VARCHAR, g.map((r) => r.namespace)],
          [VARCHAR, g.map((r) => r.pod)],
          [VARCHAR, g.map((r) => r.container)],
          [VARCHAR, g.map((r) => r.hpcJob)],
          [VARCHAR, g.map((r) => r.pipeline)],
          [VARCHAR, g.map((r) => r.xidErrCode)],
          ...GPU_FIELDS.map((field): Column => [DOUBLE, g.map((r) => r.values[field.column] ?? null)]),
          [VARCHAR, g.map((r) => JSON.stringify(r.extras))],
          [VARCHAR, g.map((r) => JSON.stringify(r.labels))],
        ]);
        await markGpuIdleStale(db, g);

        await db.runNow('INSERT INTO ingest_batches VALUES (?, ?, ?, ?)', [
          batch.walId,
          Math.max(batch.fromSeq, highWater + 1),
          batch.toSeq,
          Date.now(),
        ]);
      });
    },

    async counts(tenant) {
      const where = tenant === undefined ? '' : ' WHERE tenant = ?';
      const params = tenant === undefined ? [] : [tenant];
      const result: StreamCount[] = [];
      for (const stream of STREAMS) {
        const rows = await db.all<{ n: number; last: number | null }>(
          `SELECT count(*) AS n, max(ts) AS last FROM ${STREAM_TABLE[stream]}${where}`,
          params,
        );
        result.push({ stream, records: rows[0]?.n ?? 0, lastTs: rows[0]?.last ?? null });
      }
      return result;
    },
  };
}
