/**
 * A reference distribution as stored (never recomputed per evaluation): numeric features keep
 * their sorted values up to `exactMaxRows`, above that a quantile sketch (values at k/K and the
 * count in each sketch bin); both keep the PSI bin edges and counts. Categorical features keep
 * their category counts.
 */
import { binCountsSorted, quantileEdges } from './stats/psi.js';
import { populationStd, quantileSorted } from './stats/quantiles.js';

/** A numeric reference. */
export interface NumericReference {
  kind: 'numeric';
  /** Non-missing values. */
  n: number;
  missing: number;
  /** The full sorted column (sketch = false) or the sketch's quantile values (sketch = true). */
  sample: Float64Array;
  sketch: boolean;
  /** Sketch only: values in each right-closed bin of the distinct sample values (length = distinct + 1). */
  sketchCounts: Float64Array | null;
  /** The number of quantile bins psiEdges were computed for. */
  bins: number;
  /** PSI bin edges (reference quantiles) and the reference's counts in those bins. */
  psiEdges: Float64Array;
  psiCounts: Float64Array;
  /** Population standard deviation, for the normalised Wasserstein distance. */
  std: number;
}

/** A categorical reference. */
export interface CategoricalReference {
  kind: 'categorical';
  n: number;
  missing: number;
  counts: Map<string, number>;
}

export type FeatureReference = NumericReference | CategoricalReference;

/** A numeric reference from a sorted column; a sketch of `sketchSize` bins when longer than `exactMaxRows`. */
export function numericReference(
  sorted: Float64Array,
  missing: number,
  bins: number,
  exactMaxRows: number,
  sketchSize: number,
): NumericReference {
  const psiEdges = quantileEdges(sorted, bins);
  const psiCounts = binCountsSorted(sorted, psiEdges);
  const std = populationStd(sorted);
  if (sorted.length <= exactMaxRows) {
    return {
      kind: 'numeric',
      n: sorted.length,
      missing,
      sample: sorted,
      sketch: false,
      sketchCounts: null,
      bins,
      psiEdges,
      psiCounts,
      std,
    };
  }
  const sketchEdges = sketchQuantiles(sorted, sketchSize);
  return {
    kind: 'numeric',
    n: sorted.length,
    missing,
    sample: sketchEdges,
    sketch: true,
    sketchCounts: binCountsSorted(sorted, sketchEdges),
    bins,
    psiEdges,
    psiCounts,
    std,
  };
}

/** The distinct quantiles at k/size, k = 0…size: the sketch's bin edges. */
export function sketchQuantiles(sorted: Float64Array, size: number): Float64Array {
  const edges: number[] = [];
  for (let k = 0; k <= size; k++) {
    const q = quantileSorted(sorted, k / size);
    if (!Number.isNaN(q) && (edges.length === 0 || q !== edges[edges.length - 1])) edges.push(q);
  }
  return Float64Array.from(edges);
}

/** A categorical reference from category counts. */
export function categoricalReference(counts: Map<string, number>, missing: number): CategoricalReference {
  let n = 0;
  for (const c of counts.values()) n += c;
  return { kind: 'categorical', n, missing, counts };
}

/** The reference's PSI bins for `bins` bins: the stored ones, recomputed from an exact sample if the setting changed. */
export function psiBins(ref: NumericReference, bins: number): { edges: Float64Array; counts: Float64Array } {
  if (ref.bins === bins || ref.sketch) return { edges: ref.psiEdges, counts: ref.psiCounts };
  const edges = quantileEdges(ref.sample, bins);
  return { edges, counts: binCountsSorted(ref.sample, edges) };
}
