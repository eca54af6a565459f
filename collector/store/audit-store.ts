/**
 * The audit queries a store answers. Events are append-only per chain (one chain per collector);
 * `body` is the event's canonical JSON and the only thing hashed, the other columns index it.
 */

/** One stored audit event. Timestamps are epoch milliseconds. */
export interface AuditEventRow {
  chainId: string;
  /** 0-based position in the chain = the RFC 6962 leaf index. */
  seq: number;
  ts: number;
  kind: string;
  actor: string;
  tenant: string;
  action: string;
  resource: string;
  decision: string;
  /** Canonical JSON of the whole event (what the hash covers). */
  body: string;
  /** Hex SHA-256 of the previous event (64 zeros for the first). */
  prevHash: string;
  /** Hex SHA-256(prev hash bytes || body). */
  hash: string;
}

/** A signed statement of the Merkle tree over the first `treeSize` events of a chain. */
export interface AuditCheckpointRow {
  chainId: string;
  treeSize: number;
  ts: number;
  /** Hex RFC 6962 root. */
  rootHash: string;
  /** Hex hash of event treeSize-1 (ties the hash chain to the tree). */
  headHash: string;
  keyId: string;
  /** Base64 Ed25519 signature over the checkpoint statement. */
  signature: string;
}

/** What `queryEvents` filters on; every field optional. */
export interface AuditEventFilter {
  chainId?: string;
  actor?: string;
  action?: string;
  resource?: string;
  decision?: string;
  tenant?: string;
  kind?: string;
  /** Inclusive lower bound on ts (epoch ms). */
  from?: number;
  /** Exclusive upper bound on ts (epoch ms). */
  until?: number;
  /** Cursor: only events with seq > afterSeq. */
  afterSeq?: number;
  limit: number;
}

/** Storage of the audit trail. */
export interface AuditStore {
  /** Appends events (already hashed) in one transaction. */
  appendEvents(rows: readonly AuditEventRow[]): Promise<void>;
  /** The newest event of a chain. */
  lastEvent(chainId: string): Promise<AuditEventRow | undefined>;
  /** The oldest remaining seq of a chain and the newest one (undefined when empty). */
  seqRange(chainId: string): Promise<{ first: number; last: number } | undefined>;
  /** Events with fromSeq ≤ seq < toSeq, ordered by seq (for verification and tree rebuilds). */
  eventsInRange(chainId: string, fromSeq: number, toSeq: number): Promise<AuditEventRow[]>;
  /** Only seq and hash of fromSeq ≤ seq < toSeq, ordered by seq: the cheap read for rebuilding the tree. */
  hashesInRange(chainId: string, fromSeq: number, toSeq: number): Promise<{ seq: number; hash: string }[]>;
  /** Events matching a filter, ordered by seq, at most `limit`. */
  queryEvents(filter: AuditEventFilter): Promise<AuditEventRow[]>;
  /** Deletes the events of a chain with seq < beforeSeq; returns how many were deleted. */
  deleteEventsBefore(chainId: string, beforeSeq: number): Promise<number>;
  appendCheckpoint(row: AuditCheckpointRow): Promise<void>;
  /** Every checkpoint of a chain, by tree size. */
  checkpoints(chainId: string): Promise<AuditCheckpointRow[]>;
  /** The chain ids present. */
  chains(): Promise<string[]>;
}

/**
 * One chunk of a chain's events in column form, for verification. Bytes, not strings:
 * decoding ~1M bodies and hashes to JS strings and re-encoding them to hash them was most of
 * the 42 s that verifying 1M events took (bench/governance.bench.ts, audit-verify-1m).
 */
export interface AuditColumnChunk {
  readonly rowCount: number;
  seq(row: number): number;
  ts(row: number): number;
  /** Byte length of part `part` (0 prev_hash, 1 body, 2 hash, 3.. the index columns) of the row's bytes; -1 if NULL. */
  partLength(part: number, row: number): number;
  /**
   * Byte length of the row's stored bytes, concatenated: prev_hash, body, hash, then the index
   * columns kind, actor, tenant, action, resource, decision. One string per row instead of nine:
   * each string fetched from DuckDB costs a call into the bindings (audit-verify-1m).
   */
  rowLength(row: number): number;
  /** Copies the stored bytes of rows [from, to), back to back, into `target` from `offset`. */
  copyRows(from: number, to: number, target: Uint8Array, offset: number): void;
}

/** The column scan the embedded store offers beyond AuditStore (verification uses it when present). */
export interface AuditColumnScan {
  /**
   * Streams every event of a chain in storage order (= append order; a verifier must check
   * seq itself) to `onChunk`, until it returns (or resolves to) false. With `indexColumns:
   * false` the rows' bytes hold only prev_hash, body and hash (the index columns' lengths read
   * as 0). Holds the connection meanwhile.
   */
  scanChainColumns(
    chainId: string,
    onChunk: (chunk: AuditColumnChunk) => boolean | Promise<boolean>,
    options?: { indexColumns?: boolean },
  ): Promise<void>;
}
