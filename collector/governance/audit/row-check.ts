/**
 * The per-row half of the fast verification pass: each row's own hash, leaf hash and index
 * columns. Each row's hash is H(prev_hash ‖ body) over its own stored prev_hash, so rows can be
 * checked in any order and on any thread; the links between rows (prev_hash = the previous
 * row's hash) and the Merkle roots are checked in order by column-verify.ts.
 */
import type { AuditEventRow } from '../../store/audit-store.js';
import { exactIndexMatch, indexSurelyMatchesBody } from './body-index.js';
import { CompactRange, leafHash } from './merkle.js';
import { sha256 } from './sha256.js';

/** prev_hash, body, hash and the six index columns, in the order a column scan concatenates them. */
export const PARTS = 9;

/** Rows in column form, in plain transferable buffers (what goes to a worker thread). */
export interface RowBatch {
  readonly chainId: string;
  readonly deep: boolean;
  readonly rowCount: number;
  /** Every row's stored bytes, concatenated. */
  readonly bytes: Uint8Array;
  /** Row r's part p spans bytes[partStart[r·(PARTS+1)+p], partStart[r·(PARTS+1)+p+1]). */
  readonly partStart: Int32Array;
  readonly seq: Float64Array;
  readonly ts: Float64Array;
  /** Deep mode: also return the root of the leaves (the batch is a complete aligned subtree). */
  readonly subtree: boolean;
}

/** What a batch check found. */
export interface RowBatchResult {
  /** Index of the first row whose own hash or index columns are wrong; -1 when none. */
  readonly firstBad: number;
  /** Deep mode: the rows' RFC 6962 leaf hashes, 32 bytes each (up to the first bad row). */
  readonly leaves: Uint8Array | null;
  /** With `subtree`, when every row is good: the RFC 6962 root of the batch's leaves. */
  readonly root: Uint8Array | null;
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const utf8 = new TextDecoder('utf-8');

/** Whether 64 stored hex bytes are the lowercase hex of a 32-byte digest. */
function isHexOf(bytes: Uint8Array, start: number, end: number, digest: Uint8Array): boolean {
  if (end - start !== 64) return false;
  for (let k = 0; k < 32; k++) {
    const d = digest[k]!;
    if (bytes[start + 2 * k] !== HEX[d >> 4] || bytes[start + 2 * k + 1] !== HEX[d & 15]) return false;
  }
  return true;
}

/** Checks every row's own hash (and, deep, its leaf hash and index columns). Never throws. */
export function checkRows(batch: RowBatch): RowBatchResult {
  const { bytes, partStart, rowCount, deep } = batch;
  const leaves = deep ? new Uint8Array(rowCount * 32) : null;
  try {
    for (let r = 0; r < rowCount; r++) {
      const at = r * (PARTS + 1);
      const rowStart = partStart[at]!;
      const bodyEnd = partStart[at + 2]!;
      // The stored bytes are hashed as they are: hex(prev) ‖ body, no string round trip.
      const digest = sha256(bytes.subarray(rowStart, bodyEnd));
      if (!isHexOf(bytes, bodyEnd, partStart[at + 3]!, digest)) return { firstBad: r, leaves, root: null };
      if (leaves) {
        const body = bytes.subarray(partStart[at + 1]!, bodyEnd);
        const column = (k: number) => bytes.subarray(partStart[at + 3 + k]!, partStart[at + 4 + k]!);
        const seq = batch.seq[r]!;
        const ts = batch.ts[r]!;
        if (
          !indexSurelyMatchesBody(body, seq, ts, column) &&
          !exactIndexMatch(rowOf(batch.chainId, seq, ts, body, column))
        )
          return { firstBad: r, leaves, root: null };
        leaves.set(leafHash(digest), r * 32);
      }
    }
    // The batch's subtree root here, not on the main thread: its ~16k node hashes per batch
    // were ~1 s of the main thread's time in deep mode (audit-verify-1m, deep).
    let root: Uint8Array | null = null;
    if (leaves && batch.subtree) {
      const range = new CompactRange();
      for (let r = 0; r < rowCount; r++) range.append(leaves.subarray(r * 32, r * 32 + 32));
      root = range.root();
    }
    return { firstBad: -1, leaves, root };
  } catch {
    return { firstBad: 0, leaves, root: null };
  }
}

/** The row the exact index check needs (rare: only bodies the byte check is unsure of). */
function rowOf(
  chainId: string,
  seq: number,
  ts: number,
  body: Uint8Array,
  column: (k: number) => Uint8Array,
): AuditEventRow {
  const text = (k: number) => utf8.decode(column(k));
  return {
    chainId,
    seq,
    ts,
    kind: text(0),
    actor: text(1),
    tenant: text(2),
    action: text(3),
    resource: text(4),
    decision: text(5),
    body: utf8.decode(body),
    prevHash: '',
    hash: '',
  };
}
