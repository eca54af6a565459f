/** What one WAL entry holds: the validated records of one acknowledged ingest request. */
import type { Stream } from '../ingest/rows.js';

export interface WalEntry {
  /** Position in this WAL, from 0, gap-free. */
  seq: number;
  stream: Stream;
  tenant: string;
  /** Epoch ms when the collector received the request. */
  receivedAt: number;
  /** Normalised records of `stream` (see ingest/normalize.ts). */
  records: unknown[];
}

export function encodeEntry(entry: WalEntry): Buffer {
  return Buffer.from(JSON.stringify(entry));
}

export function decodeEntry(payload: Buffer): WalEntry {
  return JSON.parse(payload.toString('utf8')) as WalEntry;
}
