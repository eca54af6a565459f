/** `GET /v1/pipelines/health`: status, throughput, lag, queue trend and freshness per pipeline stage. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';
import { parseInstant } from '../models/time.js';
import { pipelineHealth } from './health.js';
import { PipelinesQuery, PipelinesResponse } from './schema.js';
import { withStarvation } from './starved-stages.js';

/** Registers `GET /v1/pipelines/health?pipeline=&at=`, scoped to the caller's tenant. */
export async function pipelineRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get(
    '/v1/pipelines/health',
    { schema: { querystring: PipelinesQuery, response: { 200: PipelinesResponse } } },
    async (request) => {
      const query = request.query as PipelinesQuery;
      const now = Date.now();
      const at = query.at === undefined ? now : parseInstant(query.at, now, '/querystring/at');
      const tenant = request.principal?.tenant ?? 'default';
      const stages = await pipelineHealth(ctx.store.health, ctx.config.health, {
        tenant,
        now: at,
        ...(query.pipeline === undefined ? {} : { pipeline: query.pipeline }),
      });
      const pipelines = await withStarvation(stages, ctx.store.gpu, {
        tenant,
        now: at,
        windowMs: ctx.config.gpu.starvationWindowMs,
      });
      return { at, pipelines };
    },
  );
}
