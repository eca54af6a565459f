/**
 * The audit trail of one collector (one chain): appends are synchronous and cheap (hash,
 * Merkle append, buffer), a flusher writes buffered events to the store in batches (the
 * store's bulk path is what makes ≥ 20k events/s possible), checkpoints sign the tree over
 * the flushed prefix, and retention cuts delete old events behind a signed cut event.
 * Events buffered but not flushed when the process dies are lost as a whole suffix, which
 * leaves the stored chain intact (no gap a verifier would flag).
 */
import type { AuditCheckpointRow, AuditEventRow, AuditStore } from '../../store/audit-store.js';
import { signCheckpoint, signRetentionCut, type RetentionCut } from './checkpoint.js';
import {
  chainHash,
  eventBody,
  eventLeafHash,
  GENESIS_HASH,
  type AuditEventBody,
  type AuditEventInput,
} from './event.js';
import { MerkleTree } from './merkle.js';
import type { AuditSigner } from './signing-key.js';

/** Rows read per query when rebuilding the tree at start. */
const REBUILD_PAGE = 200_000;

/** Options of `AuditTrail.open`. */
export interface AuditTrailOptions {
  readonly store: AuditStore;
  readonly chainId: string;
  readonly signer: AuditSigner;
  /** Flush at most this long after an append. */
  readonly flushDelayMs?: number;
  /** Flush as soon as this many events are buffered. */
  readonly flushMaxEvents?: number;
  /** Called once per appended event (metrics). */
  readonly onAppend?: () => void;
  /** Called when a flush fails (the events stay buffered and are retried). */
  readonly onFlushError?: (error: unknown) => void;
  readonly now?: () => number;
}

/** An inclusion proof of one event against a signed checkpoint. */
export interface InclusionProof {
  seq: number;
  treeSize: number;
  leafHash: string;
  eventHash: string;
  proof: string[];
  checkpoint: AuditCheckpointRow;
}

/**
 * The raw event hashes from the tree's first held leaf on, 32 bytes each in one growable
 * array: an inclusion proof answers with the event hash, and reading it from the store cost
 * 2.9 ms of the proof's 3 ms (bench/governance.bench.ts, audit-inclusion-proof).
 */
class EventHashes {
  private bytes = new Uint8Array(32 * 1024);
  private count = 0;

  constructor(readonly start: number) {}

  push(hashHex: string): void {
    const needed = (this.count + 1) * 32;
    if (needed > this.bytes.length) {
      // Doubling keeps appends amortised O(1), as in MerkleTree.
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    Buffer.from(this.bytes.buffer, this.count * 32, 32).write(hashHex, 'hex');
    this.count++;
  }

  /** The hex hash of event `seq`, or undefined when not held. */
  at(seq: number): string | undefined {
    const i = seq - this.start;
    if (i < 0 || i >= this.count) return undefined;
    return Buffer.from(this.bytes.buffer, i * 32, 32).toString('hex');
  }
}

/** The audit trail of one chain. */
export class AuditTrail {
  private readonly eventHashes: EventHashes;
  private pending: AuditEventRow[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastHash: string;
  private nextSeq: number;
  private durableSize: number;
  private durableHead: string;
  private lastCheckpoint: AuditCheckpointRow | undefined;
  private readonly now: () => number;

  private constructor(
    private readonly options: AuditTrailOptions,
    private readonly tree: MerkleTree,
    head: { seq: number; hash: string },
    lastCheckpoint: AuditCheckpointRow | undefined,
    hashes: EventHashes,
  ) {
    this.lastHash = head.hash;
    this.nextSeq = head.seq + 1;
    this.durableSize = head.seq + 1;
    this.durableHead = head.hash;
    this.lastCheckpoint = lastCheckpoint;
    this.now = options.now ?? Date.now;
    this.eventHashes = hashes;
  }

  /** Opens the chain: reads its head and rebuilds the Merkle tree from the stored hashes. */
  static async open(options: AuditTrailOptions): Promise<AuditTrail> {
    const { store, chainId } = options;
    const range = await store.seqRange(chainId);
    let tree = new MerkleTree();
    let hashes = new EventHashes(0);
    let head = { seq: -1, hash: GENESIS_HASH };
    if (range) {
      if (range.first > 0) {
        const cut = await findRetentionCut(store, chainId, range.first);
        if (!cut)
          throw new Error(
            `audit chain ${chainId} starts at seq ${range.first} without a retention cut: run \`factorywatch audit verify\`.`,
          );
        tree = new MerkleTree(cut.beforeSeq, cut.frontier);
        hashes = new EventHashes(cut.beforeSeq);
      }
      for (let from = range.first; from <= range.last; from += REBUILD_PAGE) {
        for (const row of await store.hashesInRange(chainId, from, from + REBUILD_PAGE)) {
          tree.appendLeafHash(eventLeafHash(row.hash));
          hashes.push(row.hash);
        }
      }
      const last = await store.lastEvent(chainId);
      if (last) head = { seq: last.seq, hash: last.hash };
    }
    const checkpoints = await store.checkpoints(chainId);
    return new AuditTrail(options, tree, head, checkpoints.at(-1), hashes);
  }

  /** The chain id. */
  get chainId(): string {
    return this.options.chainId;
  }

  /** Events appended so far (flushed or not). */
  get size(): number {
    return this.nextSeq;
  }

  /** The newest signed checkpoint. */
  get latestCheckpoint(): AuditCheckpointRow | undefined {
    return this.lastCheckpoint;
  }

  /** Appends an event; returns its stored row. Synchronous: never waits for the store. */
  append(input: AuditEventInput): AuditEventRow {
    const seq = this.nextSeq++;
    const ts = this.now();
    const body = eventBody(this.options.chainId, seq, ts, input);
    const hash = chainHash(this.lastHash, body);
    const row: AuditEventRow = {
      chainId: this.options.chainId,
      seq,
      ts,
      kind: input.kind,
      actor: input.actor ?? '',
      tenant: input.tenant ?? '',
      action: input.action ?? '',
      resource: input.resource ?? '',
      decision: input.decision ?? '',
      body,
      prevHash: this.lastHash,
      hash,
    };
    this.lastHash = hash;
    this.tree.appendLeafHash(eventLeafHash(hash));
    this.eventHashes.push(hash);
    this.pending.push(row);
    this.options.onAppend?.();
    if (this.pending.length >= (this.options.flushMaxEvents ?? 5000))
      void this.flush().catch(() => undefined);
    else if (!this.timer) {
      this.timer = setTimeout(
        () => void this.flush().catch(() => undefined),
        this.options.flushDelayMs ?? 100,
      );
      this.timer.unref();
    }
    return row;
  }

  /** Writes every buffered event to the store; resolves once they are stored. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const run = async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        await this.options.store.appendEvents(batch);
      } catch (error) {
        this.pending = [...batch, ...this.pending];
        this.options.onFlushError?.(error);
        throw error;
      }
      const last = batch[batch.length - 1]!;
      this.durableSize = last.seq + 1;
      this.durableHead = last.hash;
    };
    this.flushing = this.flushing.then(run, run);
    return this.flushing;
  }

  /** Flushes, then signs and stores a checkpoint of the flushed tree unless nothing changed since the last one. */
  async checkpoint(): Promise<AuditCheckpointRow | undefined> {
    await this.flush();
    const size = this.durableSize;
    if (size === 0 || (this.lastCheckpoint && this.lastCheckpoint.treeSize >= size))
      return this.lastCheckpoint;
    const checkpoint = signCheckpoint(this.options.signer, {
      chainId: this.options.chainId,
      treeSize: size,
      ts: this.now(),
      rootHash: this.tree.root(size).toString('hex'),
      headHash: this.durableHead,
    });
    await this.options.store.appendCheckpoint(checkpoint);
    this.lastCheckpoint = checkpoint;
    return checkpoint;
  }

  /** The inclusion proof of event `seq` against the latest checkpoint (made now if it does not cover seq yet). */
  async inclusionProof(seq: number): Promise<InclusionProof> {
    let checkpoint = this.lastCheckpoint;
    if (!checkpoint || checkpoint.treeSize <= seq) checkpoint = await this.checkpoint();
    if (!checkpoint || seq < this.tree.start || seq >= checkpoint.treeSize) {
      throw new RangeError(
        `seq ${seq} is not in the audit trail (held: ${this.tree.start}..${this.durableSize - 1}).`,
      );
    }
    const leaf = this.tree.leaf(seq);
    return {
      seq,
      treeSize: checkpoint.treeSize,
      leafHash: leaf.toString('hex'),
      eventHash: this.eventHashes.at(seq) ?? '',
      proof: this.tree.inclusionProof(seq, checkpoint.treeSize).map((p) => p.toString('hex')),
      checkpoint,
    };
  }

  /** The consistency proof between two tree sizes (default: the two newest checkpoints' sizes). */
  consistencyProof(from: number, to: number): string[] {
    if (to > this.durableSize)
      throw new RangeError(`tree size ${to} is beyond the stored trail (${this.durableSize}).`);
    return this.tree.consistencyProof(from, to).map((p) => p.toString('hex'));
  }

  /**
   * Deletes events older than `cutoffTs` behind a signed retention_cut event, then checkpoints.
   * Returns how many events were deleted.
   */
  async cutBefore(cutoffTs: number): Promise<number> {
    await this.flush();
    const { store, chainId } = this.options;
    const range = await store.seqRange(chainId);
    if (!range) return 0;
    const old = await store.queryEvents({ chainId, until: cutoffTs, limit: 1, afterSeq: range.first - 1 });
    if (old.length === 0) return 0;
    // Cut after the last event older than the cutoff (events are appended in time order).
    const lastOld = await lastSeqBefore(store, chainId, cutoffTs, range);
    const beforeSeq = lastOld + 1;
    const boundary = await store.hashesInRange(chainId, lastOld, lastOld + 1);
    const cut = signRetentionCut(this.options.signer, {
      beforeSeq,
      chainHash: boundary[0]!.hash,
      frontier: this.tree.frontier(beforeSeq),
      cutoffTs,
    });
    this.append({
      kind: 'retention_cut',
      actor: 'system',
      auth: 'local',
      action: 'audit.retention',
      details: { ...cut },
    });
    await this.checkpoint();
    return store.deleteEventsBefore(chainId, beforeSeq);
  }

  /** Flushes and writes a final checkpoint. */
  async close(): Promise<void> {
    await this.checkpoint();
  }
}

async function lastSeqBefore(
  store: AuditStore,
  chainId: string,
  cutoffTs: number,
  range: { first: number; last: number },
): Promise<number> {
  // Binary search on seq: ts is non-decreasing along the chain, so this reads O(log n) rows.
  let lo = range.first;
  let hi = range.last;
  let answer = range.first - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const rows = await store.eventsInRange(chainId, mid, mid + 1);
    const ts = rows[0]?.ts ?? Number.POSITIVE_INFINITY;
    if (ts < cutoffTs) {
      answer = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return answer;
}

/** The retention cut that starts a chain at `firstSeq`, if any. */
export async function findRetentionCut(
  store: AuditStore,
  chainId: string,
  firstSeq: number,
): Promise<RetentionCut | undefined> {
  const cuts = await store.queryEvents({ chainId, kind: 'retention_cut', limit: 10_000 });
  for (const row of cuts.reverse()) {
    const details = (JSON.parse(row.body) as AuditEventBody).details as RetentionCut | undefined;
    if (details?.beforeSeq === firstSeq) return details;
  }
  return undefined;
}
