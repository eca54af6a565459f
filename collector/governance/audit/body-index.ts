/**
 * A conservative byte-level check that an event's searchable columns say what its stored
 * canonical body says, without JSON.parse. JSON.parse plus string decoding of every body and
 * column took seconds per 1M events (bench/governance.bench.ts, audit-verify-1m, deep).
 *
 * It accepts only bodies in a narrow subset of JSON — one flat object; keys and strings without
 * escapes or control characters; integers of at most 15 digits; true, false, null; no
 * whitespace — which every event without `details` and without characters JSON must escape is.
 * Without a backslash anywhere, every `"` delimits a string, so the quotes alone give the
 * structure, and each key and string is exactly its UTF-8 bytes between the quotes. For those
 * bodies JSON.parse succeeds and yields members whose bytes are the ones compared here (equal
 * bytes decode to equal strings), so `true` implies the exact check passes; `false` means
 * "not sure", and the caller falls back to the exact check.
 */
import type { AuditEventRow } from '../../store/audit-store.js';
import type { AuditEventBody } from './event.js';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** The compared members: the six string ones, in the stores' index column order, then seq and ts. */
const MEMBER_KEYS = ['kind', 'actor', 'tenant', 'action', 'resource', 'decision', 'seq', 'ts'];
const STRING_MEMBERS = 6;
const SEQ_MEMBER = 6;
const TS_MEMBER = 7;
/** The member that must be present: kind. */
const KIND = 0;
const MEMBER_KEY_BYTES = MEMBER_KEYS.map((k) => new TextEncoder().encode(k));

/** 1 for the bytes a string may hold here: any but control characters, `"` and `\`. */
const PLAIN_BYTE = new Uint8Array(256);
for (let c = 0x20; c <= 0xff; c++) PLAIN_BYTE[c] = c === QUOTE || c === BACKSLASH ? 0 : 1;
const LITERALS = ['true', 'false', 'null'].map((k) => new TextEncoder().encode(k));

function sameBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = 0; i < aEnd - aStart; i++) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/**
 * Which compared member the key bytes[start, end) names, or -1. By length and first byte first:
 * most of a body's ~18 keys are none of them.
 */
function memberOf(bytes: Uint8Array, start: number, end: number): number {
  const first = bytes[start];
  let member = -1;
  switch (end - start) {
    case 2:
      if (first === 0x74) member = TS_MEMBER; // t
      break;
    case 3:
      if (first === 0x73) member = SEQ_MEMBER; // s
      break;
    case 4:
      if (first === 0x6b) member = 0; // kind
      break;
    case 5:
      if (first === 0x61) member = 1; // actor
      break;
    case 6:
      member = first === 0x74 ? 2 : first === 0x61 ? 3 : -1; // tenant, action
      break;
    case 8:
      member = first === 0x72 ? 4 : first === 0x64 ? 5 : -1; // resource, decision
      break;
  }
  if (member < 0) return -1;
  const key = MEMBER_KEY_BYTES[member]!;
  return sameBytes(bytes, start, end, key, 0, key.length) ? member : -1;
}

const ONES = 0x01010101;
const LOW_BITS = 0x7f7f7f7f;
const HIGH_BITS = 0x80808080 | 0;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Where findQuotes puts the quotes it finds: room for one per byte of the longest body so far. */
let quotes = new Int32Array(4096);
/** Longer bodies (large request details) are left to the exact check: `quotes` stays small. */
const MAX_JUDGED_BYTES = 1 << 20;
/** The 32-bit view of the last body's buffer; weak, so no finished batch's buffer stays alive. */
let lastWords: WeakRef<Int32Array<ArrayBufferLike>> | undefined;

function wordsOf(bytes: Uint8Array): Int32Array<ArrayBufferLike> {
  let words = lastWords?.deref();
  if (words?.buffer !== bytes.buffer) {
    words = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >> 2);
    lastWords = new WeakRef(words);
  }
  return words;
}

/** Notes byte i of a body in `found` if it is a quote; -1 if it may not stand in a string here. */
function byteOk(bytes: Uint8Array, i: number, found: Int32Array, n: number): number {
  const b = bytes[i]!;
  if (b === QUOTE) {
    found[n++] = i;
    return n;
  }
  return PLAIN_BYTE[b] === 1 ? n : -1;
}

/**
 * The positions of the quotes in bytes[start, end), in `quotes`, and their count; -1 when a
 * byte could make JSON.parse read a string other than as its bytes: a control character or a
 * backslash. Four bytes at a time where aligned (SWAR): a word's high bits flag a byte < 0x20
 * or `\`, and, exactly per byte, the quotes.
 */
function findQuotes(bytes: Uint8Array, start: number, end: number): number {
  if (end - start > quotes.length) {
    if (end - start > MAX_JUDGED_BYTES) return -1;
    quotes = new Int32Array(end - start);
  }
  const found = quotes;
  let n = 0;
  let i = start;
  const base = bytes.byteOffset;
  if (LITTLE_ENDIAN) {
    for (; i < end && ((base + i) & 3) !== 0; i++) if ((n = byteOk(bytes, i, found, n)) < 0) return -1;
    if (i < end) {
      // Word j holds bytes [4j - base, 4j - base + 4); `| 0` keeps the arithmetic in int32.
      const words = wordsOf(bytes);
      let j = (base + i) >> 2;
      for (const last = (base + end) >> 2; j < last; j++) {
        const v = words[j]!;
        const backslash = v ^ 0x5c5c5c5c;
        if (((((v - 0x20202020) | 0) & ~v) | (((backslash - ONES) | 0) & ~backslash)) & HIGH_BITS) return -1;
        const quote = v ^ 0x22222222;
        // The high bit of each byte of `quote` that is zero (no carry between bytes).
        let zeros = ~(((quote & LOW_BITS) + LOW_BITS) | 0 | quote | LOW_BITS);
        while (zeros !== 0) {
          const bit = zeros & -zeros;
          found[n++] = (j << 2) - base + ((31 - Math.clz32(bit)) >> 3);
          zeros ^= bit;
        }
      }
      i = (j << 2) - base;
    }
  }
  for (; i < end; i++) if ((n = byteOk(bytes, i, found, n)) < 0) return -1;
  return n;
}

/** Found string member spans: start and end byte offsets, -1 when absent. Reused across calls. */
const spanStart = new Int32Array(STRING_MEMBERS);
const spanEnd = new Int32Array(STRING_MEMBERS);

/**
 * Whether the body bytes[bodyStart, bodyEnd) surely has top-level seq and ts equal to `seq` and
 * `ts`, and kind, actor, tenant, action, resource, decision equal to the columns: column k is
 * bytes[bounds[at + k], bounds[at + k + 1]) (absent members read as '' except kind). `false`
 * means not sure: check exactly. One buffer and offsets, no view per column: the verifier calls
 * this for every event (audit-verify-1m, deep).
 */
export function indexSurelyMatches(
  bytes: Uint8Array,
  bodyStart: number,
  bodyEnd: number,
  seq: number,
  ts: number,
  bounds: Int32Array,
  at: number,
): boolean {
  const end = bodyEnd;
  if (end - bodyStart < 2 || bytes[bodyStart] !== OPEN || bytes[end - 1] !== CLOSE) return false;
  const n = findQuotes(bytes, bodyStart, end);
  if (n < 0) return false;
  const found = quotes;
  for (let k = 0; k < STRING_MEMBERS; k++) spanStart[k] = -1;
  let seqSeen = false;
  let tsSeen = false;
  let i = bodyStart + 1;
  let q = 0; // the next quote
  // Member by member, `i` at its first byte. The last byte (the closing brace) is no quote,
  // digit or literal byte, so every scan stops before the end.
  for (;;) {
    // Key: the next two quotes, the first right here.
    if (q + 1 >= n || found[q] !== i) return false;
    const keyEnd = found[q + 1]!;
    q += 2;
    if (bytes[keyEnd + 1] !== COLON) return false;
    const member = memberOf(bytes, i + 1, keyEnd);
    i = keyEnd + 2;
    // Value.
    const c = bytes[i]!;
    if (c === QUOTE) {
      if (q + 1 >= n || found[q] !== i) return false;
      const valueEnd = found[q + 1]!;
      q += 2;
      if (member >= SEQ_MEMBER) return false;
      if (member >= 0) {
        if (spanStart[member] !== -1) return false; // duplicate member: JSON.parse keeps the last
        spanStart[member] = i + 1;
        spanEnd[member] = valueEnd;
      }
      i = valueEnd + 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      if (member >= 0 && member < SEQ_MEMBER) return false;
      const negative = c === MINUS;
      if (negative) i++;
      const digitsStart = i;
      let value = 0;
      for (let d = bytes[i]!; d >= ZERO && d <= NINE; d = bytes[++i]!) value = value * 10 + (d - ZERO);
      const digits = i - digitsStart;
      if (digits === 0 || digits > 15 || (digits > 1 && bytes[digitsStart] === ZERO)) return false;
      if (negative) value = -value;
      if (member === SEQ_MEMBER) {
        if (seqSeen || value !== seq) return false;
        seqSeen = true;
      } else if (member === TS_MEMBER) {
        if (tsSeen || value !== ts) return false;
        tsSeen = true;
      }
    } else {
      if (member >= 0) return false;
      const literal = LITERALS.find((l) => sameBytes(bytes, i, Math.min(end, i + l.length), l, 0, l.length));
      if (!literal) return false;
      i += literal.length;
    }
    if (bytes[i] === COMMA) {
      i++;
      continue;
    }
    if (i !== end - 1) return false; // the closing brace must end the body
    break;
  }
  if (q !== n) return false;
  if (!seqSeen || !tsSeen || spanStart[KIND] === -1) return false;
  for (let k = 0; k < STRING_MEMBERS; k++) {
    const columnStart = bounds[at + k]!;
    const columnEnd = bounds[at + k + 1]!;
    if (spanStart[k] === -1) {
      if (columnEnd !== columnStart) return false;
    } else if (!sameBytes(bytes, spanStart[k]!, spanEnd[k]!, bytes, columnStart, columnEnd)) return false;
  }
  return true;
}

/**
 * indexSurelyMatches for a body and columns in separate buffers: whether `body` (UTF-8 bytes)
 * surely has top-level seq and ts equal to `seq` and `ts`, and kind, actor, tenant, action,
 * resource, decision equal to `column(0..5)`. `false` means not sure: check exactly.
 */
export function indexSurelyMatchesBody(
  body: Uint8Array,
  seq: number,
  ts: number,
  column: (index: number) => Uint8Array | null,
): boolean {
  const parts = [body];
  for (let k = 0; k < STRING_MEMBERS; k++) {
    const value = column(k);
    if (value === null) return false;
    parts.push(value);
  }
  const bounds = new Int32Array(STRING_MEMBERS + 1);
  let offset = body.length;
  for (let k = 0; k <= STRING_MEMBERS; k++) {
    bounds[k] = offset;
    offset += parts[k + 1]?.length ?? 0;
  }
  return indexSurelyMatches(Buffer.concat(parts), 0, body.length, seq, ts, bounds, 0);
}

/** Whether the searchable columns say what the hashed body says (a query must not be fooled by edited columns). */
export function exactIndexMatch(row: AuditEventRow): boolean {
  let b: AuditEventBody;
  try {
    b = JSON.parse(row.body) as AuditEventBody;
  } catch {
    return false;
  }
  return (
    typeof b === 'object' &&
    b !== null &&
    b.seq === row.seq &&
    b.ts === row.ts &&
    b.kind === row.kind &&
    (b.actor ?? '') === row.actor &&
    (b.tenant ?? '') === row.tenant &&
    (b.action ?? '') === row.action &&
    (b.resource ?? '') === row.resource &&
    (b.decision ?? '') === row.decision
  );
}
