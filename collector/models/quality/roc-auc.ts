/**
 * ROC AUC as `sklearn.metrics.roc_auc_score` (binary): the area under the ROC curve with ties in
 * score counted half, which equals the Mann–Whitney probability that a positive outranks a negative.
 */

/**
 * AUC from the concordance sum Σ over positives of (negatives scored lower + ½ negatives scored equal),
 * which the store computes in SQL. Null when labels hold one class only (scikit-learn raises there).
 */
export function rocAucFromConcordance(
  concordance: number,
  positives: number,
  negatives: number,
): number | null {
  if (positives === 0 || negatives === 0) return null;
  return concordance / (positives * negatives);
}

/**
 * The concordance sum from the scores of the positives and of the negatives, as the store's fast
 * path fetches them (sorts both arrays in place). Sorting two Float64Arrays natively and merging them
 * replaces the SQL rank window, which took most of `health-quality-1m` (bench/health.bench.ts):
 * ties count half because, for each positive, `below` skips the strictly lower negatives and `upTo`
 * the lower or equal ones (−0 and +0 compare equal, as in the SQL ORDER BY).
 */
export function concordanceFromScores(positives: Float64Array, negatives: Float64Array): number {
  positives.sort();
  negatives.sort();
  let below = 0;
  let upTo = 0;
  let concordance = 0;
  for (let i = 0; i < positives.length; i++) {
    const score = positives[i] as number;
    while (below < negatives.length && (negatives[below] as number) < score) below++;
    if (upTo < below) upTo = below;
    while (upTo < negatives.length && (negatives[upTo] as number) <= score) upTo++;
    concordance += below + (upTo - below) / 2;
  }
  return concordance;
}

/** AUC of scores against 0/1 labels, in memory (sorts a copy of the scores: O(n log n)). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // Sorting indices of a typed array keeps the 1M-element case allocation-free after this line.
  order.sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let negatives = 0;
  let concordance = 0;
  for (let i = 0; i < n;) {
    const score = scores[order[i] as number] as number;
    let pos = 0;
    let neg = 0;
    for (; i < n && scores[order[i] as number] === score; i++) {
      if (labels[order[i] as number] === 1) pos++;
      else neg++;
    }
    concordance += pos * (negatives + neg / 2);
    positives += pos;
    negatives += neg;
  }
  return rocAucFromConcordance(concordance, positives, negatives);
}
