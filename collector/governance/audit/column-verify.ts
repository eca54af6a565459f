/**
 * The fast verification pass over a store's column scan: the same checks as verifyChain's
 * ordered pass, on raw bytes in one streaming read. It only answers "the whole chain is
 * intact" or "something is off"; on anything off, verifyChain reruns its exact ordered pass,
 * which names the first bad seq and the kind of damage. So a clean answer here must imply
 * the exact pass finds nothing, and every check below is at least as strict as its twin there.
 *
 * Why: reading 1M events as row objects, decoding every body and hash to strings and
 * re-encoding them to hash took 42 s (74 s with Merkle roots); this pass is the 1M-event
 * verification goal (< 3 s) of bench/governance.bench.ts, audit-verify-1m.
 */
import { hash as oneShotHash } from 'node:crypto';
import type { AuditCheckpointRow, AuditEventRow } from '../../store/audit-store.js';
import { indexSurelyMatchesBody } from './body-index.js';
import { CompactRange, leafHash } from './merkle.js';

/** One chunk of stored events in column form (what a store's column scan yields). */
export interface EventColumnChunk {
  readonly rowCount: number;
  seq(row: number): number;
  ts(row: number): number;
  /** prev_hash, body, hash, kind, actor, tenant, action, resource, decision bytes, concatenated. */
  bytes(row: number): Uint8Array | null;
  /** Byte length of part `part` (in that order) of `bytes(row)`. */
  partLength(part: number, row: number): number;
}

/** A source that can stream a chain's events in storage order, column-wise. */
export interface ColumnScanSource {
  scanChainColumns(chainId: string, onChunk: (chunk: EventColumnChunk) => boolean): Promise<void>;
}

/** Where the chain starts: after a retention cut, or at genesis. */
export interface ChainStart {
  readonly firstSeq: number;
  readonly prevHash: string;
  /** Leaves before firstSeq and the subtrees covering them (retention cut), for deep mode. */
  readonly frontier: readonly Uint8Array[];
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** prev_hash, body, hash and the six index columns. */
const PARTS = 9;
const utf8 = new TextDecoder('utf-8');

/** Whether 64 stored hex bytes are the lowercase hex of a 32-byte digest. */
function isHexOf(stored: Uint8Array, digest: Uint8Array): boolean {
  if (stored.length !== 64) return false;
  for (let k = 0; k < 32; k++) {
    const d = digest[k]!;
    if (stored[2 * k] !== HEX[d >> 4] || stored[2 * k + 1] !== HEX[d & 15]) return false;
  }
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array, length: number): boolean {
  for (let k = 0; k < length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Checks the whole chain through the column scan. Returns the number of events when every
 * check passes (the caller still checks truncation against the newest checkpoint), or
 * undefined when anything is off (or a checker throws): then run the exact ordered pass.
 */
export async function verifyColumns(
  source: ColumnScanSource,
  chainId: string,
  start: ChainStart,
  checkpointsBySize: ReadonlyMap<number, readonly AuditCheckpointRow[]>,
  deep: boolean,
  exactIndexCheck: (row: AuditEventRow) => boolean,
): Promise<number | undefined> {
  let prev: Uint8Array = Buffer.from(start.prevHash, 'utf8');
  let expected = start.firstSeq;
  let ok = true;
  let tree: CompactRange | undefined;
  try {
    if (deep) tree = new CompactRange(start.firstSeq, start.frontier);
  } catch {
    return undefined;
  }
  const offsets = new Int32Array(PARTS + 1);
  await source.scanChainColumns(chainId, (chunk) => {
    for (let i = 0; i < chunk.rowCount; i++) {
      const seq = chunk.seq(i);
      const bytes = chunk.bytes(i);
      if (seq !== expected || bytes === null) return (ok = false);
      for (let p = 0; p < PARTS; p++) {
        const length = chunk.partLength(p, i);
        if (length < 0) return (ok = false);
        offsets[p + 1] = offsets[p]! + length;
      }
      if (offsets[PARTS] !== bytes.length) return (ok = false);
      const prevLength = offsets[1]!;
      const bodyEnd = offsets[2]!;
      const stored = bytes.subarray(bodyEnd, offsets[3]);
      // Same checks as the ordered pass: position, link to the previous hash, own hash.
      if (prevLength !== prev.length || !sameBytes(bytes, prev, prevLength)) return (ok = false);
      // The stored bytes are hashed as they are: hex(prev) || body, no string round trip.
      const digest = oneShotHash('sha256', bytes.subarray(0, bodyEnd), 'buffer');
      if (!isHexOf(stored, digest)) return (ok = false);
      prev = stored;
      if (tree) {
        const body = bytes.subarray(prevLength, bodyEnd);
        const ts = chunk.ts(i);
        const column = (k: number) => bytes.subarray(offsets[3 + k]!, offsets[4 + k]!);
        if (!indexSurelyMatchesBody(body, seq, ts, column)) {
          const row = rowOf(seq, ts, chainId, body, column);
          if (!exactIndexCheck(row)) return (ok = false);
        }
        tree.append(leafHash(digest));
      }
      expected++;
      const covering = checkpointsBySize.get(expected);
      if (covering) {
        const head = utf8.decode(stored);
        for (const c of covering) {
          if (c.headHash !== head) return (ok = false);
          if (tree && tree.root().toString('hex') !== c.rootHash) return (ok = false);
        }
      }
    }
    return true;
  });
  return ok ? expected - start.firstSeq : undefined;
}

/** The row the exact index check needs (rare: only bodies the byte check is unsure of). */
function rowOf(
  seq: number,
  ts: number,
  chainId: string,
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
