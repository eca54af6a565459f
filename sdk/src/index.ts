/**
 * @factorywatch/sdk: instrument model servers and data pipelines for factorywatch.
 *
 * @example
 * ```ts
 * import { createMonitor } from '@factorywatch/sdk';
 * const monitor = createMonitor({ endpoint: 'http://127.0.0.1:8787', token, model: 'flight-delay', version: '3' });
 * monitor.logPrediction({ features: { distance_km: 1200 }, prediction: 0.82 });
 * ```
 */
export { createMonitor, type Monitor, type PipelineReporter } from './monitor.js';
export { NoopMonitor } from './noop-monitor.js';
export { DEFAULT_OPTIONS, type MonitorOptions } from './options.js';
export type { PredictionInput, PipelineStatInput, TimeInput } from './records.js';
export type { MonitorStats, DropReason, StreamName } from './stats.js';
export type { Logger } from './logger.js';
export { time } from './stopwatch.js';
export { METRIC_NAMES } from './telemetry.js';
export {
  startTelemetry,
  DEFAULT_PROMETHEUS_PORT,
  type Telemetry,
  type TelemetryOptions,
} from './start-telemetry.js';
export { SDK_VERSION } from './version.js';
export type { FeatureValue, Outcome, PredictionRecord, LabelRecord, PipelineStatRecord } from './wire.js';
