/**
 * PSI exactly as Evidently computes it (`stattest: psi`), for users who compare: when the
 * reference has more than 20 distinct values, Sturges equal-width bins over the combined range
 * of both samples (`np.histogram_bin_edges(..., bins="sturges")`, its `n_bins` is ignored);
 * otherwise every distinct value is its own bin. Empty shares are filled with 1e-4, or with
 * min(non-zero share)/1e6 when that minimum is ≤ 1e-4. Both inputs ascending, finite.
 */
import { lowerBound, upperBound } from './quantiles.js';
import { psiFromShares } from './psi.js';

/** Evidently switches from distinct values to Sturges bins above this many distinct reference values. */
const EVIDENTLY_DISCRETE_MAX = 20;

/** Evidently-compatible PSI of two ascending, finite, non-empty samples. */
export function evidentlyPsi(sortedReference: Float64Array, sortedCurrent: Float64Array): number {
  const [refShares, curShares] =
    distinctCount(sortedReference) > EVIDENTLY_DISCRETE_MAX
      ? sturgesShares(sortedReference, sortedCurrent)
      : distinctShares(sortedReference, sortedCurrent);
  fillZeroes(refShares);
  fillZeroes(curShares);
  return psiFromShares(refShares, curShares);
}

/** The Sturges bin edges NumPy computes for the concatenation of both samples. */
export function sturgesEdges(sortedReference: Float64Array, sortedCurrent: Float64Array): Float64Array {
  const min = Math.min(sortedReference[0]!, sortedCurrent[0]!);
  const max = Math.max(
    sortedReference[sortedReference.length - 1]!,
    sortedCurrent[sortedCurrent.length - 1]!,
  );
  const size = sortedReference.length + sortedCurrent.length;
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (max - min) / (Math.log2(size) + 1);
  const bins = width ? Math.ceil((last - first) / width) : 1;
  // np.linspace: i·step + start, with the last edge set to stop exactly.
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

function sturgesShares(ref: Float64Array, cur: Float64Array): [Float64Array, Float64Array] {
  const edges = sturgesEdges(ref, cur);
  return [histogramShares(ref, edges), histogramShares(cur, edges)];
}

/** np.histogram with explicit edges: bins [e_i, e_i+1), the last one closed. */
function histogramShares(sorted: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const shares = new Float64Array(bins);
  let previous = lowerBound(sorted, edges[0]!);
  for (let i = 0; i < bins; i++) {
    const end = i === bins - 1 ? upperBound(sorted, edges[bins]!) : lowerBound(sorted, edges[i + 1]!);
    shares[i] = (end - previous) / sorted.length;
    previous = end;
  }
  return shares;
}

function distinctShares(ref: Float64Array, cur: Float64Array): [Float64Array, Float64Array] {
  const keys = new Set<number>();
  for (const v of ref) keys.add(v);
  for (const v of cur) keys.add(v);
  const sortedKeys = [...keys].sort((a, b) => a - b);
  const share = (sorted: Float64Array) =>
    Float64Array.from(sortedKeys, (k) => (upperBound(sorted, k) - lowerBound(sorted, k)) / sorted.length);
  return [share(ref), share(cur)];
}

function fillZeroes(shares: Float64Array): void {
  let minNonZero = Number.POSITIVE_INFINITY;
  for (const s of shares) if (s !== 0 && s < minNonZero) minNonZero = s;
  const fill = minNonZero <= 0.0001 ? minNonZero / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

function distinctCount(sorted: Float64Array): number {
  let count = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) count++;
  return count;
}
