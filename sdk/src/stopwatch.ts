/**
 * Measures a prediction call's latency with the monotonic high-resolution clock (wall-clock time
 * can jump under NTP corrections; performance.now() cannot).
 */
import { performance } from 'node:perf_hooks';

/**
 * Starts a stopwatch; calling the returned function gives the milliseconds elapsed since, as
 * many times as you like.
 *
 * @example
 * ```ts
 * const elapsed = time();
 * const score = model.predict(features);
 * monitor.logPrediction({ features, prediction: score, latencyMs: elapsed() });
 * ```
 */
export function time(): () => number {
  const start = performance.now();
  return () => performance.now() - start;
}
