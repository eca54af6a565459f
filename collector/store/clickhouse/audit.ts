/**
 * The audit queries of the ClickHouse store, a translation of the embedded store's plain SQL.
 *
 * Events of a chain are ordered by (chain_id, seq) and the table is not partitioned, so one
 * appendEvents is one INSERT and one part: stored entirely or not at all. A failed append may
 * still have landed (the answer was lost, not the write); the trail retries the same events, so
 * after a failure the next append of that chain first skips the events already stored, and a
 * retry never duplicates a seq. Deleting (retention cuts) is a mutation, waited for so the
 * rows are gone when deleteEventsBefore returns, as in the embedded store.
 */
import { auditEventFromRow, auditFilterConditions, type AuditEventSqlRow } from '../audit-rows.js';
import type { AuditCheckpointRow, AuditEventFilter, AuditEventRow, AuditStore } from '../audit-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import { createTablesStatements, type TableSpec } from './schema.js';
import { sqlLiteral, type SqlParams } from './sql.js';
import { tsvString } from './tsv.js';

const AUDIT_EVENTS: TableSpec = {
  name: 'audit_events',
  columns: [
    { name: 'chain_id', type: 'Name' },
    { name: 'seq', type: 'Int64' },
    { name: 'ts', type: 'Int64' },
    { name: 'kind', type: 'Name' },
    { name: 'actor', type: 'Name' },
    { name: 'tenant', type: 'Name' },
    { name: 'action', type: 'Name' },
    { name: 'resource', type: 'String' },
    { name: 'decision', type: 'Name' },
    { name: 'body', type: 'String' },
    { name: 'prev_hash', type: 'String' },
    { name: 'hash', type: 'String' },
  ],
  orderBy: ['chain_id', 'seq'],
  // Not by day: a batch is one part (atomic) whatever its timestamps, and the audit trail keeps
  // its own retention (cuts by seq), never the time-series partition drops.
  partitionByDay: false,
  expires: false,
};

const AUDIT_CHECKPOINTS: TableSpec = {
  name: 'audit_checkpoints',
  columns: [
    { name: 'chain_id', type: 'Name' },
    { name: 'tree_size', type: 'Int64' },
    { name: 'ts', type: 'Int64' },
    { name: 'root_hash', type: 'String' },
    { name: 'head_hash', type: 'String' },
    { name: 'key_id', type: 'String' },
    { name: 'signature', type: 'String' },
  ],
  orderBy: ['chain_id', 'tree_size'],
  partitionByDay: false,
  expires: false,
};

/** The audit tables (also rendered by the cluster DDL). */
export const AUDIT_TABLES: readonly TableSpec[] = [AUDIT_EVENTS, AUDIT_CHECKPOINTS];

/** The audit migrations: the tables above, created if missing. */
export const AUDIT_MIGRATIONS: readonly ClickHouseMigration[] = [
  { id: 'audit-001', statements: createTablesStatements(AUDIT_TABLES) },
];

const EVENT_COLUMNS =
  'chain_id, seq, ts, kind, actor, tenant, action, resource, decision, body, prev_hash, hash';
const EVENT_COLUMN_NAMES = AUDIT_EVENTS.columns.map((c) => c.name);
const CHECKPOINT_COLUMN_NAMES = AUDIT_CHECKPOINTS.columns.map((c) => c.name);

/** How long deleteEventsBefore waits for its mutation before giving up. */
const MUTATION_TIMEOUT_MS = 120_000;

function eventLine(r: AuditEventRow): string {
  return (
    `${tsvString(r.chainId)}\t${r.seq}\t${r.ts}\t${tsvString(r.kind)}\t${tsvString(r.actor)}\t` +
    `${tsvString(r.tenant)}\t${tsvString(r.action)}\t${tsvString(r.resource)}\t${tsvString(r.decision)}\t` +
    `${tsvString(r.body)}\t${tsvString(r.prevHash)}\t${tsvString(r.hash)}\n`
  );
}

/** LIMIT takes a literal on every release (no expression, no parameter before 21.x). */
function limitLiteral(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit ${limit} is not a count`);
  return sqlLiteral(limit);
}

/** The audit sub-store over `db`. */
export function createClickHouseAuditStore(db: ClickHouseDb): AuditStore {
  // Chains whose last append failed: what it wrote is unknown until checked.
  const suspect = new Set<string>();

  /** Drops the events whose (chain, seq, hash) is stored already (a retried append that had landed). */
  async function notYetStored(rows: readonly AuditEventRow[]): Promise<AuditEventRow[]> {
    const chains = [...new Set(rows.map((r) => r.chainId))].filter((c) => suspect.has(c));
    if (chains.length === 0) return [...rows];
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of rows) {
      if (r.seq < lo) lo = r.seq;
      if (r.seq > hi) hi = r.seq;
    }
    const stored = await db.query<{ chain_id: string; seq: number; hash: string }>(
      `SELECT chain_id, seq, hash FROM audit_events
       WHERE has({chains:Array(String)}, chain_id) AND seq >= {lo:Int64} AND seq <= {hi:Int64}`,
      { chains, lo, hi },
    );
    const held = new Set(stored.map((s) => `${s.chain_id}\0${s.seq}\0${s.hash}`));
    return rows.filter((r) => !held.has(`${r.chainId}\0${r.seq}\0${r.hash}`));
  }

  /** Resolves once no mutation of audit_events is pending (so a DELETE's rows are gone). */
  async function mutationsDone(): Promise<void> {
    const deadline = Date.now() + MUTATION_TIMEOUT_MS;
    for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
      const rows = await db.query<{ n: number }>(
        `SELECT count() AS n FROM system.mutations
         WHERE database = {database:String} AND table = 'audit_events' AND is_done = 0`,
        { database: db.database },
      );
      if (Number(rows[0]?.n ?? 0) === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`audit_events: a DELETE mutation is still running after ${MUTATION_TIMEOUT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  return {
    async appendEvents(rows) {
      if (rows.length === 0) return;
      const chains = new Set(rows.map((r) => r.chainId));
      try {
        const fresh = await notYetStored(rows);
        if (fresh.length > 0) {
          await db.insertTsv(AUDIT_EVENTS.name, EVENT_COLUMN_NAMES, fresh.map(eventLine).join(''));
        }
      } catch (error) {
        for (const c of chains) suspect.add(c);
        throw error;
      }
      for (const c of chains) suspect.delete(c);
    },

    async lastEvent(chainId) {
      const rows = await db.query<AuditEventSqlRow>(
        `SELECT ${EVENT_COLUMNS} FROM audit_events WHERE chain_id = {chainId:String}
         ORDER BY seq DESC LIMIT 1`,
        { chainId },
      );
      return rows[0] && auditEventFromRow(rows[0]);
    },

    async seqRange(chainId) {
      // min/max of no rows are 0 in ClickHouse, not NULL: the count says whether there were any.
      const rows = await db.query<{ n: number; first: number; last: number }>(
        'SELECT count() AS n, min(seq) AS first, max(seq) AS last FROM audit_events WHERE chain_id = {chainId:String}',
        { chainId },
      );
      const r = rows[0];
      return r && Number(r.n) > 0 ? { first: Number(r.first), last: Number(r.last) } : undefined;
    },

    async eventsInRange(chainId, fromSeq, toSeq) {
      const rows = await db.query<AuditEventSqlRow>(
        `SELECT ${EVENT_COLUMNS} FROM audit_events
         WHERE chain_id = {chainId:String} AND seq >= {fromSeq:Int64} AND seq < {toSeq:Int64} ORDER BY seq`,
        { chainId, fromSeq, toSeq },
      );
      return rows.map(auditEventFromRow);
    },

    async hashesInRange(chainId, fromSeq, toSeq) {
      const rows = await db.query<{ seq: number; hash: string }>(
        `SELECT seq, hash FROM audit_events
         WHERE chain_id = {chainId:String} AND seq >= {fromSeq:Int64} AND seq < {toSeq:Int64} ORDER BY seq`,
        { chainId, fromSeq, toSeq },
      );
      return rows.map((r) => ({ seq: Number(r.seq), hash: String(r.hash) }));
    },

    async queryEvents(filter: AuditEventFilter) {
      const params: Record<string, string | number> = {};
      const where = auditFilterConditions(filter).map(({ column, op, value }, i) => {
        params[`p${i}`] = value;
        return `${column} ${op} {p${i}:${typeof value === 'number' ? 'Int64' : 'String'}}`;
      });
      const rows = await db.query<AuditEventSqlRow>(
        `SELECT ${EVENT_COLUMNS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY seq, chain_id LIMIT ${limitLiteral(filter.limit)}`,
        params,
      );
      return rows.map(auditEventFromRow);
    },

    async deleteEventsBefore(chainId, beforeSeq) {
      const params: SqlParams = { chainId, beforeSeq };
      const rows = await db.query<{ n: number }>(
        'SELECT count() AS n FROM audit_events WHERE chain_id = {chainId:String} AND seq < {beforeSeq:Int64}',
        params,
      );
      const n = Number(rows[0]?.n ?? 0);
      if (n === 0) return 0;
      // A mutation's WHERE is stored and re-read by the server: literals, never bound
      // parameters, written by the one escaping function.
      await db.command(
        `ALTER TABLE audit_events DELETE WHERE chain_id = ${sqlLiteral(chainId)} AND seq < ${sqlLiteral(beforeSeq)}`,
      );
      await mutationsDone();
      return n;
    },

    async appendCheckpoint(row: AuditCheckpointRow) {
      await db.insertTsv(
        AUDIT_CHECKPOINTS.name,
        CHECKPOINT_COLUMN_NAMES,
        `${tsvString(row.chainId)}\t${row.treeSize}\t${row.ts}\t${tsvString(row.rootHash)}\t` +
          `${tsvString(row.headHash)}\t${tsvString(row.keyId)}\t${tsvString(row.signature)}\n`,
      );
    },

    async checkpoints(chainId) {
      const rows = await db.query<{
        chain_id: string;
        tree_size: number;
        ts: number;
        root_hash: string;
        head_hash: string;
        key_id: string;
        signature: string;
      }>(
        `SELECT chain_id, tree_size, ts, root_hash, head_hash, key_id, signature FROM audit_checkpoints
         WHERE chain_id = {chainId:String} ORDER BY tree_size, ts`,
        { chainId },
      );
      return rows.map((r) => ({
        chainId: String(r.chain_id),
        treeSize: Number(r.tree_size),
        ts: Number(r.ts),
        rootHash: String(r.root_hash),
        headHash: String(r.head_hash),
        keyId: String(r.key_id),
        signature: String(r.signature),
      }));
    },

    async chains() {
      const rows = await db.query<{ chain_id: string }>(
        'SELECT DISTINCT chain_id FROM audit_events ORDER BY chain_id',
      );
      return rows.map((r) => String(r.chain_id));
    },
  };
}
