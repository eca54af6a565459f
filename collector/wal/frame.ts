/**
 * The on-disk frame of one WAL entry: u32 payload length, u32 CRC-32 of the payload (both
 * little-endian), then the payload. A frame whose length runs past the file or whose CRC does
 * not match marks a torn or damaged write.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEADER_BYTES = 8;
/** No single entry may exceed this; a larger length field can only be damage. */
export const MAX_FRAME_PAYLOAD = 256 * 1024 * 1024;

export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export type FrameRead =
  | { kind: 'frame'; payload: Buffer; next: number }
  | { kind: 'incomplete' }
  | { kind: 'corrupt'; reason: string };

/** Reads the frame starting at `offset` of `buffer`. */
export function readFrame(buffer: Buffer, offset: number): FrameRead {
  if (buffer.length - offset < FRAME_HEADER_BYTES) return { kind: 'incomplete' };
  const length = buffer.readUInt32LE(offset);
  if (length > MAX_FRAME_PAYLOAD)
    return { kind: 'corrupt', reason: `frame length ${length} exceeds the maximum` };
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > buffer.length) return { kind: 'incomplete' };
  const payload = buffer.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(payload) !== buffer.readUInt32LE(offset + 4))
    return { kind: 'corrupt', reason: 'checksum mismatch' };
  return { kind: 'frame', payload, next: end };
}
