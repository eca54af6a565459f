/**
 * The DuckDB health store computes ROC AUC two ways: from listed scores merged in JS (windows up to
 * LIST_SCORES_UP_TO predictions) and from a rank window that can spill (larger windows). Both must
 * give scikit-learn's figures and the same sums.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelRow, PredictionRow } from '../../collector/ingest/rows.js';
import {
  concordanceFromScores,
  rocAuc,
  rocAucFromConcordance,
} from '../../collector/models/quality/roc-auc.js';
import { DuckDb } from '../../collector/store/duckdb/connection.js';
import { createDuckDbHealthStore } from '../../collector/store/duckdb/health.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { ModelQualityQuery, ModelQualityRow } from '../../collector/store/health-store.js';
import { batchOf, labelRow, predictionRow } from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';
import { closeTo, QUALITY_CASES } from './fixtures.js';
import { mulberry32 } from '../../collector/demo/seeded-random.js';

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const BINARY_CASES = QUALITY_CASES.filter((c) => c.kind === 'binary');

/** Scores rounded to tenths (many ties, −0 among them) against 0/1 labels. */
function tiedScores(n: number, seed: number): { scores: number[]; labels: number[] } {
  const r = mulberry32(seed);
  const labels = Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
  const scores = labels.map((y, i) => (i % 17 === 0 ? -0 : Math.round(10 * (0.3 * y + 0.7 * r())) / 10));
  return { scores, labels };
}

function concordanceOf(scores: number[], labels: number[]): number {
  return concordanceFromScores(
    Float64Array.from(scores.filter((_, i) => labels[i] === 1)),
    Float64Array.from(scores.filter((_, i) => labels[i] === 0)),
  );
}

describe('concordance from sorted scores', () => {
  for (const c of BINARY_CASES) {
    it(`gives scikit-learn's ROC AUC: ${c.name}`, () => {
      const scores = c.predictions as number[];
      const labels = c.labels as number[];
      const positives = labels.filter((y) => y === 1).length;
      const auc = rocAucFromConcordance(concordanceOf(scores, labels), positives, labels.length - positives);
      expect(closeTo(auc, c.expected.roc_auc ?? null), `${auc} vs sklearn ${c.expected.roc_auc}`).toBe(true);
    });
  }

  it('counts ties half, −0 and +0 included, as the in-memory rank sum does', () => {
    const { scores, labels } = tiedScores(5000, 7);
    const positives = labels.filter((y) => y === 1).length;
    expect(rocAucFromConcordance(concordanceOf(scores, labels), positives, labels.length - positives)).toBe(
      rocAuc(scores, labels),
    );
  });
});

describe('DuckDB health store: listed scores and the rank window agree', () => {
  let db: DuckDb;
  const query: ModelQualityQuery = {
    tenant: 'default',
    from: T0,
    until: T0 + HOUR,
    bySegment: true,
    defaultThreshold: 0.5,
    thresholds: {},
  };

  beforeAll(async () => {
    const path = join(scratchDir(), 'store.duckdb');
    const store = await openDuckDbStore(path);
    const predictions: PredictionRow[] = [];
    const labels: LabelRow[] = [];
    const cases = [
      ...BINARY_CASES.map((c) => ({ scores: c.predictions as number[], labels: c.labels as number[] })),
      tiedScores(3000, 11),
    ];
    cases.forEach((c, k) =>
      c.scores.forEach((score, i) => {
        const requestId = `case-${k}-${i}`;
        const late = i % 2 === 0;
        predictions.push(
          predictionRow({
            ts: T0 + i,
            model: `case-${k}`,
            segment: i % 3 === 0 ? 'eu' : 'us',
            requestId,
            predictionNum: score,
            labelNum: late ? null : (c.labels[i] as number),
          }),
        );
        // Late labels: a stale wrong one first, then the newest (right) one.
        if (late) {
          labels.push(
            labelRow({ walSeq: 1, ts: T0 + 2 * HOUR, requestId, labelNum: 1 - (c.labels[i] as number) }),
          );
          labels.push(labelRow({ walSeq: 1, ts: T0 + 3 * HOUR, requestId, labelNum: c.labels[i] as number }));
        }
      }),
    );
    await store.ingest.applyBatch(batchOf('w', 0, 0, { predictions }));
    await store.ingest.applyBatch(batchOf('w', 1, 1, { labels: labels.reverse() }));
    await store.close();
    db = await DuckDb.open(path);
  });
  afterAll(() => db.close());

  const both = async (q: ModelQualityQuery): Promise<[ModelQualityRow[], ModelQualityRow[]]> => [
    await createDuckDbHealthStore(db).modelQuality(q),
    await createDuckDbHealthStore(db, { listScoresUpTo: 0 }).modelQuality(q),
  ];

  for (const [name, q] of [
    ['per segment', query],
    ['per version, every tenant', { ...query, tenant: null, bySegment: false }],
  ] as const) {
    it(`gives the same sums ${name}`, async () => {
      const [listed, ranked] = await both(q);
      expect(listed.length).toBe(BINARY_CASES.length * (q.bySegment ? 2 : 1) + (q.bySegment ? 2 : 1));
      // Sums of floats may differ in their last bits (another summation order): compare those closely.
      const close = new Set(['concordance', 'absError', 'squaredError', 'absPercentError']);
      const exact = (r: ModelQualityRow) => ({
        ...r,
        numeric: Object.fromEntries(Object.entries(r.numeric).filter(([k]) => !close.has(k))),
      });
      expect(listed.map(exact)).toEqual(ranked.map(exact));
      listed.forEach((r, i) => {
        for (const key of close) {
          const [a, b] = [r.numeric, ranked[i]!.numeric].map((n) => n[key as keyof typeof n]);
          expect(closeTo(a, b!), `${r.model} ${r.segment} ${key}: ${a} vs ${b}`).toBe(true);
        }
      });
    });
  }

  it("gives scikit-learn's ROC AUC per model over all segments", async () => {
    const rows = await createDuckDbHealthStore(db).modelQuality({ ...query, bySegment: false });
    BINARY_CASES.forEach((c, k) => {
      const n = rows.find((r) => r.model === `case-${k}`)!.numeric;
      const auc = rocAucFromConcordance(n.concordance, n.positives, n.negatives);
      expect(closeTo(auc, c.expected.roc_auc ?? null), `${c.name}: ${auc} vs ${c.expected.roc_auc}`).toBe(
        true,
      );
    });
  });
});
