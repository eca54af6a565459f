import { describe, expect, it } from 'vitest';
import { binaryCountsFromScores, binaryQuality } from '../../collector/models/quality/binary.js';
import { multiclassQuality, type ConfusionCell } from '../../collector/models/quality/multiclass.js';
import { errorSums, regressionQuality } from '../../collector/models/quality/regression.js';
import { rocAuc } from '../../collector/models/quality/roc-auc.js';
import { closeTo, QUALITY_CASES } from './fixtures.js';

function cellsOf(labels: string[], predictions: string[]): ConfusionCell[] {
  const counts = new Map<string, ConfusionCell>();
  labels.forEach((actual, i) => {
    const predicted = predictions[i] as string;
    const key = `${actual}\u0000${predicted}`;
    const cell = counts.get(key) ?? { actual, predicted, count: 0 };
    cell.count++;
    counts.set(key, cell);
  });
  return [...counts.values()];
}

describe('quality metrics agree with scikit-learn', () => {
  expect(QUALITY_CASES.length).toBeGreaterThan(8);
  for (const c of QUALITY_CASES) {
    it(c.name, () => {
      let actual: Record<string, number | null>;
      if (c.kind === 'binary') {
        const scores = c.predictions as number[];
        const labels = c.labels as number[];
        actual = {
          ...binaryQuality(binaryCountsFromScores(scores, labels, c.threshold!)),
          roc_auc: rocAuc(scores, labels),
        };
      } else if (c.kind === 'multiclass') {
        actual = {
          ...multiclassQuality(
            cellsOf(c.labels as string[], c.predictions as string[]),
            c.positive_class ?? null,
          ),
        };
      } else {
        actual = { ...regressionQuality(errorSums(c.labels as number[], c.predictions as number[])) };
      }
      for (const [metric, expected] of Object.entries(c.expected)) {
        expect(closeTo(actual[metric], expected), `${metric}: ${actual[metric]} vs sklearn ${expected}`).toBe(
          true,
        );
      }
    });
  }

  it('gives no figures without data', () => {
    expect(binaryQuality({ tp: 0, fp: 0, tn: 0, fn: 0 }).accuracy).toBeNull();
    expect(regressionQuality({ n: 0, absError: 0, squaredError: 0, absPercentError: 0 }).mae).toBeNull();
    expect(multiclassQuality([], null).accuracy).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });
});
