import { captureIo } from '../helpers/capture-io.js';
/** `factorywatch drift compare` on real public data written as CSV and NDJSON files. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDriftCli } from '../../collector/drift/cli.js';
import { scratchDir } from '../helpers/tmp.js';
import { decode, expectClose, readFixture, vegaRows, type Encoded } from './fixtures.js';

const dir = scratchDir();
const flights = vegaRows('flights-20k.json');
const csv = (rows: Record<string, string>[]) =>
  [
    'date,delay,distance,origin,destination',
    ...rows.map((r) => `"${r.date}",${r.delay},${r.distance},${r.origin},${r.destination}`),
  ].join('\r\n') + '\r\n';
const ndjson = (rows: Record<string, string>[]) =>
  rows
    .map((r) =>
      JSON.stringify({
        delay: Number(r.delay),
        distance: Number(r.distance),
        origin: r.origin,
        destination: r.destination,
      }),
    )
    .join('\n');
const refCsv = join(dir, 'ref.csv');
const curNdjson = join(dir, 'cur.ndjson');
writeFileSync(refCsv, csv(flights.slice(0, 5000)));
writeFileSync(curNdjson, ndjson(flights.slice(5000, 12000)));

interface Case {
  name: string;
  ks_statistic: Encoded;
  ks_pvalue: Encoded;
  psi: Encoded;
  wasserstein_normalised: Encoded;
}
const fixture = readFixture<{ cases: Case[] }>('numeric.json').cases.find((c) =>
  c.name.startsWith('flights-20k delay 5000 vs 7000'),
)!;

describe('drift compare', () => {
  it('prints the JSON shape of the issue with SciPy-identical numbers (CSV vs NDJSON)', async () => {
    const run = captureIo();
    expect(
      await runDriftCli(['compare', '--reference', refCsv, '--current', curNdjson, '--json'], run.io),
    ).toBe(0);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the parsed CLI output
    const body = JSON.parse(run.out()) as { features: Record<string, any>[] };
    expect(body.features.map((f) => [f.feature, f.type])).toEqual([
      ['delay', 'numeric'],
      ['distance', 'numeric'],
      ['origin', 'categorical'],
      ['destination', 'categorical'],
    ]);
    const delay = body.features[0]!;
    expect(Object.keys(delay)).toEqual(
      expect.arrayContaining([
        'feature',
        'type',
        'n_ref',
        'n_cur',
        'missing_ref',
        'missing_cur',
        'drift',
        'methods',
      ]),
    );
    expect(delay).toMatchObject({ n_ref: 5000, n_cur: 7000, missing_ref: 0, missing_cur: 0, drift: false });
    expect(Object.keys(delay.methods)).toEqual(['psi', 'ks', 'wasserstein']);
    expectClose(delay.methods.ks.statistic, decode(fixture.ks_statistic), 'D');
    expectClose(delay.methods.ks.p_value, decode(fixture.ks_pvalue), 'p', 1e-9);
    expectClose(delay.methods.psi.value, decode(fixture.psi), 'PSI');
    expectClose(delay.methods.wasserstein.value, decode(fixture.wasserstein_normalised), 'W');
    expect(Object.keys(body.features[2]!.methods)).toEqual(['psi', 'chisquare', 'jensenshannon']);
    expect(run.err()).toMatch(/column "date" is only in the reference file/);
  });

  it('prints a readable table, honours --features and --methods, and fails on drift when asked', async () => {
    const summer = join(dir, 'summer.csv');
    const winter = join(dir, 'winter.csv');
    const weather = vegaRows('seattle-weather.csv');
    const season = (months: number[]) =>
      [
        'temp_max,weather',
        ...weather
          .filter((r) => months.includes(Number(r.date!.slice(5, 7))))
          .map((r) => `${r.temp_max},${r.weather}`),
      ].join('\n');
    writeFileSync(winter, season([12, 1, 2]));
    writeFileSync(summer, season([6, 7, 8]));
    const table = captureIo();
    expect(
      await runDriftCli(['compare', '--reference', winter, '--current', summer, '--fail-on-drift'], table.io),
    ).toBe(1);
    expect(table.out()).toMatch(/^feature\s+type\s+n_ref/);
    expect(table.out()).toMatch(/temp_max\s+numeric .*DRIFT/);
    expect(table.out()).toMatch(/2 of 2 features drift \(temp_max, weather\)/);

    const one = captureIo();
    expect(
      await runDriftCli(
        [
          'compare',
          '--reference',
          winter,
          '--current',
          summer,
          '--features',
          'temp_max',
          '--methods',
          'ks',
          '--json',
        ],
        one.io,
      ),
    ).toBe(0);
    const body = JSON.parse(one.out());
    expect(body.features).toHaveLength(1);
    expect(Object.keys(body.features[0].methods)).toEqual(['ks']);
    expect(body.features[0].drift).toBe(true);
  });

  it('reproduces Evidently with --binning evidently', async () => {
    const evidently = readFixture<{ cases: { name: string; evidently_psi: Encoded }[] }>(
      'numeric.json',
    ).cases.find((c) => c.name.startsWith('flights-20k delay 5000 vs 7000'))!;
    const run = captureIo();
    expect(
      await runDriftCli(
        [
          'compare',
          '--reference',
          refCsv,
          '--current',
          curNdjson,
          '--features',
          'delay',
          '--binning',
          'evidently',
          '--json',
        ],
        run.io,
      ),
    ).toBe(0);
    expectClose(
      JSON.parse(run.out()).features[0].methods.psi.value,
      decode(evidently.evidently_psi),
      'Evidently PSI',
    );
  });

  it('reports progress on stderr for long comparisons', async () => {
    const big = vegaRows('flights-200k.json');
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    // flights-200k has delay, distance and time (hour of day).
    const lines = (rows: Record<string, string>[]) =>
      rows
        .map((r) =>
          JSON.stringify({ delay: Number(r.delay), distance: Number(r.distance), time: Number(r.time) }),
        )
        .join('\n');
    writeFileSync(a, lines(big.slice(0, 100_000)));
    writeFileSync(b, lines(big.slice(100_000)));
    const run = captureIo();
    expect(await runDriftCli(['compare', '--reference', a, '--current', b], run.io)).toBe(0);
    expect(run.err()).toMatch(/read 100000 \+ 100000 rows, 3 columns/);
    expect(run.err()).toMatch(/\[3\/3\] time \(\d+ ms\)/);
  });

  it('rejects bad input with a code, a path and exit code 2', async () => {
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'a,b\n1,2\n3\n');
    const cases: [string[], RegExp][] = [
      [['compare', '--reference', refCsv], /--reference FILE and --current FILE/],
      [['compare', '--reference', refCsv, '--current', curNdjson, '--features', 'nope'], /Feature "nope"/],
      [
        ['compare', '--reference', refCsv, '--current', curNdjson, '--methods', 'psi,magic'],
        /Unknown method "magic"/,
      ],
      [['compare', '--reference', broken, '--current', curNdjson], /row 3 has 1 fields/],
      [['compare', '--reference', join(dir, 'missing.csv'), '--current', curNdjson], /Cannot read/],
      [['compare', '--reference', refCsv, '--current', curNdjson, '--bins', '1'], /bins must be an integer/],
      [['frobnicate'], /usage/],
    ];
    for (const [args, message] of cases) {
      const run = captureIo();
      expect(await runDriftCli(args, run.io), args.join(' ')).toBe(2);
      expect(run.err() + run.out()).toMatch(message);
    }
  });
});
