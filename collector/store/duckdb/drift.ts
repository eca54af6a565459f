/**
 * The drift queries of the embedded store: window aggregates of prediction_features (counts,
 * histograms against given edges with DuckDB's `histogram(x, boundaries)`, category counts),
 * numeric columns streamed chunk by chunk into Float64Arrays, stored references and results.
 */
import {
  blobValue,
  listValue,
  type DuckDBBlobVector,
  type DuckDBValue,
  type DuckDBVector,
} from '@duckdb/node-api';
import { sortInPlace } from '../../drift/stats/sort.js';
import type {
  DriftResultFilter,
  DriftResultRow,
  DriftScope,
  DriftStore,
  DriftWindow,
  FeatureCounts,
  ReferenceMode,
} from '../drift-store.js';
import type { DuckDb, SqlParam } from './connection.js';
import type { Migration } from './migrations.js';

export const DRIFT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'drift-001',
    sql: `
      CREATE TABLE drift_references (tenant VARCHAR NOT NULL, model VARCHAR NOT NULL, version VARCHAR NOT NULL,
        segment VARCHAR NOT NULL, feature VARCHAR NOT NULL, kind VARCHAR NOT NULL, source VARCHAR NOT NULL,
        created_at BIGINT NOT NULL, window_from BIGINT, window_to BIGINT, n BIGINT NOT NULL, missing BIGINT NOT NULL,
        sample BLOB, sketch BOOLEAN NOT NULL, sketch_counts BLOB, bins INTEGER NOT NULL, psi_edges BLOB,
        psi_counts BLOB, std DOUBLE, categories VARCHAR,
        PRIMARY KEY (tenant, model, version, segment, feature));
      CREATE TABLE drift_reference_modes (tenant VARCHAR NOT NULL, model VARCHAR NOT NULL, version VARCHAR NOT NULL,
        segment VARCHAR NOT NULL, mode VARCHAR NOT NULL, updated_at BIGINT NOT NULL,
        PRIMARY KEY (tenant, model, version, segment));
      CREATE TABLE drift_results (tenant VARCHAR NOT NULL, evaluated_at BIGINT NOT NULL, model VARCHAR NOT NULL,
        version VARCHAR NOT NULL, segment VARCHAR NOT NULL, feature VARCHAR NOT NULL, window_from BIGINT NOT NULL,
        window_to BIGINT NOT NULL, type VARCHAR NOT NULL, status VARCHAR NOT NULL, drift BOOLEAN NOT NULL,
        psi DOUBLE, ks_statistic DOUBLE, ks_pvalue DOUBLE, missing_ratio DOUBLE NOT NULL,
        reference_source VARCHAR NOT NULL, report VARCHAR NOT NULL);
    `,
  },
];

/** The WHERE clause of one window, and its parameters. */
function windowWhere(w: DriftWindow): { sql: string; params: SqlParam[] } {
  return {
    sql: 'tenant = ? AND model = ? AND version = ? AND segment = ? AND ts >= ? AND ts < ?',
    params: [w.tenant, w.model, w.version, w.segment, w.from, w.to],
  };
}

/**
 * The typed array behind a vector. The node API keeps it in a private field; copying it whole is
 * ~10x faster than `getItem` per value (bench `drift-100x100k`), so use it when present.
 */
function vectorItems(vector: DuckDBVector): ArrayLike<number> | undefined {
  const items = (vector as unknown as { items?: unknown }).items;
  return ArrayBuffer.isView(items) ? (items as unknown as ArrayLike<number>) : undefined;
}

/**
 * A DOUBLE[] parameter as text: a JS number list would bind as INTEGER[] when its first item is
 * whole. Shortest round-trip formatting keeps every double exact through the cast.
 */
function doubleListText(values: Float64Array): string {
  return `[${Array.from(values, (v) => (Number.isFinite(v) ? String(v) : v > 0 ? "'inf'" : "'-inf'")).join(', ')}]`;
}

const toBlob = (values: Float64Array | null) =>
  values === null ? null : blobValue(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));

/** The BLOB columns of drift_references, each a Float64Array's bytes. */
const BLOB_COLUMNS = ['sample', 'sketch_counts', 'psi_edges', 'psi_counts'] as const;

/**
 * Each row's BLOB columns as Float64Arrays, read chunk by chunk. Row objects would copy every
 * blob twice (into a Buffer, then into an aligned array): 100 references of 100k values are 80 MB
 * (bench `drift-100x100k`). Large blobs arrive as fresh, exclusively owned buffers and are viewed
 * in place; short ones (stored inline, ≤ 12 bytes) point into the chunk and are copied.
 */
async function readDoubleBlobs(
  db: DuckDb,
  sql: string,
  params: SqlParam[],
): Promise<(Float64Array | null)[][]> {
  const result = await db.connection.run(sql, params as DuckDBValue[]);
  const rows: (Float64Array | null)[][] = [];
  for (let c = 0; c < result.chunkCount; c++) {
    const chunk = result.getChunk(c);
    const vectors = Array.from(
      { length: chunk.columnCount },
      (_, k) => chunk.getColumnVector(k) as DuckDBBlobVector,
    );
    for (let i = 0; i < chunk.rowCount; i++) rows.push(vectors.map((v) => doublesOf(v.getItemBytes(i))));
  }
  return rows;
}

function doublesOf(bytes: Uint8Array | null): Float64Array | null {
  if (bytes === null) return null;
  const length = bytes.byteLength >>> 3;
  if (bytes.byteLength > 12 && bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength) {
    return new Float64Array(bytes.buffer, 0, length);
  }
  // Copy: the bytes need not be 8-byte aligned, nor outlive their chunk.
  const copy = new Uint8Array(length * 8);
  copy.set(bytes.subarray(0, length * 8));
  return new Float64Array(copy.buffer);
}

interface ReferenceRow {
  tenant: string;
  model: string;
  version: string;
  segment: string;
  feature: string;
  kind: 'numeric' | 'categorical';
  source: 'window' | 'dataset';
  created_at: number;
  window_from: number | null;
  window_to: number | null;
  n: number;
  missing: number;
  sketch: boolean;
  bins: number;
  std: number | null;
  categories: string | null;
}

interface ResultRow {
  tenant: string;
  evaluated_at: number;
  model: string;
  version: string;
  segment: string;
  feature: string;
  window_from: number;
  window_to: number;
  type: 'numeric' | 'categorical';
  status: DriftResultRow['status'];
  drift: boolean;
  psi: number | null;
  ks_statistic: number | null;
  ks_pvalue: number | null;
  missing_ratio: number;
  reference_source: string;
  report: string;
}

export function createDuckDbDriftStore(db: DuckDb): DriftStore {
  return {
    async scopes(from, to) {
      return db.all<DriftScope>(
        `SELECT DISTINCT tenant, model, version, segment FROM prediction_features WHERE ts >= ? AND ts < ?
         ORDER BY tenant, model, version, segment`,
        [from, to],
      );
    },

    async featureCounts(window) {
      const where = windowWhere(window);
      return db.all<FeatureCounts>(
        `SELECT feature, count(value_num) AS numeric, count(value_str) AS categorical,
           sum(CASE WHEN value_num IS NULL AND value_str IS NULL THEN 1 ELSE 0 END) AS missing
         FROM prediction_features WHERE ${where.sql} GROUP BY feature ORDER BY feature`,
        where.params,
      );
    },

    async numericColumns(window, features) {
      const out = new Map<string, Float64Array>();
      if (features.length === 0) return out;
      const where = windowWhere(window);
      const names = listValue([...features]);
      // One scan for every feature; rows are routed by the feature's position in the list, an
      // integer, so no feature strings cross into JS. Sorting happens after, per feature.
      const columns: Float64Array[] = [];
      const lengths = new Int32Array(features.length);
      await db.exclusive(async () => {
        const result = await db.connection.run(
          // Position 0 marks a feature not asked for; skipping those rows in JS is cheaper than
          // a second linear list search per row in SQL (list_contains; bench drift-100x100k).
          `SELECT coalesce(list_position(?::VARCHAR[], feature), 0)::INTEGER AS f, value_num
           FROM prediction_features WHERE ${where.sql} AND value_num IS NOT NULL`,
          [names, ...(where.params as never[])],
        );
        // Sized for an even split, so a window with similar counts per feature never regrows
        // (rows of features not asked for are counted too: capped, and trimmed below).
        const expected = Math.min(Math.ceil(result.rowCount / features.length) + 16, 1 << 20);
        for (let f = 0; f < features.length; f++) columns.push(new Float64Array(expected));
        // The result is materialised: reading its chunks synchronously avoids one thread-pool
        // round trip per 2048-row chunk that fetchChunk() pays (bench drift-100x100k: 4,883
        // chunks, about half the transfer time).
        const chunkCount = result.chunkCount;
        for (let c = 0; c < chunkCount; c++) {
          const chunk = result.getChunk(c);
          const rows = chunk.rowCount;
          const fVector = chunk.getColumnVector(0);
          const vVector = chunk.getColumnVector(1);
          const fItems = vectorItems(fVector);
          const vItems = vectorItems(vVector);
          for (let i = 0; i < rows; i++) {
            const f = (fItems ? fItems[i]! : (fVector.getItem(i) as number)) - 1;
            if (f < 0) continue;
            const value = vItems ? vItems[i]! : (vVector.getItem(i) as number);
            let column = columns[f]!;
            const at = lengths[f]!;
            if (at === column.length) {
              const grown = new Float64Array(column.length * 2);
              grown.set(column);
              columns[f] = column = grown;
            }
            // -0 and +0 tie in every test; one spelling keeps the radix order clean.
            column[at] = value === 0 ? 0 : value;
            lengths[f] = at + 1;
          }
        }
      });
      features.forEach((feature, f) => {
        const column = columns[f]!;
        const length = lengths[f]!;
        // Do not keep a mostly empty buffer alive behind a short column.
        const values = length < column.length * 0.75 ? column.slice(0, length) : column.subarray(0, length);
        out.set(feature, sortInPlace(values));
      });
      return out;
    },

    async histogram(window, feature, edges) {
      const where = windowWhere(window);
      const counts = new Float64Array(edges.length + 1);
      if (edges.length === 0) {
        const rows = await db.all<{ n: number }>(
          `SELECT count(value_num) AS n FROM prediction_features WHERE ${where.sql} AND feature = ?`,
          [...where.params, feature],
        );
        counts[0] = rows[0]?.n ?? 0;
        return counts;
      }
      const rows = await db.all<{ h: { key: number; value: number }[] | null }>(
        `SELECT histogram(value_num, ?::DOUBLE[]) AS h FROM prediction_features
         WHERE ${where.sql} AND feature = ? AND value_num IS NOT NULL`,
        [doubleListText(edges), ...where.params, feature],
      );
      const index = new Map<number, number>();
      edges.forEach((e, i) => index.set(e, i));
      for (const entry of rows[0]?.h ?? []) {
        const key = Number(entry.key);
        const bin = index.get(key) ?? edges.length;
        counts[bin]! += Number(entry.value);
      }
      return counts;
    },

    async categoryCounts(window, features) {
      const out = new Map<string, Map<string, number>>();
      for (const f of features) out.set(f, new Map());
      if (features.length === 0) return out;
      const where = windowWhere(window);
      const rows = await db.all<{ feature: string; category: string; n: number }>(
        `SELECT feature, COALESCE(value_str, CAST(value_num AS VARCHAR)) AS category, count(*) AS n
         FROM prediction_features
         WHERE ${where.sql} AND list_contains(?::VARCHAR[], feature) AND (value_str IS NOT NULL OR value_num IS NOT NULL)
         GROUP BY feature, category`,
        [...where.params, listValue([...features])],
      );
      for (const r of rows) out.get(r.feature)?.set(r.category, r.n);
      return out;
    },

    async replaceReferences(scope, references) {
      await db.transaction(async () => {
        await db.runNow(
          'DELETE FROM drift_references WHERE tenant = ? AND model = ? AND version = ? AND segment = ?',
          [scope.tenant, scope.model, scope.version, scope.segment],
        );
        for (const r of references) {
          await db.runNow(
            `INSERT INTO drift_references VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              scope.tenant,
              scope.model,
              scope.version,
              scope.segment,
              r.feature,
              r.kind,
              r.source,
              r.createdAt,
              r.windowFrom,
              r.windowTo,
              r.n,
              r.missing,
              toBlob(r.sample),
              r.sketch,
              toBlob(r.sketchCounts),
              r.bins,
              toBlob(r.psiEdges),
              toBlob(r.psiCounts),
              r.std,
              r.categories === null ? null : JSON.stringify(r.categories),
            ],
          );
        }
        await upsertMode(db, { ...scope, mode: 'pinned', updatedAt: references[0]?.createdAt ?? Date.now() });
      });
    },

    async references(scope) {
      const where = 'tenant = ? AND model = ? AND version = ? AND segment = ?';
      const params: SqlParam[] = [scope.tenant, scope.model, scope.version, scope.segment];
      const [rows, arrays] = await db.exclusive(async () => [
        await db.allNow<ReferenceRow>(
          `SELECT * EXCLUDE (${BLOB_COLUMNS.join(', ')}) FROM drift_references WHERE ${where} ORDER BY feature`,
          params,
        ),
        await readDoubleBlobs(
          db,
          `SELECT ${BLOB_COLUMNS.join(', ')} FROM drift_references WHERE ${where} ORDER BY feature`,
          params,
        ),
      ]);
      return rows.map((r, i) => {
        const [sample, sketchCounts, psiEdges, psiCounts] = arrays[i]!;
        return {
          tenant: r.tenant,
          model: r.model,
          version: r.version,
          segment: r.segment,
          feature: r.feature,
          kind: r.kind,
          source: r.source,
          createdAt: r.created_at,
          windowFrom: r.window_from,
          windowTo: r.window_to,
          n: r.n,
          missing: r.missing,
          sample: sample ?? null,
          sketch: r.sketch,
          sketchCounts: sketchCounts ?? null,
          bins: r.bins,
          psiEdges: psiEdges ?? null,
          psiCounts: psiCounts ?? null,
          std: r.std,
          categories: r.categories === null ? null : (JSON.parse(r.categories) as [string, number][]),
        };
      });
    },

    async setReferenceMode(mode) {
      await db.transaction(async () => {
        if (mode.mode === 'previous') {
          await db.runNow(
            'DELETE FROM drift_references WHERE tenant = ? AND model = ? AND version = ? AND segment = ?',
            [mode.tenant, mode.model, mode.version, mode.segment],
          );
        }
        await upsertMode(db, mode);
      });
    },

    async referenceMode(scope) {
      const rows = await db.all<{ mode: 'pinned' | 'previous'; updated_at: number }>(
        'SELECT mode, updated_at FROM drift_reference_modes WHERE tenant = ? AND model = ? AND version = ? AND segment = ?',
        [scope.tenant, scope.model, scope.version, scope.segment],
      );
      const row = rows[0];
      return row ? { ...scope, mode: row.mode, updatedAt: row.updated_at } : undefined;
    },

    async insertResults(rows) {
      if (rows.length === 0) return;
      await db.transaction(async () => {
        for (const r of rows) {
          await db.runNow(
            'INSERT INTO drift_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [
              r.tenant,
              r.evaluatedAt,
              r.model,
              r.version,
              r.segment,
              r.feature,
              r.windowFrom,
              r.windowTo,
              r.type,
              r.status,
              r.drift,
              r.psi,
              r.ksStatistic,
              r.ksPvalue,
              r.missingRatio,
              r.referenceSource,
              r.report,
            ],
          );
        }
      });
    },

    async latestResults(tenant, filter: DriftResultFilter) {
      const conditions = ['tenant = ?'];
      const params: SqlParam[] = [tenant];
      for (const key of ['model', 'version', 'segment', 'feature'] as const) {
        const value = filter[key];
        if (value !== undefined) {
          conditions.push(`${key} = ?`);
          params.push(value);
        }
      }
      const where = conditions.join(' AND ');
      const rows = await db.all<ResultRow>(
        `SELECT r.* FROM drift_results r
         JOIN (SELECT model, version, segment, feature, max(evaluated_at) AS at FROM drift_results WHERE ${where}
               GROUP BY model, version, segment, feature) l
           ON r.model = l.model AND r.version = l.version AND r.segment = l.segment AND r.feature = l.feature
          AND r.evaluated_at = l.at
         WHERE r.tenant = ?
         ORDER BY r.model, r.version, r.segment, r.feature`,
        [...params, tenant],
      );
      return rows.map((r) => ({
        tenant: r.tenant,
        model: r.model,
        version: r.version,
        segment: r.segment,
        feature: r.feature,
        evaluatedAt: r.evaluated_at,
        windowFrom: r.window_from,
        windowTo: r.window_to,
        type: r.type,
        status: r.status,
        drift: r.drift,
        psi: r.psi,
        ksStatistic: r.ks_statistic,
        ksPvalue: r.ks_pvalue,
        missingRatio: r.missing_ratio,
        referenceSource: r.reference_source,
        report: r.report,
      }));
    },
  };
}

async function upsertMode(db: DuckDb, mode: ReferenceMode): Promise<void> {
  await db.runNow(
    'DELETE FROM drift_reference_modes WHERE tenant = ? AND model = ? AND version = ? AND segment = ?',
    [mode.tenant, mode.model, mode.version, mode.segment],
  );
  await db.runNow('INSERT INTO drift_reference_modes VALUES (?, ?, ?, ?, ?, ?)', [
    mode.tenant,
    mode.model,
    mode.version,
    mode.segment,
    mode.mode,
    mode.updatedAt,
  ]);
}
