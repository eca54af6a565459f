/**
 * Canonical JSON (RFC 8785 for the values we store: strings, finite numbers, booleans, null,
 * arrays and objects): object keys sorted by UTF-16 code units, no whitespace, undefined
 * members dropped. The same event always serialises to the same bytes, so its hash is stable.
 */

/** Serialises `value` canonically. Non-finite numbers become null, as in JSON.stringify. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    return text === undefined ? 'null' : text;
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}
