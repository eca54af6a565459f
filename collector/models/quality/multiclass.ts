/** Quality of class-name predictions from (actual, predicted, count) cells, with scikit-learn's definitions. */
import { divideOrZero, f1FromPrecisionRecall, type ClassificationQuality } from './types.js';

/** One cell of a confusion matrix over class names. */
export interface ConfusionCell {
  actual: string;
  predicted: string;
  count: number;
}

/**
 * Accuracy plus precision, recall and F1: for `positiveClass` (scikit-learn `pos_label`, positive vs the
 * rest) when given, else macro-averaged over every class seen in labels or predictions (`average='macro'`,
 * `zero_division=0`). ROC AUC needs scores, so it is null here.
 */
export function multiclassQuality(
  cells: readonly ConfusionCell[],
  positiveClass: string | null,
): ClassificationQuality {
  let total = 0;
  let correct = 0;
  const perClass = new Map<string, { tp: number; predicted: number; actual: number }>();
  const entry = (name: string) => {
    let e = perClass.get(name);
    if (!e) perClass.set(name, (e = { tp: 0, predicted: 0, actual: 0 }));
    return e;
  };
  for (const cell of cells) {
    total += cell.count;
    entry(cell.actual).actual += cell.count;
    entry(cell.predicted).predicted += cell.count;
    if (cell.actual === cell.predicted) {
      correct += cell.count;
      entry(cell.actual).tp += cell.count;
    }
  }
  if (total === 0) return { accuracy: null, precision: null, recall: null, f1: null, roc_auc: null };

  const scoreOf = (e: { tp: number; predicted: number; actual: number }) => {
    const precision = divideOrZero(e.tp, e.predicted);
    const recall = divideOrZero(e.tp, e.actual);
    return { precision, recall, f1: f1FromPrecisionRecall(precision, recall) };
  };
  if (positiveClass !== null) {
    const s = scoreOf(perClass.get(positiveClass) ?? { tp: 0, predicted: 0, actual: 0 });
    return { accuracy: correct / total, ...s, roc_auc: null };
  }
  // scikit-learn sorts the labels before averaging; the sum's order matters in the last bits.
  const scores = [...perClass.keys()].sort().map((name) => scoreOf(perClass.get(name)!));
  const mean = (pick: (s: { precision: number; recall: number; f1: number }) => number) =>
    scores.reduce((sum, s) => sum + pick(s), 0) / scores.length;
  return {
    accuracy: correct / total,
    precision: mean((s) => s.precision),
    recall: mean((s) => s.recall),
    f1: mean((s) => s.f1),
    roc_auc: null,
  };
}
