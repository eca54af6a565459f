/**
 * No collector at all: the host never sees an exception, memory stays bounded however much it
 * logs, and shutdown() gives up on time.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMonitor } from '../../src/index.js';
import { closedPort } from '../helpers/fake-collector.js';

/** A TCP server that accepts connections and never says a word: a collector stuck in a GC pause, or a black hole. */
let silent: Server;
const sockets = new Set<Socket>();

beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

function features(i: number) {
  return {
    a: i,
    b: i / 3,
    c: 'cat-' + (i % 50),
    d: i % 7,
    e: null,
    f: 1,
    g: 2,
    h: 3,
    i: 4,
    j: 'x'.repeat(40),
  };
}

describe('collector unreachable', () => {
  it('never throws and keeps memory bounded while 300,000 predictions are logged', async () => {
    const monitor = createMonitor({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      token: 't',
      model: 'offline',
      version: '1',
      maxQueue: 5000,
      retryBaseDelayMs: 10,
      retryMaxDelayMs: 50,
    });
    const before = process.memoryUsage().heapUsed;
    let peakHeap = before;
    for (let i = 0; i < 300_000; i++) {
      monitor.logPrediction({ features: features(i), prediction: i % 2, requestId: `u-${i}`, latencyMs: 1 });
      if (i % 10_000 === 9999) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        expect(monitor.stats().queued).toBeLessThanOrEqual(5000);
      }
    }
    const stats = monitor.stats();
    expect(stats.delivered).toBe(0);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.droppedByReason.queue_full).toBeGreaterThanOrEqual(300_000 - 5000 - 500);
    // Each record is about 0.6 KB: an unbounded queue would hold ~180 MB here. The bound is 5,000
    // records (~3 MB); the rest of the allowance is garbage the GC has not collected yet.
    expect(peakHeap - before).toBeLessThan(64 * 1024 * 1024);
    const started = Date.now();
    const final = await monitor.shutdown({ timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(final.queued).toBe(0);
    expect(final.logged).toBe(final.delivered + final.rejected + final.dropped);
  });

  it('shutdown() returns within its timeout when the collector accepts connections but never answers', async () => {
    const port = (silent.address() as AddressInfo).port;
    const monitor = createMonitor({
      endpoint: `http://127.0.0.1:${port}`,
      token: 't',
      model: 'silent',
      version: '1',
      batchSize: 100,
      requestTimeoutMs: 60_000,
    });
    for (let i = 0; i < 1000; i++) monitor.logPrediction({ features: features(i), prediction: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(monitor.stats().inFlight).toBe(100);
    const started = Date.now();
    const stats = await monitor.shutdown({ timeoutMs: 400 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(350);
    expect(took).toBeLessThan(1200);
    expect(stats).toMatchObject({ delivered: 0, queued: 0, inFlight: 0, dropped: 1000 });
  });

  it('a request that gets no answer times out and is retried', async () => {
    const port = (silent.address() as AddressInfo).port;
    const monitor = createMonitor({
      endpoint: `http://127.0.0.1:${port}`,
      token: 't',
      model: 'silent',
      version: '1',
      batchSize: 10,
      requestTimeoutMs: 100,
      retryBaseDelayMs: 10,
      retryMaxDelayMs: 20,
    });
    for (let i = 0; i < 10; i++) monitor.logPrediction({ features: { i }, prediction: 1 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const stats = monitor.stats();
    expect(stats.retries).toBeGreaterThanOrEqual(2);
    expect(stats.lastError).toMatch(/no answer within 100 ms/);
    expect(stats.queued + stats.inFlight).toBe(10);
    await monitor.shutdown({ timeoutMs: 50 });
  });
});
