/**
 * A trend that does not flap: an ordinary least-squares slope over a window, trusted only with
 * enough points and a t statistic large enough that noise alone would rarely produce it. The store
 * hands over plain sums (portable SQL: count and sums of products); x should be centred near the
 * window (e.g. seconds before the evaluation time) so the sums keep their precision.
 * Shared with the GPU analysis (data-starved idle uses "growing lag").
 */

/** Σ-statistics of points (x, y): what SQL aggregates return. */
export interface LinearSums {
  n: number;
  sumX: number;
  sumY: number;
  sumXX: number;
  sumXY: number;
  sumYY: number;
}

/** A fitted line with the evidence behind it. */
export interface Trend {
  n: number;
  /** dy/dx, e.g. items per second. */
  slope: number;
  /** Mean of y over the window. */
  meanY: number;
  /** slope / its standard error; ±Infinity for a perfect line, 0 for a flat one. */
  tStatistic: number;
}

/** The rule a trend must pass to count: enough points, a strong enough t, a material change. */
export interface TrendRule {
  minPoints: number;
  minT: number;
  /** Least change of y across `spanX` (slope × spanX) that matters. */
  minChange: number;
  spanX: number;
}

/** Sums of points, in memory. */
export function linearSums(points: ReadonlyArray<readonly [number, number]>): LinearSums {
  const s: LinearSums = { n: 0, sumX: 0, sumY: 0, sumXX: 0, sumXY: 0, sumYY: 0 };
  for (const [x, y] of points) {
    s.n++;
    s.sumX += x;
    s.sumY += y;
    s.sumXX += x * x;
    s.sumXY += x * y;
    s.sumYY += y * y;
  }
  return s;
}

/** The least-squares line through the points behind `s`; null below 3 points or when x never varies. */
export function trendFromSums(s: LinearSums): Trend | null {
  if (s.n < 3) return null;
  const sxx = s.sumXX - (s.sumX * s.sumX) / s.n;
  const sxy = s.sumXY - (s.sumX * s.sumY) / s.n;
  const syy = s.sumYY - (s.sumY * s.sumY) / s.n;
  if (!(sxx > 0)) return null;
  const slope = sxy / sxx;
  // Residual sum of squares; cancellation can leave a tiny negative for a perfect line.
  const residual = Math.max(0, syy - slope * sxy);
  const standardError = Math.sqrt(residual / (s.n - 2) / sxx);
  let tStatistic: number;
  if (slope === 0) tStatistic = 0;
  else if (standardError === 0 || residual <= 1e-12 * Math.max(syy, 1e-300))
    tStatistic = slope > 0 ? Infinity : -Infinity;
  else tStatistic = slope / standardError;
  return { n: s.n, slope, meanY: s.sumY / s.n, tStatistic };
}

/** True when `trend` is a rise that passes `rule`. */
export function isSignificantRise(trend: Trend | null, rule: TrendRule): boolean {
  if (trend === null || trend.n < rule.minPoints) return false;
  return trend.tStatistic >= rule.minT && trend.slope * rule.spanX >= rule.minChange;
}

/** Medians of y in the first and the last third of the trend window (null when a third is empty). */
export interface ThirdMedians {
  early: number | null;
  late: number | null;
}

/**
 * A rise that least squares and medians agree on: significant as above, and the median of the last
 * third above the median of the first by ⅔ of the minimum change (the distance between the thirds'
 * centres on a straight line). Least squares alone follows a few large spikes; medians ignore them.
 */
export function isRobustRise(trend: Trend | null, thirds: ThirdMedians, rule: TrendRule): boolean {
  if (!isSignificantRise(trend, rule) || thirds.early === null || thirds.late === null) return false;
  return thirds.late - thirds.early >= (2 / 3) * rule.minChange;
}
