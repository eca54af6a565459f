/**
 * Wasserstein-1 (earth mover's) distance between two samples, `scipy.stats.wasserstein_distance`
 * = ∫ |F1 − F2| dx, and Evidently's normalised form: divided by the reference's population
 * standard deviation, floored at 0.001.
 */
import { populationStd } from './quantiles.js';

/** The floor of the normalising standard deviation (Evidently's). */
export const WASSERSTEIN_STD_FLOOR = 0.001;

/** W1 of two ascending, non-empty samples; NaN when either holds ±∞ (SciPy gives inf or nan). */
export function wassersteinDistance(sorted1: Float64Array, sorted2: Float64Array): number {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  if (!Number.isFinite(sorted1[0]!) || !Number.isFinite(sorted1[n1 - 1]!)) return Number.NaN;
  if (!Number.isFinite(sorted2[0]!) || !Number.isFinite(sorted2[n2 - 1]!)) return Number.NaN;
  let i = 0;
  let j = 0;
  let total = 0;
  let previous = Math.min(sorted1[0]!, sorted2[0]!);
  // Between consecutive distinct values of the union both ECDFs are flat.
  while (i < n1 || j < n2) {
    const a = i < n1 ? sorted1[i]! : Number.POSITIVE_INFINITY;
    const b = j < n2 ? sorted2[j]! : Number.POSITIVE_INFINITY;
    const value = a <= b ? a : b;
    total += Math.abs(i / n1 - j / n2) * (value - previous);
    while (i < n1 && sorted1[i]! <= value) i++;
    while (j < n2 && sorted2[j]! <= value) j++;
    previous = value;
  }
  return total;
}

/** Wasserstein distance divided by max(std(reference), 0.001): Evidently's `wasserstein` stattest. */
export function normalisedWasserstein(sortedReference: Float64Array, sortedCurrent: Float64Array): number {
  const std = populationStd(sortedReference);
  return wassersteinDistance(sortedReference, sortedCurrent) / Math.max(std, WASSERSTEIN_STD_FLOOR);
}
