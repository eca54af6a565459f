/**
 * The app factory: builds the fastify instance with parsers, error handling, the governance
 * guard and every part's routes, without listening (tests use `app.inject()`).
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { WalWriter } from '../ingest/writer.js';
import { ingestRoutes } from '../ingest/routes.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { Wal } from '../wal/wal.js';
import { registerBodyParsers } from './body-parsers.js';
import type { AppContext } from './context.js';
import { registerErrorHandlers } from './errors.js';
import { systemRoutes } from './system-routes.js';

/** A part's routes, registered after the guard so every one of them is authorised. */
export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

export interface AppParts {
  context: AppContext;
  wal: Wal;
  writer: WalWriter;
  metrics: CollectorMetrics;
  /** Adds authentication and authorisation hooks (governance/guard.ts). */
  registerGuard: (app: FastifyInstance) => void;
  routes: readonly RoutePlugin[];
}

export async function buildApp(parts: AppParts): Promise<FastifyInstance> {
  const { context, metrics } = parts;
  const app = Fastify({
    loggerInstance: context.logger,
    bodyLimit: context.config.bodyLimitBytes,
    // Per-request log lines would cost more than ingest itself at tens of thousands of records/s;
    // /metrics and the audit trail record every request instead.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  registerBodyParsers(app, context.config.bodyLimitBytes);
  registerErrorHandlers(app);
  parts.registerGuard(app);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ route, method: request.method, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ route, method: request.method }, reply.elapsedTime / 1000);
  });

  await systemRoutes(app, {
    store: context.store,
    wal: parts.wal,
    writer: parts.writer,
    metrics,
    walMaxBytes: context.config.wal.maxBytes,
  });
  await ingestRoutes(app, { config: context.config, wal: parts.wal, metrics });
  for (const plugin of parts.routes) await plugin(app, context);
  return app;
}
