/**
 * The monitor's delivery behaviour, against a local fake collector (a seam for the network:
 * what it answers is under the test's control). The real collector is exercised by
 * test/integration.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createMonitor, type Monitor, type MonitorOptions, type MonitorStats } from '../../src/index.js';
import {
  acceptAll,
  closedPort,
  memoryLogger,
  startFakeCollector,
  waitFor,
  type FakeCollector,
} from '../helpers/fake-collector.js';

let fake: FakeCollector | undefined;
const monitors: Monitor[] = [];

afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.shutdown({ timeoutMs: 100 })));
  await fake?.close();
  fake = undefined;
});

async function setup(options: Partial<MonitorOptions> = {}, handler = acceptAll) {
  fake = await startFakeCollector(handler);
  const logger = memoryLogger();
  const monitor = createMonitor({
    endpoint: fake.url,
    token: 'svc-token',
    model: 'flight-delay',
    version: '3',
    flushIntervalMs: 60_000,
    retryBaseDelayMs: 20,
    retryMaxDelayMs: 100,
    logger,
    ...options,
  });
  monitors.push(monitor);
  return { fake, monitor, logger };
}

function logMany(monitor: Monitor, count: number, start = 0): void {
  for (let i = start; i < start + count; i++) {
    monitor.logPrediction({ features: { i, carrier: 'XY' }, prediction: i % 2, requestId: `r${i}` });
  }
}

/** Everything the host handed over is accounted for. */
function expectAccounted(stats: MonitorStats): void {
  expect(stats.logged).toBe(stats.delivered + stats.rejected + stats.dropped + stats.queued + stats.inFlight);
}

describe('batching', () => {
  it('sends a batch as soon as the queue reaches batchSize, and the rest on flush()', async () => {
    const { fake, monitor } = await setup({ batchSize: 10 });
    logMany(monitor, 25);
    await waitFor(() => fake.requests.length === 2, 'two full batches');
    expect(fake.requests.map((r) => r.records.length)).toEqual([10, 10]);
    expect(await monitor.flush()).toBe(true);
    expect(fake.requests.map((r) => r.records.length)).toEqual([10, 10, 5]);
    expect(fake.records().map((r) => r.request_id)).toEqual(Array.from({ length: 25 }, (_, i) => `r${i}`));
    expect(monitor.stats()).toMatchObject({
      logged: 25,
      predictions: 25,
      delivered: 25,
      queued: 0,
      requests: 3,
    });
  });

  it('sends a partial batch after flushIntervalMs without being asked', async () => {
    const { fake, monitor } = await setup({ batchSize: 100, flushIntervalMs: 50 });
    const started = Date.now();
    logMany(monitor, 3);
    await waitFor(() => fake.requests.length === 1, 'the timed flush', 2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(fake.requests[0]?.records).toHaveLength(3);
  });

  it('routes labels and pipeline stats to their own endpoints, in wire format, with the bearer token', async () => {
    const { fake, monitor } = await setup();
    monitor.logLabel('r1', true);
    monitor.pipeline('nightly', 'join').record({ rowsIn: 10, rowsOut: 9, lagSeconds: 2 });
    await monitor.flush();
    const byPath = Object.fromEntries(fake.requests.map((r) => [r.path, r]));
    expect(byPath['/v1/labels']?.records).toEqual([
      { request_id: 'r1', label: true, ts: expect.any(Number) },
    ]);
    expect(byPath['/v1/pipeline-stats']?.records).toEqual([
      {
        pipeline: 'nightly',
        stage: 'join',
        ts: expect.any(Number),
        rows_in: 10,
        rows_out: 9,
        lag_seconds: 2,
      },
    ]);
    expect(byPath['/v1/labels']?.headers.authorization).toBe('Bearer svc-token');
  });

  it('gzips large bodies', async () => {
    const { fake, monitor } = await setup({ batchSize: 200 });
    logMany(monitor, 200);
    await waitFor(() => fake.requests.length === 1, 'one batch');
    const request = fake.requests[0]!;
    expect(request.headers['content-encoding']).toBe('gzip');
    expect(request.records).toHaveLength(200);
    expect(request.rawBytes).toBeLessThan(JSON.stringify({ records: request.records }).length / 3);
  });
});

describe('retries', () => {
  it('honours Retry-After on 503, then delivers', async () => {
    const { fake, monitor } = await setup({ batchSize: 5 }, (request, index) =>
      index === 0
        ? {
            status: 503,
            headers: { 'retry-after': '1' },
            body: { error: { code: 'WAL_FULL', message: 'full' } },
          }
        : acceptAll(request, index),
    );
    logMany(monitor, 5);
    await waitFor(() => fake.requests.length === 2, 'the retry', 5000);
    const gap = fake.requests[1]!.at - fake.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
    await waitFor(() => monitor.stats().delivered === 5, 'delivery');
    expect(monitor.stats()).toMatchObject({ retries: 1, delivered: 5, dropped: 0, rejected: 0 });
  });

  it('retries 429, 500 and dropped connections with growing backoff', async () => {
    const answers = [{ status: 429 }, { status: 500 }, 'reset' as const];
    const { fake, monitor } = await setup(
      { batchSize: 5 },
      (request, index) => answers[index] ?? acceptAll(request, index),
    );
    logMany(monitor, 5);
    await waitFor(() => monitor.stats().delivered === 5, 'delivery after three failures', 5000);
    expect(fake.requests).toHaveLength(4);
    expect(monitor.stats().retries).toBe(3);
    expect(fake.records().map((r) => r.request_id)).toEqual(
      Array(4).fill(['r0', 'r1', 'r2', 'r3', 'r4']).flat(),
    );
  });

  it('does not retry a 400: the batch is counted as rejected and logged once', async () => {
    const { fake, monitor, logger } = await setup({ batchSize: 5 }, () => ({
      status: 400,
      body: { error: { code: 'BODY_INVALID', message: 'records must be an array' } },
    }));
    logMany(monitor, 10);
    await waitFor(() => monitor.stats().rejected === 10, 'two rejected batches');
    await new Promise((resolve) => setTimeout(resolve, 300)); // ample time for any (wrong) retry
    expect(fake.requests).toHaveLength(2);
    expect(monitor.stats()).toMatchObject({ retries: 0, rejected: 10, delivered: 0 });
    const refusals = logger.lines.filter((l) => l.includes('BODY_INVALID'));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/not retried/);
  });

  it('counts per-record rejections of a 202 and logs each kind once', async () => {
    const { monitor, logger } = await setup({ batchSize: 4 }, (request, index) => ({
      status: 202,
      body: {
        accepted: request.records.length - 1,
        rejected: [
          {
            index: 0,
            code: 'RECORD_TOO_MANY_FEATURES',
            message: 'too many',
            path: `/records/${index}/features`,
          },
        ],
      },
    }));
    logMany(monitor, 8);
    await waitFor(() => monitor.stats().delivered === 6, 'two batches');
    expect(monitor.stats()).toMatchObject({ delivered: 6, rejected: 2 });
    expect(logger.lines.filter((l) => l.includes('RECORD_TOO_MANY_FEATURES'))).toHaveLength(1);
  });

  it('splits a batch the collector finds too large (413)', async () => {
    const { fake, monitor } = await setup({ batchSize: 16 }, (request, index) =>
      request.records.length > 5 ? { status: 413 } : acceptAll(request, index),
    );
    logMany(monitor, 16);
    await waitFor(() => monitor.stats().delivered === 16, 'delivery in smaller batches');
    const sizes = fake.requests.map((r) => r.records.length);
    expect(sizes.slice(0, 3)).toEqual([16, 8, 4]);
    expect(sizes.filter((s) => s <= 5).reduce((a, b) => a + b, 0)).toBe(16);
    expect(monitor.stats().rejected).toBe(0);
  });
});

describe('when the collector is away', () => {
  it('keeps at most maxQueue records, drops the oldest with a counter, never throws', async () => {
    const port = await closedPort();
    const logger = memoryLogger();
    const monitor = createMonitor({
      endpoint: `http://127.0.0.1:${port}`,
      token: 't',
      model: 'm',
      version: '1',
      batchSize: 50,
      maxQueue: 100,
      retryBaseDelayMs: 10,
      retryMaxDelayMs: 20,
      logger,
    });
    monitors.push(monitor);
    for (let round = 0; round < 10; round++) {
      logMany(monitor, 100, round * 100);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const stats = monitor.stats();
      expect(stats.queued + stats.inFlight).toBeLessThanOrEqual(150);
      expectAccounted(stats);
    }
    const stats = monitor.stats();
    expect(stats.delivered).toBe(0);
    expect(stats.droppedByReason.queue_full).toBeGreaterThanOrEqual(850);
    expect(stats.retries).toBeGreaterThan(1);
    expect(stats.lastError).toMatch(/ECONNREFUSED/);
    expect(logger.lines.filter((l) => l.includes('cannot deliver'))).toHaveLength(1);
    expect(logger.lines.filter((l) => l.includes('queue is full'))).toHaveLength(1);
    expect(await monitor.flush()).toBe(false);
  });

  it('shutdown() returns within its timeout when the collector never answers, counting the rest as dropped', async () => {
    const { fake, monitor } = await setup({ batchSize: 10, requestTimeoutMs: 60_000 }, () => 'hang');
    logMany(monitor, 25);
    await waitFor(() => fake.requests.length === 1, 'a hanging request');
    const started = Date.now();
    const stats = await monitor.shutdown({ timeoutMs: 300 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(1000);
    expect(stats).toMatchObject({ logged: 25, delivered: 0, queued: 0, inFlight: 0 });
    expect(stats.droppedByReason.shutdown).toBe(25);
    expectAccounted(stats);
  });

  it('shutdown() delivers what is queued when the collector is there', async () => {
    const { fake, monitor } = await setup({ batchSize: 1000 });
    logMany(monitor, 30);
    const stats = await monitor.shutdown();
    expect(fake.records()).toHaveLength(30);
    expect(stats).toMatchObject({ delivered: 30, dropped: 0, queued: 0 });
    monitor.logPrediction({ features: {}, prediction: 1 });
    expect(monitor.stats().droppedByReason.shutdown).toBe(1);
    expect(await monitor.shutdown()).toBe(stats); // idempotent
  });
});

describe('never throws into the host', () => {
  it('counts and reports bad inputs once per kind', async () => {
    const { fake, monitor, logger } = await setup();
    const bad = [
      { features: { x: {} }, prediction: 1 },
      { features: { y: [] }, prediction: 1 },
      { features: {}, prediction: undefined },
      null,
      undefined,
      'text',
    ];
    for (const input of bad) expect(() => monitor.logPrediction(input as never)).not.toThrow();
    monitor.logLabel(undefined as never, 1);
    monitor.pipeline('', 'stage').record({ rowsIn: 1, rowsOut: 1 });
    monitor.pipeline('p', 's').record({ rowsIn: -5, rowsOut: 1 });
    monitor.logPrediction({ features: { ok: 1 }, prediction: 1 });
    await monitor.flush();
    expect(monitor.stats()).toMatchObject({ invalid: 9, logged: 1, delivered: 1 });
    expect(fake.records()).toHaveLength(1);
    const featureTypeLines = logger.lines.filter((l) => l.includes('must be a number, a string or null'));
    expect(featureTypeLines).toHaveLength(1);
  });

  it('a throwing logger or a getter that throws does not escape', async () => {
    const { monitor } = await setup({
      logger: {
        warn: () => {
          throw new Error('logger broke');
        },
      },
    });
    const hostile = {
      get features(): Record<string, number> {
        throw new Error('boom');
      },
      prediction: 1,
    };
    expect(() => monitor.logPrediction(hostile)).not.toThrow();
    expect(() => monitor.logPrediction({ features: { x: {} as never }, prediction: 1 })).not.toThrow();
    expect(monitor.stats().invalid).toBe(2);
  });

  it('a misconfigured monitor is a no-op that warns once', async () => {
    const logger = memoryLogger();
    const monitor = createMonitor({ endpoint: 'not a url', token: '', model: 'm', version: '1', logger });
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/monitor disabled.*endpoint "not a url" is not a URL.*token/);
    monitor.logPrediction({ features: { x: 1 }, prediction: 1 });
    monitor.pipeline('p', 's').record({ rowsIn: 1, rowsOut: 1 });
    expect(await monitor.flush()).toBe(true);
    expect(monitor.stats()).toMatchObject({ enabled: false, logged: 0 });
    expect(logger.lines).toHaveLength(1);
  });

  it('without a logger, a misconfiguration is a process warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    createMonitor({ model: 'm', version: '1', endpoint: undefined, token: undefined });
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings.join()).toMatch(/monitor disabled.*endpoint must be the collector URL/);
  });
});

describe('time()', () => {
  it('measures elapsed milliseconds on the monotonic clock', async () => {
    const { monitor } = await setup();
    const elapsed = monitor.time();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const ms = elapsed();
    expect(ms).toBeGreaterThanOrEqual(25);
    expect(ms).toBeLessThan(1000);
    expect(elapsed()).toBeGreaterThanOrEqual(ms);
  });
});

describe('fairness', () => {
  it('sends labels and pipeline stats while predictions flood in', async () => {
    const { fake, monitor } = await setup({ batchSize: 10, maxQueue: 10_000 });
    for (let i = 0; i < 500; i++) {
      monitor.logPrediction({ features: { i }, prediction: 1 });
      if (i % 5 === 0) monitor.logLabel(`r${i}`, 1);
    }
    // Streams take turns: the second request is labels, not the second of 50 prediction batches.
    await waitFor(() => fake.requests.length >= 2, 'two requests');
    expect(fake.requests.slice(0, 2).map((r) => r.path)).toEqual(['/v1/predictions', '/v1/labels']);
    expect(await monitor.flush()).toBe(true);
    expect(monitor.stats()).toMatchObject({ delivered: 600, dropped: 0 });
  });
});
