/**
 * The monitor a misconfiguration produces: same interface, does nothing, costs nothing. The
 * host keeps running exactly as it would without the SDK.
 */
import type { Monitor, PipelineReporter } from './monitor.js';
import { DISABLED_STATS, type MonitorStats } from './stats.js';
import { time } from './stopwatch.js';

const NOOP_REPORTER: PipelineReporter = Object.freeze({ record: () => undefined });

/**
 * A monitor that ignores every call; `stats().enabled` is false.
 *
 * @example
 * ```ts
 * const monitor: Monitor = process.env.FACTORYWATCH_URL ? createMonitor(options) : new NoopMonitor();
 * ```
 */
export class NoopMonitor implements Monitor {
  logPrediction(): void {}
  logLabel(): void {}
  pipeline(): PipelineReporter {
    return NOOP_REPORTER;
  }
  time(): () => number {
    return time();
  }
  flush(): Promise<boolean> {
    return Promise.resolve(true);
  }
  shutdown(): Promise<MonitorStats> {
    return Promise.resolve(DISABLED_STATS);
  }
  stats(): MonitorStats {
    return DISABLED_STATS;
  }
}
