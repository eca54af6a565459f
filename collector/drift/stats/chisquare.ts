/**
 * Pearson's chi-square test of the current category counts against the reference's, scaled to
 * the current total: expected = reference count × n_cur / n_ref (`scipy.stats.chisquare`).
 * A category the reference never saw has expected 0: the statistic is +∞ and p = 0, as in SciPy.
 */
import { chi2Sf } from './gamma.js';

/** A chi-square statistic and its p-value. */
export interface ChiSquareResult {
  statistic: number;
  pValue: number;
}

/** `scipy.stats.chisquare(observed, expected)` with ddof 0. */
export function chisquare(observed: ArrayLike<number>, expected: ArrayLike<number>): ChiSquareResult {
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const diff = observed[i]! - expected[i]!;
    statistic += (diff * diff) / expected[i]!;
  }
  return { statistic, pValue: chi2Sf(statistic, observed.length - 1) };
}

/** Chi-square of aligned current vs reference counts (expected scaled to the current total). */
export function chisquareFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): ChiSquareResult {
  let nRef = 0;
  let nCur = 0;
  for (let i = 0; i < referenceCounts.length; i++) nRef += referenceCounts[i]!;
  for (let i = 0; i < currentCounts.length; i++) nCur += currentCounts[i]!;
  const scale = nCur / nRef;
  const expected = Float64Array.from(referenceCounts, (c) => c * scale);
  return chisquare(currentCounts, expected);
}
