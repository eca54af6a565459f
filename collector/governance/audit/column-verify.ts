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
 * The main thread scans, checks seq order, the links between batches and the checkpoints' head
 * hashes, and keeps the Merkle roots; each row's own hash, its link within the batch, its index
 * columns and the Merkle subtrees over the batch (row-check.ts) go to worker threads in batches.
 */
import type { AuditCheckpointRow, AuditColumnChunk, AuditColumnScan } from '../../store/audit-store.js';
import { CompactRange } from './merkle.js';
import { checkRows, PARTS, type RowBatch, type RowBatchResult } from './row-check.js';
import { compiledWorkerSpec, defaultWorkerCount, RowCheckPool, type WorkerSpec } from './row-check-pool.js';

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
   * Rows per batch: batches end at multiples of it, or earlier once they hold `batchBytes`.
   * Chains shorter than one batch are checked in-thread (no worker start-up).
   */
  batchRows?: number;
  batchBytes?: number;
}

/**
 * 8,192 rows (~5 MB) per batch: a message per batch costs nothing beside the ~8k hashes in it,
 * and a few batches in flight keep memory bounded.
 */
const BATCH_ROWS = 8_192;
/** Bytes after which a batch is sent early (events with large request bodies): offsets stay int32, memory bounded. */
const BATCH_BYTES = 64 * 1024 * 1024;
const MAX_IN_FLIGHT = 4;
/** Parts of a row in a shallow scan: prev_hash, body, hash. */
const CHAIN_PARTS = 3;

/** Collects scanned rows into one transferable batch (one message per batch, not per row). */
class BatchBuilder {
  private bytes: Uint8Array;
  private partStart: Int32Array;
  private seq: Float64Array;
  private ts: Float64Array;
  private rows = 0;
  private size = 0;
  /** Checked batches whose buffers can take the next rows. */
  private readonly spare: RowBatch[] = [];

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

  /** Bytes of the rows added so far. */
  get byteCount(): number {
    return this.rows === 0 ? 0 : this.partStart[this.rows * (PARTS + 1) - 1]!;
  }

  /**
   * Adds row `row` of `chunk` (its bytes come with `copyFrom`). False when its parts are NULL or
   * do not add up to its length.
   */
  addRow(chunk: AuditColumnChunk, row: number, seq: number, parts: number): boolean {
    const r = this.rows;
    const at = r * (PARTS + 1);
    let offset = r === 0 ? 0 : this.partStart[at - 1]!;
    const rowStart = offset;
    for (let p = 0; p < PARTS; p++) {
      this.partStart[at + p] = offset;
      if (p < parts) {
        const length = chunk.partLength(p, row);
        if (length < 0) return false;
        offset += length;
      }
    }
    this.partStart[at + PARTS] = offset;
    if (offset - rowStart !== chunk.rowLength(row)) return false;
    this.seq[r] = seq;
    this.ts[r] = this.deep ? chunk.ts(row) : 0;
    this.rows++;
    return true;
  }

  /** Copies the bytes of the rows added from `chunk` since the last copy: rows [from, to) of it. */
  copyFrom(chunk: AuditColumnChunk, from: number, to: number): void {
    const end = this.byteCount;
    if (end > this.bytes.length) {
      const grown = new Uint8Array(Math.max(2 * this.bytes.length, end));
      grown.set(this.bytes.subarray(0, this.size));
      this.bytes = grown;
    }
    chunk.copyRows(from, to, this.bytes, this.size);
    this.size = end;
  }

  /** Bytes of row r's part p. */
  part(r: number, p: number): Uint8Array {
    const at = r * (PARTS + 1) + p;
    return this.bytes.subarray(this.partStart[at]!, this.partStart[at + 1]!);
  }

  /** The batch so far; its buffers are handed over (and may be transferred), the builder starts over. */
  take(firstSeq: number, cuts: number[]): RowBatch {
    const rowCount = this.rows;
    const batch: RowBatch = {
      chainId: this.chainId,
      deep: this.deep,
      rowCount,
      firstSeq,
      bytes: this.bytes.subarray(0, this.size),
      partStart: this.partStart.subarray(0, rowCount * (PARTS + 1)),
      seq: this.seq.subarray(0, rowCount),
      ts: this.ts.subarray(0, rowCount),
      cuts,
    };
    const spare = this.spare.pop();
    this.bytes = spare ? new Uint8Array(spare.bytes.buffer) : new Uint8Array(batch.bytes.buffer.byteLength);
    this.partStart = spare
      ? new Int32Array(spare.partStart.buffer)
      : new Int32Array(this.capacity * (PARTS + 1));
    this.seq = spare ? new Float64Array(spare.seq.buffer) : new Float64Array(this.capacity);
    this.ts = spare ? new Float64Array(spare.ts.buffer) : new Float64Array(this.capacity);
    this.rows = 0;
    this.size = 0;
    return batch;
  }

  /**
   * Takes back a checked batch's buffers for later batches: fresh ~5 MB ones per batch cost page
   * faults, zeroing and GC, ~0.2 s per 1M events (audit-verify-1m, system CPU time).
   */
  recycle(batch: RowBatch): void {
    if (this.spare.length <= MAX_IN_FLIGHT) this.spare.push(batch);
  }
}

/**
 * Whether `bytes` are `text`, all ASCII: then, and only then for sure, they decode to it (the
 * exact pass compares the decoded string).
 */
function isAsciiOf(bytes: Uint8Array, text: string): boolean {
  if (bytes.length !== text.length) return false;
  for (let k = 0; k < bytes.length; k++)
    if (bytes[k]! >= 0x80 || bytes[k] !== text.charCodeAt(k)) return false;
  return true;
}

/**
 * Checks the whole chain through the column scan. Returns the number of events when every
 * check passes (the caller still checks truncation against the newest checkpoint), or
 * undefined when anything is off (or a checker throws, or a worker dies): then run the exact
 * ordered pass.
 */
export async function verifyColumns(
  source: AuditColumnScan,
  chainId: string,
  start: ChainStart,
  checkpointsBySize: ReadonlyMap<number, readonly AuditCheckpointRow[]>,
  deep: boolean,
  options: ColumnVerifyOptions = {},
): Promise<number | undefined> {
  const spec = 'workers' in options ? options.workers : compiledWorkerSpec();
  const batchRows = options.batchRows ?? BATCH_ROWS;
  const batchBytes = options.batchBytes ?? BATCH_BYTES;
  const parts = deep ? PARTS : CHAIN_PARTS;
  /** The hash the next batch's first row must link to (its prev_hash). */
  let prev: Uint8Array = Buffer.from(start.prevHash, 'utf8');
  let expected = start.firstSeq;
  let ok = true;
  let tree: CompactRange | undefined;
  try {
    if (deep) tree = new CompactRange(start.firstSeq, start.frontier);
  } catch {
    return undefined;
  }
  const builder = new BatchBuilder(chainId, deep, batchRows);
  let pool: RowCheckPool | undefined;
  /** Batches being checked, oldest first; each settles after its results are consumed in order. */
  const inFlight: Promise<void>[] = [];
  let consumed: Promise<void> = Promise.resolve();

  // Checkpoint sizes past the start, ascending; `nextSize` is the first not yet reached by a batch.
  const sizes = [...checkpointsBySize.keys()].filter((s) => s > start.firstSeq).sort((a, b) => a - b);
  let nextSize = 0;
  const checkRoot = () => {
    const covering = tree && checkpointsBySize.get(tree.size);
    if (!covering || !tree) return;
    const root = tree.root().toString('hex');
    if (covering.some((c) => c.rootHash !== root)) ok = false;
  };

  // Results are consumed in seq order: the subtrees over each batch's leaves feed the compact
  // range, whose root must match each checkpoint at its tree size.
  const consume = (result: RowBatchResult) => {
    if (!ok) return;
    if (result.firstBad >= 0) {
      ok = false;
      return;
    }
    if (!tree) return;
    const { subtrees, levels } = result;
    if (!subtrees || !levels) {
      ok = false;
      return;
    }
    for (let k = 0; k < levels.length; k++) {
      tree.appendSubtree(subtrees.subarray(k * 32, k * 32 + 32), levels[k]!);
      checkRoot();
    }
  };
  /** Checks what spans batches (the first row's link, checkpoint heads) and sends the batch off. */
  const dispatch = () => {
    const rowCount = builder.rowCount;
    if (rowCount === 0) return true;
    const firstSeq = expected - rowCount;
    if (!isSameBytes(builder.part(0, 0), prev)) return (ok = false);
    const cuts: number[] = [];
    for (; nextSize < sizes.length && sizes[nextSize]! <= expected; nextSize++) {
      const size = sizes[nextSize]!;
      const head = builder.part(size - 1 - firstSeq, 2);
      if (checkpointsBySize.get(size)!.some((c) => !isAsciiOf(head, c.headHash))) return (ok = false);
      if (size < expected) cuts.push(size - firstSeq);
    }
    prev = builder.part(rowCount - 1, 2).slice();
    // Only chains of a full batch or more pay for worker start-up (~40 ms).
    if (!pool && spec && (rowCount === batchRows || builder.byteCount >= batchBytes))
      pool = new RowCheckPool(spec, options.workerCount ?? defaultWorkerCount());
    const batch = builder.take(firstSeq, cuts);
    if (!pool) {
      consume(checkRows(batch));
      builder.recycle(batch);
      return true;
    }
    const checked = pool.check(batch);
    checked.catch(() => undefined); // a dead worker is judged below, in order
    consumed = consumed.then(async () => {
      try {
        const { result, batch } = await checked;
        consume(result);
        builder.recycle(batch);
      } catch {
        ok = false;
      }
    });
    inFlight.push(consumed);
    return true;
  };

  try {
    await source.scanChainColumns(
      chainId,
      async (chunk) => {
        const rowCount = chunk.rowCount;
        let row = 0;
        while (row < rowCount) {
          // Up to the end of the chunk or of the batch, whichever comes first.
          let end = Math.min(rowCount, row + batchRows - (expected % batchRows));
          for (let r = row; r < end; r++) {
            if (chunk.seq(r) !== expected || !builder.addRow(chunk, r, expected, parts)) return (ok = false);
            expected++;
            if (builder.byteCount >= batchBytes) end = r + 1;
          }
          builder.copyFrom(chunk, row, end);
          row = end;
          if ((expected % batchRows === 0 || builder.byteCount >= batchBytes) && !dispatch()) return false;
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

function isSameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
