/**
 * Segment files: `seg-<first seq, 16 digits>.wal` in the WAL directory. A segment's name records
 * its first sequence number, so even an empty segment tells where numbering continues.
 */
import { open, readdir, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeEntry } from './entry.js';
import { readFrame } from './frame.js';

export interface SegmentInfo {
  path: string;
  firstSeq: number;
  /** Sequence number of the last complete entry, or firstSeq - 1 when empty. */
  lastSeq: number;
  /** Bytes of complete, checksummed frames. */
  bytes: number;
}

export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(16, '0')}.wal`;
}

export async function listSegments(dir: string): Promise<{ path: string; firstSeq: number }[]> {
  const names = (await readdir(dir)).filter((n) => /^seg-\d{16}\.wal$/.test(n)).sort();
  return names.map((name) => ({ path: join(dir, name), firstSeq: Number(name.slice(4, 20)) }));
}

export interface ScanProblem {
  path: string;
  offset: number;
  reason: string;
}

/**
 * Scans a segment, validating every frame. A torn or damaged tail is cut off (`truncateTail`):
 * it can only hold a write that was never acknowledged, because acknowledgement follows fsync.
 */
export async function scanSegment(
  path: string,
  firstSeq: number,
  truncateTail: boolean,
): Promise<{ info: SegmentInfo; problem?: ScanProblem }> {
  const buffer = await readFile(path);
  let offset = 0;
  let lastSeq = firstSeq - 1;
  let problem: ScanProblem | undefined;
  while (offset < buffer.length) {
    const frame = readFrame(buffer, offset);
    if (frame.kind !== 'frame') {
      problem = {
        path,
        offset,
        reason: frame.kind === 'corrupt' ? frame.reason : 'incomplete frame at the end',
      };
      break;
    }
    const seq = decodeEntry(frame.payload).seq;
    if (seq !== lastSeq + 1) {
      problem = { path, offset, reason: `sequence ${seq} follows ${lastSeq}` };
      break;
    }
    lastSeq = seq;
    offset = frame.next;
  }
  if (problem && truncateTail) await truncate(path, offset);
  return { info: { path, firstSeq, lastSeq, bytes: offset }, ...(problem ? { problem } : {}) };
}

/** Creates an empty segment file and fsyncs it (the directory entry is synced by the caller). */
export async function createSegment(dir: string, firstSeq: number): Promise<SegmentInfo> {
  const path = join(dir, segmentName(firstSeq));
  const handle = await open(path, 'a');
  await handle.sync();
  await handle.close();
  return { path, firstSeq, lastSeq: firstSeq - 1, bytes: 0 };
}
