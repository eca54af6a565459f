/**
 * The audit queries of the embedded store. Plain SQL (no DuckDB-only features) so the
 * ClickHouse port stays a translation; every value is a bound parameter.
 */
import { createRequire } from 'node:module';
import type { DuckDBBlobVector, DuckDBDoubleVector, DuckDBIntegerVector } from '@duckdb/node-api';
import { auditEventFromRow, auditFilterConditions, type AuditEventSqlRow } from '../audit-rows.js';
import type { AuditCheckpointRow, AuditColumnScan, AuditEventFilter, AuditStore } from '../audit-store.js';
import type { DuckDb } from './connection.js';
import type { Migration } from './migrations.js';

/** The audit tables. */
export const AUDIT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'audit-001',
    sql: `CREATE TABLE audit_events (
      chain_id VARCHAR NOT NULL,
      seq BIGINT NOT NULL,
      ts BIGINT NOT NULL,
      kind VARCHAR NOT NULL,
      actor VARCHAR NOT NULL,
      tenant VARCHAR NOT NULL,
      action VARCHAR NOT NULL,
      resource VARCHAR NOT NULL,
      decision VARCHAR NOT NULL,
      body VARCHAR NOT NULL,
      prev_hash VARCHAR NOT NULL,
      hash VARCHAR NOT NULL
    )`,
  },
  {
    id: 'audit-002',
    sql: `CREATE TABLE audit_checkpoints (
      chain_id VARCHAR NOT NULL,
      tree_size BIGINT NOT NULL,
      ts BIGINT NOT NULL,
      root_hash VARCHAR NOT NULL,
      head_hash VARCHAR NOT NULL,
      key_id VARCHAR NOT NULL,
      signature VARCHAR NOT NULL
    )`,
  },
];

const EVENT_COLUMNS =
  'chain_id, seq, ts, kind, actor, tenant, action, resource, decision, body, prev_hash, hash';

const SCAN_PARTS = ['prev_hash', 'body', 'hash', 'kind', 'actor', 'tenant', 'action', 'resource', 'decision'];
// No ORDER BY: sorting 1M rows of ~400-byte bodies spilled past the 256MB memory limit and cost
// seconds (audit-verify-1m); DuckDB returns a plain scan in insertion order, and the verifier
// treats any row out of seq order as damage to examine on its exact, ordered path.
// encode() turns VARCHAR into BLOB without interpreting escapes, so bytes come out verbatim;
// strlen() is the length in bytes. concat() builds each row's string in one pass: a chain of
// eight `||` made eight intermediate strings and cost 3× more DuckDB time (575 vs 174 ms per 1M
// rows, audit-verify-1m). concat() is never NULL (it reads NULL as empty), so every row's blob
// is a real string; a NULL column shows as a NULL length.
const scanSql = (
  parts: readonly string[],
) => `SELECT seq::DOUBLE, ts::DOUBLE, encode(concat(${parts.join(', ')})),
  ${parts.map((c) => `strlen(${c})::INTEGER`).join(', ')}
  FROM audit_events WHERE chain_id = ?`;
const SCAN_SQL = scanSql(SCAN_PARTS);
// Without the index columns (a shallow check ignores them): ~1/3 fewer bytes to concatenate and
// copy out per row, six fewer length columns (audit-verify-1m, shallow).
const CHAIN_PARTS = SCAN_PARTS.slice(0, 3);
const SCAN_CHAIN_SQL = scanSql(CHAIN_PARTS);

/** Copies `length` bytes from the address stored at `pointerOffset` of `buffer` (node-bindings). */
type CopyFromPointer = (buffer: ArrayBuffer, pointerOffset: number, length: number) => Uint8Array;

/**
 * The bindings' `get_data_from_pointer`, from @duckdb/node-api's own dependency (what its
 * getItemBytes calls once per row); undefined if it cannot be found.
 */
const copyFromPointer = ((): CopyFromPointer | undefined => {
  try {
    const api = createRequire(import.meta.url).resolve('@duckdb/node-api');
    const bindings = createRequire(api)('@duckdb/node-bindings') as { get_data_from_pointer?: unknown };
    const copy = bindings.get_data_from_pointer;
    return typeof copy === 'function' ? (copy as CopyFromPointer) : undefined;
  } catch {
    return undefined;
  }
})();

/** Bytes per entry of a DuckDB string vector: duckdb_string_t of the C API. */
const STRING_T = 16;
/** Longest string stored inside its duckdb_string_t; longer ones hold a pointer at byte 8. */
const INLINE_MAX = 12;

/**
 * How to copy a blob vector's rows out. Rows one by one (getItemBytes) cost a call into the
 * bindings and a new ArrayBuffer each: ~0.8 s and much of the GC time per 1M events
 * (audit-verify-1m, CPU profile). DuckDB writes a chunk's strings one after another into a few
 * heap blocks (~9 per 2,048-row chunk), so runs of rows whose payloads are exactly back to back
 * are copied with one call each. Every byte copied belongs to one of the run's rows: the run
 * only grows while the next row's pointer equals the end of the previous payload. Reads the
 * vector's string_t entries (the C API's duckdb_string_t layout) from the DataView the
 * node-api vector keeps; without it, or without the bindings, falls back to getItemBytes.
 */
export function blobRows(
  vector: Pick<DuckDBBlobVector, 'getItemBytes'>,
  rowCount: number,
): {
  length(row: number): number;
  copyRows(from: number, to: number, target: Uint8Array, offset: number): void;
} {
  const view = (vector as unknown as { dataView?: unknown }).dataView;
  const copy = copyFromPointer;
  if (!copy || !(view instanceof DataView) || view.byteLength !== rowCount * STRING_T) {
    const items: (Uint8Array | null | undefined)[] = [];
    const item = (row: number) => (items[row] ??= vector.getItemBytes(row));
    return {
      length: (row: number) => item(row)?.length ?? -1,
      copyRows(from: number, to: number, target: Uint8Array, offset: number) {
        for (let row = from; row < to; row++) {
          const bytes = item(row) ?? new Uint8Array(0);
          target.set(bytes, offset);
          offset += bytes.length;
        }
      },
    };
  }
  const lengthAt = (row: number) => view.getUint32(row * STRING_T, true);
  const pointerAt = (row: number) =>
    view.getUint32(row * STRING_T + 8, true) + view.getUint32(row * STRING_T + 12, true) * 2 ** 32;
  return {
    length: lengthAt,
    copyRows(from: number, to: number, target: Uint8Array, offset: number) {
      let row = from;
      while (row < to) {
        const length = lengthAt(row);
        if (length <= INLINE_MAX) {
          target.set(new Uint8Array(view.buffer, view.byteOffset + row * STRING_T + 4, length), offset);
          offset += length;
          row++;
          continue;
        }
        const first = pointerAt(row);
        let end = first + length;
        let next = row + 1;
        for (; next < to; next++) {
          const nextLength = lengthAt(next);
          if (nextLength <= INLINE_MAX || pointerAt(next) !== end) break;
          end += nextLength;
        }
        target.set(
          copy(view.buffer as ArrayBuffer, view.byteOffset + row * STRING_T + 8, end - first),
          offset,
        );
        offset += end - first;
        row = next;
      }
    },
  };
}

/** The audit store over one DuckDB connection. */
export function createDuckDbAuditStore(db: DuckDb): AuditStore & AuditColumnScan {
  return {
    scanChainColumns(chainId, onChunk, options = {}) {
      const withIndex = options.indexColumns ?? true;
      return db.exclusive(async () => {
        const result = await db.connection.stream(withIndex ? SCAN_SQL : SCAN_CHAIN_SQL, [chainId]);
        // Read one chunk ahead: DuckDB builds the next chunk on a libuv thread while the caller
        // hashes this one on the main thread, so the ~2.3 s the scan itself takes per 1M events
        // overlaps the hashing instead of adding to it (audit-verify-1m). Each fetched chunk is
        // its own DuckDB allocation, so the one being read stays valid meanwhile.
        let ahead = result.fetchChunk();
        for (;;) {
          const chunk = await ahead;
          if (!chunk || chunk.rowCount === 0) return;
          ahead = result.fetchChunk();
          const seq = chunk.getColumnVector(0) as DuckDBDoubleVector;
          const ts = chunk.getColumnVector(1) as DuckDBDoubleVector;
          const rows = blobRows(chunk.getColumnVector(2) as DuckDBBlobVector, chunk.rowCount);
          const lengths = (withIndex ? SCAN_PARTS : CHAIN_PARTS).map(
            (_, i) => chunk.getColumnVector(3 + i) as DuckDBIntegerVector,
          );
          const more = await onChunk({
            rowCount: chunk.rowCount,
            seq: (row) => seq.getItem(row) ?? Number.NaN,
            ts: (row) => ts.getItem(row) ?? Number.NaN,
            partLength: (part, row) => {
              const vector = lengths[part];
              if (!vector) return !withIndex && part < SCAN_PARTS.length ? 0 : -1;
              return vector.getItem(row) ?? -1;
            },
            rowLength: rows.length,
            copyRows: rows.copyRows,
          });
          if (!more) {
            await ahead.catch(() => undefined); // let the read in flight finish before the connection is released
            return;
          }
        }
      });
    },
    async appendEvents(rows) {
      if (rows.length === 0) return;
      await db.transaction(async () => {
        // The appender is DuckDB's bulk path: one INSERT per event would cap appends far below 20k/s.
        const appender = await db.appender('audit_events');
        for (const r of rows) {
          appender.appendVarchar(r.chainId);
          appender.appendBigInt(BigInt(r.seq));
          appender.appendBigInt(BigInt(r.ts));
          appender.appendVarchar(r.kind);
          appender.appendVarchar(r.actor);
          appender.appendVarchar(r.tenant);
          appender.appendVarchar(r.action);
          appender.appendVarchar(r.resource);
          appender.appendVarchar(r.decision);
          appender.appendVarchar(r.body);
          appender.appendVarchar(r.prevHash);
          appender.appendVarchar(r.hash);
          appender.endRow();
        }
        appender.closeSync();
      });
    },
    async lastEvent(chainId) {
      const rows = await db.all<AuditEventSqlRow>(
        `SELECT ${EVENT_COLUMNS} FROM audit_events WHERE chain_id = ? AND seq = (SELECT max(seq) FROM audit_events WHERE chain_id = ?)`,
        [chainId, chainId],
      );
      return rows[0] && auditEventFromRow(rows[0]);
    },
    async seqRange(chainId) {
      const rows = await db.all<{ first: number | null; last: number | null }>(
        'SELECT min(seq) AS first, max(seq) AS last FROM audit_events WHERE chain_id = ?',
        [chainId],
      );
      const r = rows[0];
      return r && r.first !== null && r.last !== null ? { first: r.first, last: r.last } : undefined;
    },
    async eventsInRange(chainId, fromSeq, toSeq) {
      const rows = await db.all<AuditEventSqlRow>(
        `SELECT ${EVENT_COLUMNS} FROM audit_events WHERE chain_id = ? AND seq >= ? AND seq < ? ORDER BY seq`,
        [chainId, fromSeq, toSeq],
      );
      return rows.map(auditEventFromRow);
    },
    async hashesInRange(chainId, fromSeq, toSeq) {
      return db.all<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM audit_events WHERE chain_id = ? AND seq >= ? AND seq < ? ORDER BY seq',
        [chainId, fromSeq, toSeq],
      );
    },
    async queryEvents(filter: AuditEventFilter) {
      const conditions = auditFilterConditions(filter);
      const where = conditions.map(({ column, op }) => `${column} ${op} ?`);
      const params = conditions.map((c) => c.value);
      params.push(filter.limit);
      const rows = await db.all<AuditEventSqlRow>(
        `SELECT ${EVENT_COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq, chain_id LIMIT ?`,
        params,
      );
      return rows.map(auditEventFromRow);
    },
    async deleteEventsBefore(chainId, beforeSeq) {
      const rows = await db.all<{ n: number }>(
        'SELECT count(*) AS n FROM audit_events WHERE chain_id = ? AND seq < ?',
        [chainId, beforeSeq],
      );
      await db.run('DELETE FROM audit_events WHERE chain_id = ? AND seq < ?', [chainId, beforeSeq]);
      return rows[0]?.n ?? 0;
    },
    async appendCheckpoint(row: AuditCheckpointRow) {
      await db.run('INSERT INTO audit_checkpoints VALUES (?, ?, ?, ?, ?, ?, ?)', [
        row.chainId,
        row.treeSize,
        row.ts,
        row.rootHash,
        row.headHash,
        row.keyId,
        row.signature,
      ]);
    },
    async checkpoints(chainId) {
      const rows = await db.all<{
        chain_id: string;
        tree_size: number;
        ts: number;
        root_hash: string;
        head_hash: string;
        key_id: string;
        signature: string;
      }>('SELECT * FROM audit_checkpoints WHERE chain_id = ? ORDER BY tree_size, ts', [chainId]);
      return rows.map((r) => ({
        chainId: r.chain_id,
        treeSize: r.tree_size,
        ts: r.ts,
        rootHash: r.root_hash,
        headHash: r.head_hash,
        keyId: r.key_id,
        signature: r.signature,
      }));
    },
    async chains() {
      const rows = await db.all<{ chain_id: string }>(
        'SELECT DISTINCT chain_id FROM audit_events ORDER BY chain_id',
      );
      return rows.map((r) => r.chain_id);
    },
  };
}
