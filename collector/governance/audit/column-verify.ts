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
  /** Byte length of the stored prev_hash. */
  prevHashLength(row: number): number;
  /** prev_hash bytes followed by body bytes. */
  prevAndBody(row: number): Uint8Array | null;
  hash(row: number): Uint8Array | null;
  /** 0 kind, 1 actor, 2 tenant, 3 action, 4 resource, 5 decision, as UTF-8 bytes. */
  indexColumn(column: number, row: number): Uint8Array | null;
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
const INDEX_COLUMNS = ['kind', 'actor', 'tenant', 'action', 'resource', 'decision'] as const;
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
  await source.scanChainColumns(chainId, (chunk) => {
    for (let i = 0; i < chunk.rowCount; i++) {
      const seq = chunk.seq(i);
      const prevAndBody = chunk.prevAndBody(i);
      const stored = chunk.hash(i);
      const prevLength = chunk.prevHashLength(i);
      // Same checks as the ordered pass: position, link to the previous hash, own hash.
      if (seq !== expected || prevAndBody === null || stored === null) return (ok = false);
      if (prevLength !== prev.length || !sameBytes(prevAndBody, prev, prevLength)) return (ok = false);
      // The stored bytes are hashed as they are: hex(prev) || body, no string round trip.
      const digest = oneShotHash('sha256', prevAndBody, 'buffer');
      if (!isHexOf(stored, digest)) return (ok = false);
      prev = stored;
      if (tree) {
        const body = prevAndBody.subarray(prevLength);
        const ts = chunk.ts(i);
        if (!indexSurelyMatchesBody(body, seq, ts, (k) => chunk.indexColumn(k, i))) {
          const row = rowOf(chunk, i, chainId, body);
          if (!row || !exactIndexCheck(row)) return (ok = false);
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

/** The row the exact index check needs, decoded from the chunk (rare: only bodies the byte check is unsure of). */
function rowOf(
  chunk: EventColumnChunk,
  i: number,
  chainId: string,
  body: Uint8Array,
): AuditEventRow | undefined {
  const columns: string[] = [];
  for (let k = 0; k < INDEX_COLUMNS.length; k++) {
    const bytes = chunk.indexColumn(k, i);
    if (bytes === null) return undefined;
    columns.push(utf8.decode(bytes));
  }
  const [kind = '', actor = '', tenant = '', action = '', resource = '', decision = ''] = columns;
  return {
    chainId,
    seq: chunk.seq(i),
    ts: chunk.ts(i),
    kind,
    actor,
    tenant,
    action,
    resource,
    decision,
    body: utf8.decode(body),
    prevHash: '',
    hash: '',
  };
}
