/**
 * Real public data: a delay classifier and a delay regressor fitted on January 2001 flights
 * (test/fixtures/health/make_fixtures.py, scikit-learn) serve January to March. Labels arrive hours
 * late, shuffled, some first wrong and later corrected; the collector's quality per month must equal
 * scikit-learn's on the same predictions and labels, and show the models getting worse after January.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabelRow, PredictionRow } from '../../collector/ingest/rows.js';
import { summarizeModels, type ModelSummary } from '../../collector/models/summary.js';
import { parseHealthConfig } from '../../collector/pipeline/config.js';
import { openDuckDbStore } from '../../collector/store/duckdb/index.js';
import type { Store } from '../../collector/store/store.js';
import { batchOf, labelRow, predictionRow } from '../helpers/rows.js';
import { scratchDir } from '../helpers/tmp.js';
import { closeTo, FLIGHTS_FIXTURE as F } from './fixtures.js';
import { mulberry32 } from '../../collector/demo/seeded-random.js';

interface Flight {
  date: string;
  delay: number;
  distance: number;
  origin: string;
  destination: string;
}

const flights = JSON.parse(
  readFileSync(new URL('../../node_modules/vega-datasets/data/flights-20k.json', import.meta.url), 'utf8'),
) as Flight[];
const HOUR = 3_600_000;

function epochOf(date: string): number {
  const [y, mo, d, h, mi] = date.split(/[/ :]/).map(Number) as [number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi);
}

/** The January model, with the same arithmetic in the same order as make_fixtures.py. */
function delayScore(f: Flight): number {
  const hour = (Number(f.date.slice(11, 13)) + Number(f.date.slice(14, 16)) / 60) / 24;
  const x = [
    f.distance / 1000,
    hour,
    F.origin_rate[f.origin] ?? F.prior,
    F.destination_rate[f.destination] ?? F.prior,
  ];
  const z = F.intercept + F.coef[0] * x[0]! + F.coef[1] * x[1]! + F.coef[2] * x[2]! + F.coef[3] * x[3]!;
  return 1 / (1 + Math.exp(-z));
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('model quality on the 2001 flights', () => {
  let store: Store;
  const config = parseHealthConfig({
    models: { overrides: { 'flight-delay': { task: 'classification', decisionThreshold: F.threshold } } },
  });

  beforeAll(async () => {
    store = await openDuckDbStore(join(scratchDir(), 'flights.duckdb'));
    const predictions: PredictionRow[] = [];
    const labels: LabelRow[] = [];
    const random = mulberry32(2001);
    flights.forEach((f, i) => {
      const ts = epochOf(f.date);
      const delayed = f.delay > 15 ? 1 : 0;
      const labelled = i % 10 !== 9;
      const corrected = i % 7 === 3;
      const inline = labelled && i % 5 === 0;
      predictions.push(
        predictionRow({
          ts,
          model: 'flight-delay',
          version: 'jan-2001',
          requestId: `c-${i}`,
          predictionNum: delayScore(f),
          labelNum: inline ? (corrected ? 1 - delayed : delayed) : null,
          latencyMs: 1 + (i % 50),
        }),
        predictionRow({
          ts,
          model: 'delay-minutes',
          version: 'route-mean',
          requestId: `d-${i}`,
          predictionNum: F.route_mean_delay[`${f.origin}-${f.destination}`] ?? F.mean_delay,
        }),
      );
      if (!labelled) return;
      const arrives = ts + (1 + Math.floor(random() * 48)) * HOUR; // hours later
      if (!inline || corrected)
        labels.push(labelRow({ ts: arrives, requestId: `c-${i}`, labelNum: delayed }));
      // A wrong label, older than the right one: whatever the arrival order, the newest must win.
      if (!inline && corrected)
        labels.push(labelRow({ ts: ts + HOUR / 2, requestId: `c-${i}`, labelNum: 1 - delayed }));
      labels.push(labelRow({ ts: arrives, requestId: `d-${i}`, labelNum: f.delay }));
    });
    await store.ingest.applyBatch(batchOf('w', 0, 0, { predictions }));
    const shuffled = shuffle(labels, random);
    for (let b = 0; b < 4; b++) {
      const part = shuffled.slice((b * shuffled.length) / 4, ((b + 1) * shuffled.length) / 4);
      await store.ingest.applyBatch(
        batchOf('w', b + 1, b + 1, { labels: part.map((l) => ({ ...l, walSeq: b + 1 })) }),
      );
    }
  });
  afterAll(() => store.close());

  const monthly = async (month: string): Promise<Map<string, ModelSummary>> => {
    const [y, m] = month.split('/').map(Number) as [number, number];
    const rows = await summarizeModels(store.health, config, {
      tenant: 'default',
      from: Date.UTC(y, m - 1, 1),
      until: Date.UTC(y, m, 1),
      bySegment: false,
    });
    return new Map(rows.map((r) => [r.model, r]));
  };

  for (const month of Object.keys(F.months)) {
    it(`equals scikit-learn for ${month}`, async () => {
      const expected = F.months[month]!;
      const models = await monthly(month);
      const classifier = models.get('flight-delay')!;
      const regressor = models.get('delay-minutes')!;
      expect([classifier.predictions, classifier.labeled, classifier.task]).toEqual([
        expected.predictions,
        expected.labeled,
        'classification',
      ]);
      expect([regressor.labeled, regressor.task]).toEqual([expected.labeled, 'regression']);
      for (const [metric, value] of Object.entries(expected.classifier)) {
        const actual = (classifier.quality as Record<string, number | null>)[metric];
        expect(closeTo(actual, value), `${metric}: ${actual} vs sklearn ${value}`).toBe(true);
      }
      for (const [metric, value] of Object.entries(expected.regressor)) {
        const actual = (regressor.quality as Record<string, number | null>)[metric];
        expect(closeTo(actual, value), `${metric}: ${actual} vs sklearn ${value}`).toBe(true);
      }
      expect(classifier.latency_ms.p50).toBeGreaterThan(20);
    });
  }

  it('shows both models getting worse once the world moves on from January', async () => {
    const jan = await monthly('2001/01');
    for (const later of ['2001/02', '2001/03']) {
      const m = await monthly(later);
      const q = (map: Map<string, ModelSummary>, model: string, metric: string) =>
        (map.get(model)!.quality as Record<string, number>)[metric]!;
      expect(q(m, 'flight-delay', 'roc_auc')).toBeLessThan(q(jan, 'flight-delay', 'roc_auc') - 0.05);
      expect(q(m, 'flight-delay', 'f1')).toBeLessThan(q(jan, 'flight-delay', 'f1'));
      expect(q(m, 'delay-minutes', 'mae')).toBeGreaterThan(q(jan, 'delay-minutes', 'mae') * 1.3);
    }
  });
});
