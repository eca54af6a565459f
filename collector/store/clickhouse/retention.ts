/**
 * Retention that works on every release: drop whole day partitions older than a cutoff. Dropping
 * a partition is a metadata operation (no rewrite), unlike row deletes. Audit tables keep their
 * own retention (policies/audit.yaml) and are never touched here.
 */
import type { ClickHouseDb } from './connection.js';
import { GPU_TABLES } from './gpu.js';
import { INGEST_TABLE_SPECS } from './ingest-tables.js';
import { sqlIdentifier, sqlLiteral } from './sql.js';

/** One dropped partition: a table's UTC day (YYYYMMDD). */
export interface DroppedPartition {
  table: string;
  partition: string;
}

/** The day-partitioned tables retention applies to: ingest tables and the GPU idle rollups. */
export const EXPIRING_TABLES: readonly string[] = [...INGEST_TABLE_SPECS, ...GPU_TABLES]
  .filter((s) => s.partitionByDay && s.expires)
  .map((s) => s.name);

/** YYYYMMDD of the UTC day holding `epochMs`, as a number. */
export function utcDayNumber(epochMs: number): number {
  const d = new Date(epochMs);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/**
 * Drops every partition whose whole UTC day lies before `epochMs` (the day holding `epochMs`
 * is kept), in `tables` (default: every expiring table). Returns what it dropped.
 */
export async function dropPartitionsBefore(
  db: ClickHouseDb,
  epochMs: number,
  tables: readonly string[] = EXPIRING_TABLES,
): Promise<DroppedPartition[]> {
  if (!Number.isFinite(epochMs)) throw new Error(`dropPartitionsBefore: ${epochMs} is not a time`);
  if (tables.length === 0) return [];
  const cutoff = utcDayNumber(epochMs);
  const parts = await db.query<{ table: string; partition_id: string }>(
    `SELECT DISTINCT table, partition_id FROM system.parts
     WHERE database = {database:String} AND active AND has({tables:Array(String)}, table)
     ORDER BY table, partition_id`,
    { database: db.database, tables: [...tables] },
  );
  const dropped: DroppedPartition[] = [];
  for (const part of parts) {
    // Day partitions have ids YYYYMMDD (see schema.ts); anything else is not ours to drop.
    if (!/^\d{8}$/.test(part.partition_id) || Number(part.partition_id) >= cutoff) continue;
    // PARTITION ID takes a literal, never a bound parameter; the id was checked to be 8 digits.
    await db.command(
      `ALTER TABLE ${sqlIdentifier(part.table)} DROP PARTITION ID ${sqlLiteral(part.partition_id)}`,
    );
    dropped.push({ table: part.table, partition: part.partition_id });
  }
  return dropped;
}
