/**
 * `createMonitor`: the SDK's entry point. A monitor validates its options once, then its hot
 * path (`logPrediction`) only converts the input and pushes it into a bounded queue; delivery runs
 * in the background (delivery.ts). No method throws into the host and none blocks it.
 */
import { BoundedQueue } from './bounded-queue.js';
import { Delivery, type Stream } from './delivery.js';
import { installExitHooks } from './exit-hooks.js';
import { OnceLogger } from './logger.js';
import { NoopMonitor } from './noop-monitor.js';
import { resolveOptions, type MonitorOptions, type ResolvedOptions } from './options.js';
import {
  isName,
  isProblem,
  toLabelRecord,
  toPipelineStatRecord,
  toPredictionRecord,
  type InputProblem,
  type PipelineStatInput,
  type PredictionInput,
} from './records.js';
import { Counters, type MonitorStats, type StreamName } from './stats.js';
import { time } from './stopwatch.js';
import { MonitorTelemetry } from './telemetry.js';
import { Transport } from './transport.js';
import type { Outcome } from './wire.js';

/**
 * Reports the runs of one pipeline stage; get one from `monitor.pipeline(name, stage)`.
 *
 * @example
 * ```ts
 * const join = monitor.pipeline('nightly-features', 'join');
 * join.record({ rowsIn: 10_000, rowsOut: 9_874, durationMs: 5400, status: 'ok' });
 * ```
 */
export interface PipelineReporter {
  /** Queues one report of the stage. Never throws; a bad input is counted in `stats().invalid`. */
  record(input: PipelineStatInput): void;
}

/**
 * What `createMonitor` returns. Every method is safe to call in any state: after `shutdown()`,
 * records are counted as dropped instead of queued.
 *
 * @example
 * ```ts
 * const monitor = createMonitor({ endpoint, token, model: 'flight-delay', version: '3' });
 * const elapsed = monitor.time();
 * const score = predict(features);
 * monitor.logPrediction({ features, prediction: score, latencyMs: elapsed(), requestId });
 * // later, when the truth is known:
 * monitor.logLabel(requestId, true);
 * await monitor.shutdown();
 * ```
 */
export interface Monitor {
  /** Queues one prediction (about a microsecond; no I/O). */
  logPrediction(input: PredictionInput): void;
  /** Queues delayed ground truth for the prediction logged with `requestId`. */
  logLabel(requestId: string, label: Outcome): void;
  /** A reporter for one stage of a data pipeline. */
  pipeline(name: string, stage: string): PipelineReporter;
  /** Starts a stopwatch for a prediction call; see {@link time}. */
  time(): () => number;
  /** Sends everything queued now. Resolves true when all of it was delivered, false on the first failure (records stay queued and are retried). Never rejects. */
  flush(): Promise<boolean>;
  /** Delivers what it can within `timeoutMs` (default: the `shutdownTimeoutMs` option), then stops. Idempotent; never rejects. */
  shutdown(options?: { timeoutMs?: number }): Promise<MonitorStats>;
  /** What happened to every record so far. */
  stats(): MonitorStats;
}

/**
 * Creates a monitor for one model version. A misconfiguration (no endpoint, an empty model
 * name, a negative batch size…) does not throw: it returns a monitor that does nothing and says
 * so once, through `logger` or, without one, as a process warning.
 *
 * @example
 * ```ts
 * import { createMonitor } from '@factorywatch/sdk';
 *
 * const monitor = createMonitor({
 *   endpoint: 'http://127.0.0.1:8787',
 *   token: process.env.FACTORYWATCH_TOKEN,
 *   model: 'flight-delay',
 *   version: '2024-06-01',
 *   flushOnExit: true,
 * });
 * monitor.logPrediction({ features: { distance_km: 1200, carrier: 'XY' }, prediction: 0.82 });
 * ```
 */
export function createMonitor(options: MonitorOptions): Monitor {
  let result: ReturnType<typeof resolveOptions>;
  try {
    result = resolveOptions(options);
  } catch (error) {
    result = { ok: false, problems: [`options could not be read: ${String(error)}`], logger: undefined };
  }
  if (!result.ok) {
    warnMisconfigured(result.logger, result.problems);
    return new NoopMonitor();
  }
  const log = new OnceLogger(result.options.logger);
  for (const warning of result.warnings) log.warnOnce(`options:${warning}`, warning);
  return new ActiveMonitor(result.options, log);
}

function warnMisconfigured(
  logger: { warn(message: string): void } | undefined,
  problems: readonly string[],
): void {
  const message = `[factorywatch/sdk] monitor disabled (records will be ignored): ${problems.join('; ')}`;
  try {
    if (logger !== undefined) logger.warn(message);
    else process.emitWarning(message, { type: 'FactorywatchWarning', code: 'FACTORYWATCH_MONITOR_DISABLED' });
  } catch {
    /* nothing left to tell */
  }
}

class ActiveMonitor implements Monitor {
  private readonly counters = new Counters();
  private readonly predictions: Stream;
  private readonly labels: Stream;
  private readonly pipelineStats: Stream;
  private readonly delivery: Delivery;
  private readonly telemetry: MonitorTelemetry;
  private readonly timer: NodeJS.Timeout;
  private readonly removeExitHooks: (() => void) | undefined;
  private readonly model: string;
  private readonly version: string;
  private readonly segment: string | undefined;
  private closed = false;
  private shutdownResult: Promise<MonitorStats> | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly log: OnceLogger,
  ) {
    this.model = options.model;
    this.version = options.version;
    this.segment = options.segment;
    const stream = (name: StreamName, path: string): Stream => ({
      name,
      path,
      queue: new BoundedQueue<unknown>(options.maxQueue),
      batchLimit: options.batchSize,
    });
    this.predictions = stream('predictions', 'v1/predictions');
    this.labels = stream('labels', 'v1/labels');
    this.pipelineStats = stream('pipeline_stats', 'v1/pipeline-stats');
    const streams = [this.predictions, this.labels, this.pipelineStats];
    const transport = new Transport(options.endpoint, options.token, options.requestTimeoutMs);
    this.delivery = new Delivery(streams, transport, options, this.counters, log);
    this.telemetry = new MonitorTelemetry(options.model, options.version, {
      counters: this.counters,
      queueDepth: (name) => streams.find((s) => s.name === name)?.queue.length ?? 0,
    });
    this.timer = setInterval(() => {
      this.telemetry.refresh();
      this.delivery.tick();
    }, options.flushIntervalMs);
    // The flush tick must not keep a host alive that has nothing else to do.
    this.timer.unref();
    this.removeExitHooks = options.flushOnExit ? installExitHooks(() => this.shutdown()) : undefined;
  }

  logPrediction(input: PredictionInput): void {
    try {
      const record = toPredictionRecord(input, this.model, this.version, this.segment, Date.now());
      if (isProblem(record)) return this.refuse(record);
      this.counters.predictions++;
      this.enqueue(this.predictions, record);
      const latency = input.latencyMs;
      if (latency !== undefined) this.telemetry.recordLatency(latency);
    } catch (error) {
      this.refuse({ kind: 'prediction:unexpected', message: `logPrediction failed: ${String(error)}` });
    }
  }

  logLabel(requestId: string, label: Outcome): void {
    try {
      const record = toLabelRecord(requestId, label, Date.now());
      if (isProblem(record)) return this.refuse(record);
      this.enqueue(this.labels, record);
    } catch (error) {
      this.refuse({ kind: 'label:unexpected', message: `logLabel failed: ${String(error)}` });
    }
  }

  pipeline(name: string, stage: string): PipelineReporter {
    if (!isName(name) || !isName(stage)) {
      this.log.warnOnce(
        'pipeline:name',
        'pipeline(name, stage) needs two strings of 1 to 200 characters; its reports are ignored',
      );
      return { record: () => void this.counters.invalid++ };
    }
    return {
      record: (input: PipelineStatInput): void => {
        try {
          const record = toPipelineStatRecord(name, stage, input, Date.now());
          if (isProblem(record)) return this.refuse(record);
          this.enqueue(this.pipelineStats, record);
        } catch (error) {
          this.refuse({ kind: 'pipeline:unexpected', message: `pipeline record failed: ${String(error)}` });
        }
      },
    };
  }

  time(): () => number {
    return time();
  }

  flush(): Promise<boolean> {
    try {
      return this.delivery.flush();
    } catch {
      return Promise.resolve(false);
    }
  }

  shutdown(options?: { timeoutMs?: number }): Promise<MonitorStats> {
    this.shutdownResult ??= this.close(options?.timeoutMs);
    return this.shutdownResult;
  }

  stats(): MonitorStats {
    return this.counters.snapshot(this.delivery.queued());
  }

  private enqueue(stream: Stream, record: unknown): void {
    this.counters.logged++;
    if (this.closed) {
      this.counters.droppedShutdown++;
      this.log.warnOnce('closed', 'records logged after shutdown() are dropped');
      return;
    }
    const queue = stream.queue;
    if (queue.push(record) !== 0) {
      this.counters.droppedQueueFull++;
      this.log.warnOnce(
        `queue-full:${stream.name}`,
        `the ${stream.name} queue is full (${this.options.maxQueue} records): dropping the oldest; see stats().droppedByReason`,
      );
    }
    if (queue.length >= stream.batchLimit && !this.delivery.pumping) this.delivery.kick();
  }

  private refuse(problem: InputProblem): void {
    this.counters.invalid++;
    this.log.warnOnce(
      problem.kind,
      `${problem.message}; the record is not sent (counted in stats().invalid)`,
    );
  }

  private async close(timeoutMs: number | undefined): Promise<MonitorStats> {
    this.closed = true;
    clearInterval(this.timer);
    this.removeExitHooks?.();
    const limit =
      typeof timeoutMs === 'number' && timeoutMs >= 0 && Number.isFinite(timeoutMs)
        ? timeoutMs
        : this.options.shutdownTimeoutMs;
    try {
      await this.delivery.close(limit);
    } catch (error) {
      this.log.errorOnce('shutdown', `shutdown failed: ${String(error)}`);
    }
    this.telemetry.close();
    return this.stats();
  }
}
