/**
 * The SDK's OpenTelemetry metrics, scraped from the real Prometheus endpoint that
 * startTelemetry() sets up (sdk-node + exporter-prometheus, no fakes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createMonitor, SDK_VERSION, startTelemetry, type Monitor, type Telemetry } from '../../src/index.js';
import { closedPort, startFakeCollector, waitFor, type FakeCollector } from '../helpers/fake-collector.js';

let telemetry: Telemetry;
let fake: FakeCollector;
let early: Monitor;

async function scrape(url: string): Promise<string> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return response.text();
}

/** The value of the first sample of `metric` whose labels include all of `labels`. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(' ').at(-1));
  }
  return undefined;
}

beforeAll(async () => {
  fake = await startFakeCollector();
  // Created before the host registers a MeterProvider: its instruments must follow on the next tick.
  early = createMonitor({
    endpoint: fake.url,
    token: 't',
    model: 'early',
    version: '1',
    flushIntervalMs: 20,
  });
  telemetry = await startTelemetry({
    prometheus: { port: await closedPort(), host: '127.0.0.1' },
    serviceName: 'sdk-test',
  });
});

afterAll(async () => {
  await early.shutdown({ timeoutMs: 100 });
  await telemetry.shutdown();
  await fake.close();
});

describe('startTelemetry', () => {
  it('serves the monitor metrics on its Prometheus endpoint', async () => {
    if (!telemetry.ok) throw new Error(telemetry.error);
    const monitor = createMonitor({
      endpoint: fake.url,
      token: 't',
      model: 'flight-delay',
      version: '3',
      batchSize: 4,
    });
    for (const latencyMs of [2, 4, 40, 400])
      monitor.logPrediction({ features: { x: 1 }, prediction: 1, latencyMs });
    monitor.logPrediction({ features: { x: {} as never }, prediction: 1 }); // invalid
    await waitFor(() => monitor.stats().delivered === 4, 'delivery');
    const text = await scrape(telemetry.url);
    const model = { model: 'flight-delay', version: '3' };
    expect(sample(text, 'factorywatch_sdk_predictions_total', model)).toBe(4);
    expect(sample(text, 'factorywatch_sdk_prediction_latency_seconds_count', model)).toBe(4);
    expect(sample(text, 'factorywatch_sdk_prediction_latency_seconds_sum', model)).toBeCloseTo(0.446, 6);
    expect(
      sample(text, 'factorywatch_sdk_prediction_latency_seconds_bucket', { ...model, le: '0.005' }),
    ).toBe(2);
    expect(
      sample(text, 'factorywatch_sdk_delivered_records_total', { ...model, stream: 'predictions' }),
    ).toBe(4);
    expect(sample(text, 'factorywatch_sdk_queue_depth', { ...model, stream: 'predictions' })).toBe(0);
    expect(sample(text, 'factorywatch_sdk_dropped_records_total', { ...model, reason: 'invalid' })).toBe(1);
    expect(sample(text, 'factorywatch_sdk_dropped_records_total', { ...model, reason: 'queue_full' })).toBe(
      0,
    );
    expect(text).toMatch(/target_info\{[^}]*service_name="sdk-test"/);
    await monitor.shutdown();
  });

  it('reports queue depth and drops while the collector is away', async () => {
    if (!telemetry.ok) throw new Error(telemetry.error);
    const monitor = createMonitor({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      token: 't',
      model: 'away',
      version: '1',
      batchSize: 10,
      maxQueue: 20,
    });
    for (let i = 0; i < 50; i++) monitor.logPrediction({ features: { i }, prediction: 0 });
    await waitFor(() => monitor.stats().retries > 0, 'a failed send');
    const text = await scrape(telemetry.url);
    const stats = monitor.stats();
    expect(sample(text, 'factorywatch_sdk_queue_depth', { model: 'away', stream: 'predictions' })).toBe(
      stats.queued,
    );
    expect(stats.queued).toBeGreaterThan(0);
    expect(
      sample(text, 'factorywatch_sdk_dropped_records_total', { model: 'away', reason: 'queue_full' }),
    ).toBe(stats.droppedByReason.queue_full);
    expect(stats.droppedByReason.queue_full).toBeGreaterThanOrEqual(30);
    await monitor.shutdown({ timeoutMs: 50 });
  });

  it('picks up a meter provider registered after the monitor was created', async () => {
    if (!telemetry.ok) throw new Error(telemetry.error);
    early.logPrediction({ features: { x: 1 }, prediction: 1, latencyMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // a few flush ticks
    early.logPrediction({ features: { x: 1 }, prediction: 1, latencyMs: 1 });
    const text = await scrape(telemetry.url);
    // Instruments made on the no-op meter would never appear: these samples exist only because the
    // monitor rebuilt its instruments on the provider startTelemetry registered.
    expect(sample(text, 'factorywatch_sdk_predictions_total', { model: 'early' })).toBe(2);
    expect(sample(text, 'factorywatch_sdk_prediction_latency_seconds_count', { model: 'early' })).toBe(2);
  });

  it('says why when it cannot start, without throwing', async () => {
    if (!telemetry.ok) throw new Error(telemetry.error);
    const port = Number(new URL(telemetry.url).port);
    const lines: string[] = [];
    const second = await startTelemetry({
      prometheus: { port, host: '127.0.0.1' },
      logger: { warn: (m) => lines.push(m) },
    });
    expect(second.ok).toBe(false);
    expect(!second.ok && second.error).toMatch(/could not listen/);
    expect(lines).toHaveLength(1);
    await second.shutdown();
  });

  it('reports the version of package.json as the meter version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(SDK_VERSION).toBe(pkg.version);
    if (!telemetry.ok) throw new Error(telemetry.error);
    expect(await scrape(telemetry.url)).toMatch(
      new RegExp(`otel_scope_version="${SDK_VERSION.replace(/\./g, '\\.')}"`),
    );
  });
});

describe('deferred latency recording', () => {
  it('loses no latency sample, whether the host yields or logs 20,000 in one synchronous burst', async () => {
    if (!telemetry.ok) throw new Error(telemetry.error);
    const monitor = createMonitor({
      endpoint: fake.url,
      token: 't',
      model: 'burst',
      version: '1',
      maxQueue: 50_000,
    });
    for (let i = 0; i < 1000; i++) {
      monitor.logPrediction({ features: { i }, prediction: 1, latencyMs: 1 });
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    for (let i = 0; i < 20_000; i++) monitor.logPrediction({ features: { i }, prediction: 1, latencyMs: 3 });
    const text = await scrape(telemetry.url);
    expect(sample(text, 'factorywatch_sdk_prediction_latency_seconds_count', { model: 'burst' })).toBe(
      21_000,
    );
    expect(
      sample(text, 'factorywatch_sdk_prediction_latency_seconds_bucket', { model: 'burst', le: '0.001' }),
    ).toBe(1000);
    expect(sample(text, 'factorywatch_sdk_prediction_latency_seconds_sum', { model: 'burst' })).toBeCloseTo(
      61,
      6,
    );
    await monitor.shutdown({ timeoutMs: 1000 });
  });
});
