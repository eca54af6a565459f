/**
 * The GPU idle figures on /metrics (docs/metrics.md), recomputed every `gpu.metricsRefreshMs`
 * (default 15 s) for the scrape tenant (`gpu.tenant`). The idle ratio is a gauge over the last
 * hour; idle, data-starved and cost counters grow by each settled slice of time since start, so
 * `increase()` over them adds up like the report does.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AppContext, BackgroundJob } from '../http/context.js';
import { idleReport, type IdleReportRow } from './idle.js';

const GPU_LABELS = ['host', 'gpu', 'uuid', 'mig_instance', 'model_name', 'namespace', 'pod'] as const;
const HOUR_MS = 3_600_000;

/** A metric registered once per registry, so restarts of the job in tests never collide. */
function single<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Starts the refresh loop; the first refresh runs immediately. Failures are logged, never thrown. */
export function startGpuMetrics(ctx: AppContext, clock: () => number = Date.now): BackgroundJob {
  const registry = ctx.registry;
  const config = ctx.config.gpu;
  const idleRatio = single(
    registry,
    'factorywatch_gpu_idle_ratio',
    () =>
      new Gauge({
        name: 'factorywatch_gpu_idle_ratio',
        help: 'Idle share of observed time over the last hour, per GPU (or MIG instance) and pod.',
        labelNames: GPU_LABELS,
        registers: [registry],
      }),
  );
  const idleSeconds = single(
    registry,
    'factorywatch_gpu_idle_seconds_total',
    () =>
      new Counter({
        name: 'factorywatch_gpu_idle_seconds_total',
        help: 'Idle GPU seconds (activity below the threshold), split by allocation.',
        labelNames: [...GPU_LABELS, 'allocated'],
        registers: [registry],
      }),
  );
  const starvedSeconds = single(
    registry,
    'factorywatch_gpu_data_starved_seconds_total',
    () =>
      new Counter({
        name: 'factorywatch_gpu_data_starved_seconds_total',
        help: "Allocated idle GPU seconds while the job's pipeline was starved (empty queue or growing lag).",
        labelNames: GPU_LABELS,
        registers: [registry],
      }),
  );
  const idleCost = single(
    registry,
    'factorywatch_gpu_idle_cost_total',
    () =>
      new Counter({
        name: 'factorywatch_gpu_idle_cost_total',
        help: `Idle GPU-hours times the hourly price of the model (gpu.prices, ${config.currency}).`,
        labelNames: GPU_LABELS,
        registers: [registry],
      }),
  );

  // A slice is counted once its samples have settled: the newest sample's coverage is only known
  // when the next one arrives, so counters trail the clock by two nominal intervals.
  const settleMs = 2 * config.defaultIntervalMs;
  let countedUntil = clock() - settleMs;
  let running: Promise<void> | undefined;

  const labelsOf = (row: IdleReportRow) =>
    Object.fromEntries(GPU_LABELS.map((name) => [name, row[name] ?? ''])) as Record<
      (typeof GPU_LABELS)[number],
      string
    >;

  async function refresh(): Promise<void> {
    const now = clock();
    const hour = await idleReport(ctx.store.gpu, config, {
      tenant: config.tenant,
      from: now - HOUR_MS,
      until: now,
      by: 'gpu-pod',
    });
    idleRatio.reset();
    for (const row of hour.rows) idleRatio.set(labelsOf(row), row.idle_ratio);

    const sliceEnd = now - settleMs;
    if (sliceEnd <= countedUntil) return;
    const slice = await idleReport(ctx.store.gpu, config, {
      tenant: config.tenant,
      from: countedUntil,
      until: sliceEnd,
      by: 'gpu-pod',
    });
    for (const row of slice.rows) {
      const labels = labelsOf(row);
      // Zero increments too: a series must exist before its first idle second, or rate() and
      // alerts see nothing rather than 0.
      idleSeconds.inc({ ...labels, allocated: 'true' }, row.allocated_idle_seconds);
      idleSeconds.inc({ ...labels, allocated: 'false' }, row.unallocated_idle_seconds);
      starvedSeconds.inc(labels, row.data_starved_seconds);
      idleCost.inc(labels, row.idle_cost);
    }
    countedUntil = sliceEnd;
  }

  const tick = () => {
    if (running) return;
    running = refresh()
      .catch((error: unknown) =>
        ctx.logger.warn({ err: error }, 'GPU metrics refresh failed; retrying next tick'),
      )
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, config.metricsRefreshMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
