/**
 * Strings that break naive quoting, placeholder substitution or TSV framing, and the round trips
 * every ClickHouse server the store supports must pass with them, whichever way it binds.
 */
import { expect, it } from 'vitest';
import type { ClickHouseDb } from '../../collector/store/clickhouse/connection.js';
import type { SqlValue } from '../../collector/store/clickhouse/sql.js';

export const INJECTION_CORPUS: readonly string[] = [
  '',
  "'",
  "''",
  "\\'",
  '\\',
  'trailing backslash\\',
  "'; DROP TABLE predictions; --",
  "' OR 1=1 --",
  "x' UNION ALL SELECT name FROM system.tables --",
  '") OR ("1"="1',
  '`; DROP DATABASE default; --`',
  '/* comment */ 1',
  '-- line comment',
  '# hash comment',
  'tab\there',
  'new\nline',
  'carriage\rreturn',
  'nul\0byte',
  '\\N',
  '\\t literal backslash-t',
  '{v:String}',
  '{other:UInt8}',
  "$& $1 $` $'",
  '?',
  'naïve café — 漢字 🚀',
  '\u2028\u2029',
  '\b\f\v\x07',
  '%27%22',
  "\\\\'\\\\'",
  'a'.repeat(10_000),
];

/** Bound values come back unchanged: the corpus, as strings and as one array; numbers; NULL. */
export function describeParameterRoundTrips(db: () => ClickHouseDb): void {
  it('round-trips every corpus string through a bound placeholder unchanged', async () => {
    for (const value of INJECTION_CORPUS) {
      const rows = await db().query<{ v: string; n: number }>(
        'SELECT {v:String} AS v, length({v:String}) AS n',
        { v: value },
      );
      expect(rows, JSON.stringify(value.slice(0, 40))).toEqual([{ v: value, n: Buffer.byteLength(value) }]);
    }
  });

  it('round-trips the whole corpus as one Array(String) parameter', async () => {
    const rows = await db().query<{ v: string[] }>('SELECT {v:Array(String)} AS v', { v: INJECTION_CORPUS });
    expect(rows[0]?.v).toEqual(INJECTION_CORPUS);
  });

  it('round-trips numbers, including the edges JSON cannot carry', async () => {
    const values: SqlValue[] = [
      0,
      -0,
      1,
      -1,
      0.1,
      1e21,
      -1e-7,
      5e-324,
      -1e-310,
      2.2250738585072014e-308,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    for (const value of values) {
      const rows = await db().query<{ v: number }>('SELECT {v:Float64} AS v', { v: value });
      expect(rows[0]?.v).toBe(Object.is(value, -0) ? 0 : value);
    }
    const special = await db().query<{ a: number; b: number; c: number }>(
      'SELECT isNaN({a:Float64}) AS a, isInfinite({b:Float64}) AND {b:Float64} > 0 AS b, {c:Float64} < 0 AND isInfinite({c:Float64}) AS c',
      { a: NaN, b: Infinity, c: -Infinity },
    );
    expect(special).toEqual([{ a: 1, b: 1, c: 1 }]);
    // A negative literal after a minus stays a subtraction, never a `--` comment.
    expect(await db().query('SELECT 1 - {v:Int64} AS v', { v: -1 })).toEqual([{ v: 2 }]);
  });

  it('keeps NULL distinct from the string "NULL"', async () => {
    const rows = await db().query(
      'SELECT isNull({a:Nullable(String)}) AS a, isNull({b:Nullable(String)}) AS b',
      { a: null, b: 'NULL' },
    );
    expect(rows).toEqual([{ a: 1, b: 0 }]);
  });
}
