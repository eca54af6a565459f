/** Loads the SciPy reference fixtures (test/fixtures/drift) and the public data they refer to. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '..', 'fixtures', 'drift');
/** The vega-datasets data folder (real public data, installed from npm). */
export const VEGA_DATA = join(here, '..', '..', 'node_modules', 'vega-datasets', 'data');

/** A number as the fixture script writes it (non-finite values as strings). */
export type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';

export function decode(value: Encoded): number {
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return value;
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** Where a real-data case takes its two samples from. */
export interface Source {
  file: string;
  column: string;
  ref: [number, number] | number | string;
  cur: [number, number] | number | string;
}

const cache = new Map<string, Record<string, string>[]>();

/** Rows of a vega-datasets file as string records (JSON or CSV). */
export function vegaRows(file: string): Record<string, string>[] {
  const cached = cache.get(file);
  if (cached) return cached;
  const text = readFileSync(join(VEGA_DATA, file), 'utf8');
  let rows: Record<string, string>[];
  if (file.endsWith('.json')) {
    rows = (JSON.parse(text) as Record<string, unknown>[]).map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])),
    );
  } else {
    const [header, ...lines] = text.trim().split('\n');
    const keys = header!.split(',');
    rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [keys[i]!, v])));
  }
  cache.set(file, rows);
  return rows;
}

const WINTER = new Set([12, 1, 2]);
const SUMMER = new Set([6, 7, 8]);

function select(
  rows: Record<string, string>[],
  which: [number, number] | number | string,
): Record<string, string>[] {
  if (Array.isArray(which)) return rows.slice(which[0], which[1]);
  if (typeof which === 'number') return rows.filter((r) => r.date!.startsWith(String(which)));
  const months = which === 'winter' ? WINTER : SUMMER;
  return rows.filter((r) => months.has(Number(r.date!.slice(5, 7))));
}

/** The two string columns a real-data case compares. */
export function sourceColumns(source: Source): { ref: string[]; cur: string[] } {
  const rows = vegaRows(source.file);
  return {
    ref: select(rows, source.ref).map((r) => r[source.column]!),
    cur: select(rows, source.cur).map((r) => r[source.column]!),
  };
}

/**
 * Asserts agreement with SciPy: 1e-6 relative, or `absolute` (1e-9 for p-values) when the
 * reference is tiny; non-finite values must match exactly.
 */
export function expectClose(actual: number, expected: number, label: string, absolute = 1e-12): void {
  if (!Number.isFinite(expected)) {
    expect(String(actual), label).toBe(String(expected));
    return;
  }
  const error = Math.abs(actual - expected);
  const ok = error <= 1e-6 * Math.abs(expected) || error <= absolute;
  expect(ok, `${label}: ours ${actual}, SciPy ${expected}`).toBe(true);
}
