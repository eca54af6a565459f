/**
 * Scrapes the configured dcgm-exporter targets (`gpu.scrape`), each at its own interval, and
 * hands the parsed rows to the WAL. A slow, failing or garbled target is counted in
 * factorywatch_scrape_errors_total{target} and logged; it never stops the other targets or the
 * collector.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AppContext, BackgroundJob } from '../http/context.js';
import type { ScrapeTarget } from './config.js';
import { applyTargetLabels } from './labels.js';
import { parseExposition } from './parse-exposition.js';

/** What one scrape did, for logs and tests. */
export interface ScrapeOutcome {
  target: string;
  rows: number;
  malformedLines: number;
  error?: string;
}

function single<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Scrapes one target once: fetch with timeout, parse, label, append. Never throws. */
export async function scrapeOnce(
  ctx: AppContext,
  target: ScrapeTarget,
  clock: () => number = Date.now,
): Promise<ScrapeOutcome> {
  const startedAt = clock();
  try {
    const response = await fetch(target.url, {
      signal: AbortSignal.timeout(target.timeoutMs),
      headers: { accept: 'text/plain;version=0.0.4' },
    });
    if (!response.ok)
      return { target: target.url, rows: 0, malformedLines: 0, error: `HTTP ${response.status}` };
    const body = await response.text();
    const parsed = parseExposition(body, startedAt);
    for (const row of parsed.rows) applyTargetLabels(row, target.labels);
    if (parsed.rows.length > 0) await ctx.ingest.appendGpuSamples(ctx.config.gpu.tenant, parsed.rows);
    const outcome: ScrapeOutcome = {
      target: target.url,
      rows: parsed.rows.length,
      malformedLines: parsed.malformedLines,
    };
    if (parsed.rows.length === 0) outcome.error = 'the exposition held no GPU samples';
    else if (parsed.malformedLines > 0)
      outcome.error = `${parsed.malformedLines} malformed line(s), first: line ${parsed.errors[0]?.line}: ${parsed.errors[0]?.message}`;
    return outcome;
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { target: target.url, rows: 0, malformedLines: 0, error: message };
  }
}

/** Starts one timer per configured target; stop() waits for scrapes in flight. */
export function startGpuScraper(ctx: AppContext): BackgroundJob {
  const registry = ctx.registry;
  const errors = single(
    registry,
    'factorywatch_scrape_errors_total',
    () =>
      new Counter({
        name: 'factorywatch_scrape_errors_total',
        help: 'Failed dcgm-exporter scrapes (unreachable, timeout, HTTP error, no samples, malformed lines).',
        labelNames: ['target'],
        registers: [registry],
      }),
  );
  const duration = single(
    registry,
    'factorywatch_scrape_duration_seconds',
    () =>
      new Gauge({
        name: 'factorywatch_scrape_duration_seconds',
        help: 'Duration of the last dcgm-exporter scrape.',
        labelNames: ['target'],
        registers: [registry],
      }),
  );
  const inFlight = new Set<Promise<void>>();
  const timers = ctx.config.gpu.scrape.map((target) => {
    errors.inc({ target: target.url }, 0);
    let busy = false;
    const tick = () => {
      if (busy) return; // a scrape slower than its interval is not stacked up
      busy = true;
      const started = performance.now();
      const work = scrapeOnce(ctx, target).then((outcome) => {
        duration.set({ target: target.url }, (performance.now() - started) / 1000);
        if (outcome.error !== undefined) {
          errors.inc({ target: target.url });
          ctx.logger.warn(
            { target: target.url, rows: outcome.rows, error: outcome.error },
            'dcgm-exporter scrape failed',
          );
        }
      });
      const tracked = work.finally(() => {
        busy = false;
        inFlight.delete(tracked);
      });
      inFlight.add(tracked);
    };
    tick();
    const timer = setInterval(tick, target.intervalMs);
    timer.unref();
    return timer;
  });
  return {
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all([...inFlight]);
    },
  };
}
