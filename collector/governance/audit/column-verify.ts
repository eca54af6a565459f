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
 *
 * The main thread scans, checks positions and links, and keeps the Merkle roots; each row's
 * own hash, leaf hash and index columns (row-check.ts) go to worker threads in batches.
 */
import type { AuditCheckpointRow } from '../../store/audit-store.js';
import { CompactRange } from './merkle.js';
import { checkRows, PARTS, type RowBatch, type RowBatchResult } from './row-check.js';
import { compiledWorkerSpec, defaultWorkerCount, RowCheckPool, type WorkerSpec } from './row-check-pool.js';

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
  /**
   * `onChunk` returns (or resolves to) false to stop; the scan waits for a returned promise.
   * `indexColumns: false` may leave the six index columns empty (only deep mode reads them).
   */
  scanChainColumns(
    chainId: string,
    onChunk: (chunk: EventColumnChunk) => boolean | Promise<boolean>,
    options?: { indexColumns?: boolean },
  ): Promise<void>;
}

/** Where the chain starts: after a retention cut, or at genesis. */
export interface ChainStart {
  readonly firstSeq: number;
  readonly prevHash: string;
  /** Leaves before firstSeq and the subtrees covering them (retention cut), for deep mode. */
  readonly frontier: readonly Uint8Array[];
}

/** How the per-row checks run; the defaults suit production, tests pick the worker path. */
export interface ColumnVerifyOptions {
  /** The worker script; undefined checks rows in-thread. Default: the compiled worker, if present. */
  workers?: WorkerSpec | undefined;
  workerCount?: number;
  /**
   * Rows per batch, a power of two: batches end at multiples of it so each full one is a complete
   * Merkle subtree. Chains shorter than one batch are checked in-thread (no worker start-up).
   */
  batchRows?: number;
}

/**
 * 16,384 rows (~10 MB) per batch: large enough that a message per batch costs nothing beside
 * the ~16k hashes in it, small enough that a few batches in flight keep memory bounded.
 */
const BATCH_ROWS = 16_384;
const MAX_IN_FLIGHT = 4;

function sameBytes(a: Uint8Array, b: Uint8Array, length: number): boolean {
  for (let k = 0; k < length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Collects scanned rows into one transferable batch (one message per batch, not per row). Each
 * row is copied in as it arrives, so the row's own buffer dies young: holding 16k row buffers
 * until the batch was full got them promoted and made GC a tenth of the main thread's time
 * (CPU profile of audit-verify-1m).
 */
class BatchBuilder {
  private bytes: Uint8Array;
  private partStart: Int32Array;
  private seq: Float64Array;
  private ts: Float64Array;
  private rows = 0;
  private size = 0;

  constructor(
    private readonly chainId: string,
    private readonly deep: boolean,
    private readonly capacity: number,
  ) {
    this.bytes = new Uint8Array(64 * 1024); // grows by doubling to a batch's size, then stays
    this.partStart = new Int32Array(capacity * (PARTS + 1));
    this.seq = new Float64Array(capacity);
    this.ts = new Float64Array(capacity);
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Adds a row whose part lengths are `lengths` (already checked to sum to its length). */
  add(bytes: Uint8Array, lengths: Int32Array, seq: number, ts: number): void {
    const r = this.rows++;
    let at = this.size;
    for (let p = 0; p <= PARTS; p++) {
      this.partStart[r * (PARTS + 1) + p] = at;
      at += lengths[p] ?? 0;
    }
    if (this.size + bytes.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, this.size + bytes.length));
      grown.set(this.bytes.subarray(0, this.size));
      this.bytes = grown;
    }
    this.bytes.set(bytes, this.size);
    this.seq[r] = seq;
    this.ts[r] = ts;
    this.size += bytes.length;
  }

  /** The batch so far; its buffers are handed over (and may be transferred), the builder starts over. */
  take(subtree: boolean): RowBatch {
    const rowCount = this.rows;
    const batch: RowBatch = {
      chainId: this.chainId,
      deep: this.deep,
      rowCount,
      bytes: this.bytes.subarray(0, this.size),
      partStart: this.partStart.subarray(0, rowCount * (PARTS + 1)),
      seq: this.seq.subarray(0, rowCount),
      ts: this.ts.subarray(0, rowCount),
      subtree,
    };
    this.bytes = new Uint8Array(batch.bytes.buffer.byteLength);
    this.partStart = new Int32Array(this.capacity * (PARTS + 1));
    this.seq = new Float64Array(this.capacity);
    this.ts = new Float64Array(this.capacity);
    this.rows = 0;
    this.size = 0;
    return batch;
  }
}

/**
 * Checks the whole chain through the column scan. Returns the number of events when every
 * check passes (the caller still checks truncation against the newest checkpoint), or
 * undefined when anything is off (or a checker throws, or a worker dies): then run the exact
 * ordered pass.
 */
export async function verifyColumns(
  source: ColumnScanSource,
  chainId: string,
  start: ChainStart,
  checkpointsBySize: ReadonlyMap<number, readonly AuditCheckpointRow[]>,
  deep: boolean,
  options: ColumnVerifyOptions = {},
): Promise<number | undefined> {
  const spec = 'workers' in options ? options.workers : compiledWorkerSpec();
  const batchRows = options.batchRows ?? BATCH_ROWS;
  let prev: Uint8Array = Buffer.from(start.prevHash, 'utf8');
  let expected = start.firstSeq;
  let ok = true;
  let tree: CompactRange | undefined;
  try {
    if (deep) tree = new CompactRange(start.firstSeq, start.frontier);
  } catch {
    return undefined;
  }
  const lengths = new Int32Array(PARTS + 1);
  const builder = new BatchBuilder(chainId, deep, batchRows);
  let pool: RowCheckPool | undefined;
  /** Batches being checked, oldest first; each settles after its results are consumed in order. */
  const inFlight: Promise<void>[] = [];
  let consumed: Promise<void> = Promise.resolve();

  // Results are consumed in seq order: the leaves feed the compact range, whose root must match
  // each checkpoint at its tree size.
  const sizes = [...checkpointsBySize.keys()].sort((a, b) => a - b);
  /** Whether a checkpoint covers a tree size in (from, to): its root needs leaf-by-leaf appends. */
  const checkpointWithin = (from: number, to: number) => {
    let lo = 0;
    let hi = sizes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sizes[mid]! <= from) lo = mid + 1;
      else hi = mid;
    }
    return lo < sizes.length && sizes[lo]! < to;
  };
  const level = Math.log2(batchRows);
  const isSubtree = (firstSeq: number, rowCount: number) =>
    Number.isInteger(level) &&
    rowCount === batchRows &&
    firstSeq % batchRows === 0 &&
    !checkpointWithin(firstSeq, firstSeq + rowCount);
  const checkRoot = (size: number) => {
    const covering = checkpointsBySize.get(size);
    if (!covering || !tree) return;
    const root = tree.root().toString('hex');
    if (covering.some((c) => c.rootHash !== root)) ok = false;
  };

  // Results are consumed in seq order: the leaves (or a full batch's subtree root) feed the
  // compact range, whose root must match each checkpoint at its tree size.
  const consume = (firstSeq: number, result: RowBatchResult, rowCount: number) => {
    if (!ok) return;
    if (result.firstBad >= 0) {
      ok = false;
      return;
    }
    if (!tree || !result.leaves) return;
    if (result.root) {
      tree.appendSubtree(result.root, level);
      checkRoot(firstSeq + rowCount);
      return;
    }
    for (let r = 0; r < rowCount; r++) {
      tree.append(result.leaves.subarray(r * 32, r * 32 + 32));
      checkRoot(firstSeq + r + 1);
    }
  };
  const dispatch = () => {
    if (builder.rowCount === 0) return;
    const rowCount = builder.rowCount;
    const firstSeq = expected - rowCount;
    // Only chains of a full batch or more pay for worker start-up (~40 ms).
    if (!pool && spec && rowCount === batchRows)
      pool = new RowCheckPool(spec, options.workerCount ?? defaultWorkerCount());
    const batch = builder.take(deep && isSubtree(firstSeq, rowCount));
    if (!pool) {
      consume(firstSeq, checkRows(batch), rowCount);
      return;
    }
    const checked = pool.check(batch);
    checked.catch(() => undefined); // a dead worker is judged below, in order
    consumed = consumed.then(async () => {
      try {
        consume(firstSeq, await checked, rowCount);
      } catch {
        ok = false;
      }
    });
    inFlight.push(consumed);
  };

  try {
    await source.scanChainColumns(
      chainId,
      async (chunk) => {
        for (let i = 0; i < chunk.rowCount; i++) {
          const seq = chunk.seq(i);
          const bytes = chunk.bytes(i);
          if (seq !== expected || bytes === null) return (ok = false);
          let total = 0;
          for (let p = 0; p < PARTS; p++) {
            const length = chunk.partLength(p, i);
            if (length < 0) return (ok = false);
            lengths[p] = length;
            total += length;
          }
          if (total !== bytes.length) return (ok = false);
          const prevLength = lengths[0]!;
          const bodyEnd = prevLength + lengths[1]!;
          // The link to the previous row is checked here, in order; the row's own hash in row-check.ts.
          if (prevLength !== prev.length || !sameBytes(bytes, prev, prevLength)) return (ok = false);
          prev = bytes.subarray(bodyEnd, bodyEnd + lengths[2]!);
          builder.add(bytes, lengths, seq, deep ? chunk.ts(i) : 0);
          expected++;
          const covering = checkpointsBySize.get(expected);
          if (covering) {
            const head = Buffer.from(prev).toString('utf8');
            if (covering.some((c) => c.headHash !== head)) return (ok = false);
          }
          if (expected % batchRows === 0 || builder.rowCount === batchRows) dispatch();
        }
        // Bounded memory: wait for the oldest batch when too many are out.
        while (inFlight.length > MAX_IN_FLIGHT) await inFlight.shift();
        return ok;
      },
      { indexColumns: deep },
    );
    if (ok) dispatch();
    await consumed;
  } catch {
    ok = false;
  } finally {
    await consumed;
    await pool?.close();
  }
  return ok ? expected - start.firstSeq : undefined;
}
