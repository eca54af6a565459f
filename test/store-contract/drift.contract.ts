import { afterEach, describe, expect, it } from 'vitest';
import { binCounts } from '../../collector/drift/stats/psi.js';
import type { DriftResultRow, DriftWindow, StoredReference } from '../../collector/store/drift-store.js';
import type { Store } from '../../collector/store/store.js';
import { batchOf, featureRow } from '../helpers/rows.js';
import type { OpenStore } from './contract.js';

const T0 = Date.UTC(2026, 0, 1);
const window: DriftWindow = {
  tenant: 'default',
  model: 'm',
  version: 'v1',
  segment: '',
  from: T0,
  to: T0 + 3_600_000,
};

function resultRow(over: Partial<DriftResultRow> = {}): DriftResultRow {
  return {
    tenant: 'default',
    model: 'm',
    version: 'v1',
    segment: '',
    feature: 'x',
    evaluatedAt: T0,
    windowFrom: T0 - 3_600_000,
    windowTo: T0,
    type: 'numeric',
    status: 'ok',
    drift: false,
    psi: 0.01,
    ksStatistic: 0.02,
    ksPvalue: 0.5,
    missingRatio: 0,
    referenceSource: 'window',
    report: '{}',
    ...over,
  };
}

export function describeDriftContract(open: OpenStore): void {
  describe('drift store', () => {
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      store = undefined;
    });

    async function seed(s: Store): Promise<void> {
      const values = [3, -1, 2.5, 0, 7, 2.5, -0, 10];
      const features = [
        ...values.map((v, i) => featureRow({ walSeq: 0, ts: T0 + i, feature: 'x', valueNum: v })),
        featureRow({ walSeq: 0, ts: T0 + 20, feature: 'x', valueNum: null, valueStr: null }),
        featureRow({ walSeq: 0, ts: T0 + 21, feature: 'c', valueNum: null, valueStr: 'red' }),
        featureRow({ walSeq: 0, ts: T0 + 22, feature: 'c', valueNum: null, valueStr: 'red' }),
        featureRow({ walSeq: 0, ts: T0 + 23, feature: 'c', valueNum: null, valueStr: 'blue' }),
        featureRow({ walSeq: 0, ts: T0 + 24, feature: 'c', valueNum: null, valueStr: null }),
        // Outside the window, another version, another tenant: never counted.
        featureRow({ walSeq: 0, ts: T0 + 3_600_000, feature: 'x', valueNum: 1000 }),
        featureRow({ walSeq: 0, ts: T0 - 1, feature: 'x', valueNum: -1000 }),
        featureRow({ walSeq: 0, ts: T0 + 5, version: 'v2', feature: 'x', valueNum: 500 }),
        featureRow({ walSeq: 0, ts: T0 + 5, tenant: 'other', feature: 'x', valueNum: 600 }),
      ];
      await s.ingest.applyBatch(batchOf('w1', 0, 0, { features }));
    }

    it('counts numeric, categorical and missing values per feature inside the window only', async () => {
      store = await open();
      await seed(store);
      expect(await store.drift.featureCounts(window)).toEqual([
        { feature: 'c', numeric: 0, categorical: 3, missing: 1 },
        { feature: 'x', numeric: 8, categorical: 0, missing: 1 },
      ]);
      expect(await store.drift.scopes(T0, T0 + 3_600_000)).toEqual([
        { tenant: 'default', model: 'm', version: 'v1', segment: '' },
        { tenant: 'default', model: 'm', version: 'v2', segment: '' },
        { tenant: 'other', model: 'm', version: 'v1', segment: '' },
      ]);
    });

    it('returns each numeric column sorted as a Float64Array', async () => {
      store = await open();
      await seed(store);
      const columns = await store.drift.numericColumns(window, ['x', 'c', 'absent']);
      const x = columns.get('x')!;
      expect(x).toBeInstanceOf(Float64Array);
      expect(Array.from(x)).toEqual([-1, 0, 0, 2.5, 2.5, 3, 7, 10]);
      expect(columns.get('c')!.length).toBe(0);
      expect(columns.get('absent')!.length).toBe(0);
    });

    it('streams large columns across many chunks', async () => {
      store = await open();
      const n = 25_000;
      const features = Array.from({ length: n }, (_, i) =>
        featureRow({
          walSeq: 0,
          ts: T0 + (i % 1000),
          feature: i % 2 ? 'odd' : 'even',
          valueNum: (i * 7919) % 10007,
        }),
      );
      await store.ingest.applyBatch(batchOf('w1', 0, 0, { features }));
      const columns = await store.drift.numericColumns(window, ['even', 'odd']);
      for (const name of ['even', 'odd']) {
        const column = columns.get(name)!;
        expect(column.length).toBe(n / 2);
        for (let i = 1; i < column.length; i++) expect(column[i]! >= column[i - 1]!).toBe(true);
      }
    });

    it('counts a histogram against given edges with right-closed bins, as binCounts does', async () => {
      store = await open();
      await seed(store);
      const edges = Float64Array.from([0, 2.5, 5]);
      const expected = binCounts(Float64Array.from([3, -1, 2.5, 0, 7, 2.5, 0, 10]), edges);
      expect(Array.from(await store.drift.histogram(window, 'x', edges))).toEqual(Array.from(expected));
      expect(Array.from(expected)).toEqual([3, 2, 1, 2]);
      expect(Array.from(await store.drift.histogram(window, 'x', new Float64Array(0)))).toEqual([8]);
      expect(Array.from(await store.drift.histogram(window, 'nothing', edges))).toEqual([0, 0, 0, 0]);
    });

    it('counts categories per feature', async () => {
      store = await open();
      await seed(store);
      const counts = await store.drift.categoryCounts(window, ['c']);
      expect(Object.fromEntries(counts.get('c')!)).toEqual({ red: 2, blue: 1 });
    });

    it('stores references losslessly and replaces them as a whole', async () => {
      store = await open();
      const scope = { tenant: 'default', model: 'm', version: 'v1', segment: 's1' };
      const numeric: StoredReference = {
        ...scope,
        feature: 'x',
        kind: 'numeric',
        source: 'window',
        createdAt: T0,
        windowFrom: T0 - 10,
        windowTo: T0,
        n: 4,
        missing: 1,
        sample: Float64Array.from([-1.5, 0, 1e-300, 1.7976931348623157e308]),
        sketch: false,
        sketchCounts: null,
        bins: 10,
        psiEdges: Float64Array.from([0, 0.5]),
        psiCounts: Float64Array.from([2, 0, 2]),
        std: 1.25,
        categories: null,
      };
      const categorical: StoredReference = {
        ...numeric,
        feature: 'c',
        kind: 'categorical',
        source: 'dataset',
        windowFrom: null,
        windowTo: null,
        sample: null,
        psiEdges: null,
        psiCounts: null,
        std: null,
        categories: [
          ['a', 3],
          ["it's; DROP TABLE x", 1],
        ],
      };
      await store.drift.replaceReferences(scope, [numeric, categorical]);
      const stored = await store.drift.references(scope);
      expect(stored).toEqual([categorical, numeric]);
      expect((await store.drift.referenceMode(scope))?.mode).toBe('pinned');
      expect(await store.drift.references({ ...scope, segment: '' })).toEqual([]);

      await store.drift.replaceReferences(scope, [numeric]);
      expect((await store.drift.references(scope)).map((r) => r.feature)).toEqual(['x']);

      await store.drift.setReferenceMode({ ...scope, mode: 'previous', updatedAt: T0 + 1 });
      expect(await store.drift.references(scope)).toEqual([]);
      expect(await store.drift.referenceMode(scope)).toEqual({
        ...scope,
        mode: 'previous',
        updatedAt: T0 + 1,
      });
    });

    it('returns the newest result per feature, per tenant', async () => {
      store = await open();
      await store.drift.insertResults([
        resultRow({ evaluatedAt: T0, psi: 0.5 }),
        resultRow({ evaluatedAt: T0 + 60_000, psi: 0.02 }),
        resultRow({
          feature: 'y',
          evaluatedAt: T0,
          psi: null,
          ksStatistic: null,
          ksPvalue: null,
          status: 'no_data',
        }),
        resultRow({ tenant: 'other', evaluatedAt: T0 + 120_000, psi: 9 }),
        resultRow({ version: 'v2', evaluatedAt: T0 }),
      ]);
      const latest = await store.drift.latestResults('default', { model: 'm', version: 'v1' });
      expect(latest.map((r) => [r.feature, r.evaluatedAt, r.psi])).toEqual([
        ['x', T0 + 60_000, 0.02],
        ['y', T0, null],
      ]);
      expect(latest[0]).toEqual(resultRow({ evaluatedAt: T0 + 60_000, psi: 0.02 }));
      expect((await store.drift.latestResults('default', {})).length).toBe(3);
      expect((await store.drift.latestResults('default', { feature: 'y' })).length).toBe(1);
      expect((await store.drift.latestResults('nobody', {})).length).toBe(0);
    });
  });
}
