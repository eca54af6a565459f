/**
 * The drift queries of the ClickHouse store: window aggregates of prediction_features (counts,
 * right-closed histograms against given edges, category counts) and numeric columns sorted by the
 * server and read back as RowBinary, plus stored references and results.
 *
 * ClickHouse has no transactions and no cheap DELETE, so the mutable state (a scope's pinned
 * references and its reference mode) is append-only with a revision: every write adds rows
 * stamped (rev, gen), and readers take the newest. A reference set is one INSERT (one part, all
 * or nothing) with a header row, so an empty set (mode `previous`) is representable and a reader
 * never sees half of a replacement.
 */
import { randomUUID } from 'node:crypto';
import type {
  DriftResultFilter,
  DriftResultRow,
  DriftScope,
  DriftStore,
  DriftWindow,
  FeatureCounts,
  ReferenceMode,
  StoredReference,
} from '../drift-store.js';
import type { ClickHouseDb } from './connection.js';
import type { ClickHouseMigration } from './migrations.js';
import { RowBinaryReader } from './rowbinary.js';
import { createTablesStatements, type TableSpec } from './schema.js';
import type { SqlParams } from './sql.js';
import { tsvNullableNumber, tsvNullableString, tsvNumber, tsvString } from './tsv.js';

const SCOPE_COLUMNS = [
  { name: 'tenant', type: 'Name' },
  { name: 'model', type: 'Name' },
  { name: 'version', type: 'Name' },
  { name: 'segment', type: 'Name' },
] as const;
const SCOPE_KEY = ['tenant', 'model', 'version', 'segment'];

/**
 * Pinned references, one reference set per (scope, rev, gen): a header row (`header = 1`) plus
 * one row per feature. Float64 arrays are stored as base64 of their bytes, which keeps every
 * double exact (NaN, ±inf, -0, subnormals) through TSV in and JSON out.
 */
const DRIFT_REFERENCES: TableSpec = {
  name: 'drift_references',
  columns: [
    ...SCOPE_COLUMNS,
    { name: 'rev', type: 'Int64' },
    { name: 'gen', type: 'String' },
    { name: 'header', type: 'UInt8' },
    { name: 'feature', type: 'Name' },
    { name: 'kind', type: 'Name' },
    { name: 'source', type: 'Name' },
    { name: 'created_at', type: 'Int64' },
    { name: 'window_from', type: 'Nullable(Int64)' },
    { name: 'window_to', type: 'Nullable(Int64)' },
    { name: 'n', type: 'Int64' },
    { name: 'missing', type: 'Int64' },
    { name: 'sample', type: 'Nullable(String)' },
    { name: 'sketch', type: 'UInt8' },
    { name: 'sketch_counts', type: 'Nullable(String)' },
    { name: 'bins', type: 'Int64' },
    { name: 'psi_edges', type: 'Nullable(String)' },
    { name: 'psi_counts', type: 'Nullable(String)' },
    { name: 'std', type: 'Nullable(Float64)' },
    { name: 'categories', type: 'Nullable(String)' },
  ],
  orderBy: [...SCOPE_KEY, 'rev', 'feature'],
  partitionByDay: false,
  expires: false,
};

/** Reference modes, newest (rev, gen) per scope wins. */
const DRIFT_REFERENCE_MODES: TableSpec = {
  name: 'drift_reference_modes',
  columns: [
    ...SCOPE_COLUMNS,
    { name: 'rev', type: 'Int64' },
    { name: 'gen', type: 'String' },
    { name: 'mode', type: 'Name' },
    { name: 'updated_at', type: 'Int64' },
  ],
  orderBy: [...SCOPE_KEY, 'rev'],
  partitionByDay: false,
  expires: false,
};

/** Evaluation results, ordered for "newest per feature of a scope". */
const DRIFT_RESULTS: TableSpec = {
  name: 'drift_results',
  columns: [
    { name: 'tenant', type: 'Name' },
    { name: 'evaluated_at', type: 'Int64' },
    { name: 'model', type: 'Name' },
    { name: 'version', type: 'Name' },
    { name: 'segment', type: 'Name' },
    { name: 'feature', type: 'Name' },
    { name: 'window_from', type: 'Int64' },
    { name: 'window_to', type: 'Int64' },
    { name: 'type', type: 'Name' },
    { name: 'status', type: 'Name' },
    { name: 'drift', type: 'UInt8' },
    { name: 'psi', type: 'Nullable(Float64)' },
    { name: 'ks_statistic', type: 'Nullable(Float64)' },
    { name: 'ks_pvalue', type: 'Nullable(Float64)' },
    { name: 'missing_ratio', type: 'Float64' },
    { name: 'reference_source', type: 'String' },
    { name: 'report', type: 'String' },
  ],
  orderBy: ['tenant', 'model', 'version', 'segment', 'feature', 'evaluated_at'],
  partitionByDay: false,
  expires: false,
};

/** The drift tables (also rendered by the cluster DDL). */
export const DRIFT_TABLES: readonly TableSpec[] = [DRIFT_REFERENCES, DRIFT_REFERENCE_MODES, DRIFT_RESULTS];

/** The drift migrations: the tables above, created if missing. */
export const DRIFT_MIGRATIONS: readonly ClickHouseMigration[] = [
  { id: 'drift-001', statements: createTablesStatements(DRIFT_TABLES) },
];

const columnNames = (spec: TableSpec) => spec.columns.map((c) => c.name);

const SCOPE_WHERE =
  'tenant = {tenant:String} AND model = {model:String} AND version = {version:String} AND segment = {segment:String}';
const WINDOW_WHERE = `${SCOPE_WHERE} AND ts >= {from:Int64} AND ts < {to:Int64}`;

/** `feature` is one of the `features` parameter, as a set lookup built once per query. */
const IN_FEATURES = 'feature IN (SELECT arrayJoin({features:Array(String)}))';

const scopeParams = (s: DriftScope): SqlParams => ({
  tenant: s.tenant,
  model: s.model,
  version: s.version,
  segment: s.segment,
});
const windowParams = (w: DriftWindow): SqlParams => ({ ...scopeParams(w), from: w.from, to: w.to });

/**
 * A Float64 column as text (`toString`): JSON output writes NaN and ±inf as null, text keeps
 * them; finite doubles print shortest round-trip, so nothing is lost either way.
 */
const floatText = (column: string) => `toString(${column})`;

/** Reads `floatText` output back. */
function parseFloatText(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const s = String(v);
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan' || s === '-nan') return NaN;
  return Number(s);
}

const toBase64 = (values: Float64Array | null) =>
  values === null
    ? null
    : Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');

function fromBase64(value: unknown): Float64Array | null {
  if (value === null || value === undefined) return null;
  const bytes = Buffer.from(String(value), 'base64');
  // Copy into a fresh buffer: a Buffer's bytes need not be 8-byte aligned.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}

/**
 * A double as DuckDB's CAST(DOUBLE AS VARCHAR) writes it, which follows Python's repr: shortest
 * round-trip digits, positional for decimal exponents -5 < e < 16 with at least one decimal
 * (`3.0`), scientific otherwise with a signed two-digit exponent (`1e-05`, `1e+16`). Used for
 * numbers in categorical features so both stores count the same category names.
 */
export function duckDbDoubleText(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // toExponential() without digits gives the shortest digits that round-trip.
  const [mantissa = '', expText = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exp = Number(expText);
  const point = exp + 1; // digits before the decimal point
  if (point > -4 && point <= 16) {
    if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
    if (digits.length <= point) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const significand = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${significand}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A (rev, gen) pair newer than anything this process or the scope's stored rows have. */
interface Stamp {
  rev: number;
  gen: string;
}

function scopeLine(s: DriftScope, stamp: Stamp): string {
  return `${tsvString(s.tenant)}\t${tsvString(s.model)}\t${tsvString(s.version)}\t${tsvString(s.segment)}\t${stamp.rev}\t${tsvString(stamp.gen)}`;
}

function referenceLine(scope: DriftScope, stamp: Stamp, r: StoredReference): string {
  return (
    `${scopeLine(scope, stamp)}\t0\t${tsvString(r.feature)}\t${tsvString(r.kind)}\t${tsvString(r.source)}\t` +
    `${r.createdAt}\t${tsvNullableNumber(r.windowFrom)}\t${tsvNullableNumber(r.windowTo)}\t${r.n}\t${r.missing}\t` +
    `${tsvNullableString(toBase64(r.sample))}\t${r.sketch ? 1 : 0}\t${tsvNullableString(toBase64(r.sketchCounts))}\t` +
    `${r.bins}\t${tsvNullableString(toBase64(r.psiEdges))}\t${tsvNullableString(toBase64(r.psiCounts))}\t` +
    `${tsvNullableNumber(r.std)}\t${tsvNullableString(r.categories === null ? null : JSON.stringify(r.categories))}\n`
  );
}

/** The header row of a reference set: it exists even when the set is empty. */
function headerLine(scope: DriftScope, stamp: Stamp): string {
  return `${scopeLine(scope, stamp)}\t1\t\t\t\t0\t\\N\t\\N\t0\t0\t\\N\t0\t\\N\t0\t\\N\t\\N\t\\N\t\\N\n`;
}

function resultLine(r: DriftResultRow): string {
  return (
    `${tsvString(r.tenant)}\t${r.evaluatedAt}\t${tsvString(r.model)}\t${tsvString(r.version)}\t${tsvString(r.segment)}\t` +
    `${tsvString(r.feature)}\t${r.windowFrom}\t${r.windowTo}\t${tsvString(r.type)}\t${tsvString(r.status)}\t` +
    `${r.drift ? 1 : 0}\t${tsvNullableNumber(r.psi)}\t${tsvNullableNumber(r.ksStatistic)}\t${tsvNullableNumber(r.ksPvalue)}\t` +
    `${tsvNumber(r.missingRatio)}\t${tsvString(r.referenceSource)}\t${tsvString(r.report)}\n`
  );
}

// The newest reference set of a scope; (rev, gen) breaks ties between concurrent writers.
const LATEST_SET = `(rev, gen) IN (
  SELECT rev, gen FROM drift_references WHERE ${SCOPE_WHERE} AND header = 1 ORDER BY rev DESC, gen DESC LIMIT 1)`;

const REFERENCE_SELECT = `SELECT tenant, model, version, segment, feature, kind, source, created_at, window_from,
  window_to, n, missing, sample, sketch, sketch_counts, bins, psi_edges, psi_counts, ${floatText('std')} AS std_text,
  categories FROM drift_references`;

const RESULT_COLUMNS = `tenant, evaluated_at, model, version, segment, feature, window_from, window_to, type,
  status, drift, ${floatText('psi')} AS psi_text, ${floatText('ks_statistic')} AS ks_statistic_text,
  ${floatText('ks_pvalue')} AS ks_pvalue_text, ${floatText('missing_ratio')} AS missing_ratio_text, reference_source,
  report`;

/** The drift sub-store over `db`. */
export function createClickHouseDriftStore(db: ClickHouseDb): DriftStore {
  let lastRev = 0;

  /**
   * A stamp above the scope's stored revisions (so a collector with a slow clock still wins
   * over an earlier write) and above this process's last one (several writes in one ms).
   */
  async function nextStamp(scope: DriftScope): Promise<Stamp> {
    const rows = await db.query<{ rev: number }>(
      `SELECT max(r) AS rev FROM (
         SELECT max(rev) AS r FROM drift_references WHERE ${SCOPE_WHERE}
         UNION ALL SELECT max(rev) AS r FROM drift_reference_modes WHERE ${SCOPE_WHERE})`,
      scopeParams(scope),
    );
    lastRev = Math.max(Date.now() * 1000, num(rows[0]?.rev ?? 0) + 1, lastRev + 1);
    return { rev: lastRev, gen: randomUUID() };
  }

  async function writeMode(mode: ReferenceMode): Promise<void> {
    const stamp = await nextStamp(mode);
    await db.insertTsv(
      DRIFT_REFERENCE_MODES.name,
      columnNames(DRIFT_REFERENCE_MODES),
      `${scopeLine(mode, stamp)}\t${tsvString(mode.mode)}\t${mode.updatedAt}\n`,
    );
  }

  /** One INSERT: the header and every reference, so readers see the old set or the new one. */
  async function writeReferenceSet(scope: DriftScope, references: readonly StoredReference[]): Promise<void> {
    const stamp = await nextStamp(scope);
    let body = headerLine(scope, stamp);
    for (const r of references) body += referenceLine(scope, stamp, r);
    await db.insertTsv(DRIFT_REFERENCES.name, columnNames(DRIFT_REFERENCES), body);
  }

  return {
    async scopes(from, to) {
      return db.query<DriftScope>(
        `SELECT DISTINCT tenant, model, version, segment FROM prediction_features
         WHERE ts >= {from:Int64} AND ts < {to:Int64} ORDER BY tenant, model, version, segment`,
        { from, to },
      );
    },

    async featureCounts(window) {
      const rows = await db.query<Record<string, unknown>>(
        `SELECT feature, count(value_num) AS num, count(value_str) AS cat,
           countIf(isNull(value_num) AND isNull(value_str)) AS miss
         FROM prediction_features WHERE ${WINDOW_WHERE} GROUP BY feature ORDER BY feature`,
        windowParams(window),
      );
      return rows.map((r): FeatureCounts => ({
        feature: String(r.feature),
        numeric: num(r.num),
        categorical: num(r.cat),
        missing: num(r.miss),
      }));
    },

    async numericColumns(window, features) {
      const out = new Map<string, Float64Array>();
      for (const f of features) out.set(f, new Float64Array(0));
      if (features.length === 0) return out;
      // One scan; the server groups and sorts each feature's values and sends them as raw
      // doubles. The list is a set (IN a subquery): has()/indexOf() on an array parameter cost
      // a pass over the array per row on 18.16, slower than the sort itself.
      const body = await db.queryRowBinary(
        `SELECT feature, arraySort(groupArray(assumeNotNull(value_num))) AS v
         FROM prediction_features
         WHERE ${WINDOW_WHERE} AND isNotNull(value_num) AND ${IN_FEATURES}
         GROUP BY feature`,
        { ...windowParams(window), features: [...features] },
      );
      const reader = new RowBinaryReader(body);
      while (!reader.done) {
        const name = reader.string();
        const values = reader.float64Array();
        if (out.has(name)) out.set(name, values);
      }
      return out;
    },

    async histogram(window, feature, edges) {
      const counts = new Float64Array(edges.length + 1);
      // A value's bin is the number of edges strictly below it, as binCounts (searchsorted left).
      const bin = edges.length === 0 ? '0' : 'arrayCount(e -> e < v, {edges:Array(Float64)})';
      const rows = await db.query<{ bin: number; n: number }>(
        `SELECT ${bin} AS bin, count() AS n FROM (
           SELECT assumeNotNull(value_num) AS v FROM prediction_features
           WHERE ${WINDOW_WHERE} AND feature = {feature:String} AND isNotNull(value_num))
         GROUP BY bin`,
        edges.length === 0
          ? { ...windowParams(window), feature }
          : { ...windowParams(window), feature, edges: Array.from(edges) },
      );
      for (const r of rows) counts[num(r.bin)] = num(r.n);
      return counts;
    },

    async categoryCounts(window, features) {
      const out = new Map<string, Map<string, number>>();
      for (const f of features) out.set(f, new Map());
      if (features.length === 0) return out;
      // Grouped by the raw value; numbers are named in JS, the way the embedded store casts
      // them to text (see duckDbDoubleText). Distinct values are few, so this stays cheap.
      const rows = await db.query<{
        feature: string;
        str: string | null;
        num_text: string | null;
        n: number;
      }>(
        `SELECT feature, value_str AS str, ${floatText('value_num')} AS num_text, count() AS n
         FROM prediction_features
         WHERE ${WINDOW_WHERE} AND ${IN_FEATURES} AND (isNotNull(value_str) OR isNotNull(value_num))
         GROUP BY feature, value_str, value_num`,
        { ...windowParams(window), features: [...features] },
      );
      for (const r of rows) {
        const counts = out.get(r.feature);
        if (!counts) continue;
        const category = r.str ?? duckDbDoubleText(parseFloatText(r.num_text) ?? NaN);
        counts.set(category, (counts.get(category) ?? 0) + num(r.n));
      }
      return out;
    },

    async replaceReferences(scope, references) {
      await writeReferenceSet(scope, references);
      await writeMode({ ...scope, mode: 'pinned', updatedAt: references[0]?.createdAt ?? Date.now() });
    },

    async references(scope) {
      const rows = await db.query<Record<string, unknown>>(
        `${REFERENCE_SELECT} WHERE ${SCOPE_WHERE} AND header = 0 AND ${LATEST_SET} ORDER BY feature`,
        scopeParams(scope),
      );
      return rows.map((r): StoredReference => ({
        tenant: String(r.tenant),
        model: String(r.model),
        version: String(r.version),
        segment: String(r.segment),
        feature: String(r.feature),
        kind: r.kind as StoredReference['kind'],
        source: r.source as StoredReference['source'],
        createdAt: num(r.created_at),
        windowFrom: numOrNull(r.window_from),
        windowTo: numOrNull(r.window_to),
        n: num(r.n),
        missing: num(r.missing),
        sample: fromBase64(r.sample),
        sketch: num(r.sketch) === 1,
        sketchCounts: fromBase64(r.sketch_counts),
        bins: num(r.bins),
        psiEdges: fromBase64(r.psi_edges),
        psiCounts: fromBase64(r.psi_counts),
        std: parseFloatText(r.std_text),
        categories: r.categories === null ? null : (JSON.parse(String(r.categories)) as [string, number][]),
      }));
    },

    async setReferenceMode(mode) {
      // `previous` drops the pinned references: an empty set newer than any pinned one.
      if (mode.mode === 'previous') await writeReferenceSet(mode, []);
      await writeMode(mode);
    },

    async referenceMode(scope) {
      const rows = await db.query<{ mode: ReferenceMode['mode']; updated_at: number }>(
        `SELECT mode, updated_at FROM drift_reference_modes WHERE ${SCOPE_WHERE}
         ORDER BY rev DESC, gen DESC LIMIT 1`,
        scopeParams(scope),
      );
      const row = rows[0];
      return row ? { ...scope, mode: row.mode, updatedAt: num(row.updated_at) } : undefined;
    },

    async insertResults(rows) {
      if (rows.length === 0) return;
      await db.insertTsv(DRIFT_RESULTS.name, columnNames(DRIFT_RESULTS), rows.map(resultLine).join(''));
    },

    async latestResults(tenant, filter: DriftResultFilter) {
      const conditions = ['tenant = {tenant:String}'];
      const params: Record<string, string> = { tenant };
      for (const key of ['model', 'version', 'segment', 'feature'] as const) {
        const value = filter[key];
        if (value !== undefined) {
          conditions.push(`${key} = {${key}:String}`);
          params[key] = value;
        }
      }
      const where = conditions.join(' AND ');
      // Every row at the newest evaluated_at per feature (ties included), as the embedded
      // store's join does; an ALL INNER JOIN on the key and the time stands in for it.
      const rows = await db.query<Record<string, unknown>>(
        `SELECT ${RESULT_COLUMNS} FROM (SELECT * FROM drift_results WHERE ${where}) AS results
         ALL INNER JOIN (
           SELECT model, version, segment, feature, latest AS evaluated_at FROM (
             SELECT model, version, segment, feature, max(evaluated_at) AS latest
             FROM drift_results WHERE ${where} GROUP BY model, version, segment, feature)
         ) AS newest USING (model, version, segment, feature, evaluated_at)
         ORDER BY model, version, segment, feature`,
        params,
      );
      return rows.map((r): DriftResultRow => ({
        tenant: String(r.tenant),
        model: String(r.model),
        version: String(r.version),
        segment: String(r.segment),
        feature: String(r.feature),
        evaluatedAt: num(r.evaluated_at),
        windowFrom: num(r.window_from),
        windowTo: num(r.window_to),
        type: r.type as DriftResultRow['type'],
        status: r.status as DriftResultRow['status'],
        drift: num(r.drift) === 1,
        psi: parseFloatText(r.psi_text),
        ksStatistic: parseFloatText(r.ks_statistic_text),
        ksPvalue: parseFloatText(r.ks_pvalue_text),
        missingRatio: parseFloatText(r.missing_ratio_text) ?? NaN,
        referenceSource: String(r.reference_source),
        report: String(r.report),
      }));
    },
  };
}
