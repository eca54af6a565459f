/**
 * A conservative byte-level check that an event's searchable columns say what its stored
 * canonical body says, without JSON.parse. JSON.parse plus string decoding of every body and
 * column took seconds per 1M events (bench/governance.bench.ts, audit-verify-1m, deep).
 *
 * It accepts only bodies in a narrow subset of JSON — one flat object, keys of [A-Za-z0-9_],
 * printable ASCII strings without escapes, integers of at most 15 digits, true/false/null —
 * which every event without `details` and with plain ASCII values is. For those, JSON.parse
 * would succeed and yield exactly the bytes compared here, so `true` implies the exact check
 * passes; `false` means "not sure", and the caller falls back to the exact check.
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

/** The compared string members, in the column order of the stores' index columns. */
const STRING_KEYS = ['kind', 'actor', 'tenant', 'action', 'resource', 'decision'].map((k) =>
  Buffer.from(k, 'latin1'),
);
const SEQ = Buffer.from('seq', 'latin1');
const TS = Buffer.from('ts', 'latin1');
const LITERALS = ['true', 'false', 'null'].map((k) => Buffer.from(k, 'latin1'));
/** Index of `kind` in STRING_KEYS: the only compared member that must be present. */
const KIND = 0;

function sameBytes(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array): boolean {
  if (aEnd - aStart !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[aStart + i] !== b[i]) return false;
  return true;
}

function isKeyByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** Found string member spans: start and end byte offsets, -1 when absent. Reused across calls. */
const spanStart = new Int32Array(STRING_KEYS.length);
const spanEnd = new Int32Array(STRING_KEYS.length);

/**
 * Whether `body` (UTF-8 bytes) surely has top-level seq and ts equal to `seq` and `ts`, and
 * kind, actor, tenant, action, resource, decision equal to `columns` (absent members read as
 * '' except kind). `false` means not sure: check exactly.
 */
export function indexSurelyMatchesBody(
  body: Uint8Array,
  seq: number,
  ts: number,
  column: (index: number) => Uint8Array | null,
): boolean {
  const n = body.length;
  if (n < 2 || body[0] !== OPEN || body[n - 1] !== CLOSE) return false;
  spanStart.fill(-1);
  let seqSeen = false;
  let tsSeen = false;
  let i = 1;
  for (;;) {
    // Key.
    if (body[i] !== QUOTE) return false;
    const keyStart = ++i;
    while (i < n && isKeyByte(body[i]!)) i++;
    const keyEnd = i;
    if (body[i] !== QUOTE || body[i + 1] !== COLON) return false;
    i += 2;
    // Which compared member, if any.
    let stringKey = -1;
    for (let k = 0; k < STRING_KEYS.length; k++) {
      if (sameBytes(body, keyStart, keyEnd, STRING_KEYS[k]!)) {
        stringKey = k;
        break;
      }
    }
    const isSeq = stringKey < 0 && sameBytes(body, keyStart, keyEnd, SEQ);
    const isTs = stringKey < 0 && !isSeq && sameBytes(body, keyStart, keyEnd, TS);
    // Value.
    const c = body[i];
    if (c === QUOTE) {
      const valueStart = ++i;
      for (;;) {
        const b = body[i];
        if (b === undefined || b < 0x20 || b > 0x7e || b === BACKSLASH) return false;
        if (b === QUOTE) break;
        i++;
      }
      if (isSeq || isTs) return false;
      if (stringKey >= 0) {
        if (spanStart[stringKey] !== -1) return false; // duplicate member: JSON.parse keeps the last
        spanStart[stringKey] = valueStart;
        spanEnd[stringKey] = i;
      }
      i++;
    } else if (c === MINUS || (c !== undefined && c >= ZERO && c <= NINE)) {
      const numberStart = i;
      if (c === MINUS) i++;
      const digitsStart = i;
      while (i < n && body[i]! >= ZERO && body[i]! <= NINE) i++;
      const digits = i - digitsStart;
      if (digits === 0 || digits > 15 || (digits > 1 && body[digitsStart] === ZERO)) return false;
      if (stringKey >= 0) return false;
      if (isSeq || isTs) {
        let value = 0;
        for (let d = digitsStart; d < i; d++) value = value * 10 + (body[d]! - ZERO);
        if (body[numberStart] === MINUS) value = -value;
        if (isSeq) {
          if (seqSeen || value !== seq) return false;
          seqSeen = true;
        } else {
          if (tsSeen || value !== ts) return false;
          tsSeen = true;
        }
      }
    } else {
      const literal = LITERALS.find((l) => sameBytes(body, i, Math.min(n, i + l.length), l));
      if (!literal || stringKey >= 0 || isSeq || isTs) return false;
      i += literal.length;
    }
    if (body[i] === COMMA) {
      i++;
      continue;
    }
    if (i !== n - 1) return false; // the closing brace must end the body
    break;
  }
  if (!seqSeen || !tsSeen || spanStart[KIND] === -1) return false;
  for (let k = 0; k < STRING_KEYS.length; k++) {
    const value = column(k);
    if (value === null) return false;
    if (spanStart[k] === -1) {
      if (value.length !== 0) return false;
    } else if (!sameBytes(body, spanStart[k]!, spanEnd[k]!, value)) return false;
  }
  return true;
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
