/**
 * TabSeparated encoding for INSERT bodies: the cheapest format for both sides to produce and
 * parse (no quoting, no per-row keys). Values are escaped here and nowhere else.
 */

// ClickHouse reads these escapes back in TabSeparated; tab and newline are the separators.
const TSV_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
  '\0': '\\0',
};
const TSV_SPECIAL = /[\\\t\n\r\0]/g;
// A separate non-global copy for the test: a global regex's test() is stateful (lastIndex).
const HAS_TSV_SPECIAL = /[\\\t\n\r\0]/;

/** A string field. */
export function tsvString(value: string): string {
  return HAS_TSV_SPECIAL.test(value) ? value.replace(TSV_SPECIAL, (c) => TSV_ESCAPES[c] ?? c) : value;
}

/** A Nullable(String) field (`\N` is NULL). */
export function tsvNullableString(value: string | null): string {
  return value === null ? '\\N' : tsvString(value);
}

/** A Float64 or Int64 field. */
export function tsvNumber(value: number): string {
  if (Number.isFinite(value)) return String(value);
  return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
}

/** A Nullable(Float64) field. */
export function tsvNullableNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? '\\N' : tsvNumber(value);
}
