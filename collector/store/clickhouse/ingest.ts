/**
 * The ingest store on ClickHouse, exactly-once without transactions.
 *
 * Each table's rows of a batch go in one INSERT per UTC day (a partition), and one INSERT that
 * stays one block is one part: all of it is stored or none of it. Every row carries its WAL
 * entry (wal_id, wal_seq), so "is entry N of table T on day D stored?" has a yes/no answer.
 * After all tables, one row in ingest_batches raises the WAL's high-water mark.
 *
 * Replays: entries at or below the high-water mark are skipped outright. Above it, a crash (or
 * a failed call whose INSERTs may have landed) can have left some tables written; so, unless
 * this process knows nothing was written above the mark (it wrote the mark itself and nothing
 * failed since), each table is asked which (entry, day) pairs of the batch it already holds and
 * those rows are skipped. That check runs only after a restart or a failure.
 */
import { STREAMS, type IngestBatch, type Stream } from '../../ingest/rows.js';
import type { IngestStore, StreamCount } from '../ingest-store.js';
import type { ClickHouseDb } from './connection.js';
import { markGpuIdleStale } from './gpu.js';
import {
  INGEST_BATCHES,
  INGEST_TABLE_SPECS,
  LABELS,
  GPU_SAMPLES,
  PIPELINE_STATS,
  PREDICTION_FEATURES,
  PREDICTIONS,
  type IngestTable,
} from './ingest-tables.js';
import type { ClickHouseMigration } from './migrations.js';
import { createTablesStatements } from './schema.js';

export const INGEST_MIGRATIONS: readonly ClickHouseMigration[] = [
  {
    id: 'ingest-001',
    statements: createTablesStatements(INGEST_TABLE_SPECS),
  },
];

const DAY_MS = 86_400_000;

/** The table behind each stream's count. */
const STREAM_TABLE: Record<Stream, string> = {
  predictions: 'predictions',
  labels: 'labels',
  pipeline_stats: 'pipeline_stats',
  gpu_samples: 'gpu_samples',
};

const countsSql = (where: string) =>
  STREAMS.map(
    (s) => `SELECT '${s}' AS stream, count() AS n, max(ts) AS last FROM ${STREAM_TABLE[s]}${where}`,
  ).join('\nUNION ALL\n');
const COUNTS_ALL = countsSql('');
const COUNTS_TENANT = countsSql(' WHERE tenant = {tenant:String}');

const HIGH_WATER = `SELECT count() AS n, max(to_seq) AS hw FROM ${INGEST_BATCHES.name} WHERE wal_id = {walId:String}`;

interface WalRow {
  walSeq: number;
  ts: number;
}

/** The ClickHouse ingest store, with the hook tests use to check the replay path. */
export function createClickHouseIngestStore(db: ClickHouseDb): IngestStore {
  // walId → high-water mark this process wrote itself, with nothing written above it since.
  // Absent means unknown (fresh process, or a call failed midway): check before inserting.
  const knownClean = new Map<string, number>();

  async function storedHighWater(walId: string): Promise<number> {
    const rows = await db.query<{ n: number; hw: number }>(HIGH_WATER, { walId });
    const row = rows[0];
    return row && row.n > 0 ? row.hw : -1;
  }

  /** The rows whose (entry, day) the table does not hold yet. */
  async function notYetStored<R extends WalRow>(
    table: IngestTable<R>,
    walId: string,
    rows: R[],
  ): Promise<R[]> {
    let lo = Infinity;
    let hi = -Infinity;
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (const r of rows) {
      if (r.walSeq < lo) lo = r.walSeq;
      if (r.walSeq > hi) hi = r.walSeq;
      if (r.ts < minTs) minTs = r.ts;
      if (r.ts > maxTs) maxTs = r.ts;
    }
    // The ts bounds let ClickHouse skip partitions outside the batch's days.
    const stored = await db.query<{ seq: number; day: number }>(
      `SELECT DISTINCT wal_seq AS seq, intDiv(ts, ${DAY_MS}) AS day FROM ${table.spec.name}
       WHERE wal_id = {walId:String} AND wal_seq >= {lo:Int64} AND wal_seq <= {hi:Int64}
         AND ts >= {minTs:Int64} AND ts <= {maxTs:Int64}`,
      { walId, lo, hi, minTs, maxTs },
    );
    if (stored.length === 0) return rows;
    const held = new Set(stored.map((s) => `${s.seq}:${s.day}`));
    return rows.filter((r) => !held.has(`${r.walSeq}:${Math.floor(r.ts / DAY_MS)}`));
  }

  /** One INSERT per UTC day: each stays a single part, stored entirely or not at all. */
  async function insertByDay<R extends WalRow>(
    table: IngestTable<R>,
    walId: string,
    rows: R[],
  ): Promise<void> {
    const bodies = new Map<number, string>();
    for (const row of rows) {
      const day = Math.floor(row.ts / DAY_MS);
      bodies.set(day, (bodies.get(day) ?? '') + table.line(row, walId));
    }
    for (const body of bodies.values()) await db.insertTsv(table.spec.name, table.columnNames, body);
  }

  async function store<R extends WalRow>(
    table: IngestTable<R>,
    batch: IngestBatch,
    rows: R[],
    highWater: number,
    clean: boolean,
  ) {
    let fresh = rows.filter((r) => r.walSeq > highWater);
    if (fresh.length === 0) return;
    if (!clean) fresh = await notYetStored(table, batch.walId, fresh);
    if (fresh.length > 0) await insertByDay(table, batch.walId, fresh);
  }

  return {
    async appliedHighWater(walId) {
      return knownClean.get(walId) ?? (await storedHighWater(walId));
    },

    async applyBatch(batch) {
      const known = knownClean.get(batch.walId);
      const highWater = known ?? (await storedHighWater(batch.walId));
      if (batch.toSeq <= highWater) return;
      const clean = known !== undefined;
      // Until this call completes, what lies above the mark is unknown.
      knownClean.delete(batch.walId);

      await store(PREDICTIONS, batch, batch.predictions, highWater, clean);
      await store(PREDICTION_FEATURES, batch, batch.features, highWater, clean);
      await store(LABELS, batch, batch.labels, highWater, clean);
      await store(PIPELINE_STATS, batch, batch.pipelineStats, highWater, clean);
      await store(GPU_SAMPLES, batch, batch.gpuSamples, highWater, clean);
      // Also when replaying rows already stored: a crash may have come between samples and marks.
      await markGpuIdleStale(
        db,
        batch.gpuSamples.filter((r) => r.walSeq > highWater),
      );
      await db.command(
        `INSERT INTO ${INGEST_BATCHES.name} (wal_id, from_seq, to_seq, applied_at) SELECT {walId:String}, {fromSeq:Int64}, {toSeq:Int64}, {at:Int64}`,
        {
          walId: batch.walId,
          fromSeq: Math.max(batch.fromSeq, highWater + 1),
          toSeq: batch.toSeq,
          at: Date.now(),
        },
      );
      knownClean.set(batch.walId, batch.toSeq);
    },

    async counts(tenant) {
      const rows =
        tenant === undefined
          ? await db.query<{ stream: Stream; n: number; last: number }>(COUNTS_ALL)
          : await db.query<{ stream: Stream; n: number; last: number }>(COUNTS_TENANT, { tenant });
      const byStream = new Map(rows.map((r) => [r.stream, r]));
      return STREAMS.map((stream): StreamCount => {
        const row = byStream.get(stream);
        // max() of no rows is 0 in ClickHouse, not NULL: the count says whether there were any.
        return row && row.n > 0
          ? { stream, records: row.n, lastTs: row.last }
          : { stream, records: 0, lastTs: null };
      });
    },
  };
}
