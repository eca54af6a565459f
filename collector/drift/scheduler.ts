/** The background job that evaluates drift every `drift.intervalSeconds`. */
import type { AppContext, BackgroundJob } from '../http/context.js';
import { runDrift } from './run.js';

/** Starts the scheduler (a no-op job when `drift.enabled` is false); one run at a time, errors logged, never thrown. */
export function startDriftScheduler(ctx: AppContext): BackgroundJob {
  const config = ctx.config.drift;
  if (!config.enabled) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    const started = Date.now();
    running = runDrift(ctx, {}, started)
      .then((evaluations) => {
        const features = evaluations.reduce((n, e) => n + e.features.length, 0);
        ctx.logger.debug(
          { scopes: evaluations.length, features, ms: Date.now() - started },
          'drift evaluated',
        );
      })
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'drift evaluation failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, config.intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
