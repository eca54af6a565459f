/**
 * Reads durable WAL entries in order from a starting sequence number, following segments as
 * they are added and never past what has been fsynced.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { decodeEntry, type WalEntry } from './entry.js';
import { FRAME_HEADER_BYTES, readFrame } from './frame.js';
import type { SegmentInfo } from './segments.js';

const READ_CHUNK_BYTES = 4 * 1024 * 1024;

export interface SizedEntry {
  entry: WalEntry;
  /** Frame bytes on disk. */
  bytes: number;
}

export class WalReader {
  private segment: SegmentInfo | undefined;
  private handle: FileHandle | undefined;
  private offset = 0;

  constructor(
    /** The WAL's live segment list (shared: the reader sees new segments as they appear). */
    private readonly segments: readonly SegmentInfo[],
    /** The next sequence number to return; earlier entries are skipped. */
    private nextSeq: number,
  ) {}

  /** Up to `maxRecords` records' worth of entries (at least one entry when any is durable). */
  async read(maxRecords: number): Promise<WalEntry[]> {
    return (await this.readSized(maxRecords, 64 * 1024 * 1024)).map((s) => s.entry);
  }

  /** `read` with each entry's size on disk, bounded by records and bytes. */
  async readSized(maxRecords: number, maxBytes: number): Promise<SizedEntry[]> {
    const out: SizedEntry[] = [];
    let records = 0;
    let bytes = 0;
    while (records < maxRecords && bytes < maxBytes) {
      if (!(await this.positioned())) break;
      const segment = this.segment as SegmentInfo;
      const available = segment.bytes - this.offset;
      if (available <= 0) {
        if (!(await this.advance())) break;
        continue;
      }
      const chunk = await this.readAt(this.offset, Math.min(available, READ_CHUNK_BYTES));
      let pos = 0;
      let progressed = false;
      while (pos < chunk.length && records < maxRecords && bytes < maxBytes) {
        const frame = readFrame(chunk, pos);
        if (frame.kind === 'incomplete') break;
        if (frame.kind === 'corrupt')
          throw new Error(`WAL segment ${segment.path} is damaged at ${this.offset + pos}: ${frame.reason}`);
        const entry = decodeEntry(frame.payload);
        const size = frame.next - pos;
        pos = frame.next;
        progressed = true;
        if (entry.seq < this.nextSeq) continue;
        this.nextSeq = entry.seq + 1;
        out.push({ entry, bytes: size });
        records += entry.records.length;
        bytes += size;
      }
      if (!progressed) {
        // The next frame is larger than one chunk: read exactly that frame.
        const length = chunk.readUInt32LE(0);
        const whole = await this.readAt(this.offset, FRAME_HEADER_BYTES + length);
        const frame = readFrame(whole, 0);
        if (frame.kind !== 'frame')
          throw new Error(`WAL segment ${segment.path} is damaged at ${this.offset}`);
        const entry = decodeEntry(frame.payload);
        this.offset += frame.next;
        if (entry.seq >= this.nextSeq) {
          this.nextSeq = entry.seq + 1;
          out.push({ entry, bytes: frame.next });
          records += entry.records.length;
          bytes += frame.next;
        }
        continue;
      }
      this.offset += pos;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Opens the segment that holds `nextSeq`; false when nothing durable is there yet. */
  private async positioned(): Promise<boolean> {
    if (this.segment && this.segments.includes(this.segment)) return true;
    await this.close();
    const target = [...this.segments].reverse().find((s) => s.firstSeq <= this.nextSeq) ?? this.segments[0];
    if (!target) return false;
    this.segment = target;
    this.offset = 0;
    this.handle = await open(target.path, 'r');
    return true;
  }

  /** Moves to the following segment once the current one is exhausted and sealed. */
  private async advance(): Promise<boolean> {
    const index = this.segments.indexOf(this.segment as SegmentInfo);
    const following = this.segments[index + 1];
    if (!following) return false;
    await this.close();
    this.segment = following;
    this.offset = 0;
    this.handle = await open(following.path, 'r');
    return true;
  }

  private async readAt(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await (this.handle as FileHandle).read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  }
}
