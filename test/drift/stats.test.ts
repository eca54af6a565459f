/** Every drift statistic against SciPy/NumPy reference values (test/fixtures/drift/make_fixtures.py). */
import { describe, expect, it } from 'vitest';
import { chisquareFromCounts } from '../../collector/drift/stats/chisquare.js';
import { evidentlyPsi } from '../../collector/drift/stats/evidently-psi.js';
import { chi2Sf } from '../../collector/drift/stats/gamma.js';
import { jensenShannonDistance } from '../../collector/drift/stats/jensen-shannon.js';
import { kstwoSf, smirnovSf } from '../../collector/drift/stats/kolmogorov.js';
import { ks2samp } from '../../collector/drift/stats/ks.js';
import { binCounts, binCountsSorted, psiFromCounts, quantileEdges } from '../../collector/drift/stats/psi.js';
import { quantileSorted } from '../../collector/drift/stats/quantiles.js';
import { sortedCopy } from '../../collector/drift/stats/sort.js';
import { normalisedWasserstein, wassersteinDistance } from '../../collector/drift/stats/wasserstein.js';
import { decode, expectClose, readFixture, sourceColumns, type Encoded, type Source } from './fixtures.js';

interface NumericCase {
  name: string;
  n_ref: number;
  n_cur: number;
  missing_ref: number;
  missing_cur: number;
  ks_statistic: Encoded;
  ks_pvalue: Encoded;
  psi: Encoded;
  psi_edges: Encoded[];
  psi_20_bins: Encoded;
  wasserstein: Encoded;
  wasserstein_normalised: Encoded;
  quantiles: Encoded[];
  evidently_psi?: Encoded;
  ref?: Encoded[];
  cur?: Encoded[];
  source?: Source;
}

interface CategoricalCase {
  name: string;
  categories: string[];
  ref_counts: number[];
  cur_counts: number[];
  psi: Encoded;
  chisquare_statistic: Encoded;
  chisquare_pvalue: Encoded;
  jensenshannon: Encoded;
}

const numeric = readFixture<{ cases: NumericCase[] }>('numeric.json').cases;
const categorical = readFixture<{ cases: CategoricalCase[] }>('categorical.json').cases;
const distributions = readFixture<{
  kstwo_sf: [number, number, Encoded][];
  smirnov: [number, number, Encoded][];
  chi2_sf: [number, number, Encoded][];
}>('distributions.json');

/** The case's two samples with missing values (NaN) removed, sorted. */
function samples(c: NumericCase): { ref: Float64Array; cur: Float64Array } {
  let ref: number[];
  let cur: number[];
  if (c.source) {
    const columns = sourceColumns(c.source);
    ref = columns.ref.map(Number);
    cur = columns.cur.map(Number);
  } else {
    ref = c.ref!.map(decode);
    cur = c.cur!.map(decode);
  }
  const clean = (v: number[]) => sortedCopy(Float64Array.from(v.filter((x) => !Number.isNaN(x))));
  return { ref: clean(ref), cur: clean(cur) };
}

describe('numeric drift statistics agree with SciPy', () => {
  it.each(numeric.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { ref, cur } = samples(c);
    expect([ref.length, cur.length]).toEqual([c.n_ref, c.n_cur]);

    const ks = ks2samp(ref, cur);
    expectClose(ks.statistic, decode(c.ks_statistic), 'KS D');
    expectClose(ks.pValue, decode(c.ks_pvalue), 'KS p-value', 1e-9);

    const edges = quantileEdges(ref, 10);
    expect(edges.length, 'PSI edges').toBe(c.psi_edges.length);
    edges.forEach((e, i) => expectClose(e, decode(c.psi_edges[i]!), `edge ${i}`));
    const refCounts = binCountsSorted(ref, edges);
    const curCounts = binCounts(cur, edges);
    expect(Array.from(binCountsSorted(cur, edges))).toEqual(Array.from(curCounts));
    expectClose(psiFromCounts(refCounts, ref.length, curCounts, cur.length), decode(c.psi), 'PSI');
    const edges20 = quantileEdges(ref, 20);
    expectClose(
      psiFromCounts(binCountsSorted(ref, edges20), ref.length, binCountsSorted(cur, edges20), cur.length),
      decode(c.psi_20_bins),
      'PSI 20 bins',
    );

    const wd = decode(c.wasserstein);
    if (Number.isFinite(wd)) {
      expectClose(wassersteinDistance(ref, cur), wd, 'Wasserstein');
      expectClose(
        normalisedWasserstein(ref, cur),
        decode(c.wasserstein_normalised),
        'normalised Wasserstein',
      );
    } else {
      expect(wassersteinDistance(ref, cur)).toBeNaN();
    }

    [0, 0.1, 0.25, 0.3, 0.5, 0.7, 0.75, 0.9, 0.99, 1].forEach((q, i) =>
      expectClose(quantileSorted(ref, q), decode(c.quantiles[i]!), `quantile ${q}`),
    );
    if (c.evidently_psi !== undefined)
      expectClose(evidentlyPsi(ref, cur), decode(c.evidently_psi), 'Evidently PSI');
  });
});

describe('categorical drift statistics agree with SciPy', () => {
  it.each(categorical.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ref = Float64Array.from(c.ref_counts);
    const cur = Float64Array.from(c.cur_counts);
    const nRef = ref.reduce((a, b) => a + b, 0);
    const nCur = cur.reduce((a, b) => a + b, 0);
    expectClose(psiFromCounts(ref, nRef, cur, nCur), decode(c.psi), 'PSI');
    const chi = chisquareFromCounts(ref, cur);
    expectClose(chi.statistic, decode(c.chisquare_statistic), 'chi-square statistic');
    expectClose(chi.pValue, decode(c.chisquare_pvalue), 'chi-square p-value', 1e-9);
    expectClose(jensenShannonDistance(ref, cur), decode(c.jensenshannon), 'Jensen-Shannon');
  });
});

describe('distributions agree with SciPy on a grid', () => {
  it('kstwo.sf over every algorithm branch', () => {
    for (const [n, x, expected] of distributions.kstwo_sf) {
      expectClose(kstwoSf(n, x), decode(expected), `kstwo.sf(${x}, ${n})`, 1e-9);
    }
  });
  it('smirnov (one-sided) tails', () => {
    for (const [n, x, expected] of distributions.smirnov) {
      // factorywatch only evaluates the tail (x ≥ 1.4/√n) where it feeds kstwo; the body is covered above.
      if (x * Math.sqrt(n) < 1.4) continue;
      expectClose(smirnovSf(n, x), decode(expected), `smirnov(${n}, ${x})`, 1e-9);
    }
  });
  it('chi2.sf with our own regularized incomplete gamma', () => {
    for (const [x, k, expected] of distributions.chi2_sf) {
      expectClose(chi2Sf(x, k), decode(expected), `chi2.sf(${x}, ${k})`, 1e-9);
    }
  });
});
