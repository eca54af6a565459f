/** Quantiles, moments and binary searches over sorted numeric columns. */

/**
 * The q-quantile of ascending `sorted` with NumPy's default (method `linear`): virtual index
 * (n − 1)·q between its neighbours, interpolated the way NumPy's `_lerp` does it (from the upper
 * neighbour when the fraction is ≥ 0.5), so results match `np.quantile` bit for bit.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const virtualIndex = (n - 1) * q;
  // NumPy's _get_indexes: past the last element both neighbours are the last one, and the
  // fraction is taken from index −1 (which only matters for ±∞, where it yields NaN like NumPy).
  const above = virtualIndex >= n - 1;
  const below = above ? -1 : Math.floor(virtualIndex);
  const a = sorted[above ? n - 1 : below]!;
  const b = sorted[above ? n - 1 : below + 1]!;
  const gamma = virtualIndex - below;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

/** Index of the first element ≥ `value` (NumPy `searchsorted(side='left')`). */
export function lowerBound(sorted: Float64Array, value: number, from = 0, to = sorted.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > `value` (NumPy `searchsorted(side='right')`). */
export function upperBound(sorted: Float64Array, value: number, from = 0, to = sorted.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Arithmetic mean (NaN for an empty column). */
export function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Population standard deviation (NumPy `np.std`, ddof 0), two-pass for accuracy. */
export function populationStd(values: Float64Array): number {
  const m = mean(values);
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - m;
    squares += d * d;
  }
  return Math.sqrt(squares / values.length);
}
