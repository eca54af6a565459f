/** Binary classification quality from a confusion matrix, with scikit-learn's definitions. */
import { divideOrZero, f1FromPrecisionRecall } from './types.js';

/** Confusion counts of a binary classifier (positive class = 1). */
export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/**
 * Accuracy, precision, recall and F1 as `sklearn.metrics.*_score(y, y_pred, zero_division=0)`;
 * all null when there is no labelled prediction at all.
 */
export function binaryQuality(c: BinaryCounts): {
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
} {
  const total = c.tp + c.fp + c.tn + c.fn;
  if (total === 0) return { accuracy: null, precision: null, recall: null, f1: null };
  const precision = divideOrZero(c.tp, c.tp + c.fp);
  const recall = divideOrZero(c.tp, c.tp + c.fn);
  return { accuracy: (c.tp + c.tn) / total, precision, recall, f1: f1FromPrecisionRecall(precision, recall) };
}

/** Counts `scores >= threshold` against 0/1 labels: the in-memory twin of the store's SQL. */
export function binaryCountsFromScores(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): BinaryCounts {
  const c: BinaryCounts = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const predicted = (scores[i] as number) >= threshold;
    const actual = labels[i] === 1;
    if (predicted) {
      if (actual) c.tp++;
      else c.fp++;
    } else if (actual) c.fn++;
    else c.tn++;
  }
  return c;
}
