/** Parses a dcgm-exporter exposition body into wide GPU rows (one per series and timestamp). */
import type { GpuSampleRow } from '../ingest/rows.js';
import { GPU_COLUMN_BY_METRIC } from './fields.js';
import { emptyLabelFields, LABEL_ROLES, type GpuLabelField } from './labels.js';

/** One GPU series at one instant, before the collector stamps the WAL sequence and tenant. */
export type GpuSeriesSample = Omit<GpuSampleRow, 'walSeq' | 'tenant'>;

/** A skipped line: 1-based line number and what was wrong. */
export interface ExpositionError {
  line: number;
  message: string;
}

export interface ParsedExposition {
  rows: GpuSeriesSample[];
  /** The first MAX_REPORTED_ERRORS malformed lines; `malformedLines` counts them all. */
  errors: ExpositionError[];
  /** How many lines were skipped as malformed (may exceed errors.length). */
  malformedLines: number;
}

/** A hostile body of a million bad lines must not turn into a million error objects. */
export const MAX_REPORTED_ERRORS = 1000;

/** A parsed `{…}` block: the row fields it fills and the labels nobody knows. */
interface LabelSet {
  readonly fields: Record<GpuLabelField, string>;
  readonly labels: Record<string, string>;
  /** host, uuid, gpu index and MIG instance: what makes two lines the same series. */
  readonly seriesKey: string;
}

/** A distinct label block of this body, its parse, and where it last sat in a family. */
interface BlockEntry {
  readonly raw: string;
  readonly labelSet: LabelSet | string;
  series: SeriesRows | undefined;
  /** The block that followed this one last time: the first guess for the next line. */
  successor: BlockEntry | undefined;
  /** Ordinal of the family the block was last seen in, and its position there. */
  family: number;
  index: number;
}

/** One row under construction and the label set last merged into it. */
interface Slot {
  readonly row: GpuSeriesSample;
  mergedFrom: LabelSet;
}

/** A series' rows by timestamp, with the last one at hand because scrapes share one timestamp. */
interface SeriesRows {
  readonly byTs: Map<number, Slot>;
  lastTs: number;
  last: Slot | undefined;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const HASH = 35;
const BRACE_OPEN = 123;
const QUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;
const COMMA = 44;

/**
 * Parses one exposition body. Malformed lines are skipped and reported with their 1-based line
 * number; nothing throws. Samples without a timestamp get `receivedAtMs`. Lines of one series
 * (same host, UUID, gpu index and MIG instance) at one timestamp merge into one wide row: known
 * DCGM fields go to `values` by column, other metrics to `extras`, unknown labels to `labels`.
 *
 * @example parseExposition('DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-1"} 87\n', Date.now()).rows[0].values.gpu_util // 87
 */
export function parseExposition(text: string, receivedAtMs: number): ParsedExposition {
  const rows: GpuSeriesSample[] = [];
  const errors: ExpositionError[] = [];
  let malformedLines = 0;
  const fail = (line: number, message: string): void => {
    malformedLines++;
    if (errors.length < MAX_REPORTED_ERRORS) errors.push({ line, message });
  };
  // dcgm-exporter repeats one label block per GPU across every family; each distinct block is
  // parsed once. Better still, a family lists its series in the order the previous family did,
  // so the block is first *predicted* and confirmed with `===` (a native memcmp on a slice):
  // hashing a 200-character slice for a Map lookup, or comparing it with startsWith or a
  // charCodeAt loop, is 10× slower (bench/gpu.bench.ts, case gpu-parse).
  const blocks = new Map<string, BlockEntry>();
  const seriesByKey = new Map<string, SeriesRows>();
  let familyName = '';
  let familyColumn: string | undefined;
  let family = 0;
  let previousFamily: BlockEntry[] = [];
  let currentFamily: BlockEntry[] = [];
  let guess = 0;
  let lastEntry: BlockEntry | undefined;

  const len = text.length;
  let pos = 0;
  let lineNo = 0;
  while (pos < len) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = len;
    lineNo++;
    let lineEnd = end;
    if (lineEnd > pos && text.charCodeAt(lineEnd - 1) === CR) lineEnd--;
    const start = pos;
    pos = end + 1;

    let i = skipBlanks(text, start, lineEnd);
    if (i === lineEnd) continue;
    const first = text.charCodeAt(i);
    if (first === HASH) continue;

    if (!isNameStart(first)) {
      fail(lineNo, `Expected a metric name, found "${text.slice(i, Math.min(lineEnd, i + 20))}".`);
      continue;
    }
    const nameStart = i;
    const familyEnd = nameStart + familyName.length;
    // A family's lines follow one another: confirming the current name where it should end skips
    // the per-character name scan (bench/gpu.bench.ts, gpu-parse: 2.03M → 2.40M lines/s at load
    // 1.2); `===` on a slice, not startsWith, which was 2× slower in a micro-benchmark.
    if (
      familyName !== '' &&
      !isNameChar(text.charCodeAt(familyEnd)) &&
      text.slice(nameStart, familyEnd) === familyName
    ) {
      i = familyEnd;
    } else {
      i++;
      while (i < lineEnd && isNameChar(text.charCodeAt(i))) i++;
      familyName = text.slice(nameStart, i);
      familyColumn = GPU_COLUMN_BY_METRIC.get(familyName);
      family++;
      previousFamily = currentFamily;
      currentFamily = [];
      guess = 0;
    }
    const name = familyName;

    let blockStart = i;
    let blockEnd = i;
    if (i < lineEnd && text.charCodeAt(i) === BRACE_OPEN) {
      // Values and timestamps never hold '}', so the last one on the line closes the label set;
      // a '}' inside a quoted label value is then just part of the block.
      const close = text.lastIndexOf('}', lineEnd - 1);
      if (close < i) {
        fail(lineNo, `${name}: the label set is not closed with "}".`);
        continue;
      }
      blockStart = i + 1;
      blockEnd = close;
      i = close + 1;
    } else if (i < lineEnd && !isBlank(text.charCodeAt(i))) {
      fail(lineNo, `${name}: unexpected character "${text[i]}" after the metric name.`);
      continue;
    }

    i = skipBlanks(text, i, lineEnd);
    if (i === lineEnd) {
      fail(lineNo, `${name}: the sample has no value.`);
      continue;
    }
    const valueStart = i;
    while (i < lineEnd && !isBlank(text.charCodeAt(i))) i++;
    const valueEnd = i;
    i = skipBlanks(text, i, lineEnd);
    let ts = receivedAtMs;
    if (i < lineEnd) {
      const tsStart = i;
      while (i < lineEnd && !isBlank(text.charCodeAt(i))) i++;
      ts = scanInteger(text, tsStart, i);
      if (Number.isNaN(ts)) ts = Number(text.slice(tsStart, i));
      if (!Number.isSafeInteger(ts)) {
        fail(
          lineNo,
          `${name}: the timestamp "${text.slice(tsStart, i)}" is not an integer of epoch milliseconds.`,
        );
        continue;
      }
      if (skipBlanks(text, i, lineEnd) !== lineEnd) {
        fail(lineNo, `${name}: unexpected text after the timestamp.`);
        continue;
      }
    }

    let value = scanDecimal(text, valueStart, valueEnd);
    if (Number.isNaN(value)) {
      const parsed = parseValue(text.slice(valueStart, valueEnd));
      if (parsed === undefined) {
        fail(lineNo, `${name}: the value "${text.slice(valueStart, valueEnd)}" is not a number.`);
        continue;
      }
      value = parsed;
    }

    const raw = text.slice(blockStart, blockEnd);
    let entry: BlockEntry | undefined;
    if (lastEntry !== undefined && lastEntry.raw === raw) {
      entry = lastEntry;
    } else if (lastEntry?.successor !== undefined && lastEntry.successor.raw === raw) {
      // Families that skip some GPUs (profiling, MIG) break positional guesses but not "what came next".
      entry = lastEntry.successor;
    } else {
      const predicted = previousFamily[guess];
      if (predicted !== undefined && predicted.raw === raw) {
        entry = predicted;
      } else {
        entry = blocks.get(raw);
        if (entry === undefined) {
          entry = {
            raw,
            labelSet: parseLabelSet(raw),
            series: undefined,
            successor: undefined,
            family: 0,
            index: 0,
          };
          blocks.set(raw, entry);
        }
      }
    }
    // Re-synchronise the prediction on the entry's place in the previous family, so one GPU
    // missing from a family (no profiling metrics) costs one miss, not the rest of the family.
    guess = entry.family === family - 1 ? entry.index + 1 : guess + 1;
    if (entry.family !== family) {
      entry.family = family;
      entry.index = currentFamily.length;
      currentFamily.push(entry);
    }
    if (lastEntry !== undefined && lastEntry !== entry) lastEntry.successor = entry;
    lastEntry = entry;

    const labelSet = entry.labelSet;
    if (typeof labelSet === 'string') {
      fail(lineNo, `${name}: ${labelSet}`);
      continue;
    }
    // NaN and ±Inf are valid exposition but say "no measurement": store nothing for them.
    if (!Number.isFinite(value)) continue;

    let series = entry.series;
    if (series === undefined) {
      series = seriesByKey.get(labelSet.seriesKey);
      if (series === undefined) {
        series = { byTs: new Map(), lastTs: Number.NaN, last: undefined };
        seriesByKey.set(labelSet.seriesKey, series);
      }
      entry.series = series;
    }
    let slot = series.lastTs === ts ? series.last : series.byTs.get(ts);
    if (slot === undefined) {
      slot = { row: newRow(labelSet, ts), mergedFrom: labelSet };
      series.byTs.set(ts, slot);
      rows.push(slot.row);
    } else if (slot.mergedFrom !== labelSet) {
      mergeLabels(slot.row, labelSet);
      slot.mergedFrom = labelSet;
    }
    series.lastTs = ts;
    series.last = slot;

    if (familyColumn !== undefined) slot.row.values[familyColumn] = value;
    else slot.row.extras[name] = value;
  }
  return { rows, errors, malformedLines };
}

function newRow(set: LabelSet, ts: number): GpuSeriesSample {
  return { ts, ...set.fields, values: {}, extras: {}, labels: { ...set.labels } };
}

/** A later line of the same series may carry more labels (the XID line adds err_code). */
function mergeLabels(row: GpuSeriesSample, set: LabelSet): void {
  for (const field in set.fields) {
    const value = set.fields[field as GpuLabelField];
    if (value !== '' && row[field as GpuLabelField] === '') row[field as GpuLabelField] = value;
  }
  for (const name in set.labels) if (!(name in row.labels)) row.labels[name] = set.labels[name] as string;
}

/** Exact powers of ten: a ≤15-digit mantissa divided by one is the correctly rounded decimal. */
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * The plain decimals dcgm-exporter writes (`87`, `312.457000`, `-1.5`) without a substring;
 * NaN when the text needs the general parser (exponents, long mantissas, Inf, garbage).
 */
function scanDecimal(text: string, i: number, end: number): number {
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  let sawDot = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (sawDot) fractionDigits++;
    } else if (c === 46 /* . */ && !sawDot) {
      sawDot = true;
    } else {
      return Number.NaN;
    }
  }
  // 15 digits stay below 2^53, so the mantissa is exact and one division rounds correctly.
  if (digits === 0 || digits > 15) return Number.NaN;
  const value = fractionDigits === 0 ? mantissa : mantissa / (POW10[fractionDigits] as number);
  return negative ? -value : value;
}

/** An optionally negative run of up to 15 digits, NaN otherwise (the caller falls back). */
function scanInteger(text: string, i: number, end: number): number {
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  if (i === end || end - i > 15) return Number.NaN;
  let value = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    value = value * 10 + (c - 48);
  }
  return negative ? -value : value;
}

/** Go's ParseFloat spellings Prometheus writes, plus plain JavaScript numbers. */
function parseValue(text: string): number | undefined {
  const value = Number(text);
  if (!Number.isNaN(value)) return value;
  switch (text) {
    case 'NaN':
      return Number.NaN;
    case '+Inf':
    case 'Inf':
      return Number.POSITIVE_INFINITY;
    case '-Inf':
      return Number.NEGATIVE_INFINITY;
    default:
      return undefined;
  }
}

/**
 * Parses the text between `{` and `}`: `name="value"` pairs separated by commas, a trailing
 * comma allowed, values with the escapes \\ \" and \n. Returns an error message when malformed.
 */
function parseLabelSet(block: string): LabelSet | string {
  const fields = emptyLabelFields();
  // Which spelling set each field so far, and how much it is trusted.
  const heldBy: Partial<Record<GpuLabelField, { name: string; priority: number }>> = {};
  const labels: Record<string, string> = {};
  const seen = new Set<string>();
  const n = block.length;
  let i = 0;
  while (true) {
    i = skipBlanks(block, i, n);
    if (i === n) break;
    const nameStart = i;
    if (!isLabelNameStart(block.charCodeAt(i)))
      return `expected a label name at "${block.slice(i, i + 20)}".`;
    i++;
    while (i < n && isLabelNameChar(block.charCodeAt(i))) i++;
    const name = block.slice(nameStart, i);
    i = skipBlanks(block, i, n);
    if (block.charCodeAt(i) !== EQUALS) return `expected "=" after the label ${name}.`;
    i = skipBlanks(block, i + 1, n);
    if (block.charCodeAt(i) !== QUOTE) return `the value of the label ${name} must be a quoted string.`;
    i++;
    let value = '';
    let chunkStart = i;
    while (true) {
      if (i >= n) return `the value of the label ${name} is not terminated with a quote.`;
      const c = block.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const next = block.charCodeAt(i + 1);
        const unescaped =
          next === BACKSLASH ? '\\' : next === QUOTE ? '"' : next === 110 /* n */ ? '\n' : undefined;
        if (unescaped === undefined)
          return `the value of the label ${name} has an invalid escape "\\${block[i + 1] ?? ''}".`;
        value += block.slice(chunkStart, i) + unescaped;
        i += 2;
        chunkStart = i;
        continue;
      }
      i++;
    }
    value += block.slice(chunkStart, i);
    i = skipBlanks(block, i + 1, n);
    if (i < n) {
      if (block.charCodeAt(i) !== COMMA) return `expected "," or "}" after the label ${name}.`;
      i++;
    }
    if (seen.has(name)) return `the label ${name} appears twice.`;
    seen.add(name);

    const role = LABEL_ROLES.get(name);
    if (role === undefined) {
      labels[name] = value;
      continue;
    }
    const held = heldBy[role.field];
    if (held === undefined || role.priority > held.priority) {
      // The outranked spelling (e.g. the exporter's own `pod` beside `exported_pod`) is kept verbatim.
      if (held !== undefined) labels[held.name] = fields[role.field];
      fields[role.field] = value;
      heldBy[role.field] = { name, priority: role.priority };
    } else {
      labels[name] = value;
    }
  }
  if (fields.uuid === '' && fields.gpu === '')
    return 'the sample has neither a UUID/uuid nor a gpu label, so no GPU to attribute it to.';
  const seriesKey = `${fields.host}\u001f${fields.uuid}\u001f${fields.gpu}\u001f${fields.migInstance}`;
  return { fields, labels, seriesKey };
}

function skipBlanks(text: string, i: number, end: number): number {
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isLabelNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isLabelNameChar(c: number): boolean {
  return isLabelNameStart(c) || (c >= 48 && c <= 57);
}
