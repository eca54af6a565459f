/**
 * The SDK against a real collector process: everything logged is stored, in every stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { startRealCollector, type RealCollector } from '../helpers/collector-process.js';

let collector: RealCollector;

beforeAll(async () => {
  collector = await startRealCollector();
});

afterAll(async () => {
  await collector?.dispose();
});

/** Ten features like a flight-delay model's: numbers, categories and a missing value. */
function features(i: number) {
  return {
    distance_km: 200 + (i % 3000),
    dep_hour: i % 24,
    day_of_week: i % 7,
    carrier: ['AA', 'DL', 'UA', 'WN'][i % 4] ?? 'AA',
    origin: ['ATL', 'ORD', 'DFW'][i % 3] ?? 'ATL',
    taxi_out_min: (i % 40) + 0.5,
    temp_c: ((i * 7) % 50) - 10,
    wind_kt: i % 35,
    visibility_km: i % 11 === 0 ? null : 10,
    prior_delay_min: (i * 13) % 120,
  };
}

describe('against a real collector', () => {
  it('stores all 20,000 predictions logged, with labels and pipeline stats', async () => {
    const monitor = createMonitor({
      endpoint: collector.url,
      token: collector.serviceToken,
      model: 'flight-delay',
      version: '3',
      segment: 'us',
      // The loop below is a burst far faster than any collector acknowledges (about 100 ms for
      // 20,000); the queue is sized to hold it. The outage suite covers what happens past the bound.
      maxQueue: 25_000,
    });
    const ingest = monitor.pipeline('flights', 'ingest');
    for (let i = 0; i < 20_000; i++) {
      const elapsed = monitor.time();
      const score = (i % 100) / 100;
      monitor.logPrediction({
        features: features(i),
        prediction: score,
        latencyMs: elapsed(),
        requestId: `f-${i}`,
      });
      if (i % 10 === 0) monitor.logLabel(`f-${i}`, i % 3 === 0);
      if (i % 1000 === 999)
        ingest.record({ rowsIn: 1000, rowsOut: 998, errors: 2, durationMs: 40, status: 'ok' });
      // A host that does other work: let the event loop breathe now and then.
      if (i % 2000 === 1999) await new Promise((resolve) => setImmediate(resolve));
    }
    const stats = await monitor.shutdown({ timeoutMs: 30_000 });
    expect(stats).toMatchObject({
      logged: 20_000 + 2_000 + 20,
      predictions: 20_000,
      delivered: 22_020,
      rejected: 0,
      dropped: 0,
      invalid: 0,
      queued: 0,
    });
    expect(await collector.stored('predictions', 20_000)).toBe(20_000);
    expect(await collector.stored('labels', 2_000)).toBe(2_000);
    expect(await collector.stored('pipeline_stats', 20)).toBe(20);
  });
});
