/**
 * The per-row half of the fast verification pass: each row's own hash, its link to the row
 * before it in the batch, its index columns and (deep) the Merkle subtrees over the batch's
 * leaves. Each row's hash is H(prev_hash ‖ body) over its own stored prev_hash, so batches can
 * be checked in any order and on any thread; column-verify.ts checks seq order, the links
 * between batches, the checkpoints' head hashes and, in order, their Merkle roots.
 */
import type { AuditEventRow } from '../../store/audit-store.js';
import { exactIndexMatch, indexSurelyMatches } from './body-index.js';
import { coveringSubtrees, leafHashLatin1Into } from './merkle.js';
import { sha256Latin1 } from './sha256.js';

/** prev_hash, body, hash and the six index columns, in the order a column scan concatenates them. */
export const PARTS = 9;

/** Rows in column form, in plain transferable buffers (what goes to a worker thread). */
export interface RowBatch {
  readonly chainId: string;
  readonly deep: boolean;
  readonly rowCount: number;
  /** The seq of the first row (the others follow it one by one; checked by the sender). */
  readonly firstSeq: number;
  /** Every row's stored bytes, concatenated. */
  readonly bytes: Uint8Array;
  /** Row r's part p spans bytes[partStart[r·(PARTS+1)+p], partStart[r·(PARTS+1)+p+1]). */
  readonly partStart: Int32Array;
  readonly seq: Float64Array;
  readonly ts: Float64Array;
  /** Deep mode: row counts in (0, rowCount), ascending, where a checkpoint falls: no returned subtree spans one. */
  readonly cuts: readonly number[];
}

/** What a batch check found. */
export interface RowBatchResult {
  /** Index of the first row whose own hash, link or index columns are wrong; -1 when none. */
  readonly firstBad: number;
  /**
   * Deep mode, when every row is good: the RFC 6962 roots of the complete aligned subtrees that
   * cover the batch's leaves, in order (32 bytes each; see coveringSubtrees), and their levels.
   */
  readonly subtrees: Uint8Array | null;
  readonly levels: Uint8Array | null;
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** The two hex characters of each byte value, as a little-endian 16-bit word. */
const HEX_PAIR = new Uint16Array(256);
for (let d = 0; d < 256; d++) HEX_PAIR[d] = HEX[d >> 4]! | (HEX[d & 15]! << 8);
const utf8 = new TextDecoder('utf-8');

/**
 * Whether the stored bytes at `hash` and, unless it is -1, at `nextPrev` (64 each) are the
 * lowercase hex of the digest given as a latin1 string: a row's hash and the next row's
 * prev_hash in one pass over the digest, four characters per step.
 */
function isHexOf(view: DataView, hash: number, nextPrev: number, digest: string): boolean {
  for (let k = 0; k < 32; k += 2) {
    const hex = HEX_PAIR[digest.charCodeAt(k)]! | (HEX_PAIR[digest.charCodeAt(k + 1)]! << 16);
    if (view.getInt32(hash + 2 * k, true) !== hex) return false;
    if (nextPrev >= 0 && view.getInt32(nextPrev + 2 * k, true) !== hex) return false;
  }
  return true;
}

/** Checks every row's own hash and link (and, deep, its index columns and the Merkle subtrees). Never throws. */
export function checkRows(batch: RowBatch): RowBatchResult {
  const { bytes, partStart, rowCount, deep } = batch;
  const leaves = deep ? new Uint8Array(rowCount * 32) : null;
  const bad = (r: number): RowBatchResult => ({ firstBad: r, subtrees: null, levels: null });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    for (let r = 0; r < rowCount; r++) {
      const at = r * (PARTS + 1);
      const rowStart = partStart[at]!;
      const bodyStart = partStart[at + 1]!;
      const hashStart = partStart[at + 2]!;
      // This row's hash, and the link from the next row (its prev_hash = this hash); the first
      // row's link is the sender's to check.
      const next = at + PARTS + 1;
      if (partStart[at + 3]! - hashStart !== 64) return bad(r);
      if (r + 1 < rowCount && partStart[next + 1]! - partStart[next]! !== 64) return bad(r + 1);
      // The stored bytes are hashed as they are: hex(prev) ‖ body, no string round trip.
      const digest = sha256Latin1(bytes.subarray(rowStart, hashStart));
      if (!isHexOf(view, hashStart, r + 1 < rowCount ? partStart[next]! : -1, digest)) return bad(r);
      if (leaves) {
        const seq = batch.seq[r]!;
        const ts = batch.ts[r]!;
        if (
          !indexSurelyMatches(bytes, bodyStart, hashStart, seq, ts, partStart, at + 3) &&
          !exactIndexMatch(rowOf(batch, r))
        )
          return bad(r);
        leafHashLatin1Into(digest, leaves, r * 32);
      }
    }
    if (!leaves) return { firstBad: -1, subtrees: null, levels: null };
    // The tree nodes over the batch here, not on the main thread: ~1M node hashes per 1M events.
    const { hashes, levels } = coveringSubtrees(leaves, batch.firstSeq, rowCount, batch.cuts);
    return { firstBad: -1, subtrees: hashes, levels };
  } catch {
    return bad(0);
  }
}

/** Row r as the exact index check needs it (rare: only bodies the byte check is unsure of). */
function rowOf(batch: RowBatch, r: number): AuditEventRow {
  const at = r * (PARTS + 1);
  const text = (part: number) =>
    utf8.decode(batch.bytes.subarray(batch.partStart[at + part]!, batch.partStart[at + part + 1]!));
  return {
    chainId: batch.chainId,
    seq: batch.seq[r]!,
    ts: batch.ts[r]!,
    kind: text(3),
    actor: text(4),
    tenant: text(5),
    action: text(6),
    resource: text(7),
    decision: text(8),
    body: text(1),
    prevHash: '',
    hash: '',
  };
}
