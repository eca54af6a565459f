/**
 * Reads a dataset for offline comparison: CSV (RFC 4180 quoting, header row) or NDJSON (one
 * JSON object per line; a JSON array of objects is accepted too). A column is numeric when every
 * non-missing value parses as a number; missing values (empty, NA, NaN, null, None) are counted,
 * never silently dropped.
 */
import { readFile } from 'node:fs/promises';
import { FactorywatchError } from '../errors.js';

/** A numeric column keeps NaN for missing values; a categorical one keeps null. */
export type DatasetColumn =
  | { name: string; type: 'numeric'; values: Float64Array; missing: number }
  | { name: string; type: 'categorical'; values: (string | null)[]; missing: number };

/** Raw cells per column before type inference. */
export interface RawDataset {
  rows: number;
  columns: Map<string, (string | number | null)[]>;
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'none']);
const INFINITIES: Record<string, number> = {
  inf: Number.POSITIVE_INFINITY,
  '+inf': Number.POSITIVE_INFINITY,
  '-inf': Number.NEGATIVE_INFINITY,
  infinity: Number.POSITIVE_INFINITY,
  '+infinity': Number.POSITIVE_INFINITY,
  '-infinity': Number.NEGATIVE_INFINITY,
};

/** Reads a file; the format comes from the extension (.csv, .ndjson, .jsonl, .json) or the first character. */
export async function readDataset(path: string): Promise<RawDataset> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new FactorywatchError('BODY_UNPARSEABLE', `Cannot read ${path}: ${(error as Error).message}`, path);
  }
  return parseDataset(text, path);
}

/** Parses dataset text (see readDataset); `name` is used in error messages. */
export function parseDataset(text: string, name: string): RawDataset {
  const first = text.trimStart()[0];
  const lower = name.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv'))
    return parseCsv(text, name, lower.endsWith('.tsv') ? '\t' : ',');
  if (first === '{' || first === '[') return parseJsonRecords(text, name);
  return parseCsv(text, name, ',');
}

function parseJsonRecords(text: string, name: string): RawDataset {
  let records: unknown[];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      records = JSON.parse(text) as unknown[];
    } catch (error) {
      throw new FactorywatchError(
        'BODY_UNPARSEABLE',
        `${name} is not valid JSON: ${(error as Error).message}`,
        name,
      );
    }
  } else {
    records = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        throw new FactorywatchError(
          'BODY_UNPARSEABLE',
          `${name} line ${i + 1} is not a JSON object.`,
          `${name}:${i + 1}`,
        );
      }
    }
  }
  const columns = new Map<string, (string | number | null)[]>();
  records.forEach((record, row) => {
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new FactorywatchError(
        'BODY_INVALID',
        `${name} record ${row + 1} is not an object.`,
        `${name}:${row + 1}`,
      );
    }
    for (const [key, value] of Object.entries(record)) {
      let column = columns.get(key);
      if (!column) {
        column = new Array<string | number | null>(row).fill(null);
        columns.set(key, column);
      }
      column[row] = cell(value);
    }
    for (const column of columns.values()) if (column.length === row) column.push(null);
  });
  return { rows: records.length, columns };
}

function cell(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function parseCsv(text: string, name: string, separator: string): RawDataset {
  const rows = csvRows(text, separator);
  const header = rows.shift();
  if (!header || header.length === 0 || (header.length === 1 && header[0] === '')) {
    throw new FactorywatchError('BODY_INVALID', `${name} has no header row.`, name);
  }
  const columns = new Map<string, (string | number | null)[]>();
  const names = header.map((h, i) => (h.trim() === '' ? `column_${i + 1}` : h.trim()));
  for (const n of names) columns.set(n, new Array<string | null>(rows.length));
  rows.forEach((row, r) => {
    if (row.length !== names.length && !(row.length === 1 && row[0] === '')) {
      throw new FactorywatchError(
        'BODY_INVALID',
        `${name} row ${r + 2} has ${row.length} fields, the header has ${names.length}.`,
        `${name}:${r + 2}`,
      );
    }
    names.forEach((n, c) => (columns.get(n)![r] = row[c] ?? null));
  });
  return { rows: rows.length, columns };
}

/** RFC 4180 rows: quoted fields may hold separators, doubled quotes and newlines. */
function csvRows(text: string, separator: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === separator) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      field = '';
      rows.push(row);
      row = [];
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  // A trailing blank line is not a row.
  while (rows.length > 0 && rows[rows.length - 1]!.length === 1 && rows[rows.length - 1]![0] === '')
    rows.pop();
  return rows;
}

/** A cell as a number (NaN when missing), or undefined when it is not numeric. */
export function numericCell(value: string | number | null): number | undefined {
  if (value === null) return Number.NaN;
  if (typeof value === 'number') return value;
  const trimmed = value.trim();
  const lower = trimmed.toLowerCase();
  if (MISSING.has(lower)) return Number.NaN;
  if (lower in INFINITIES) return INFINITIES[lower];
  const parsed = Number(trimmed);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** Whether every non-missing cell of the column parses as a number. */
export function isNumericColumn(cells: readonly (string | number | null)[]): boolean {
  for (const c of cells) if (numericCell(c) === undefined) return false;
  return true;
}

/** Types a raw column: numeric (as requested) or categorical, with its missing count. */
export function typedColumn(
  name: string,
  cells: readonly (string | number | null)[],
  numeric: boolean,
): DatasetColumn {
  if (numeric) {
    const values = new Float64Array(cells.length);
    let missing = 0;
    cells.forEach((c, i) => {
      const v = numericCell(c)!;
      values[i] = v;
      if (Number.isNaN(v)) missing++;
    });
    return { name, type: 'numeric', values, missing };
  }
  let missing = 0;
  const values = cells.map((c) => {
    if (c === null || (typeof c === 'string' && MISSING.has(c.trim().toLowerCase()))) {
      missing++;
      return null;
    }
    return typeof c === 'number' ? String(c) : c;
  });
  return { name, type: 'categorical', values, missing };
}
