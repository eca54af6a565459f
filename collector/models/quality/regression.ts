/** Regression quality from error sums, with scikit-learn's definitions. */
import type { RegressionQuality } from './types.js';

/** scikit-learn's MAPE floor for |y|: `np.finfo(np.float64).eps`, so a zero label gives a huge, finite error. */
export const MAPE_EPSILON = 2.220446049250313e-16;

/** Sums over labelled predictions, computed by the store in SQL. */
export interface ErrorSums {
  n: number;
  /** Σ |y − ŷ| */
  absError: number;
  /** Σ (y − ŷ)² */
  squaredError: number;
  /** Σ |y − ŷ| / max(|y|, ε) */
  absPercentError: number;
}

/** MAE, RMSE (`mean_squared_error(squared=False)`) and MAPE (a fraction, not percent); null without data. */
export function regressionQuality(s: ErrorSums): RegressionQuality {
  if (s.n === 0) return { mae: null, rmse: null, mape: null };
  return { mae: s.absError / s.n, rmse: Math.sqrt(s.squaredError / s.n), mape: s.absPercentError / s.n };
}

/** The error sums of predictions against labels, in memory: the twin of the store's SQL. */
export function errorSums(labels: ArrayLike<number>, predictions: ArrayLike<number>): ErrorSums {
  const s: ErrorSums = { n: labels.length, absError: 0, squaredError: 0, absPercentError: 0 };
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    const e = Math.abs(y - (predictions[i] as number));
    s.absError += e;
    s.squaredError += e * e;
    s.absPercentError += e / Math.max(Math.abs(y), MAPE_EPSILON);
  }
  return s;
}
