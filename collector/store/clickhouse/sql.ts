/**
 * The one way a user-supplied value reaches SQL text on servers without query parameters:
 * `sqlLiteral`. Queries are written once with ClickHouse's own `{name:Type}` placeholders;
 * `bindInline` replaces them with literals (18.16), while current servers receive the values
 * as `param_name` and bind them server-side (see connection.ts). Injection tests:
 * test/store/clickhouse.test.ts.
 */

/** A value bound to a `{name:Type}` placeholder. */
export type SqlValue = string | number | bigint | boolean | null | readonly SqlValue[];

/** Values by placeholder name. */
export type SqlParams = Readonly<Record<string, SqlValue>>;

// Backslash first so the escapes we add are not escaped again; the quote, and the control
// characters a literal can hold, so logs and the query text stay on one line.
const STRING_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\0': '\\0',
  '\b': '\\b',
  '\f': '\\f',
};
const NEEDS_ESCAPE = /[\\'\n\r\t\0\b\f]/g;

/**
 * A ClickHouse literal for `value`: strings quoted with every quote and backslash escaped,
 * numbers (nan/inf included) as numeric literals, null as NULL, arrays element by element.
 * @example sqlLiteral("it's") === "'it\\'s'"
 */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return `'${value.replace(NEEDS_ESCAPE, (c) => STRING_ESCAPES[c] ?? c)}'`;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    const text = Math.abs(value) < MIN_NORMAL && value !== 0 ? subnormalLiteral(value) : String(value);
    // Negative numbers in parentheses: `x - -1` stays a subtraction of a negative literal.
    return value < 0 || Object.is(value, -0) ? `(${text})` : text;
  }
  if (typeof value === 'bigint') return value < 0n ? `(${value.toString()})` : value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) return `[${value.map(sqlLiteral).join(', ')}]`;
  throw new TypeError(`cannot bind a ${typeof value} into SQL`);
}

// 18.16's SQL parser rejects decimal subnormals (1e-310) but reads hex floats exactly.
const MIN_NORMAL = 2.2250738585072014e-308;
function subnormalLiteral(value: number): string {
  // A subnormal is an integer multiple of Number.MIN_VALUE (2^-1074), so the quotient is exact.
  const sign = value < 0 ? '-' : '';
  return `${sign}0x${(Math.abs(value) / Number.MIN_VALUE).toString(16)}p-1074`;
}

/** A quoted identifier (database, table or column name). */
export function sqlIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/** `{name:Type}`: ClickHouse's placeholder syntax. Our SQL templates use braces for nothing else. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;

/**
 * Replaces every `{name:Type}` placeholder with `CAST(literal AS Type)`, so a value keeps the
 * type it would have had when bound server-side (an empty array, a NULL, a Float64 of 1).
 */
export function bindInline(sql: string, params: SqlParams): string {
  return sql.replace(PLACEHOLDER, (_, name: string, type: string) => {
    if (!Object.hasOwn(params, name)) throw new Error(`query parameter "${name}" has no value`);
    return `CAST(${sqlLiteral(params[name] as SqlValue)} AS ${type})`;
  });
}

/** The names of the placeholders of `sql`, to check a parameter set before sending it. */
export function placeholderNames(sql: string): string[] {
  return [...sql.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}
