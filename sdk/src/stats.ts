/**
 * The monitor's counters: what happened to every record the host handed over. They satisfy
 * `logged = delivered + rejected + dropped + queued + inFlight` at any moment, which is how a user
 * (or a test) can tell that nothing was lost silently.
 */

/**
 * The streams a monitor writes to, named as the collector's /v1/stats names them.
 *
 * @example
 * ```ts
 * const stream: StreamName = 'pipeline_stats';
 * ```
 */
export type StreamName = 'predictions' | 'labels' | 'pipeline_stats';

/**
 * Why records were dropped by the SDK itself.
 *
 * @example
 * ```ts
 * const reason: DropReason = 'queue_full';
 * console.log(monitor.stats().droppedByReason[reason]);
 * ```
 */
export type DropReason = 'queue_full' | 'shutdown';

/**
 * A snapshot of a monitor's counters, from `monitor.stats()`.
 *
 * @example
 * ```ts
 * const s = monitor.stats();
 * if (s.dropped > 0) console.warn(`factorywatch dropped ${s.dropped} records: ${s.lastError}`);
 * ```
 */
export interface MonitorStats {
  /** False for the no-op monitor that a misconfiguration produces. */
  readonly enabled: boolean;
  /** Valid records accepted into the queues (predictions, labels and pipeline stats). */
  readonly logged: number;
  /** Of those, predictions. */
  readonly predictions: number;
  /** Inputs refused before queueing (wrong types, bad names); never sent. */
  readonly invalid: number;
  /** Records the collector acknowledged. */
  readonly delivered: number;
  /** Records the collector refused (per-record rejections and 4xx answers); never retried. */
  readonly rejected: number;
  /** Records the SDK dropped: oldest ones when a queue was full, and what was left at shutdown. */
  readonly dropped: number;
  readonly droppedByReason: Readonly<Record<DropReason, number>>;
  /** Records waiting in the queues. */
  readonly queued: number;
  /** Records in the request being sent. */
  readonly inFlight: number;
  /** HTTP requests made, and how many of them failed and were retried. */
  readonly requests: number;
  readonly retries: number;
  /** The last delivery problem, if any. */
  readonly lastError: string | undefined;
}

/** The mutable counters behind {@link MonitorStats}. */
export class Counters {
  logged = 0;
  predictions = 0;
  invalid = 0;
  delivered = 0;
  rejected = 0;
  droppedQueueFull = 0;
  droppedShutdown = 0;
  inFlight = 0;
  requests = 0;
  retries = 0;
  lastError: string | undefined = undefined;
  readonly deliveredByStream: Record<StreamName, number> = { predictions: 0, labels: 0, pipeline_stats: 0 };

  snapshot(queued: number): MonitorStats {
    return {
      enabled: true,
      logged: this.logged,
      predictions: this.predictions,
      invalid: this.invalid,
      delivered: this.delivered,
      rejected: this.rejected,
      dropped: this.droppedQueueFull + this.droppedShutdown,
      droppedByReason: { queue_full: this.droppedQueueFull, shutdown: this.droppedShutdown },
      queued,
      inFlight: this.inFlight,
      requests: this.requests,
      retries: this.retries,
      lastError: this.lastError,
    };
  }
}

/** The stats of a monitor that does nothing. */
export const DISABLED_STATS: MonitorStats = Object.freeze({
  enabled: false,
  logged: 0,
  predictions: 0,
  invalid: 0,
  delivered: 0,
  rejected: 0,
  dropped: 0,
  droppedByReason: Object.freeze({ queue_full: 0, shutdown: 0 }),
  queued: 0,
  inFlight: 0,
  requests: 0,
  retries: 0,
  lastError: undefined,
});
