/**
 * The speed tricks of the drift statistics (radix sort on bit patterns, branch-free KS merge,
 * table-driven binning) give exactly the answers of the plain algorithms they replace, on data
 * built to hit their edge cases: both signs, -0/+0, ±∞, subnormals, heavy ties across samples.
 */
import { describe, expect, it } from 'vitest';
import { ksAndWasserstein } from '../../collector/drift/stats/ecdf-walk.js';
import { ks2samp, ksStatistic } from '../../collector/drift/stats/ks.js';
import { binCounts } from '../../collector/drift/stats/psi.js';
import { sortedCopy, sortInPlace } from '../../collector/drift/stats/sort.js';
import { wassersteinDistance } from '../../collector/drift/stats/wasserstein.js';
import { xorshift32 } from '../../collector/demo/seeded-random.js';

const u = xorshift32(11);
const generators: Record<string, (n: number) => Float64Array> = {
  normal: (n) =>
    Float64Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())),
  'small integers (ties)': (n) => Float64Array.from({ length: n }, () => Math.floor(u() * 40) - 20),
  'positive integers': (n) => Float64Array.from({ length: n }, () => Math.floor(u() * 1000)),
  'negative, one binade': (n) => Float64Array.from({ length: n }, () => -1 - u()),
  'all -1': (n) => new Float64Array(n).fill(-1),
  // Neighbours differ only in the lowest bits: the insertion finish gives up, the full sort runs.
  'large integers at ulp spacing': (n) =>
    Float64Array.from({ length: n }, () => 2 ** 52 + Math.floor(u() * 1e6)),
  'signed zeros': (n) => Float64Array.from({ length: n }, () => (u() < 0.5 ? -0 : 0)),
  'infinities and extremes': (n) =>
    Float64Array.from({ length: n }, () => {
      const x = u();
      if (x < 0.1) return Number.POSITIVE_INFINITY;
      if (x < 0.2) return Number.NEGATIVE_INFINITY;
      if (x < 0.3) return -0;
      if (x < 0.4) return (u() - 0.5) * 1e-320;
      return (u() - 0.5) * 1e300;
    }),
};

/** The reference order: the engine's comparison sort (which puts -0 before +0). */
const referenceSort = (values: Float64Array) => values.slice().sort();

/** SciPy's definition, literally: F1 − F2 after every distinct value of the union. */
function naiveKs(sorted1: Float64Array, sorted2: Float64Array): number {
  const all = referenceSort(Float64Array.from([...sorted1, ...sorted2]));
  const upper = (s: Float64Array, v: number) => s.filter((x) => x <= v).length;
  let maxDiff = 0;
  let minDiff = 0;
  for (const v of all) {
    const diff = upper(sorted1, v) / sorted1.length - upper(sorted2, v) / sorted2.length;
    maxDiff = Math.max(maxDiff, diff);
    minDiff = Math.min(minDiff, diff);
  }
  const minS = Math.min(-minDiff, 1);
  return minS > maxDiff ? minS : maxDiff;
}

describe('radix sort', () => {
  for (const [name, generate] of Object.entries(generators)) {
    // 600k reaches the 16-bit digit layout; smaller sizes the 11-bit one and the comparison sort.
    const sizes = ['normal', 'infinities and extremes', 'large integers at ulp spacing'].includes(name)
      ? [600_000]
      : [];
    for (const n of [0, 1, 4095, 5000, 70_000, ...sizes]) {
      it(`orders ${n} values (${name}) exactly like the comparison sort, -0 before +0`, () => {
        const values = generate(n);
        const before = values.slice();
        const expected = referenceSort(values);
        const copy = sortedCopy(values);
        expect(values).toEqual(before);
        const inPlace = sortInPlace(values.slice());
        for (const got of [copy, inPlace]) {
          expect(got.length).toBe(n);
          for (let i = 0; i < n; i++) {
            if (!Object.is(got[i], expected[i])) {
              expect.fail(`index ${i}: ${got[i]} instead of ${expected[i]}`);
            }
          }
        }
      });
    }
  }
});

describe('KS merge', () => {
  it('equals the literal definition on tied, signed, infinite and unequal-size samples', () => {
    const names = Object.keys(generators);
    for (let round = 0; round < 60; round++) {
      const g1 = generators[names[round % names.length]!]!;
      const g2 = generators[names[(round * 5 + 3) % names.length]!]!;
      const a = sortedCopy(g1(1 + Math.floor(u() * 300)));
      const b = sortedCopy(round % 2 ? g1(1 + Math.floor(u() * 300)) : g2(1 + Math.floor(u() * 300)));
      expect(ksStatistic(a, b)).toBe(naiveKs(a, b));
      expect(ksStatistic(b, a)).toBe(naiveKs(b, a));
    }
  });
});

describe('one merge for KS and Wasserstein', () => {
  it('gives bit for bit what ks2samp and wassersteinDistance give separately', () => {
    const names = Object.keys(generators);
    for (let round = 0; round < 80; round++) {
      const g1 = generators[names[round % names.length]!]!;
      const g2 = generators[names[(round * 3 + 1) % names.length]!]!;
      const size = round < 70 ? 300 : 20_000; // large enough for the asymptotic p-value too
      const a = sortedCopy(g1(1 + Math.floor(u() * size)));
      const b = sortedCopy(round % 2 ? g1(1 + Math.floor(u() * size)) : g2(1 + Math.floor(u() * size)));
      for (const [x, y] of [
        [a, b],
        [b, a],
      ] as const) {
        const walk = ksAndWasserstein(x, y);
        expect(walk.ks).toEqual(ks2samp(x, y));
        expect(Object.is(walk.wasserstein, wassersteinDistance(x, y))).toBe(true);
      }
    }
  });
});

describe('binCounts', () => {
  /** searchsorted(edges, v, 'left') by linear scan. */
  function naiveBins(values: Float64Array, edges: Float64Array): Float64Array {
    const counts = new Float64Array(edges.length + 1);
    for (const v of values) {
      let bin = 0;
      while (bin < edges.length && edges[bin]! < v) bin++;
      counts[bin]!++;
    }
    return counts;
  }

  const edgeSets: Record<string, number[]> = {
    none: [],
    one: [0],
    deciles: [-1.28, -0.84, -0.52, -0.25, 0, 0.25, 0.52, 0.84, 1.28],
    'integer edges (values on edges)': [-15, -7, 0, 3, 9],
    'infinite edges': [Number.NEGATIVE_INFINITY, -1, 0, 1, Number.POSITIVE_INFINITY],
    'huge and tiny': [-1e300, -1e-320, 0, 1e-320, 1e300],
    'sub-ulp spacing': [1, 1 + 2 ** -52, 1 + 2 ** -51],
  };
  for (const [edgeName, edgeList] of Object.entries(edgeSets)) {
    for (const [name, generate] of Object.entries(generators)) {
      it(`counts ${name} against ${edgeName} edges like searchsorted`, () => {
        const edges = Float64Array.from(edgeList);
        const values = generate(5_000);
        values[0] = Number.NaN; // NaN lands in the first bin, as with a binary search
        expect(binCounts(values, edges)).toEqual(naiveBins(values, edges));
      });
    }
  }
});
