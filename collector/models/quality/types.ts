/** The quality figures a model summary can carry; null when undefined for the data (e.g. one class only). */
export interface ClassificationQuality {
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  roc_auc: number | null;
}

/** Regression quality: mean absolute error, root mean squared error, mean absolute percentage error. */
export interface RegressionQuality {
  mae: number | null;
  rmse: number | null;
  mape: number | null;
}

/** Every metric name, as `factorywatch_model_quality{metric}` spells it. */
export type QualityMetric = keyof ClassificationQuality | keyof RegressionQuality;

/** The `quality` object of a model summary: classification or regression figures, or nothing before labels arrive. */
export type Quality = ClassificationQuality | RegressionQuality | Record<string, never>;

/** `a / b`, or 0 when b is 0: scikit-learn's `zero_division=0`, which is also what its default warns and returns. */
export function divideOrZero(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** F1 the way scikit-learn computes it (from precision and recall, so the last bits agree). */
export function f1FromPrecisionRecall(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}
