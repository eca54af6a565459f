/**
 * The DuckDB drift store's fast paths: numeric columns routed from raw chunk arrays (features not
 * asked for skipped in JS, uneven features regrowing their buffers) and reference blobs viewed
 * in place (large) or copied (inline blobs of ≤ 12 bytes, empty ones).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredReference } from '../../collector/store/drift-store.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { Store } from '../../collector/store/store.js';
import { batchOf, featureRow } from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';

const T0 = Date.UTC(2026, 0, 1);
const scope = { tenant: 'default', model: 'm', version: 'v1', segment: '' };
const window = { ...scope, from: T0, to: T0 + 3_600_000 };

describe('DuckDB drift store fast paths', () => {
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  it('returns only the asked-for columns, complete and sorted, however unevenly they are filled', async () => {
    store = await openDuckDbStore(join(scratchDir(), 'drift.duckdb'));
    // 'big' has 30x the rows of 'small' (its buffer must regrow); 'other' is not asked for.
    const features: ReturnType<typeof featureRow>[] = [];
    for (let i = 0; i < 31_000; i++) {
      const feature = i % 31 === 0 ? 'small' : i % 31 === 1 ? 'other' : 'big';
      features.push(
        featureRow({ walSeq: 0, ts: T0 + (i % 1000), feature, valueNum: ((i * 7919) % 10007) - 5000 }),
      );
    }
    features.push(featureRow({ walSeq: 0, ts: T0, feature: 'small', valueNum: -0 }));
    await store.ingest.applyBatch(batchOf('w1', 0, 0, { features }));

    const columns = await store.drift.numericColumns(window, ['small', 'big']);
    expect([...columns.keys()]).toEqual(['small', 'big']);
    const expected = (name: string) =>
      features
        .filter((f) => f.feature === name)
        .map((f) => (f.valueNum === 0 ? 0 : f.valueNum!))
        .sort((a, b) => a - b);
    for (const name of ['small', 'big']) expect(Array.from(columns.get(name)!)).toEqual(expected(name));
    expect(
      Object.is(
        columns.get('small')!.find((v) => v === 0),
        0,
      ),
    ).toBe(true);
  });

  it('reads reference arrays of every size back exactly', async () => {
    store = await openDuckDbStore(join(scratchDir(), 'drift.duckdb'));
    const big = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1e3);
    const reference = (
      feature: string,
      sample: Float64Array,
      psiEdges: Float64Array,
      psiCounts: Float64Array,
    ) =>
      ({
        ...scope,
        feature,
        kind: 'numeric',
        source: 'dataset',
        createdAt: T0,
        windowFrom: null,
        windowTo: null,
        n: sample.length,
        missing: 0,
        sample,
        sketch: false,
        sketchCounts: null,
        bins: 10,
        psiEdges,
        psiCounts,
        std: 1,
        categories: null,
      }) satisfies StoredReference;
    const refs = [
      reference('a', big, new Float64Array(0), Float64Array.from([5000])),
      reference('b', Float64Array.from([-0.5]), Float64Array.from([0.25, 0.5]), Float64Array.from([1, 0, 0])),
    ];
    await store.drift.replaceReferences(scope, refs);
    const back = await store.drift.references(scope);
    expect(back.map((r) => r.feature)).toEqual(['a', 'b']);
    for (const [i, r] of back.entries()) {
      for (const key of ['sample', 'psiEdges', 'psiCounts'] as const) {
        expect(r[key]).toBeInstanceOf(Float64Array);
        expect(Array.from(r[key]!)).toEqual(Array.from(refs[i]![key]));
      }
      expect(r.sketchCounts).toBeNull();
    }
  });
});
