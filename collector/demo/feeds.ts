/**
 * The demo's traffic: real public data replayed through the collector's HTTP API with a service
 * token, exactly as an instrumented service would send it.
 * - flight-delay: 2001 US flights in date order (January first, then February and March, whose
 *   traffic mix differs), scored by a fixed rule; v2 takes 20 % as a canary; labels (delay > 15 min)
 *   arrive later through /v1/labels.
 * - rain-forecast: Seattle weather in date order, so temperatures drift from winter to summer.
 * - pipelines: flights-etl (extract → transform → load) and the training-loader that feeds the
 *   GPU pod train-0; the loader stalls now and then, starving its GPU.
 */
import type { LabelRecord, PipelineStatRecord, PredictionRecord } from '../../sdk/src/wire.js';
import { loadFlights, loadSeattleWeather, type Flight, type WeatherDay } from './datasets.js';
import { EMULATED_STARVING_PIPELINE, trainingLoaderStalled } from './dcgm-emulator.js';

export interface FeedTarget {
  url: string;
  token: string;
}

export interface Feed {
  stop(): void;
}

async function post(target: FeedTarget, path: string, records: unknown[]): Promise<void> {
  const response = await fetch(`${target.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.token}` },
    body: JSON.stringify({ records }),
  });
  if (response.status !== 202)
    throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
}

/** Calls `tick` every `intervalMs` until stopped, reporting (not throwing) failures. */
function every(intervalMs: number, tick: () => Promise<void>, onError: (error: unknown) => void): Feed {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    tick()
      .catch(onError)
      .finally(() => (running = false));
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}

/** A fixed, plausible delay score: long evening flights from busy hubs run late more often. */
export function flightDelayScore(flight: Flight): number {
  const hour = Number(flight.date.slice(11, 13));
  const z =
    -1.6 + 0.09 * Math.max(0, hour - 12) + 0.00012 * flight.distance + (flight.origin === 'ORD' ? 0.5 : 0);
  return 1 / (1 + Math.exp(-z));
}

export function flightFeatures(flight: Flight): PredictionRecord['features'] {
  const [y, m, d] = flight.date.slice(0, 10).split('/').map(Number) as [number, number, number];
  return {
    distance: flight.distance,
    hour: Number(flight.date.slice(11, 13)),
    day_of_week: new Date(Date.UTC(y, m - 1, d)).getUTCDay(),
    origin: flight.origin,
    destination: flight.destination,
  };
}

function weatherFeatures(day: WeatherDay): PredictionRecord['features'] {
  return {
    temp_max: day.temp_max,
    temp_min: day.temp_min,
    wind: day.wind,
    month: Number(day.date.slice(5, 7)),
  };
}

export interface DemoFeedOptions {
  /** Flights sent per second. */
  flightsPerSecond?: number;
  /** How long labels lag behind their predictions. */
  labelDelayMs?: number;
  onError?: (error: unknown) => void;
}

export function startDemoFeeds(target: FeedTarget, options: DemoFeedOptions = {}): Feed {
  const onError = options.onError ?? (() => undefined);
  const perSecond = options.flightsPerSecond ?? 50;
  const labelDelayMs = options.labelDelayMs ?? 20_000;
  const flights = loadFlights();
  const weather = loadSeattleWeather();
  let flightIndex = 0;
  let weatherIndex = 0;
  let tickCount = 0;
  const pendingLabels: { due: number; label: LabelRecord }[] = [];

  const predictions = every(
    1_000,
    async () => {
      const now = Date.now();
      const records: PredictionRecord[] = [];
      for (let i = 0; i < perSecond; i++) {
        const flight = flights[flightIndex++ % flights.length] as Flight;
        const requestId = `flt-${flightIndex}-${now}`;
        const score = flightDelayScore(flight);
        records.push({
          model: 'flight-delay',
          version: flightIndex % 5 === 0 ? 'v2' : 'v1',
          ts: now,
          request_id: requestId,
          segment: flight.distance > 1500 ? 'long-haul' : 'short-haul',
          features: flightFeatures(flight),
          prediction: score,
          latency_ms: 2 + 8 * score + Math.random() * 3,
        });
        pendingLabels.push({
          due: now + labelDelayMs,
          label: { request_id: requestId, label: flight.delay > 15 ? 1 : 0 },
        });
      }
      // One Seattle day per second: a two-minute drift window spans four months of seasons.
      const day = weather[weatherIndex++ % weather.length] as WeatherDay;
      records.push({
        model: 'rain-forecast',
        version: 'v1',
        ts: now,
        request_id: `wx-${day.date}-${now}`,
        features: weatherFeatures(day),
        prediction: day.precipitation > 0 ? 'rain' : 'dry',
        label: day.weather === 'rain' || day.weather === 'drizzle' ? 'rain' : 'dry',
        latency_ms: 1 + Math.random(),
      });
      await post(target, '/v1/predictions', records);
      const due = pendingLabels.filter((p) => p.due <= now);
      if (due.length > 0) {
        pendingLabels.splice(0, due.length);
        await post(
          target,
          '/v1/labels',
          due.map((p) => p.label),
        );
      }
    },
    onError,
  );

  const pipelines = every(
    5_000,
    async () => {
      tickCount += 1;
      const now = Date.now();
      // The training loader stalls on the emulated exporter's schedule: no rows, an empty queue
      // and a growing lag, while its GPU waits.
      const stalled = trainingLoaderStalled(now);
      const stats: PipelineStatRecord[] = [
        {
          pipeline: 'flights-etl',
          stage: 'extract',
          ts: now,
          rows_in: 5000,
          rows_out: 5000,
          lag_seconds: 4,
          queue_depth: 120,
        },
        {
          pipeline: 'flights-etl',
          stage: 'transform',
          ts: now,
          rows_in: 5000,
          rows_out: 4950,
          errors: tickCount % 7 === 0 ? 3 : 0,
          lag_seconds: 6,
          queue_depth: 80,
        },
        {
          pipeline: 'flights-etl',
          stage: 'load',
          ts: now,
          rows_in: 4950,
          rows_out: 4950,
          lag_seconds: 8,
          queue_depth: 40,
          status: 'ok',
        },
        {
          pipeline: EMULATED_STARVING_PIPELINE,
          stage: 'batches',
          ts: now,
          rows_in: stalled ? 0 : 2048,
          rows_out: stalled ? 0 : 2048,
          queue_depth: stalled ? 0 : 64,
          lag_seconds: stalled ? 30 + (now % 120_000) / 1000 : 2,
          status: stalled ? 'running' : 'ok',
        },
      ];
      await post(target, '/v1/pipeline-stats', stats);
    },
    onError,
  );

  return {
    stop() {
      predictions.stop();
      pipelines.stop();
    },
  };
}
