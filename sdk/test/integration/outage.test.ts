/**
 * A real collector stopped mid-way and restarted on the same port: the SDK keeps a bounded queue
 * while it is gone, counts what it drops, and delivers the rest once it is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor, type Monitor } from '../../src/index.js';
import { startRealCollector, type RealCollector } from '../helpers/collector-process.js';
import { waitFor } from '../helpers/fake-collector.js';

let collector: RealCollector;
const MAX_QUEUE = 1000;
const BATCH = 200;

beforeAll(async () => {
  collector = await startRealCollector();
});

afterAll(async () => {
  await collector?.dispose();
});

/**
 * Logs `count` predictions the way a server would: bursts of 100 with `pauseMs` of I/O in between
 * (100 per 50 ms, 2,000/s, is well within what a collector acknowledges, even on a busy CI machine).
 */
async function serve(monitor: Monitor, count: number, from: number, pauseMs = 50): Promise<void> {
  for (let i = from; i < from + count; i++) {
    monitor.logPrediction({
      features: { i, phase: from, load: (i % 17) / 17 },
      prediction: i % 2,
      requestId: `o-${i}`,
    });
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

describe('collector stopped and restarted', () => {
  it('bounds the queue, counts drops, and delivers the rest after the restart', async () => {
    const monitor = createMonitor({
      endpoint: collector.url,
      token: collector.serviceToken,
      model: 'outage',
      version: '1',
      batchSize: BATCH,
      maxQueue: MAX_QUEUE,
      flushIntervalMs: 50,
      retryBaseDelayMs: 50,
      retryMaxDelayMs: 400,
    });

    // 1. Up: everything arrives.
    await serve(monitor, 2000, 0);
    expect(await monitor.flush()).toBe(true);
    expect(monitor.stats()).toMatchObject({ delivered: 2000, dropped: 0 });

    // 2. Down: the queue fills to its bound and the oldest records go, counted.
    await collector.stop();
    let peak = 0;
    for (let round = 0; round < 30; round++) {
      await serve(monitor, 100, 2000 + round * 100, 5);
      const s = monitor.stats();
      peak = Math.max(peak, s.queued + s.inFlight);
      expect(s.queued).toBeLessThanOrEqual(MAX_QUEUE);
      expect(s.logged).toBe(s.delivered + s.rejected + s.dropped + s.queued + s.inFlight);
    }
    const down = monitor.stats();
    expect(down.delivered).toBe(2000);
    expect(down.retries).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(MAX_QUEUE + BATCH);
    expect(down.droppedByReason.queue_full).toBeGreaterThanOrEqual(3000 - MAX_QUEUE - BATCH);
    expect(down.droppedByReason.queue_full + down.queued + down.inFlight).toBe(3000);

    // 3. Back: what was held is delivered (nothing more is dropped), and new records flow again.
    await collector.restart();
    await waitFor(
      () => monitor.stats().queued === 0 && monitor.stats().inFlight === 0,
      'the backlog to drain',
      30_000,
    );
    expect(monitor.stats().delivered).toBe(5000 - down.droppedByReason.queue_full);
    await serve(monitor, 500, 5000);
    const stats = await monitor.shutdown({ timeoutMs: 10_000 });
    expect(stats.dropped).toBe(down.droppedByReason.queue_full);
    expect(stats.delivered).toBe(5500 - stats.dropped);
    expect(await collector.stored('predictions', stats.delivered)).toBe(stats.delivered);
  });
});
