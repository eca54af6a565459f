/**
 * The write-ahead log. `append` resolves only after the entry is fsynced; appends that arrive
 * while a flush is under way are written and synced together by the next one (group commit), so
 * many concurrent requests share one fsync. Past `maxBytes` of unapplied entries `append` refuses
 * with WAL_FULL instead of filling the disk. Applied segments are deleted.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { FactorywatchError } from '../errors.js';
import type { Stream } from '../ingest/rows.js';
import { encodeEntry, type WalEntry } from './entry.js';
import { encodeFrame } from './frame.js';
import { createSegment, listSegments, scanSegment, type ScanProblem, type SegmentInfo } from './segments.js';
import { WalReader } from './reader.js';

export interface WalOptions {
  maxBytes: number;
  segmentBytes: number;
  /** Told about damaged frames found while opening. */
  onProblem?: (problem: ScanProblem) => void;
}

interface Pending {
  frame: Buffer;
  seq: number;
  resolve: (seq: number) => void;
  reject: (error: Error) => void;
}

export class Wal {
  /** Emits 'durable' after every fsync. */
  readonly events = new EventEmitter();
  private pending: Pending[] = [];
  private flushing = false;
  private closed = false;
  /** Unapplied entries as [seq, bytes], oldest first, for the backlog figure. */
  private readonly unapplied: [number, number][] = [];
  private unappliedBytes = 0;
  private pendingBytes = 0;
  private appliedSeq = -1;

  private constructor(
    readonly dir: string,
    readonly id: string,
    private readonly options: WalOptions,
    /** Every segment on disk, oldest first; the last one is being written. */
    readonly segments: SegmentInfo[],
    private handle: FileHandle,
    private nextSeqValue: number,
  ) {
    this.openedNextSeq = nextSeqValue;
  }

  /** nextSeq when the log was opened: entries before it were written by an earlier process. */
  private readonly openedNextSeq: number;

  static async open(dir: string, options: WalOptions): Promise<Wal> {
    await mkdir(dir, { recursive: true });
    const id = await readOrCreateId(dir);
    const found = await listSegments(dir);
    const segments: SegmentInfo[] = [];
    for (const [i, { path, firstSeq }] of found.entries()) {
      const { info, problem } = await scanSegment(path, firstSeq, i === found.length - 1);
      if (problem) options.onProblem?.(problem);
      segments.push(info);
    }
    const last = segments.at(-1);
    const nextSeq = last ? last.lastSeq + 1 : 0;
    if (!last) {
      segments.push(await createSegment(dir, nextSeq));
      await syncDir(dir);
    }
    const current = segments.at(-1) as SegmentInfo;
    const handle = await open(current.path, 'a');
    const wal = new Wal(dir, id, options, segments, handle, nextSeq);
    return wal;
  }

  /** Sequence number the next appended entry gets. */
  get nextSeq(): number {
    return this.nextSeqValue;
  }

  /** Bytes of entries appended but not yet applied to the store. */
  get backlogBytes(): number {
    return this.unappliedBytes + this.pendingBytes;
  }

  /**
   * Registers entries found on disk at start-up that the store does not hold yet (those after
   * `appliedSeq`), so the backlog figure covers them. Call once, when the store first answers.
   */
  async restoreBacklog(appliedSeq: number): Promise<void> {
    const found: [number, number][] = [];
    const reader = this.reader(appliedSeq + 1);
    try {
      for (;;) {
        const entries = await reader.readSized(Number.MAX_SAFE_INTEGER, 64 * 1024 * 1024);
        const older = entries.filter(({ entry }) => entry.seq < this.openedNextSeq);
        for (const { entry, bytes } of older) found.push([entry.seq, bytes]);
        if (older.length < entries.length || entries.length === 0) break;
      }
    } finally {
      await reader.close();
    }
    // Entries appended since opening are tracked already and come after these.
    this.unapplied.unshift(...found);
    for (const [, bytes] of found) this.unappliedBytes += bytes;
    await this.markApplied(appliedSeq);
  }

  /** Appends one entry durably; resolves with its sequence number after fsync. */
  append(stream: Stream, tenant: string, receivedAt: number, records: unknown[]): Promise<number> {
    if (this.closed)
      return Promise.reject(new FactorywatchError('INTERNAL', 'The collector is shutting down.'));
    const seq = this.nextSeqValue;
    const frame = encodeFrame(encodeEntry({ seq, stream, tenant, receivedAt, records } satisfies WalEntry));
    if (this.backlogBytes + frame.length > this.options.maxBytes) {
      return Promise.reject(
        new FactorywatchError(
          'WAL_FULL',
          `The write-ahead log holds ${this.backlogBytes} unapplied bytes (cap ${this.options.maxBytes}); retry after the store catches up.`,
        ),
      );
    }
    this.nextSeqValue += 1;
    this.pendingBytes += frame.length;
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ frame, seq, resolve, reject });
      if (!this.flushing) setImmediate(() => void this.flush());
    });
  }

  /** Records that the store holds every entry up to `seq`; deletes segments that are wholly applied. */
  async markApplied(seq: number): Promise<void> {
    if (seq < this.appliedSeq) return;
    this.appliedSeq = seq;
    while (this.unapplied.length > 0 && (this.unapplied[0] as [number, number])[0] <= seq) {
      this.unappliedBytes -= (this.unapplied.shift() as [number, number])[1];
    }
    while (this.segments.length > 1 && (this.segments[0] as SegmentInfo).lastSeq <= seq) {
      const done = this.segments.shift() as SegmentInfo;
      await rm(done.path, { force: true });
    }
  }

  /** A reader of durable entries from `fromSeq` on. */
  reader(fromSeq: number): WalReader {
    return new WalReader(this.segments, fromSeq);
  }

  /** Flushes what is pending and closes the current segment. */
  async close(): Promise<void> {
    while (this.flushing || this.pending.length > 0) await this.flush();
    this.closed = true;
    await this.handle.close();
  }

  private trackUnapplied(seq: number, bytes: number): void {
    this.unapplied.push([seq, bytes]);
    this.unappliedBytes += bytes;
  }

  private async flush(): Promise<void> {
    if (this.flushing) {
      await new Promise((resolve) => this.events.once('durable', resolve));
      return;
    }
    if (this.pending.length === 0) return;
    this.flushing = true;
    const batch = this.pending;
    this.pending = [];
    const current = this.segments.at(-1) as SegmentInfo;
    try {
      await this.handle.writev(batch.map((p) => p.frame));
      await this.handle.datasync();
      for (const p of batch) {
        current.bytes += p.frame.length;
        current.lastSeq = p.seq;
        this.pendingBytes -= p.frame.length;
        this.trackUnapplied(p.seq, p.frame.length);
      }
      if (current.bytes >= this.options.segmentBytes) await this.rotate();
      for (const p of batch) p.resolve(p.seq);
    } catch (error) {
      // The entries were not acknowledged; their sequence numbers must not be reused by a later
      // append that could land before them, so the log stops accepting writes.
      this.closed = true;
      for (const p of batch)
        p.reject(new FactorywatchError('INTERNAL', `WAL write failed: ${String(error)}`));
    } finally {
      this.flushing = false;
      this.events.emit('durable');
      if (this.pending.length > 0) setImmediate(() => void this.flush());
    }
  }

  private async rotate(): Promise<void> {
    await this.handle.close();
    const next = await createSegment(this.dir, (this.segments.at(-1) as SegmentInfo).lastSeq + 1);
    await syncDir(this.dir);
    this.segments.push(next);
    this.handle = await open(next.path, 'a');
  }
}

async function readOrCreateId(dir: string): Promise<string> {
  const path = join(dir, 'wal-id');
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    const id = randomUUID();
    await writeFile(path, `${id}\n`, { flush: true });
    await syncDir(dir);
    return id;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
