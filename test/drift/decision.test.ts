/** The default decision on real public data, both ways, and at scale (no crying wolf). */
import { describe, expect, it } from 'vitest';
import { DRIFT_CONFIG_DEFAULTS, featureSettings, parseDriftConfig } from '../../collector/drift/config.js';
import { compareColumns } from '../../collector/drift/compare.js';
import { typedColumn, type DatasetColumn } from '../../collector/drift/dataset.js';
import { sourceColumns, vegaRows } from './fixtures.js';
import { seededNormals } from '../../collector/demo/seeded-random.js';

const settings = DRIFT_CONFIG_DEFAULTS.defaults;

function numeric(name: string, values: readonly (number | string)[]): DatasetColumn {
  return typedColumn(
    name,
    values.map((v) => (typeof v === 'number' ? v : v)),
    true,
  );
}
function categorical(name: string, values: readonly string[]): DatasetColumn {
  return typedColumn(name, values, false);
}

describe('the default decision on real data', () => {
  it('flags Seattle winter vs summer maximum temperatures as drift', () => {
    const { ref, cur } = sourceColumns({
      file: 'seattle-weather.csv',
      column: 'temp_max',
      ref: 'winter',
      cur: 'summer',
    });
    const result = compareColumns(numeric('temp_max', ref), numeric('temp_max', cur), settings);
    expect(result.status).toBe('drift');
    expect(result.drift).toBe(true);
    expect(result.methods.psi!.value!).toBeGreaterThan(0.25);
    expect(result.reasons.join('; ')).toMatch(/PSI .* ≥ 0.25.*KS p/);
  });

  it('flags the changed weather vocabulary (2012 vs 2015: snow gone, fog up tenfold) as drift', () => {
    const { ref, cur } = sourceColumns({
      file: 'seattle-weather.csv',
      column: 'weather',
      ref: 2012,
      cur: 2015,
    });
    const result = compareColumns(categorical('weather', ref), categorical('weather', cur), settings);
    expect(result.type).toBe('categorical');
    expect(result.drift).toBe(true);
    expect(result.methods.chisquare!.p_value!).toBeLessThan(1e-50);
  });

  it('flags a category vocabulary that changed (new categories) as drift', () => {
    const rows = vegaRows('flights-20k.json');
    const ref = rows.slice(0, 10_000).map((r) => r.origin!);
    // The same flights, but a third of the airports renamed to codes the reference never saw.
    const cur = rows.slice(10_000).map((r, i) => (i % 3 === 0 ? `X${r.origin}` : r.origin!));
    const result = compareColumns(categorical('origin', ref), categorical('origin', cur), settings);
    expect(result.drift).toBe(true);
    expect(result.unseen_categories!.length).toBeGreaterThan(5);
  });

  it('does not flag two halves of the same flights sample', () => {
    const { ref, cur } = sourceColumns({
      file: 'flights-20k.json',
      column: 'delay',
      ref: [0, 5000],
      cur: [5000, 12000],
    });
    const result = compareColumns(numeric('delay', ref), numeric('delay', cur), settings);
    expect(result.status).toBe('ok');
    const origin = sourceColumns({
      file: 'flights-20k.json',
      column: 'origin',
      ref: [0, 10000],
      cur: [10000, 20000],
    });
    const cat = compareColumns(
      categorical('origin', origin.ref),
      categorical('origin', origin.cur),
      settings,
    );
    // New rare airports make chi-square p = 0, but the effect is tiny: no drift.
    expect(cat.methods.chisquare!.p_value).toBe(0);
    expect(cat.drift).toBe(false);
  });

  it('does not flag a 0.01σ shift at 1M rows although KS p is tiny', () => {
    const ref = seededNormals(1_000_000, 0, 12345);
    const cur = seededNormals(1_000_000, 0.01, 67890);
    const result = compareColumns(
      { name: 'x', type: 'numeric', values: ref, missing: 0 },
      { name: 'x', type: 'numeric', values: cur, missing: 0 },
      settings,
    );
    expect(result.methods.ks!.p_value!).toBeLessThan(1e-6);
    expect(result.methods.psi!.value!).toBeLessThan(0.001);
    expect(result.status).toBe('ok');
    expect(result.drift).toBe(false);
    expect(result.reasons.join('; ')).toMatch(/effect is small/);
  });

  it('does not flag a huge PSI that is not significant (one value on each side)', () => {
    const result = compareColumns(numeric('x', [0.5]), numeric('x', [0.7]), settings);
    expect(result.methods.psi!.value!).toBeGreaterThan(10);
    expect(result.drift).toBe(false);
  });

  it('warns when the missing share rises, and reports no_data for an empty current window', () => {
    const withMissing = compareColumns(
      numeric('x', [1, 2, 3, 4, 5, 6]),
      numeric('x', [1, 2, 3, 'NA', '', 'null']),
      settings,
    );
    expect(withMissing.missing_cur).toBe(3);
    expect(withMissing.status).toBe('warning');
    const empty = compareColumns(numeric('x', [1, 2, 3]), numeric('x', ['', '']), settings);
    expect(empty.status).toBe('no_data');
    expect(empty.methods).toEqual({});
  });

  it('uses per-model and per-feature thresholds', () => {
    const { ref, cur } = sourceColumns({
      file: 'seattle-weather.csv',
      column: 'temp_max',
      ref: 2012,
      cur: 2015,
    });
    const base = compareColumns(numeric('t', ref), numeric('t', cur), settings);
    expect(base.status).toBe('warning');
    const config = parseDriftConfig({
      ...DRIFT_CONFIG_DEFAULTS,
      models: {
        weather: { thresholds: { psiDrift: 0.2 }, features: { wind: { thresholds: { psiDrift: 5 } } } },
      },
    });
    const strict = compareColumns(
      numeric('t', ref),
      numeric('t', cur),
      featureSettings(config, 'weather', 'temp_max'),
    );
    expect(strict.status).toBe('drift');
    expect(featureSettings(config, 'weather', 'wind').thresholds.psiDrift).toBe(5);
    expect(featureSettings(config, 'other', 'wind').thresholds.psiDrift).toBe(0.25);
  });
});

describe('drift configuration', () => {
  it('rejects bad values with the path of the key', () => {
    const bad = (over: Record<string, unknown>) => () =>
      parseDriftConfig({ ...DRIFT_CONFIG_DEFAULTS, ...over });
    expect(bad({ intervalSeconds: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', path: '/drift/intervalSeconds' }),
    );
    expect(bad({ defaults: { thresholds: { alpha: 2 } } })).toThrow(
      expect.objectContaining({ path: '/drift/defaults/thresholds/alpha' }),
    );
    expect(bad({ models: { m: { binning: 'sturges' } } })).toThrow(
      expect.objectContaining({ path: '/drift/models/m/binning' }),
    );
    expect(bad({ models: { m: { features: { f: { thresholds: { psiWarn: 0.5 } } } } } })).toThrow(
      expect.objectContaining({ path: '/drift/models/m/features/f/thresholds/psiWarn' }),
    );
    expect(bad({ treshold: 1 })).toThrow(expect.objectContaining({ path: '/drift/treshold' }));
  });
});
