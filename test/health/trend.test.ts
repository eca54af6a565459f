import { describe, expect, it } from 'vitest';
import { isSignificantRise, linearSums, trendFromSums } from '../../collector/pipeline/trend.js';
import { mulberry32 } from '../../collector/demo/seeded-random.js';

describe('least-squares trend', () => {
  it('fits a line and its t statistic', () => {
    const random = mulberry32(7);
    const points = Array.from(
      { length: 60 },
      (_, i) => [i * 15 - 900, 100 + 0.5 * (i * 15) + (random() - 0.5) * 20] as const,
    );
    const trend = trendFromSums(linearSums(points))!;
    expect(trend.slope).toBeGreaterThan(0.45);
    expect(trend.slope).toBeLessThan(0.55);
    expect(trend.tStatistic).toBeGreaterThan(20);
    expect(isSignificantRise(trend, { minPoints: 6, minT: 3, minChange: 100, spanX: 900 })).toBe(true);
    expect(isSignificantRise(trend, { minPoints: 61, minT: 3, minChange: 100, spanX: 900 })).toBe(false);
    expect(isSignificantRise(trend, { minPoints: 6, minT: 3, minChange: 1000, spanX: 900 })).toBe(false);
  });

  it('calls a perfect line certain, a flat one flat, and too few points nothing', () => {
    expect(
      trendFromSums(
        linearSums([
          [0, 1],
          [1, 2],
          [2, 3],
        ]),
      )?.tStatistic,
    ).toBe(Infinity);
    expect(
      trendFromSums(
        linearSums([
          [0, 5],
          [1, 5],
          [2, 5],
        ]),
      ),
    ).toMatchObject({ slope: 0, tStatistic: 0 });
    expect(
      trendFromSums(
        linearSums([
          [0, 1],
          [1, 2],
        ]),
      ),
    ).toBeNull();
    expect(
      trendFromSums(
        linearSums([
          [3, 1],
          [3, 2],
          [3, 4],
        ]),
      ),
    ).toBeNull();
  });

  it('does not see a trend in noise', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const random = mulberry32(seed);
      const points = Array.from({ length: 60 }, (_, i) => [i * 15 - 900, 50 * (0.5 + random())] as const);
      if (
        isSignificantRise(trendFromSums(linearSums(points)), {
          minPoints: 6,
          minT: 3,
          minChange: 25,
          spanX: 900,
        })
      )
        flagged++;
    }
    expect(flagged).toBe(0);
  });
});
