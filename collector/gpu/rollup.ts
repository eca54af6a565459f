/**
 * The GPU idle rollup job, like a Prometheus recording rule: every minute it rolls up the closed
 * hours of GPU samples, and re-rolls hours that late samples made stale, so the idle report
 * reads a few rows per series and hour instead of every sample (store/gpu-store.ts,
 * GPU_IDLE_BUCKET_MS). An hour counts as closed 2 × maxInterval after its end, when on-time
 * scrapes are in; later samples only mark it stale again. Each store call rolls up at most a day
 * of hours, so a backfill of weeks runs in steps that leave the store to other work in between.
 * Failures are logged and retried on the next tick, never thrown.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AppContext, BackgroundJob } from '../http/context.js';

/** How often the job looks for closed or stale hours. */
export const ROLLUP_INTERVAL_MS = 60_000;
/** Hours one store call rolls up at most. */
export const ROLLUP_BUCKETS_PER_CALL = 24;

export interface GpuRollupOptions {
  readonly clock?: () => number;
  readonly intervalMs?: number;
}

/** A metric registered once per registry, so restarts of the job in tests never collide. */
function single<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Starts the rollup loop; the first pass runs immediately. */
export function startGpuRollup(ctx: AppContext, options: GpuRollupOptions = {}): BackgroundJob {
  const clock = options.clock ?? Date.now;
  const config = ctx.config.gpu;
  const registry = ctx.registry;
  const rolled = single(
    registry,
    'factorywatch_gpu_idle_rollup_buckets_total',
    () =>
      new Counter({
        name: 'factorywatch_gpu_idle_rollup_buckets_total',
        help: 'Hours of GPU samples rolled up for the idle report (re-rolls after late samples included).',
        registers: [registry],
      }),
  );
  const pending = single(
    registry,
    'factorywatch_gpu_idle_rollup_pending_buckets',
    () =>
      new Gauge({
        name: 'factorywatch_gpu_idle_rollup_pending_buckets',
        help: 'Closed or stale hours of GPU samples not rolled up yet (the idle report reads them raw).',
        registers: [registry],
      }),
  );

  let stopped = false;
  let running: Promise<void> | undefined;

  async function pass(): Promise<void> {
    const closedBefore = clock() - 2 * config.maxIntervalMs;
    const started = performance.now();
    let buckets = 0;
    let samples = 0;
    for (;;) {
      const result = await ctx.store.gpu.rollUpIdle({
        threshold: config.threshold,
        closedBefore,
        maxBuckets: ROLLUP_BUCKETS_PER_CALL,
      });
      buckets += result.buckets;
      samples += result.samples;
      rolled.inc(result.buckets);
      pending.set(result.pending);
      if (result.buckets > 0 && result.pending > 0)
        ctx.logger.info({ buckets, samples, pending: result.pending }, 'GPU idle rollup in progress');
      if (stopped || result.pending === 0 || result.buckets === 0) break;
    }
    if (buckets > 0)
      ctx.logger.info(
        { buckets, samples, ms: Math.round(performance.now() - started) },
        'GPU idle rollup: hours rolled up',
      );
  }

  const tick = () => {
    if (running || stopped) return;
    running = pass()
      .catch((error: unknown) =>
        ctx.logger.warn({ err: error }, 'GPU idle rollup failed; retrying next tick'),
      )
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, options.intervalMs ?? ROLLUP_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
