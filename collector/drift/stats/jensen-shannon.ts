/** Jensen–Shannon distance between two distributions (`scipy.spatial.distance.jensenshannon`, natural log). */

/** sqrt((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q)/2; both inputs normalised to sum 1 first. */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sumP = 0;
  let sumQ = 0;
  for (let i = 0; i < p.length; i++) {
    sumP += p[i]!;
    sumQ += q[i]!;
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sumP;
    const qi = q[i]! / sumQ;
    const mi = (pi + qi) / 2;
    left += relativeEntropy(pi, mi);
    right += relativeEntropy(qi, mi);
  }
  return Math.sqrt((left + right) / 2);
}

/** `scipy.special.rel_entr`: x·ln(x/y), 0 at x = 0. */
function relativeEntropy(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}
