/** The scikit-learn reference values of test/fixtures/health (made by make_fixtures.py). */
import { readFileSync } from 'node:fs';

const here = new URL('../fixtures/health/', import.meta.url);

/** One synthetic case: inputs and sklearn's figures. */
export interface QualityCase {
  name: string;
  kind: 'binary' | 'multiclass' | 'regression';
  threshold?: number;
  positive_class?: string | null;
  labels: (number | string)[];
  predictions: (number | string)[];
  expected: Record<string, number | null>;
}

/** quality-cases.json */
export const QUALITY_CASES: QualityCase[] = (
  JSON.parse(readFileSync(new URL('quality-cases.json', here), 'utf8')) as { cases: QualityCase[] }
).cases;

/** flights-model.json: the January 2001 delay models and sklearn's monthly figures. */
export interface FlightsFixture {
  threshold: number;
  intercept: number;
  coef: [number, number, number, number];
  prior: number;
  origin_rate: Record<string, number>;
  destination_rate: Record<string, number>;
  route_mean_delay: Record<string, number>;
  mean_delay: number;
  months: Record<
    string,
    {
      predictions: number;
      labeled: number;
      classifier: Record<string, number | null>;
      regressor: Record<string, number | null>;
    }
  >;
}

export const FLIGHTS_FIXTURE: FlightsFixture = JSON.parse(
  readFileSync(new URL('flights-model.json', here), 'utf8'),
) as FlightsFixture;

/** Relative closeness: the store sums in another order than numpy, so the last bits may differ. */
export function closeTo(
  actual: number | null | undefined,
  expected: number | null,
  relative = 1e-9,
): boolean {
  if (expected === null) return actual === null;
  if (actual === null || actual === undefined) return false;
  return Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected));
}
