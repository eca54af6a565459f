/**
 * The SDK's cost to its host.
 *
 * `sdk-log-prediction`: nanoseconds per `logPrediction` call with 10 features (goal ≤ 2 µs),
 * side by side with a plain `array.push` of the same input (the floor) and `JSON.stringify` of it
 * (what an SDK that serialises on the caller's thread would pay), with no meter provider and with
 * a real `@opentelemetry/sdk-metrics` MeterProvider; and the cost of the latency histogram's
 * `record()`, which the SDK defers off the caller's path (sdk/src/telemetry.ts says why).
 *
 * `sdk-event-loop`: the host's event-loop delay (perf_hooks.monitorEventLoopDelay) while it logs
 * 20,000 predictions a second and the SDK batches, serialises, gzips and sends them to a sink in
 * another process; compared with the same load on the no-op monitor (no SDK work at all).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { BenchCase } from './case.js';
import { createMonitor, NoopMonitor, type Monitor, type PredictionInput } from '../sdk/src/index.js';

/** A reader that never exports: the SDK's aggregation work is still done on every record(). */
class IdleReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** 1,000 distinct inputs with 10 features, prepared up front so only the SDK's work is timed. */
function inputs(): PredictionInput[] {
  const carriers = ['AA', 'DL', 'UA', 'WN', 'B6'];
  return Array.from({ length: 1000 }, (_, i) => ({
    features: {
      distance_km: 200 + i,
      dep_hour: i % 24,
      day_of_week: i % 7,
      carrier: carriers[i % 5] ?? 'AA',
      origin: i % 2 ? 'ATL' : 'ORD',
      taxi_out_min: (i % 40) + 0.5,
      temp_c: (i % 50) - 10,
      wind_kt: i % 35,
      visibility_km: i % 11 === 0 ? null : 10,
      prior_delay_min: (i * 13) % 120,
    },
    prediction: (i % 100) / 100,
    latencyMs: 1 + (i % 20) / 10,
    requestId: `req-${i}`,
  }));
}

/**
 * A sink standing in for a fast collector, in its own process so that its work does not show
 * up in the host's event loop: it decodes each body and answers 202 with the record count.
 */
async function startSink(): Promise<{ url: string; child: ChildProcess }> {
  const code = `
    const http = require('node:http');
    const zlib = require('node:zlib');
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        const accepted = JSON.parse(body.toString()).records.length;
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ accepted, rejected: [] }));
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  `;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) =>
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}`, child };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Median ns per call of `call` over `rounds` timed rounds of `perRound` calls; `between` runs untimed. */
async function nsPerCall(
  call: (i: number) => void,
  rounds: number,
  perRound: number,
  between: () => Promise<unknown>,
) {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perRound; i++) call(i);
    samples.push(Number(process.hrtime.bigint() - start) / perRound);
    await between();
  }
  return median(samples.slice(5)); // the first rounds warm the JIT up
}

const logPrediction: BenchCase = {
  name: 'sdk-log-prediction',
  description: 'ns per logPrediction (10 features) vs array.push and JSON.stringify; goal <= 2000 ns',
  async run() {
    const sink = await startSink();
    const data = inputs();
    // A round is a burst of calls between two event-loop turns (a busy server yields far more
    // often). Past 8,192 calls without a turn the SDK records latencies synchronously (telemetry.ts).
    const rounds = 60;
    const perRound = 4_096;
    try {
      const sinkOptions = {
        endpoint: sink.url,
        token: 'bench',
        model: 'bench',
        version: '1',
        maxQueue: perRound * 2,
      };
      const kept: unknown[] = [];
      const pushNs = await nsPerCall(
        (i) => kept.push(data[i % 1000]),
        rounds,
        perRound,
        async () => void (kept.length = 0),
      );
      let bytes = 0;
      const stringifyNs = await nsPerCall(
        (i) => (bytes += JSON.stringify(data[i % 1000]).length),
        rounds,
        perRound,
        async () => undefined,
      );

      const plain = createMonitor(sinkOptions);
      const noMeterNs = await nsPerCall(
        (i) => plain.logPrediction(data[i % 1000]!),
        rounds,
        perRound,
        () => plain.flush(),
      );
      await plain.shutdown();

      const provider = new MeterProvider({ readers: [new IdleReader()] });
      metrics.setGlobalMeterProvider(provider);
      const metered = createMonitor(sinkOptions);
      const withMeterNs = await nsPerCall(
        (i) => metered.logPrediction(data[i % 1000]!),
        rounds,
        perRound,
        () => metered.flush(),
      );
      const stats = await metered.shutdown();
      // What the deferred half costs: one histogram.record() with the monitor's attributes, as the
      // SDK makes it later, off the caller's path.
      const histogram = metrics.getMeter('bench').createHistogram('bench_latency_seconds');
      const attributes = { model: 'bench', version: '1' };
      const recordNs = await nsPerCall(
        (i) => histogram.record(i / 1e6, attributes),
        rounds,
        perRound,
        async () => undefined,
      );
      await provider.shutdown();
      metrics.disable();
      if (stats.dropped !== 0 || stats.invalid !== 0)
        throw new Error(`unexpected drops: ${JSON.stringify(stats)}`);
      return {
        log_prediction_ns: Math.round(noMeterNs),
        log_prediction_with_meter_provider_ns: Math.round(withMeterNs),
        otel_histogram_record_deferred_ns: Math.round(recordNs),
        array_push_ns: Math.round(pushNs),
        json_stringify_ns: Math.round(stringifyNs),
        goal_ns: 2000,
        calls_per_variant: rounds * perRound,
        checksum: bytes > 0 ? 'ok' : 'none',
      };
    } finally {
      sink.child.kill();
    }
  },
};

/** Runs `monitor` under a steady load of `perSecond` predictions for `seconds`; returns delay percentiles in ms. */
async function loopDelayUnderLoad(
  monitor: Monitor,
  data: PredictionInput[],
  perSecond: number,
  seconds: number,
) {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const perTick = perSecond / 1000;
  let logged = 0;
  histogram.enable();
  const started = Date.now();
  await new Promise<void>((resolve) => {
    // A server's request handlers, each logging its predictions: 1 ms ticks, catching up if late.
    const timer = setInterval(() => {
      const due = Math.min(
        perSecond * seconds,
        Math.floor(((Date.now() - started) / 1000) * perSecond) + perTick,
      );
      while (logged < due) monitor.logPrediction(data[logged++ % data.length]!);
      if (logged >= perSecond * seconds) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  histogram.disable();
  const ms = (ns: number) => Number((ns / 1e6).toFixed(3));
  return {
    p50: ms(histogram.percentile(50)),
    p99: ms(histogram.percentile(99)),
    max: ms(histogram.max),
    logged,
  };
}

const eventLoop: BenchCase = {
  name: 'sdk-event-loop',
  description:
    'host event-loop delay p99 while logging 20k predictions/s: no-op monitor vs SDK (without/with a MeterProvider)',
  async run() {
    const sink = await startSink();
    const data = inputs();
    const perSecond = 20_000;
    const seconds = 5;
    try {
      const baseline = await loopDelayUnderLoad(new NoopMonitor(), data, perSecond, seconds);
      const options = { endpoint: sink.url, token: 'bench', model: 'bench', version: '1', batchSize: 500 };
      const monitor = createMonitor(options);
      const started = Date.now();
      const sdk = await loopDelayUnderLoad(monitor, data, perSecond, seconds);
      const stats = await monitor.shutdown({ timeoutMs: 10_000 });
      const elapsedS = (Date.now() - started) / 1000;
      // Again with a real MeterProvider: the deferred latency histogram records run on this loop too.
      const provider = new MeterProvider({ readers: [new IdleReader()] });
      metrics.setGlobalMeterProvider(provider);
      const metered = createMonitor(options);
      const withMeter = await loopDelayUnderLoad(metered, data, perSecond, seconds);
      const meteredStats = await metered.shutdown({ timeoutMs: 10_000 });
      await provider.shutdown();
      metrics.disable();
      return {
        baseline_p50_ms: baseline.p50,
        baseline_p99_ms: baseline.p99,
        baseline_max_ms: baseline.max,
        sdk_p50_ms: sdk.p50,
        sdk_p99_ms: sdk.p99,
        sdk_max_ms: sdk.max,
        sdk_with_meter_provider_p99_ms: withMeter.p99,
        sdk_with_meter_provider_max_ms: withMeter.max,
        predictions_per_s: perSecond,
        seconds_per_variant: seconds,
        requests: stats.requests,
        delivered_per_s: Math.round(stats.delivered / elapsedS),
        dropped: stats.dropped + meteredStats.dropped,
      };
    } finally {
      sink.child.kill();
    }
  },
};

export const cases: BenchCase[] = [logPrediction, eventLoop];
