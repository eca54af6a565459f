/**
 * What one WAL entry holds: one acknowledged ingest request as it was received, so that the
 * acknowledgement costs a copy of the body, not a re-serialisation of its records. The header
 * (one JSON line) says how to read the body back; see ingest/acknowledged-records.ts.
 */
import type { Stream } from '../ingest/rows.js';

/** How `body` is written: a `{records:[…]}` document, one record per line, or exposition text. */
export type BodyFormat = 'json' | 'ndjson' | 'exposition';

export interface WalEntry {
  /** Position in this WAL, from 0, gap-free. */
  seq: number;
  stream: Stream;
  tenant: string;
  /** Epoch ms when the collector received the request: the `ts` of records that carry none. */
  receivedAt: number;
  format: BodyFormat;
  /** Records acknowledged (the body's records less `rejected`). */
  count: number;
  /** Indexes of the body's records refused at ingest; they are never stored. */
  rejected: number[];
  /** Labels of the scrape target, added to every GPU sample of a scrape. */
  labels?: Record<string, string>;
  /** The request body after content decoding. */
  body: string;
}

export function encodeEntry(entry: WalEntry): Buffer {
  const { body, ...header } = entry;
  // JSON.stringify escapes line breaks, so the first newline ends the header.
  return Buffer.from(`${JSON.stringify(header)}\n${body}`);
}

export function decodeEntry(payload: Buffer): WalEntry {
  return { ...decodeHeader(payload), body: payload.toString('utf8', payload.indexOf(0x0a) + 1) };
}

/** The sequence number of an encoded entry, without reading its body. */
export function entrySeq(payload: Buffer): number {
  return decodeHeader(payload).seq;
}

function decodeHeader(payload: Buffer): Omit<WalEntry, 'body'> {
  return JSON.parse(payload.toString('utf8', 0, payload.indexOf(0x0a))) as Omit<WalEntry, 'body'>;
}
