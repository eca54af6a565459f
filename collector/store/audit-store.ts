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
