import type { IngestBatch, Stream } from '../ingest/rows.js';

/** Stored volume of one stream. */
export interface StreamCount {
  stream: Stream;
  records: number;
  /** Epoch ms of the newest stored record, null when the stream is empty. */
  lastTs: number | null;
}

export interface IngestStore {
  /** The highest WAL sequence number of `walId` whose rows are fully stored, or -1. */
  appliedHighWater(walId: string): Promise<number>;
  /**
   * Stores a batch of consecutive WAL entries. Idempotent per (walId, seq): rows of entries the
   * store already holds are skipped, so replaying after a crash never duplicates.
   */
  applyBatch(batch: IngestBatch): Promise<void>;
  /** Stored record counts per stream (every stream listed, zero when empty). */
  counts(tenant?: string): Promise<StreamCount[]>;
}
