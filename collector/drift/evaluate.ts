/**
 * Evaluates one feature against its stored reference: every method, data quality (missing
 * shares, unseen categories) and the default decision. Shared by the offline `drift compare`
 * and the collector's scheduled evaluation, so both give identical answers.
 */
import type { FeatureSettings } from './config.js';
import { decide, type DriftStatus } from './decision.js';
import { psiBins, sketchQuantiles, type CategoricalReference, type NumericReference } from './reference.js';
import { chisquareFromCounts } from './stats/chisquare.js';
import { evidentlyPsi } from './stats/evidently-psi.js';
import { jensenShannonDistance } from './stats/jensen-shannon.js';
import { ksAndWasserstein } from './stats/ecdf-walk.js';
import { ksFromStatistic } from './stats/ks.js';
import { alignCategories, binCountsSorted, psiFromCounts } from './stats/psi.js';
import { WASSERSTEIN_STD_FLOOR } from './stats/wasserstein.js';

/** Every method name. */
export const METHODS = ['psi', 'ks', 'wasserstein', 'chisquare', 'jensenshannon'] as const;
export type Method = (typeof METHODS)[number];
/** The methods that apply to each feature type. */
export const NUMERIC_METHODS: readonly Method[] = ['psi', 'ks', 'wasserstein'];
export const CATEGORICAL_METHODS: readonly Method[] = ['psi', 'chisquare', 'jensenshannon'];

/** One feature's drift report: the JSON shape of `drift compare --json` and GET /v1/drift. */
export interface FeatureDrift {
  feature: string;
  type: 'numeric' | 'categorical';
  n_ref: number;
  n_cur: number;
  missing_ref: number;
  missing_cur: number;
  drift: boolean;
  status: DriftStatus;
  /** Why the decision came out as it did, in words. */
  reasons: string[];
  methods: {
    psi?: { value: number | null };
    ks?: {
      statistic: number | null;
      p_value: number | null;
      method: 'exact' | 'asymp';
      error_bound?: number;
    };
    wasserstein?: { value: number | null };
    chisquare?: { statistic: number | null; p_value: number | null };
    jensenshannon?: { value: number | null };
  };
  /** Categorical: current categories the reference never saw (most frequent first, at most 20). */
  unseen_categories?: string[];
  /** True when KS/Wasserstein came from the quantile sketch (windows above exactMaxRows). */
  approximate?: boolean;
}

/** The current window of a numeric feature: sorted values, or histogram counts when it is too large. */
export type NumericCurrent =
  | { n: number; missing: number; sorted: Float64Array }
  | {
      n: number;
      missing: number;
      sorted: null;
      /** Counts in the reference's PSI bins (`psiBins(ref, settings.bins).edges`). */
      psiCounts: Float64Array;
      /** Counts in the reference's sketch bins (`sketchEdges(ref, sketchSize)`). */
      sketchCounts: Float64Array;
    };

/** The current window of a categorical feature. */
export interface CategoricalCurrent {
  n: number;
  missing: number;
  counts: Map<string, number>;
}

const MAX_UNSEEN = 20;

/** The bin edges a large current window is counted against for the approximate KS. */
export function sketchEdges(ref: NumericReference, sketchSize: number): Float64Array {
  return ref.sketch ? ref.sample : sketchQuantiles(ref.sample, sketchSize);
}

/** Evaluates a numeric feature (methods not listed are still computed when the decision needs them). */
export function evaluateNumeric(
  feature: string,
  ref: NumericReference,
  cur: NumericCurrent,
  settings: FeatureSettings,
  sketchSize: number,
  methods: ReadonlySet<Method> = new Set(NUMERIC_METHODS),
): FeatureDrift {
  const base = header(feature, 'numeric', ref, cur);
  if (ref.n === 0 || cur.n === 0) return noData(base, ref.n === 0 ? 'no values in the reference' : undefined);

  const bins = psiBins(ref, settings.bins);
  let psi: number;
  if (settings.binning === 'evidently' && !ref.sketch && cur.sorted) {
    psi = evidentlyPsi(finiteOnly(ref.sample), finiteOnly(cur.sorted));
  } else {
    const curCounts = cur.sorted ? binCountsSorted(cur.sorted, bins.edges) : cur.psiCounts;
    psi = psiFromCounts(bins.counts, ref.n, curCounts, cur.n);
  }

  let ks: { statistic: number; pValue: number; method: 'exact' | 'asymp' };
  let errorBound: number | undefined;
  let wasserstein: number;
  if (!ref.sketch && cur.sorted) {
    // One merge for both; ref.std is populationStd(ref.sample), stored with the reference.
    const walk = ksAndWasserstein(ref.sample, cur.sorted);
    ks = walk.ks;
    wasserstein = walk.wasserstein / Math.max(ref.std, WASSERSTEIN_STD_FLOOR);
  } else {
    const edges = sketchEdges(ref, sketchSize);
    const refCounts = ref.sketch ? ref.sketchCounts! : binCountsSorted(ref.sample, edges);
    const curCounts = cur.sorted ? binCountsSorted(cur.sorted, edges) : cur.sketchCounts;
    const sketch = sketchComparison(edges, refCounts, ref.n, curCounts, cur.n);
    ks = ksFromStatistic(sketch.d, ref.n, cur.n);
    errorBound = sketch.errorBound;
    wasserstein = sketch.wasserstein / Math.max(ref.std, WASSERSTEIN_STD_FLOOR);
  }

  const decision = decide(
    {
      type: 'numeric',
      nCur: cur.n,
      psi,
      ksStatistic: ks.statistic,
      pValue: ks.pValue,
      missingShareRef: share(ref.missing, ref.n),
      missingShareCur: share(cur.missing, cur.n),
    },
    settings.thresholds,
  );
  const result: FeatureDrift = { ...base, ...decision, methods: {} };
  if (methods.has('psi')) result.methods.psi = { value: finite(psi) };
  if (methods.has('ks')) {
    result.methods.ks = { statistic: finite(ks.statistic), p_value: finite(ks.pValue), method: ks.method };
    if (errorBound !== undefined) result.methods.ks.error_bound = errorBound;
  }
  if (methods.has('wasserstein')) result.methods.wasserstein = { value: finite(wasserstein) };
  if (errorBound !== undefined) result.approximate = true;
  return result;
}

/** Evaluates a categorical feature. */
export function evaluateCategorical(
  feature: string,
  ref: CategoricalReference,
  cur: CategoricalCurrent,
  settings: FeatureSettings,
  methods: ReadonlySet<Method> = new Set(CATEGORICAL_METHODS),
): FeatureDrift {
  const base = header(feature, 'categorical', ref, cur);
  if (ref.n === 0 || cur.n === 0) return noData(base, ref.n === 0 ? 'no values in the reference' : undefined);
  const aligned = alignCategories(ref.counts, cur.counts);
  const psi = psiFromCounts(aligned.reference, ref.n, aligned.current, cur.n);
  const chi = chisquareFromCounts(aligned.reference, aligned.current);
  const unseen = aligned.categories
    .map((category, i) => ({ category, ref: aligned.reference[i]!, cur: aligned.current[i]! }))
    .filter((c) => c.ref === 0 && c.cur > 0)
    .sort((a, b) => b.cur - a.cur)
    .map((c) => c.category);
  const decision = decide(
    {
      type: 'categorical',
      nCur: cur.n,
      psi,
      pValue: chi.pValue,
      missingShareRef: share(ref.missing, ref.n),
      missingShareCur: share(cur.missing, cur.n),
    },
    settings.thresholds,
  );
  if (unseen.length > 0)
    decision.reasons.push(`${unseen.length} unseen categor${unseen.length === 1 ? 'y' : 'ies'}`);
  const result: FeatureDrift = {
    ...base,
    ...decision,
    methods: {},
    unseen_categories: unseen.slice(0, MAX_UNSEEN),
  };
  if (methods.has('psi')) result.methods.psi = { value: finite(psi) };
  if (methods.has('chisquare'))
    result.methods.chisquare = { statistic: finite(chi.statistic), p_value: finite(chi.pValue) };
  if (methods.has('jensenshannon')) {
    result.methods.jensenshannon = {
      value: finite(jensenShannonDistance(aligned.reference, aligned.current)),
    };
  }
  return result;
}

/**
 * KS D and W1 from counts in shared right-closed bins. D is read at the bin edges, so the true D
 * lies within D ± the largest share any single bin holds on either side (each ECDF moves by at
 * most that much inside a bin): that share is the reported error bound. W1 integrates |F1 − F2|
 * over the finite bins with the trapezoid rule (mass beyond the reference's extremes is ignored).
 */
export function sketchComparison(
  edges: Float64Array,
  refCounts: Float64Array,
  nRef: number,
  curCounts: Float64Array,
  nCur: number,
): { d: number; errorBound: number; wasserstein: number } {
  let cumRef = 0;
  let cumCur = 0;
  let d = 0;
  let errorBound = 0;
  let wasserstein = 0;
  let previousDiff = 0;
  for (let b = 0; b < refCounts.length; b++) {
    errorBound = Math.max(errorBound, refCounts[b]! / nRef, curCounts[b]! / nCur);
    cumRef += refCounts[b]!;
    cumCur += curCounts[b]!;
    if (b >= edges.length) break;
    const diff = Math.abs(cumRef / nRef - cumCur / nCur);
    if (diff > d) d = diff;
    if (b > 0) wasserstein += ((previousDiff + diff) / 2) * (edges[b]! - edges[b - 1]!);
    previousDiff = diff;
  }
  return { d, errorBound, wasserstein };
}

function header(
  feature: string,
  type: 'numeric' | 'categorical',
  ref: { n: number; missing: number },
  cur: { n: number; missing: number },
) {
  return { feature, type, n_ref: ref.n, n_cur: cur.n, missing_ref: ref.missing, missing_cur: cur.missing };
}

function noData(base: ReturnType<typeof header>, reason?: string): FeatureDrift {
  return {
    ...base,
    drift: false,
    status: 'no_data',
    reasons: [reason ?? 'no values in the current window'],
    methods: {},
  };
}

const share = (missing: number, n: number) => (missing + n === 0 ? 0 : missing / (missing + n));

/** JSON has no NaN or ∞: they are reported as null. */
function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function finiteOnly(sorted: Float64Array): Float64Array {
  let start = 0;
  let end = sorted.length;
  while (start < end && sorted[start] === Number.NEGATIVE_INFINITY) start++;
  while (end > start && sorted[end - 1] === Number.POSITIVE_INFINITY) end--;
  return sorted.subarray(start, end);
}
